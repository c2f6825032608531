"""The import page's handlers, called as a tab calls them: a run's headers and refusals shown,
a column mapped by hand, preview and apply started on a worker thread, the errors download
bound to the tab's session; a role that may not import is refused by the server."""

from __future__ import annotations

import threading

from sqlmodel import select

from clientcenter.models import Account
from clientcenter.services.agency.roles import Permission, refusal
from clientcenter.services.imports import runs
from clientcenter.services.imports.run_files import Upload
from clientcenter.state.agency.imports import AgentImportState
from tests.services.imports.conftest import ACCOUNTS, CONTACTS
from tests.support.demo import LEE_CHEN
from tests.support.handlers import page_state, settle
from tests.support.logins import agent_session

S = AgentImportState
BAD = ACCOUNTS.replace("04530", "=1+1")


def _call(state, name, *args):
    return settle(S.event_handlers[name].fn(state, *args))


def _wait_for(run_id: int) -> None:
    for thread in threading.enumerate():
        if thread.name == f"import-run-{run_id}":
            thread.join(timeout=30)


def _tab(db, login, run_id=None):
    params = {"run": run_id} if run_id else {}
    return page_state(S, login.cookie, path="/agent/import", **params)


def test_map_preview_apply_from_the_page(demo):
    login = agent_session(demo)
    renamed = CONTACTS.replace("Client Code", "Client Ref")
    run = runs.start_run(
        demo,
        login.principal,
        [Upload("accounts.csv", ACCOUNTS.encode()), Upload("contacts.csv", renamed.encode())],
    )
    demo.commit()
    tab = _tab(demo, login, run.id)
    _call(tab, "open_page")
    assert tab.error == "" and tab.status == "uploaded"
    assert [c.entity for c in tab.files] == ["accounts", "contacts"]
    contacts = tab.files[1]
    assert contacts.problem.startswith("required column missing: customer_id")
    assert contacts.headers[0].header == "Client Ref" and not contacts.headers[0].matched
    assert contacts.fields[0].label == "— not imported —"
    assert "customer_id (required)" in [f.label for f in contacts.fields]
    assert [t.href for t in tab.templates][0] == "/agent/import/templates/accounts.csv"

    _call(tab, "choose_target", "contacts", "Client Ref", "customer_id")
    assert tab.files[1].problem == "" and tab.files[1].headers[0].target == "customer_id"
    spec = _call(tab, "preview")
    assert tab.running and spec is not None  # the tab starts watching the run
    _wait_for(run.id)
    _call(tab, "open_page")
    assert tab.status == "previewed" and tab.dry_run and tab.percent == 100
    assert [(c.entity, c.created) for c in tab.counts] == [("accounts", 2), ("contacts", 3)]
    assert tab.error_count == 0 and tab.customers_notified == 0

    _call(tab, "apply")
    _wait_for(run.id)
    _call(tab, "apply")  # a second click
    assert tab.error in (
        "This import is already running; its progress is shown below.",
        "This import has been applied already.",
    )
    _call(tab, "open_page")
    assert tab.status == "applied" and not tab.dry_run
    assert [r.status_label for r in tab.recent] == ["Applied"]
    demo.expire_all()
    assert demo.exec(select(Account).where(Account.external_id == "C100")).one()


def test_refused_rows_listed_and_their_download_bound_to_the_session(demo):
    login = agent_session(demo)
    run = runs.start_run(demo, login.principal, [Upload("accounts.csv", BAD.encode())])
    demo.commit()
    tab = _tab(demo, login, run.id)
    _call(tab, "open_page")
    _call(tab, "preview")
    _wait_for(run.id)
    _call(tab, "open_page")
    assert tab.error_count == 1
    [row] = tab.errors
    assert (row.where, row.column, row.value) == ("accounts.csv, line 3", "postal_code", "=1+1")
    spec = _call(tab, "download_errors")
    assert "/agent/import/errors/" in str(spec)
    _call(tab, "apply")
    assert "so nothing would be applied" in tab.error
    _call(tab, "set_option", "valid_rows_only", True)
    assert tab.valid_rows_only and tab.status == "uploaded" and not tab.has_report


def test_a_role_that_may_not_import_is_refused(demo):
    tab = _tab(demo, agent_session(demo, email=LEE_CHEN))
    _call(tab, "open_page")
    assert tab.error == refusal(Permission.IMPORT_DATA) and tab.run_id == 0
    tab.run_id = 1  # a tab's vars are the browser's to set
    _call(tab, "preview")
    assert tab.error == refusal(Permission.IMPORT_DATA)
