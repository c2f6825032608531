"""Home's "Needs your attention" block and the customer's producer (services/portal/attention.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from clientcenter.models import ChangeRequest, Invoice, Payment, Policy, Proposal
from clientcenter.models.agency import Agent
from clientcenter.models.billing import InvoiceStatus, PaymentStatus
from clientcenter.models.engagement import ProposalStatus, RequestStatus
from clientcenter.models.policies import PolicyStatus
from clientcenter.services.errors import ServiceError
from clientcenter.services.portal import attention
from tests.support.demo import (
    JORDAN,
    LEE,
    PAT,
    RIVERA,
    account_named,
    agency_agent,
    agent_viewing,
    customer,
)
from tests.support.settings import set_feature

TODAY = date(2026, 12, 1)


def _clear(s, account_id: int) -> None:
    """An account with nothing pending: every bill paid, no proposal, no renewal soon."""
    for inv in s.exec(select(Invoice).where(Invoice.account_id == account_id)).all():
        inv.status, inv.paid_cents = InvoiceStatus.PAID, inv.amount_cents
    for pay in s.exec(select(Payment).where(Payment.account_id == account_id)).all():
        pay.status = PaymentStatus.SUCCEEDED
    for p in s.exec(select(Proposal).where(Proposal.account_id == account_id)).all():
        p.status = ProposalStatus.ACCEPTED
    for pol in s.exec(select(Policy).where(Policy.account_id == account_id)).all():
        if pol.status == PolicyStatus.ACTIVE:
            pol.expiration_date = TODAY + timedelta(days=200)
    for r in s.exec(select(ChangeRequest).where(ChangeRequest.account_id == account_id)).all():
        r.status, r.status_changed_at = RequestStatus.SUBMITTED, None
    s.flush()


def _kinds(s, who) -> list[str]:
    return [i.kind for i in attention.attention_items(s, who, today=TODAY)]


def _invoice(s, account_id: int, **kw) -> Invoice:
    inv = Invoice(
        account_id=account_id,
        number=kw.pop("number", "INV-T-1"),
        amount_cents=kw.pop("amount_cents", 12_500),
        due_date=kw.pop("due_date", TODAY + timedelta(days=10)),
        **kw,
    )
    s.add(inv)
    s.flush()
    return inv


def test_nothing_pending_says_nothing(demo):
    s = demo
    account = account_named(s, RIVERA)
    _clear(s, account.id)
    assert _kinds(s, customer(s, PAT)) == []


def test_a_bill_due_comes_first_with_its_amount_and_date(demo):
    s = demo
    account = account_named(s, RIVERA)
    _clear(s, account.id)
    _invoice(s, account.id, amount_cents=12_500, due_date=TODAY + timedelta(days=10))
    _invoice(s, account.id, number="INV-T-2", amount_cents=5_000, due_date=TODAY - timedelta(1))
    _invoice(s, account.id, number="INV-T-3", amount_cents=9_900, published=False)  # not shown
    items = attention.attention_items(s, customer(s, PAT), today=TODAY)
    assert [i.kind for i in items] == ["bill_due"]
    assert items[0].title == "$175.00 was due Nov 30, 2026"
    assert items[0].detail == "2 bills to pay" and items[0].href == "/billing"


def test_a_mailed_check_still_pending_is_not_nothing_due(demo):
    s = demo
    account = account_named(s, RIVERA)
    _clear(s, account.id)
    inv = _invoice(s, account.id, status=InvoiceStatus.PENDING)
    check = Payment(
        account_id=account.id,
        invoice_id=inv.id,
        amount_cents=12_500,
        method="check",
        provider="offline",
        status=PaymentStatus.PENDING,
        idempotency_key="attention-test-check",
    )
    s.add(check)
    s.flush()
    items = attention.attention_items(s, customer(s, PAT), today=TODAY)
    assert [i.kind for i in items] == ["payment_pending"]
    assert items[0].title == "$125.00 on its way"
    # Once it is received, nothing is left.
    check.status = PaymentStatus.SUCCEEDED
    inv.status = InvoiceStatus.PAID
    s.flush()
    assert _kinds(s, customer(s, PAT)) == []


def test_a_proposal_waiting_shows_until_answered_or_expired(demo, monkeypatch):
    s = demo
    account = account_named(s, RIVERA)
    _clear(s, account.id)
    proposal = s.exec(select(Proposal).where(Proposal.account_id == account.id)).first()
    proposal.status, proposal.valid_until = ProposalStatus.PUBLISHED, TODAY + timedelta(days=5)
    s.flush()
    items = attention.attention_items(s, customer(s, PAT), today=TODAY)
    assert [i.kind for i in items] == ["proposal"]
    assert items[0].href == f"/proposals/{proposal.id}" and "Dec 6, 2026" in items[0].detail
    proposal.valid_until = TODAY - timedelta(days=1)  # expired: nothing to answer any more
    s.flush()
    assert _kinds(s, customer(s, PAT)) == []
    proposal.valid_until = None
    s.flush()
    assert _kinds(s, customer(s, PAT)) == ["proposal"]
    set_feature(monkeypatch, "proposals", False)  # switched off: its page is gone, so is the item
    assert _kinds(s, customer(s, PAT)) == []


def test_a_renewal_within_the_window_shows_and_one_beyond_does_not(demo):
    s = demo
    account = account_named(s, RIVERA)
    _clear(s, account.id)
    policy = s.exec(
        select(Policy).where(Policy.account_id == account.id, Policy.status == "active")
    ).first()
    policy.expiration_date = TODAY + timedelta(days=attention.RENEWAL_NOTICE_DAYS + 1)
    s.flush()
    assert _kinds(s, customer(s, PAT)) == []
    policy.expiration_date = TODAY + timedelta(days=12)
    s.flush()
    items = attention.attention_items(s, customer(s, PAT), today=TODAY)
    assert [i.kind for i in items] == ["renewal"]
    assert items[0].title.endswith("renews in 12 days") and policy.number in items[0].detail
    policy.status = PolicyStatus.CANCELLED  # a cancelled policy renews nothing
    s.flush()
    assert _kinds(s, customer(s, PAT)) == []


def test_a_request_answered_recently_shows_with_the_agency_word(demo):
    s = demo
    account = account_named(s, RIVERA)
    _clear(s, account.id)
    answered = ChangeRequest(
        account_id=account.id,
        kind="personal",
        subtype="address",
        reference="RQ-ATTN-1",
        summary="New address",
        status=RequestStatus.DONE,
        status_note="Updated with the carrier.",
        status_changed_at=datetime(2026, 11, 28, tzinfo=UTC),
    )
    old = ChangeRequest(
        account_id=account.id,
        kind="personal",
        subtype="address",
        reference="RQ-ATTN-2",
        status=RequestStatus.DECLINED,
        status_changed_at=datetime(2026, 10, 1, tzinfo=UTC),
    )
    working = ChangeRequest(
        account_id=account.id,
        kind="personal",
        subtype="address",
        reference="RQ-ATTN-3",
        status=RequestStatus.IN_REVIEW,
        status_changed_at=datetime(2026, 11, 30, tzinfo=UTC),
    )
    s.add_all([answered, old, working])
    s.flush()
    items = attention.attention_items(s, customer(s, PAT), today=TODAY)
    assert [(i.kind, i.title) for i in items] == [
        ("request_answered", "Request RQ-ATTN-1 is done")
    ]
    assert items[0].detail == "Updated with the carrier."


def test_the_order_is_bill_payment_proposal_renewal_request(demo):
    s = demo
    account = account_named(s, RIVERA)
    _clear(s, account.id)
    _invoice(s, account.id)
    mailed = _invoice(s, account.id, number="INV-T-9", status=InvoiceStatus.PENDING)
    s.add(
        Payment(
            account_id=account.id,
            invoice_id=mailed.id,
            amount_cents=100,
            method="check",
            provider="offline",
            idempotency_key="attention-order",
        )
    )
    s.exec(select(Proposal).where(Proposal.account_id == account.id)).first().status = "published"
    s.exec(
        select(Policy).where(Policy.account_id == account.id, Policy.status == "active")
    ).first().expiration_date = TODAY + timedelta(days=3)
    s.add(
        ChangeRequest(
            account_id=account.id,
            kind="general",
            reference="RQ-ATTN-9",
            status=RequestStatus.DONE,
            status_changed_at=datetime(2026, 11, 30, tzinfo=UTC),
        )
    )
    s.flush()
    assert _kinds(s, customer(s, PAT)) == [
        "bill_due",
        "payment_pending",
        "proposal",
        "renewal",
        "request_answered",
    ]


def test_another_account_bills_never_show(demo):
    s = demo
    rivera, lee = account_named(s, RIVERA), account_named(s, LEE)
    _clear(s, rivera.id)
    _clear(s, lee.id)
    _invoice(s, lee.id, number="INV-LEE-1")
    assert _kinds(s, customer(s, PAT)) == []
    assert _kinds(s, customer(s, JORDAN)) == ["bill_due"]


def test_an_agent_viewing_read_only_sees_the_same_block(demo):
    s = demo
    account = account_named(s, RIVERA)
    _clear(s, account.id)
    _invoice(s, account.id)
    assert [
        i.kind for i in attention.attention_items(s, agent_viewing(s, RIVERA), today=TODAY)
    ] == ["bill_due"]


def test_an_agency_session_without_an_account_is_refused(demo):
    with pytest.raises(ServiceError):
        attention.attention_items(demo, agency_agent(demo))
    with pytest.raises(ServiceError):
        attention.your_producer(demo, agency_agent(demo))


def test_the_producer_has_a_name_and_a_tap_to_call_line(demo):
    s = demo
    producer = attention.your_producer(s, customer(s, PAT))
    agent_row = s.get(Agent, account_named(s, RIVERA).producer_id)
    assert producer.name == f"{agent_row.first_name} {agent_row.last_name}"
    assert producer.email == agent_row.email
    assert producer.phone_href.startswith("tel:+") and producer.phone_href[5:].isdigit()


def test_a_producer_no_longer_here_gives_the_agency_desk(demo):
    s = demo
    agent_row = s.get(Agent, account_named(s, RIVERA).producer_id)
    agent_row.is_active = False
    s.flush()
    producer = attention.your_producer(s, customer(s, PAT))
    assert producer.title == "Customer service" and producer.phone_href == "tel:+15550102000"


def test_tel_links_keep_digits_only():
    assert attention.tel_href("+1 (555) 010-2000") == "tel:+15550102000"
    assert attention.tel_href("555 010 2000 ext. 4") == "tel:55501020004"
    assert attention.tel_href("javascript:alert(1)") == "tel:1"
