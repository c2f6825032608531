"""Import runs, the import page's imports: upload, map, preview, apply once, and every
refusal (no permission, another agent's run, twice, files changed, a preview with refused
rows, a row refused only at apply time rolls the whole import back)."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlmodel import select

from clientcenter.models import Account, Agent, Contact, Policy
from clientcenter.models.audit import AuditEvent
from clientcenter.models.imports import ImportRun
from clientcenter.services.errors import InvalidInput, NotAllowed, NotFound
from clientcenter.services.files import storage
from clientcenter.services.imports import run_worker, runs
from clientcenter.services.imports.run_files import Upload
from tests.services.imports.conftest import ACCOUNTS, CONTACTS, POLICIES
from tests.support.demo import AGENT, DAN, PRIYA, agency_agent, agent_named

RENAMED = CONTACTS.replace("Client Code", "Client Ref")


def _uploads(contacts: str = RENAMED, accounts: str = ACCOUNTS) -> list[Upload]:
    return [
        Upload("accounts.csv", accounts.encode()),
        Upload("contacts.csv", contacts.encode()),
        Upload("policies.csv", POLICIES.encode()),
        Upload("notes.txt", b"not an export"),
    ]


def _start(db, uploads=None, who: str = AGENT) -> ImportRun:
    run = runs.start_run(db, agency_agent(db, who), uploads or _uploads())
    db.commit()
    return run


def _preview(db, run_id: int, who: str = AGENT) -> runs.RunView:
    runs.begin_preview(db, agency_agent(db, who), run_id)
    db.commit()
    run_worker.work(run_id, dry_run=True)
    db.expire_all()
    return runs.view_run(db, agency_agent(db, who), run_id)


def _apply(db, run_id: int, who: str = AGENT) -> runs.RunView:
    runs.begin_apply(db, agency_agent(db, who), run_id)
    db.commit()
    run_worker.work(run_id, dry_run=False)
    db.expire_all()
    return runs.view_run(db, agency_agent(db, who), run_id)


def _map_client_ref(db, run_id: int) -> runs.RunView:
    view = runs.set_target(db, agency_agent(db), run_id, "contacts", "Client Ref", "customer_id")
    db.commit()
    return view


def _accounts(db, key: str = "C100") -> list[Account]:
    db.expire_all()
    return list(db.exec(select(Account).where(Account.external_id == key)).all())


def test_upload_map_preview_apply(demo):
    run = _start(demo)
    view = runs.view_run(demo, agency_agent(demo), run.id)
    assert view.status == "uploaded" and view.ignored == ["notes.txt"]
    contacts = next(f for f in view.files if f.entity == "contacts")
    ref = next(h for h in contacts.headers if h.header == "Client Ref")
    assert (ref.target, ref.matched) == ("", False)  # no synonym: the agent maps it
    assert next(h for h in contacts.headers if h.header == "Email").target == "email"
    assert contacts.problem.startswith("required column missing: customer_id")
    assert "Client Ref" in contacts.problem
    with pytest.raises(InvalidInput, match="Fix the columns first. contacts.csv: required"):
        runs.begin_preview(demo, agency_agent(demo), run.id)

    assert (
        next(f for f in _map_client_ref(demo, run.id).files if f.entity == "contacts").problem
        == ""
    )
    view = _preview(demo, run.id)
    assert view.status == "previewed" and view.percent == 100
    counts = {
        e.entity: (e.created, e.updated, e.unchanged, e.refused) for e in view.report.entities
    }
    assert counts == {"accounts": (2, 0, 0, 0), "contacts": (3, 0, 0, 0), "policies": (3, 0, 0, 0)}
    assert view.report.dry_run and view.report.customers_notified == 0
    assert _accounts(demo) == []  # a preview writes nothing

    view = _apply(demo, run.id)
    assert view.status == "applied" and view.progress_done == view.progress_total > 0
    [account] = _accounts(demo)
    assert account.producer_id == agent_named(demo, AGENT).id
    assert (
        demo.exec(select(Policy).where(Policy.external_id == "X1")).one().account_id == account.id
    )
    [event] = demo.exec(select(AuditEvent).where(AuditEvent.action == "import.apply")).all()
    assert "accounts.csv" in event.summary


def test_a_run_applies_once(demo):
    run = _start(demo, _uploads(contacts=CONTACTS))
    _preview(demo, run.id)
    runs.begin_apply(demo, agency_agent(demo), run.id)
    demo.commit()
    # A double click, or a second tab, while the first apply runs:
    with pytest.raises(InvalidInput, match="already running"):
        runs.begin_apply(demo, agency_agent(demo), run.id)
    with pytest.raises(InvalidInput, match="running or has been applied"):
        runs.set_target(demo, agency_agent(demo), run.id, "contacts", "Email", "")
    demo.rollback()  # as session_scope does after a refusal
    run_worker.work(run.id, dry_run=False)
    demo.expire_all()
    with pytest.raises(InvalidInput, match="applied already"):
        runs.begin_apply(demo, agency_agent(demo), run.id)
    assert len(_accounts(demo)) == 1


def test_apply_needs_a_preview_of_what_is_applied(demo):
    run = _start(demo, _uploads(contacts=CONTACTS))
    with pytest.raises(InvalidInput, match="Preview the import first"):
        runs.begin_apply(demo, agency_agent(demo), run.id)
    _preview(demo, run.id)
    # Any change of mapping or options sends the run back to "uploaded".
    view = runs.set_options(demo, agency_agent(demo), run.id, {"full": True})
    demo.commit()
    assert view.status == "uploaded" and view.report is None and view.options["full"]
    with pytest.raises(InvalidInput, match="Preview the import first"):
        runs.begin_apply(demo, agency_agent(demo), run.id)
    with pytest.raises(InvalidInput, match="Unknown option: dry_run"):
        runs.set_options(demo, agency_agent(demo), run.id, {"dry_run": True})


def test_only_a_role_that_may_import_and_only_the_agents_own_run(demo):
    with pytest.raises(NotAllowed, match="import data"):
        runs.start_run(demo, agency_agent(demo, PRIYA), _uploads())
    run = _start(demo)
    for step in (
        lambda p: runs.view_run(demo, p, run.id),
        lambda p: runs.set_target(demo, p, run.id, "contacts", "Client Ref", "customer_id"),
        lambda p: runs.begin_preview(demo, p, run.id),
        lambda p: runs.begin_apply(demo, p, run.id),
        lambda p: runs.errors_link(demo, p, run.id),
        lambda p: runs.latest_runs(demo, p),
    ):
        with pytest.raises(NotAllowed, match="import data"):
            step(agency_agent(demo, PRIYA))
    # Another agent whose role may import: someone else's run looks absent.
    demo.exec(select(Agent).where(Agent.email == DAN)).one().role = "administrator"
    demo.commit()
    with pytest.raises(NotFound, match="No such import"):
        runs.view_run(demo, agency_agent(demo, DAN), run.id)
    with pytest.raises(NotFound):
        runs.begin_apply(demo, agency_agent(demo, DAN), run.id)
    assert runs.latest_runs(demo, agency_agent(demo, DAN)) == []
    assert [r.id for r in runs.latest_runs(demo, agency_agent(demo))] == [run.id]


def test_a_preview_with_refused_rows_applies_nothing_unless_asked(demo):
    bad = ACCOUNTS.replace("04530", "=1+1")  # C200's ZIP: refused, so are its rows elsewhere
    run = _start(demo, _uploads(contacts=CONTACTS, accounts=bad))
    view = _preview(demo, run.id)
    assert view.status == "previewed" and view.report.errors
    assert "'=1+1" in view.report.errors_csv()
    with pytest.raises(InvalidInput, match=r"refused \d+ row\(s\), so nothing would be applied"):
        runs.begin_apply(demo, agency_agent(demo), run.id)
    assert _accounts(demo) == []

    runs.set_options(demo, agency_agent(demo), run.id, {"valid_rows_only": True})
    demo.commit()
    _preview(demo, run.id)
    view = _apply(demo, run.id)
    assert view.status == "applied"
    assert len(_accounts(demo, "C100")) == 1 and _accounts(demo, "C200") == []


def test_a_row_refused_only_at_apply_time_rolls_back_the_whole_import(demo):
    run = _start(demo, _uploads(contacts=CONTACTS))
    _preview(demo, run.id)
    # Between preview and apply, someone gives dana@example.org to another person.
    other = demo.exec(select(Account).where(Account.external_id.is_(None))).first()
    demo.add(
        Contact(
            account_id=other.id,
            first_name="Not",
            last_name="Dana",
            email="dana@example.org",
            role="additional",
        )
    )
    demo.commit()
    view = _apply(demo, run.id)
    assert view.status == "refused" and view.report.errors
    assert _accounts(demo) == []  # accounts.csv was fine, and still nothing was applied


def test_files_changed_since_the_upload_are_refused(demo):
    run = _start(demo, _uploads(contacts=CONTACTS))
    _preview(demo, run.id)
    key = run.uploads[0]["storage_key"]
    storage.store().write(key, ACCOUNTS.replace("Dana", "Eve").encode())
    view = _apply(demo, run.id)
    assert view.status == "failed"
    assert view.message == "accounts.csv changed since it was uploaded; upload the export again."
    assert _accounts(demo) == []


def _zip(**members: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return out.getvalue()


def test_a_zip_upload_and_a_saved_mapping(demo):
    data = _zip(**{"accounts.csv": ACCOUNTS, "contacts.csv": RENAMED, "readme.txt": "x"})
    run = _start(demo, [Upload("book.zip", data)])
    assert [f.entity for f in runs.view_run(demo, agency_agent(demo), run.id).files] == [
        "accounts",
        "contacts",
    ]
    assert run.ignored == ["book.zip: readme.txt"]
    _map_client_ref(demo, run.id)
    runs.save_run_mapping(demo, agency_agent(demo), run.id, "nightly")
    demo.commit()
    # The next upload picks the saved mapping: the renamed column is mapped again.
    again = _start(demo, [Upload("book.zip", data)])
    view = runs.use_saved_mapping(demo, agency_agent(demo), again.id, "nightly")
    assert view.mapping_name == "nightly" and "nightly" in view.saved_mappings
    assert all(f.problem == "" for f in view.files)
    assert _preview(demo, again.id).report.entity("contacts").created == 3
    with pytest.raises(NotFound, match='No import mapping is saved as "weekly"'):
        runs.use_saved_mapping(demo, agency_agent(demo), again.id, "weekly")
    with pytest.raises(InvalidInput, match="1 to 80 characters"):
        runs.save_run_mapping(demo, agency_agent(demo), again.id, "auto")


@pytest.mark.parametrize(
    ("uploads", "message"),
    [
        ([], "Choose a zip of the export"),
        ([Upload("notes.txt", b"x")], "None of these files is one we import (notes.txt)"),
        (
            [
                Upload("accounts.csv", ACCOUNTS.encode()),
                Upload("b.zip", _zip(**{"accounts.csv": ACCOUNTS})),
            ],
            'Two files hold accounts: "accounts.csv" and "accounts.csv"',
        ),
        ([Upload("bomb.zip", _zip(**{"accounts.csv": "a" * 2_000_000}))], "zip bomb"),
    ],
)
def test_uploads_refused_by_name(demo, uploads, message):
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(").replace(")", r"\)")):
        runs.start_run(demo, agency_agent(demo), uploads)
    demo.rollback()
    assert demo.exec(select(ImportRun)).all() == []


def test_a_mapping_that_feeds_one_field_twice_is_named(demo):
    run = _start(demo, _uploads(contacts=CONTACTS))
    view = runs.set_target(demo, agency_agent(demo), run.id, "contacts", "Cell Phone", "email")
    contacts = next(f for f in view.files if f.entity == "contacts")
    assert contacts.problem == (
        'columns "Email" and "Cell Phone" both map to "email"; map one of them to another '
        "field or ignore it."
    )
    with pytest.raises(InvalidInput, match="not one of our contacts fields"):
        runs.set_target(demo, agency_agent(demo), run.id, "contacts", "Email", "password")
    with pytest.raises(InvalidInput, match="not a column of this import's contacts file"):
        runs.set_target(demo, agency_agent(demo), run.id, "contacts", "Nope", "email")


def test_a_file_that_cannot_be_read_is_shown_with_its_reason(demo):
    run = _start(demo, [Upload("accounts.csv", "Customer ID,Name\r\nC1,Zoë\r\n".encode("utf-16"))])
    [accounts] = runs.view_run(demo, agency_agent(demo), run.id).files
    assert "UTF-16" in accounts.problem or "UTF-8" in accounts.problem


def test_templates_come_from_the_column_definitions():
    assert runs.template_csv("accounts") == (
        "accounts.csv",
        "customer_id,name,kind,business_name,producer_email,street,city,state,postal_code\r\n",
    )
    with pytest.raises(NotFound):
        runs.template_csv("../secrets")


def test_a_run_whose_worker_stopped_is_marked_failed_by_housekeeping(demo):
    """A restart mid-apply leaves the row "applying" with nobody working on it: the sweep
    marks it failed after ten minutes without word; a run this process works on, or one that
    spoke recently, stays."""
    from datetime import timedelta

    from clientcenter.models.base import utcnow
    from clientcenter.services.auth import housekeeping
    from clientcenter.services.imports import run_progress, run_stalled

    stopped, live, recent = (_start(demo, _uploads(CONTACTS)) for _ in range(3))
    for run in (stopped, live, recent):
        runs.begin_preview(demo, agency_agent(demo), run.id)
    demo.commit()
    long_ago = utcnow() - timedelta(minutes=11)
    for run in (stopped, live):
        run.updated_at = long_ago
    demo.commit()
    run_progress.set_progress(live.id, 10, 100)
    try:
        swept = housekeeping.sweep(demo)
        demo.commit()
    finally:
        run_progress.forget(live.id)
    assert swept.import_runs == 1
    demo.expire_all()
    assert demo.get(ImportRun, stopped.id).status == "failed"
    assert demo.get(ImportRun, stopped.id).message == run_stalled.STALLED_MESSAGE
    assert demo.get(ImportRun, live.id).status == "previewing"
    assert demo.get(ImportRun, recent.id).status == "previewing"
    view = _preview(demo, stopped.id)  # and it can be previewed again
    assert view.status == "previewed"
