"""Notifications are never a surprise: an import notifies nobody unless asked; asked, each
account whose policies it created or changed gets the Policies/Invoices row once, as the
importing agent, and a dry run counts the emails and texts without writing any."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from clientcenter.models import ActivityLog, Agent, Contact, OutboxMessage
from clientcenter.services.errors import NotAllowed
from clientcenter.services.imports.run import ImportOptions, run_import
from clientcenter.services.imports.sources import open_source
from clientcenter.services.principal import Principal
from tests.services.imports.conftest import ACCOUNTS, CONTACTS, POLICIES, write_export

PUBLISH = "agency.publish_policies_invoices"


def _admin(session: Session) -> Agent:
    return session.exec(
        select(Agent).where(Agent.role == "administrator").order_by(Agent.id)
    ).first()


def _run(session: Session, folder, *, agent: Agent | None = None, **options):
    agent = agent or _admin(session)
    report = run_import(
        session,
        open_source(folder).files,
        mapping={},
        default_producer_id=agent.id,
        options=ImportOptions(**options),
        principal=Principal.agency(agent.id),
    )
    session.commit()
    return report


def _outbox(session: Session) -> int:
    return session.exec(select(func.count()).select_from(OutboxMessage)).one()


def _notices(session: Session) -> list[ActivityLog]:
    return list(
        session.exec(
            select(ActivityLog).where(ActivityLog.action_key == PUBLISH).order_by(ActivityLog.id)
        )
    )


def _customer_messages(session: Session) -> list[tuple[str, str]]:
    return sorted(
        session.exec(
            select(OutboxMessage.channel, OutboxMessage.to_address).where(
                OutboxMessage.template.like("action_%"),
                OutboxMessage.recipient_kind != "agent",
                OutboxMessage.activity_id.in_([n.id for n in _notices(session)]),
            )
        )
    )


def test_an_import_notifies_nobody_unless_asked(demo, export, tmp_path):
    before, notices = _outbox(demo), len(_notices(demo))
    report = _run(demo, export)
    changed = write_export(
        tmp_path / "changed", policies=POLICIES.replace('"$1,234.50"', '"$1,300.00"')
    )
    again = _run(demo, changed)
    assert (_outbox(demo), len(_notices(demo))) == (before, notices)
    assert report.customers_notified == again.customers_notified == 0
    assert (report.customers_to_email, report.customers_to_text) == (0, 0)
    assert "customers notified: 0 (not asked" in report.text()


def test_asked_each_changed_account_is_told_once_not_once_per_row(demo, export):
    before = _outbox(demo)
    report = _run(demo, export, notify=True)
    notices = _notices(demo)
    # Three policies on two accounts: two entries, one email each to the primary applicant.
    assert (
        sorted(n.account_id for n in notices) == sorted({n.account_id for n in notices})
        and len(notices) == 2
    )
    admin = _admin(demo)
    assert {(n.actor_kind, n.actor_agent_id, n.channel) for n in notices} == {
        ("agent", admin.id, "agency")
    }
    assert _customer_messages(demo) == [
        ("email", "dana@example.org"),
        ("email", "morgan@example.org"),
    ]
    assert _outbox(demo) - before == 2  # the row sends no agent email
    assert (report.customers_notified, report.customers_to_email, report.customers_to_text) == (
        2,
        2,
        0,
    )
    assert "customers notified: 2 (2 by email, 0 by text)" in report.text()


def test_an_unchanged_reimport_notifies_nobody_even_when_asked(demo, export):
    _run(demo, export, notify=True)
    before, notices = _outbox(demo), len(_notices(demo))
    report = _run(demo, export, notify=True)
    assert (_outbox(demo), len(_notices(demo))) == (before, notices)
    assert report.customers_notified == 0


def test_only_the_accounts_whose_policies_changed_are_told(demo, export, tmp_path):
    _run(demo, export)
    # Dana's premium changes; Morgan's account changes its address but no policy.
    changed = write_export(
        tmp_path / "changed",
        accounts=ACCOUNTS.replace("9 Wharf Rd", "10 Wharf Rd"),
        policies=POLICIES.replace('"$1,234.50"', '"$1,300.00"'),
    )
    report = _run(demo, changed, notify=True)
    assert [n.summary for n in _notices(demo)] == [
        "Your policies in your Client Center were updated from the agency's records."
    ]
    assert _customer_messages(demo) == [("email", "dana@example.org")]
    assert report.customers_notified == 1


def test_a_dry_run_counts_what_the_apply_sends_and_writes_nothing(demo, export):
    before = _outbox(demo)
    preview = _run(demo, export, notify=True, dry_run=True)
    assert (_outbox(demo), len(_notices(demo))) == (before, 0)
    assert (preview.customers_to_email, preview.customers_to_text) == (2, 0)
    assert preview.customers_notified == 0
    assert "applied, the notice would go 2 by email, 0 by text" in preview.text()
    applied = _run(demo, export, notify=True)
    assert (applied.customers_to_email, applied.customers_to_text) == (2, 0)


def test_each_contacts_channel_preferences_decide_email_or_text(demo, export, tmp_path):
    _run(demo, export)
    dana = demo.exec(select(Contact).where(Contact.email == "dana@example.org")).one()
    dana.notify_by_sms = True  # texts too (she has a mobile on file)
    morgan = demo.exec(select(Contact).where(Contact.email == "morgan@example.org")).one()
    morgan.notify_by_email, morgan.notify_by_sms = False, True  # texts only
    demo.commit()
    changed = write_export(
        tmp_path / "changed",
        policies=POLICIES.replace("In Force", "Active")
        .replace('"$1,234.50"', '"$1,300.00"')
        .replace('"4,410"', '"4,500"'),
    )
    preview = _run(demo, changed, notify=True, dry_run=True)
    assert (preview.customers_to_email, preview.customers_to_text) == (1, 2)
    report = _run(demo, changed, notify=True)
    assert _customer_messages(demo) == [
        ("email", "dana@example.org"),
        ("sms", "+12075550142"),
        ("sms", "+12075550177"),
    ]
    assert (report.customers_notified, report.customers_to_email, report.customers_to_text) == (
        2,
        1,
        2,
    )


def test_a_refused_policies_file_notifies_nobody(demo, tmp_path):
    bad = write_export(
        tmp_path / "x",
        accounts=ACCOUNTS,
        contacts=CONTACTS,
        policies=POLICIES.replace("C200,X3", "C999,X3"),
    )
    before = _outbox(demo)
    report = _run(demo, bad, notify=True)
    assert report.refused_rows == 1
    assert (_outbox(demo), len(_notices(demo)), report.customers_notified) == (before, 0, 0)


def test_notifying_needs_an_agent_who_may_publish(demo, export):
    service = Agent(
        email="desk@example.com", first_name="Desk", last_name="Staff", role="customer_service"
    )
    demo.add(service)
    demo.commit()
    before = _outbox(demo)
    with pytest.raises(NotAllowed):
        _run(demo, export, agent=service, notify=True)
    demo.rollback()
    with pytest.raises(NotAllowed):
        run_import(
            demo,
            open_source(export).files,
            mapping={},
            default_producer_id=service.id,
            options=ImportOptions(notify=True),
        )
    demo.rollback()
    assert _outbox(demo) == before and _notices(demo) == []
    assert _run(demo, export, agent=service).customers_notified == 0  # not asked: allowed
