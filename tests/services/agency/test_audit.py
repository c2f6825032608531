"""The audit trail: one row per agent read (info pane, search, read-only view) and per agent
write (record_action on the agency side), with agent, account and client IP; the page's
filters and paging; the CSV export and its neutralised cells."""

from __future__ import annotations

import csv
import dataclasses
import io
import logging
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from clientcenter.models import ActivityLog
from clientcenter.models.audit import AuditEvent
from clientcenter.services.agency import audit, read_only
from clientcenter.services.agency.info_pane import info_pane
from clientcenter.services.agency.roles import Permission, refusal
from clientcenter.services.agency.search import super_search
from clientcenter.services.errors import InvalidInput, NotAllowed
from clientcenter.services.notify.activity import record_action
from clientcenter.services.portal.activity_feed import activity_page
from clientcenter.services.principal import Principal
from tests.support.demo import (
    AGENT,
    LEE_CHEN,
    PAT,
    PRIYA,
    RIVERA,
    STUDIO,
    account_named,
    agency_agent,
    agent_named,
    customer,
)
from tests.support.logins import agent_session
from tests.support.settings import use_settings

IP = "203.0.113.7"


def _from(principal: Principal) -> Principal:
    return dataclasses.replace(principal, client_ip=IP)


def _events(db: Session) -> list[AuditEvent]:
    db.flush()
    return list(db.exec(select(AuditEvent).order_by(AuditEvent.id)).all())


def _only(db: Session, **expected) -> AuditEvent:
    [event] = _events(db)
    for name, value in expected.items():
        assert getattr(event, name) == value, name
    return event


# --- reads -------------------------------------------------------------------------------------


def test_opening_the_info_pane_is_one_read(demo):
    rivera = account_named(demo, RIVERA)
    agent = agent_named(demo)
    info_pane(demo, _from(agency_agent(demo)), rivera.id)
    _only(
        demo,
        kind="read",
        action="info_pane.open",
        agent_id=agent.id,
        account_id=rivera.id,
        client_ip=IP,
        query_hash=None,
    )


def test_a_search_is_one_read_with_the_query_as_a_keyed_hash_by_default(demo):
    super_search(demo, _from(agency_agent(demo)), "Rivera")
    event = _only(demo, kind="read", action="search.run", account_id=None, client_ip=IP)
    assert event.query_hash == audit.search_query_hash("rivera") and len(event.query_hash) == 64
    assert "Rivera" not in event.summary and "rivera" not in event.summary


@pytest.mark.parametrize(
    ("mode", "hashed", "in_summary"), [("plain", False, True), ("none", False, False)]
)
def test_search_queries_kept_plain_or_not_at_all(demo, monkeypatch, mode, hashed, in_summary):
    use_settings(monkeypatch, AUDIT__SEARCH_QUERIES=mode)
    super_search(demo, _from(agency_agent(demo)), "Rivera")
    event = _only(demo, action="search.run")
    assert (event.query_hash is not None) is hashed
    assert ("Rivera" in event.summary) is in_summary


def test_entering_the_read_only_view_is_one_read_with_the_route_ip(demo):
    principal, token, _ = agent_session(demo)
    rivera = account_named(demo, RIVERA)
    grant = read_only.view_grant(demo, principal, rivera.id)
    read_only.enter_view(demo, grant=grant, token=token, client_ip="198.51.100.9")
    _only(
        demo,
        kind="read",
        action="read_only.enter",
        agent_id=principal.agent_id,
        account_id=rivera.id,
        client_ip="198.51.100.9",
    )


def test_reading_an_account_s_activity_is_one_read(demo):
    rivera = account_named(demo, RIVERA)
    activity_page(demo, _from(agency_agent(demo)), rivera.id)
    _only(demo, kind="read", action="activity.view", account_id=rivera.id, client_ip=IP)


def test_a_refused_read_records_nothing(demo):
    with pytest.raises(NotAllowed):
        info_pane(demo, customer(demo, PAT), account_named(demo, RIVERA).id)
    assert _events(demo) == []


# --- writes ------------------------------------------------------------------------------------


def test_an_agency_side_action_is_one_write_in_its_transaction(demo):
    rivera = account_named(demo, RIVERA)
    entry = record_action(
        demo,
        _from(agency_agent(demo)),
        "agency.publish_policies_invoices",
        account_id=rivera.id,
        summary="Published the renewal.",
    )
    _only(
        demo,
        kind="write",
        action="agency.publish_policies_invoices",
        agent_id=entry.actor_agent_id,
        account_id=rivera.id,
        summary="Published the renewal.",
        client_ip=IP,
    )
    demo.rollback()  # the change rolled back: its audit row with it
    assert _events(demo) == []


def test_customers_and_read_only_agents_leave_no_write(demo):
    record_action(demo, customer(demo, PAT), "customer.download_documents")
    viewing = Principal.agent_viewing(agent_named(demo).id, account_named(demo, RIVERA).id)
    record_action(demo, viewing, "agent.login")
    assert _events(demo) == []


def test_a_path_without_a_request_records_an_empty_ip(demo):
    record_action(
        demo,
        agency_agent(demo),
        "agency.publish_policies_invoices",
        account_id=account_named(demo, RIVERA).id,
    )
    _only(demo, kind="write", client_ip="")


# --- the page ---------------------------------------------------------------------------------


def _seed(db: Session) -> dict[str, int]:
    """Rows on three days, two agents, two accounts, both kinds."""
    rivera, studio = account_named(db, RIVERA), account_named(db, STUDIO)
    alex, priya = agent_named(db, AGENT), agent_named(db, PRIYA)
    rows = [
        (datetime(2026, 3, 1, 9, tzinfo=UTC), alex.id, rivera.id, "read", "info_pane.open"),
        (datetime(2026, 3, 1, 23, 59, tzinfo=UTC), priya.id, studio.id, "write", "agency.x"),
        (datetime(2026, 3, 2, 0, 0, tzinfo=UTC), alex.id, studio.id, "read", "info_pane.open"),
        (datetime(2026, 3, 3, 12, tzinfo=UTC), priya.id, rivera.id, "read", "search.run"),
    ]
    for at, agent_id, account_id, kind, action in rows:
        db.add(
            AuditEvent(
                created_at=at, agent_id=agent_id, account_id=account_id, kind=kind, action=action
            )
        )
    db.flush()
    return {"alex": alex.id, "priya": priya.id, "rivera": rivera.id, "studio": studio.id}


def _actions(db, data: dict) -> list[tuple[str, str]]:
    page = audit.audit_page(db, agency_agent(db), audit.parse_filter(data))
    return [(r.when, r.action) for r in page.rows]


def test_filters_by_agent_account_dates_and_kind_newest_first(demo):
    ids = _seed(demo)
    everything = _actions(demo, {})
    assert everything == [
        ("Mar 3, 2026, 7:00 AM EST", "search.run"),
        ("Mar 1, 2026, 7:00 PM EST", "info_pane.open"),
        ("Mar 1, 2026, 6:59 PM EST", "agency.x"),
        ("Mar 1, 2026, 4:00 AM EST", "info_pane.open"),  # shown on the agency's clock
    ]
    assert _actions(demo, {"agent_id": str(ids["priya"])}) == [everything[0], everything[2]]
    assert _actions(demo, {"account": "studio"}) == [everything[1], everything[2]]
    assert _actions(demo, {"account": str(ids["rivera"])}) == [everything[0], everything[3]]
    # Dates are whole UTC days, both ends included.
    assert _actions(demo, {"date_from": "2026-03-01", "date_to": "2026-03-01"}) == everything[2:]
    assert _actions(demo, {"date_from": "2026-03-02"}) == everything[:2]
    assert _actions(demo, {"kind": "write"}) == [everything[2]]
    assert _actions(demo, {"kind": "read", "agent_id": str(ids["alex"])}) == [
        everything[1],
        everything[3],
    ]


def test_pages_of_the_trail(demo):
    _seed(demo)
    principal, f = agency_agent(demo), audit.AuditFilter()
    first = audit.audit_page(demo, principal, f, page=1, per_page=3)
    second = audit.audit_page(demo, principal, f, page=2, per_page=3)
    assert (first.total, first.pages, len(first.rows), len(second.rows)) == (4, 2, 3, 1)
    assert second.rows[0].action == "info_pane.open" and second.rows[0].when == (
        "Mar 1, 2026, 4:00 AM EST"
    )
    assert audit.audit_page(demo, principal, f, page=99, per_page=3).page == 2


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"date_from": "1 March"}, "date_from", "Enter the date as YYYY-MM-DD."),
        (
            {"date_from": "2026-03-02", "date_to": "2026-03-01"},
            "date_to",
            "The end date is before the start date.",
        ),
        ({"kind": "delete"}, "kind", "Choose reads, changes or both."),
        ({"agent_id": "alex"}, "agent_id", "Choose an agent from the list."),
    ],
)
def test_bad_filters_say_which_field(data, field, message):
    with pytest.raises(InvalidInput) as err:
        audit.parse_filter(data)
    assert (err.value.field, err.value.message) == (field, message)


def test_a_role_without_the_trail_is_refused_and_logged(demo, caplog):
    service = agency_agent(demo, LEE_CHEN)  # customer service
    caplog.set_level(logging.WARNING, "clientcenter.security")
    with pytest.raises(NotAllowed) as err:
        audit.audit_page(demo, service, audit.AuditFilter())
    assert err.value.message == refusal(Permission.AUDIT_TRAIL)
    with pytest.raises(NotAllowed) as err:
        list(audit.export_csv(demo, service, audit.parse_export(_RANGE)))
    assert err.value.message == refusal(Permission.EXPORT_AUDIT)
    assert "refused by role" in caplog.text


# --- the export --------------------------------------------------------------------------------

_RANGE = {"date_from": "2026-03-01", "date_to": "2026-03-02"}


def _csv(db, data) -> list[dict[str, str]]:
    text = "".join(audit.export_csv(db, agency_agent(db), audit.parse_export(data)))
    return list(csv.DictReader(io.StringIO(text)))


def test_the_export_holds_the_range_oldest_first(demo):
    ids = _seed(demo)
    rows = _csv(demo, _RANGE)
    assert [(r["time_utc"], r["action"], r["kind"]) for r in rows] == [
        ("2026-03-01T09:00:00Z", "info_pane.open", "read"),
        ("2026-03-01T23:59:00Z", "agency.x", "write"),
        ("2026-03-02T00:00:00Z", "info_pane.open", "read"),
    ]
    assert rows[1]["agent_id"] == str(ids["priya"]) and rows[1]["account"] == STUDIO
    assert rows[0]["agent"] == agent_named(demo).full_name and rows[0]["source"] == "audit"


def test_the_export_adds_customers_own_actions_when_asked(demo):
    _seed(demo)
    pat = customer(demo, PAT)
    demo.add(
        ActivityLog(
            account_id=pat.account_id,
            action_key="customer.download_documents",
            actor_kind="customer",
            actor_contact_id=pat.contact_id,
            created_at=datetime(2026, 3, 1, 12, tzinfo=UTC),
        )
    )
    demo.flush()
    assert all(r["source"] == "audit" for r in _csv(demo, _RANGE))
    rows = _csv(demo, {**_RANGE, "include_customers": "1"})
    assert [r["action"] for r in rows] == [
        "info_pane.open",
        "customer.download_documents",
        "agency.x",
        "info_pane.open",
    ]
    assert rows[1]["source"] == "activity" and rows[1]["customer"] == "Pat Rivera"


def test_cells_a_spreadsheet_would_run_are_neutralised(demo):
    for summary in ('=HYPERLINK("http://evil")', "+1", "-2", "@SUM(A1)", "plain"):
        demo.add(
            AuditEvent(
                created_at=datetime(2026, 3, 1, 10, tzinfo=UTC),
                kind="read",
                action="info_pane.open",
                summary=summary,
            )
        )
    demo.flush()
    summaries = [r["summary"] for r in _csv(demo, _RANGE)]
    assert summaries == ['\'=HYPERLINK("http://evil")', "'+1", "'-2", "'@SUM(A1)", "plain"]


def test_the_export_is_streamed_in_pieces(demo):
    start = datetime(2026, 3, 1, tzinfo=UTC)
    demo.add_all(
        AuditEvent(created_at=start + timedelta(seconds=i), kind="read", action="search.run")
        for i in range(audit.EXPORT_CHUNK_ROWS * 2 + 5)
    )
    demo.flush()
    pieces = list(audit.export_csv(demo, agency_agent(demo), audit.parse_export(_RANGE)))
    assert len(pieces) == 3
    assert sum(p.count("\r\n") for p in pieces) == audit.EXPORT_CHUNK_ROWS * 2 + 5 + 1


@pytest.mark.parametrize(
    ("data", "field"),
    [({"date_to": "2026-03-01"}, "date_from"), ({"date_from": "2026-03-01"}, "date_to")],
)
def test_an_export_needs_both_dates(data, field):
    with pytest.raises(InvalidInput) as err:
        audit.parse_export(data)
    assert err.value.field == field


def test_export_filename_names_the_range():
    r = audit.ExportRange(date(2026, 3, 1), date(2026, 3, 31), False)
    assert audit.export_filename(r) == "audit-2026-03-01-to-2026-03-31.csv"
