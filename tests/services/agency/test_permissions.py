"""The permission table, cell by cell: for every (role, permission) pair, the real service the
permission guards, called by a demo agent of that role. A role that may gets its answer; a
role that may not gets NotAllowed with the table's one message, and a security log line.
Demo data, SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable

import pytest
from sqlmodel import Session, select

from clientcenter.models import Agent, Document
from clientcenter.services import access
from clientcenter.services.accounts import primary_contact
from clientcenter.services.agency import (
    actions,
    audit,
    info_pane,
    invite,
    read_only,
    search,
    staff,
    tasks,
)
from clientcenter.services.agency.roles import PERMISSIONS, Permission, Role, refusal
from clientcenter.services.auth import passkeys
from clientcenter.services.billing import invoices, send_payment_request
from clientcenter.services.errors import NotAllowed
from clientcenter.services.imports.mappings import AUTOMATIC
from clientcenter.services.imports.run import ImportOptions, import_for_agent
from clientcenter.services.notify import outbox
from clientcenter.services.portal.activity_feed import activity_page
from clientcenter.services.principal import Principal
from clientcenter.services.webhooks import endpoints as webhook_endpoints
from tests.support.demo import (
    AGENT,
    LEE_CHEN,
    PRIYA,
    RIVERA,
    ROBIN,
    account_named,
    agency_agent,
    agent_named,
)
from tests.support.payments import open_invoice

# The demo's agent of each role.
DEMO_AGENT_OF = {
    Role.ADMINISTRATOR: AGENT,
    Role.PRODUCER: PRIYA,
    Role.CUSTOMER_SERVICE: LEE_CHEN,
    Role.AUDITOR: ROBIN,
}

Call = Callable[[Session, Principal], object]


def _rivera(db: Session) -> int:
    return account_named(db, RIVERA).id


def _share_a_document(db: Session, p: Principal):
    rivera = _rivera(db)
    doc = db.exec(select(Document).where(Document.account_id == rivera)).first()
    doc.shared_with_customer = False
    db.flush()
    return actions.share_document(db, p, rivera, doc.id, "email")


def _send_payment_request(db: Session, p: Principal):
    return send_payment_request(db, p, open_invoice(db, RIVERA).id, channel="email")


def _checked_only(permission: Permission) -> Call:
    """Permissions whose services live on other branches of issue 13 (staff, audit trail,
    retention, imports, API keys): the check those services make."""
    return lambda db, p: access.require_permission(db, p, permission)


# Each permission, and a call to a service it guards.
GUARDED: dict[Permission, Call] = {
    Permission.SEARCH: lambda db, p: search.super_search(db, p, "Rivera"),
    Permission.INFO_PANE: lambda db, p: info_pane.info_pane(db, p, _rivera(db)),
    Permission.READ_ONLY_VIEW: lambda db, p: read_only.view_grant(db, p, _rivera(db)),
    Permission.SHARE_DOCUMENTS: _share_a_document,
    Permission.PAYMENT_REQUESTS: _send_payment_request,
    Permission.TAKE_PAYMENTS: lambda db, p: invoices.pending_confirmations(db, p),
    Permission.PUBLISH: lambda db, p: actions.publishable(db, p, _rivera(db)),
    Permission.TASK_QUEUE: lambda db, p: tasks.task_queue(db, p),
    Permission.FAILED_MESSAGES: lambda db, p: outbox.list_failed(db, p),
    Permission.ACTIVITY: lambda db, p: activity_page(db, p, _rivera(db)),
    Permission.MANAGE_ACCOUNTS: lambda db, p: invite.invitees(db, p, _rivera(db)),
    Permission.CLEAR_PASSKEYS: lambda db, p: passkeys.clear_for_contact(
        db, p, primary_contact(db, _rivera(db)).id
    ),
    Permission.IMPORT_DATA: lambda db, p: import_for_agent(
        db, p, {}, mapping_name=AUTOMATIC, options=ImportOptions(dry_run=True)
    ),
    Permission.MANAGE_STAFF: lambda db, p: staff.staff_list(db, p),
    Permission.MANAGE_API_KEYS: _checked_only(Permission.MANAGE_API_KEYS),
    Permission.MANAGE_WEBHOOKS: lambda db, p: webhook_endpoints.list_endpoints(db, p),
    Permission.AUDIT_TRAIL: lambda db, p: audit.audit_page(db, p, audit.parse_filter({})),
    Permission.EXPORT_AUDIT: lambda db, p: next(
        audit.export_csv(
            db, p, audit.parse_export({"date_from": "2026-01-01", "date_to": "2026-12-31"})
        )
    ),
    Permission.RETENTION: _checked_only(Permission.RETENTION),
}

CELLS = list(itertools.product(Role, Permission))


def test_every_permission_has_a_guarded_call_and_every_role_a_demo_agent(demo):
    assert set(GUARDED) == set(Permission)
    assert {Role(agent_named(demo, email).role) for email in DEMO_AGENT_OF.values()} == set(Role)


@pytest.mark.parametrize(("role", "permission"), CELLS, ids=[f"{r}-{p}" for r, p in CELLS])
def test_cell(demo, caplog, role: Role, permission: Permission):
    principal = agency_agent(demo, DEMO_AGENT_OF[role])
    caplog.set_level(logging.WARNING, logger="clientcenter.security")
    if permission in PERMISSIONS[role]:
        GUARDED[permission](demo, principal)
        assert not [r for r in caplog.records if r.name == "clientcenter.security"]
        return
    with pytest.raises(NotAllowed) as refused:
        GUARDED[permission](demo, principal)
    assert refused.value.message == refusal(permission)
    [line] = [r.getMessage() for r in caplog.records if r.name == "clientcenter.security"]
    assert f"permission={permission}" in line and f"role={role}" in line
    assert f"agent_id={principal.agent_id}" in line


def test_an_unknown_role_may_do_nothing(demo, caplog):
    agent = agent_named(demo, PRIYA)
    agent.role = "owner"  # a value written by hand
    demo.add(agent)
    demo.flush()
    with pytest.raises(NotAllowed, match="does not allow you to search customers"):
        GUARDED[Permission.SEARCH](demo, agency_agent(demo, PRIYA))
    assert demo.get(Agent, agent.id).role == "owner"


def test_an_auditor_cannot_enter_the_read_only_view_with_a_grant_minted_before(demo):
    """The grant is minted while the agent may; the role changes; entering is refused."""
    from tests.support.logins import agent_session

    login = agent_session(demo, email=ROBIN)
    robin = agent_named(demo, ROBIN)
    robin.role = Role.PRODUCER
    demo.commit()
    grant = read_only.view_grant(demo, login.principal, _rivera(demo))
    robin.role = Role.AUDITOR
    demo.commit()
    with pytest.raises(NotAllowed, match=refusal(Permission.READ_ONLY_VIEW)):
        read_only.enter_view(demo, grant=grant, token=login.token, client_ip="203.0.113.9")


def test_the_table_in_the_administration_guide_is_the_table_in_code():
    from clientcenter.settings import PROJECT_ROOT

    text = (PROJECT_ROOT / "docs" / "administration.md").read_text(encoding="utf-8")
    written = {}
    for line in text.split("## Roles", 1)[1].splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 1 + len(Role) and "(`" in cells[0]:
            value = cells[0].split("(`")[1].rstrip("`)")
            written[Permission(value)] = {r for r, c in zip(Role, cells[1:]) if c == "✓"}
    assert written == {p: {r for r in Role if p in PERMISSIONS[r]} for p in Permission}
