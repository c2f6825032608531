"""Home and policies: what a customer (or an agent in read-only mode) sees, and nothing more."""

from dataclasses import fields

import pytest
from sqlmodel import select

from clientcenter.models import Invoice
from clientcenter.services.errors import NotFound
from clientcenter.services.portal import policies
from tests.support.demo import (
    CASEY,
    ELENA,
    LEE,
    PAT,
    QUINN,
    RIVERA,
    SAM,
    account_named,
    agent_viewing,
    customer,
    policy_of,
)


def test_active_policies_first_and_past_ones_set_apart(demo):
    pat = customer(demo, PAT)
    overview = policies.list_policies(demo, pat)
    # Active ones by line name ("Homeowners" before "Personal Auto").
    assert [p.line for p in overview.current] == ["home", "auto"]
    assert all(p.status == "active" and p.is_current for p in overview.current)
    assert [(p.line, p.status) for p in overview.past] == [("umbrella", "expired")]
    auto = next(p for p in overview.current if p.line == "auto")
    assert auto.line_label == "Personal Auto" and auto.carrier and auto.number.startswith("PA-")
    assert auto.premium.startswith("$") and "–" in auto.term and auto.has_id_cards
    assert not next(p for p in overview.current if p.line == "home").has_id_cards


def test_pending_policy_comes_after_active_ones(demo):
    elena = customer(demo, ELENA)
    current = policies.list_policies(demo, elena).current
    assert [(p.line, p.status) for p in current] == [("auto", "active"), ("home", "pending")]
    assert current[1].status_label == "Starts soon"


def test_policy_detail_has_coverages_vehicles_and_drivers(demo):
    pat = customer(demo, PAT)
    auto = policy_of(demo, RIVERA, "auto")
    detail = policies.policy_detail(demo, pat, auto.id)
    assert detail.policy.number == auto.number
    names = [c.name for c in detail.coverages]
    assert names[0] == "Bodily Injury Liability" and "Collision" in names
    collision = next(c for c in detail.coverages if c.name == "Collision")
    assert collision.deductible == "$1,000" and collision.limit == "Actual cash value"
    assert len(detail.vehicles) == 2 and all(len(v.vin) == 17 for v in detail.vehicles)
    assert [d.name for d in detail.drivers] == ["Pat Rivera", "Sam Rivera"]
    # Only what a customer may see: no birth dates leave the service.
    assert "birth_date" not in {f.name for f in fields(detail.drivers[0])}


def test_expired_policy_detail_is_still_visible(demo):
    pat = customer(demo, PAT)
    umbrella = policy_of(demo, RIVERA, "umbrella")
    detail = policies.policy_detail(demo, pat, umbrella.id)
    assert detail.policy.status == "expired" and not detail.policy.is_current


def test_another_accounts_policy_looks_absent(demo):
    pat = customer(demo, PAT)
    jordan_auto = policy_of(demo, LEE, "auto")
    with pytest.raises(NotFound) as other:
        policies.policy_detail(demo, pat, jordan_auto.id)
    with pytest.raises(NotFound) as missing:
        policies.policy_detail(demo, pat, 999_999)
    assert other.value.message == missing.value.message
    with pytest.raises(NotFound):
        policies.policy_detail(demo, pat, "1")  # ids from the browser are never coerced


def test_a_closed_account_shows_nothing(demo):
    casey = customer(demo, CASEY)
    with pytest.raises(NotFound, match="no active policy"):
        policies.list_policies(demo, casey)
    with pytest.raises(NotFound):
        policies.policy_detail(demo, casey, policy_of(demo, QUINN, "auto").id)


def test_agent_in_read_only_mode_sees_what_the_customer_sees(demo):
    as_agent = policies.list_policies(demo, agent_viewing(demo, RIVERA))
    as_customer = policies.list_policies(demo, customer(demo, PAT))
    assert as_agent == as_customer


def test_open_invoices_summary_counts_published_open_invoices_only(demo):
    pat = customer(demo, PAT)
    account = account_named(demo, RIVERA)
    invoices = demo.exec(select(Invoice).where(Invoice.account_id == account.id)).all()
    open_ = [i for i in invoices if i.status == "open"]
    summary = policies.open_invoices(demo, pat)
    assert summary.open_count == len(open_) >= 1
    assert summary.open_total == policies.format_money(sum(i.amount_cents for i in open_))
    assert summary.next_due == min(i.due_date for i in open_)
    open_[0].published = False
    demo.flush()
    assert policies.open_invoices(demo, pat).open_count == len(open_) - 1


def test_home_view_greets_the_customer_and_not_the_agent(demo):
    sam = policies.home_view(demo, customer(demo, SAM))
    assert (sam.account_name, sam.greeting_name, sam.read_only) == (
        RIVERA,
        "Sam",
        False,
    )
    agent = policies.home_view(demo, agent_viewing(demo, RIVERA))
    assert agent.greeting_name == "" and agent.read_only
    assert agent.policies == sam.policies and agent.invoices == sam.invoices


def test_information_as_of_shows_when_the_agencys_system_last_sent_the_account(demo):
    """Freshness: "" until an import stamps the account, then the same words for the
    customer (policy page) and the agent (info pane), so a stale feed is visible to both."""
    from datetime import UTC, datetime

    from clientcenter.services.agency import info_pane
    from tests.support.demo import agency_agent

    pat = customer(demo, PAT)
    auto = policy_of(demo, RIVERA, "auto")
    account = account_named(demo, RIVERA)
    assert policies.policy_detail(demo, pat, auto.id).as_of == ""
    assert info_pane.info_pane(demo, agency_agent(demo), account.id).as_of == ""
    account.data_as_of = datetime(2026, 11, 30, 6, 15, tzinfo=UTC)
    demo.add(account)
    demo.flush()
    words = "Information as of Nov 30, 2026, 1:15 AM EST"
    assert policies.policy_detail(demo, pat, auto.id).as_of == words
    assert info_pane.info_pane(demo, agency_agent(demo), account.id).as_of == words
