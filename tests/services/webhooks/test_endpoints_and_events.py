"""Endpoints an administrator registers (services/webhooks/endpoints.py) and the events
record_action turns into deliveries (events.py): which action raises which event, who
receives it, the payload, one delivery per event and endpoint, nothing when the action rolls
back; and every refusal changing nothing."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from clientcenter.models import OutboxMessage, Proposal, WebhookEndpoint
from clientcenter.models.engagement import ProposalStatus
from clientcenter.services.agency import change_requests as cr
from clientcenter.services.agency.roles import Permission, refusal
from clientcenter.services.errors import InvalidInput, NotAllowed, NotFound
from clientcenter.services.notify import outbox
from clientcenter.services.portal import proposals
from clientcenter.services.portal import requests as rq
from clientcenter.services.webhooks import endpoints as wh
from clientcenter.services.webhooks import events
from clientcenter.services.webhooks.secrets import endpoint_secret
from tests.support.checks import refused
from tests.support.demo import AGENT, LEE_CHEN, PAT, PRIYA, RIVERA, agency_agent, customer

ADMIN = AGENT  # the demo's README agent is its administrator
URL = "https://hooks.example.com/in"


def _deliveries(s, event_type=None):
    s.flush()
    rows = s.exec(
        select(OutboxMessage).where(OutboxMessage.channel == "webhook").order_by(OutboxMessage.id)
    ).all()
    return [r for r in rows if event_type is None or r.subject == event_type]


def _register(s, events_=("change_request.filed", "change_request.updated"), url=URL):
    return wh.register_endpoint(s, agency_agent(s, ADMIN), url, list(events_), "Our AMS")


def _file(s):
    return rq.submit_request(
        s, customer(s, PAT), "general", "general", {"subject": "Landlord proof", "message": "x"}
    )


def test_register_shows_the_secret_once_and_stores_only_a_salt(demo):
    s = demo
    done = _register(s)
    assert done.secret.startswith("whsec_") and "not shown again" in done.message
    row = s.get(WebhookEndpoint, done.endpoint.id)
    assert row.secret_salt and done.secret != row.secret_salt
    assert endpoint_secret(row.secret_salt) == done.secret
    dumped = json.dumps(row.model_dump(), default=str)
    assert done.secret not in dumped
    [listed] = wh.list_endpoints(s, agency_agent(s, ADMIN))
    assert not hasattr(listed, "secret")
    assert (listed.url, listed.description, listed.active) == (URL, "Our AMS", True)
    assert listed.events == ["change_request.filed", "change_request.updated"]


@pytest.mark.parametrize(
    ("url", "picked", "words"),
    [
        ("http://hooks.example.com/in", ["document.uploaded"], "must use https://"),
        (URL, [], "pick at least one event"),
        (URL, ["document.uploaded", "everything"], "'everything' is not an event"),
        (URL, "webhook.test", "is not an event"),
    ],
)
def test_bad_registrations_are_refused_by_name(demo, url, picked, words):
    error = refused(
        demo,
        wh.register_endpoint,
        agency_agent(demo, ADMIN),
        url,
        picked,
        "",
        error=InvalidInput,
    )
    assert words in error.message


def test_only_an_administrator_manages_webhooks(demo):
    s = demo
    done = _register(s)
    for who in (PRIYA, LEE_CHEN):
        p = agency_agent(s, who)
        for call, args in [
            (wh.list_endpoints, ()),
            (wh.register_endpoint, (URL, ["document.uploaded"])),
            (wh.set_active, (done.endpoint.id, False)),
            (wh.delete_endpoint, (done.endpoint.id,)),
            (wh.send_test_event, (done.endpoint.id,)),
            (wh.update_events, (done.endpoint.id, ["document.uploaded"])),
        ]:
            error = refused(s, call, p, *args, error=NotAllowed)
            assert error.message == refusal(Permission.MANAGE_WEBHOOKS)
    with pytest.raises(NotAllowed):
        wh.list_endpoints(s, customer(s, PAT))
    with pytest.raises(NotFound):
        wh.set_active(s, agency_agent(s, ADMIN), 9999, False)


def test_filing_and_moving_a_request_raise_their_events(demo):
    s = demo
    endpoint = _register(s).endpoint
    other = _register(s, ["document.uploaded"], "https://other.example.com/in").endpoint
    request = _file(s)
    [filed] = _deliveries(s, "change_request.filed")
    assert filed.webhook_endpoint_id == endpoint.id and filed.to_address == URL
    assert filed.status == "pending" and filed.template == "webhook"
    body = json.loads(filed.body_text)
    assert set(body) == {"id", "type", "created_at", "data"}
    assert body["type"] == "change_request.filed" and body["id"].startswith("evt_")
    assert body["created_at"].endswith("Z")
    assert body["data"]["action"] == "customer.general_request"
    assert body["data"]["account"]["name"] == RIVERA
    assert body["data"]["details"]["reference"] == request.reference
    assert body["data"]["actor"] == "customer"
    assert filed.dedupe_key == f"wh-{body['id']}-{endpoint.id}"
    assert not [d for d in _deliveries(s) if d.webhook_endpoint_id == other.id]

    cr.set_request_status(s, agency_agent(s), request.id, "declined", "Not this time.")
    [updated] = _deliveries(s, "change_request.updated")
    data = json.loads(updated.body_text)["data"]
    assert data["details"]["status"] == "declined" and data["details"]["note"] == "Not this time."


def test_the_mapping_refines_proposals_and_login_changes():
    assert events.event_for("customer.proposal", {"decision": "accepted"}) == "proposal.accepted"
    assert events.event_for("customer.proposal", {"decision": "declined"}) == "proposal.declined"
    confirmed = {"confirmed": True, "changed": ["email"]}
    assert events.event_for("customer.edit_personal_info", confirmed) == "login.changed"
    assert events.event_for("customer.edit_personal_info", {"changed": ["street"]}) == (
        "contact.updated"
    )
    assert events.event_for("customer.login_email", {}) is None
    assert set(events.ACTION_EVENTS.values()) <= set(events.EVENT_TYPES)


def test_a_declined_proposal_is_its_own_event(demo):
    s = demo
    _register(s, ["proposal.accepted", "proposal.declined"])
    proposal = s.exec(select(Proposal).where(Proposal.status == ProposalStatus.PUBLISHED)).first()
    pat = customer(s, PAT)
    assert proposal.account_id == pat.account_id
    proposals.decide(s, pat, proposal.id, {"decision": "decline", "comment": "Too dear"})
    assert [d.subject for d in _deliveries(s)] == ["proposal.declined"]


def test_disabled_and_unsubscribed_endpoints_get_nothing_and_rollback_leaves_nothing(demo):
    s = demo
    endpoint = _register(s).endpoint
    wh.set_active(s, agency_agent(s, ADMIN), endpoint.id, False)
    _file(s)
    assert _deliveries(s) == []
    with pytest.raises(InvalidInput, match="already disabled"):
        wh.set_active(s, agency_agent(s, ADMIN), endpoint.id, False)
    wh.set_active(s, agency_agent(s, ADMIN), endpoint.id, True)
    s.commit()
    _file(s)
    assert len(_deliveries(s)) == 1
    s.rollback()  # the request and its delivery go together
    assert _deliveries(s) == []


def test_one_delivery_per_event_and_endpoint(demo):
    s = demo
    a = _register(s).endpoint
    b = _register(s, url="https://b.example.com/in").endpoint
    _file(s)
    rows = _deliveries(s)
    assert {r.webhook_endpoint_id for r in rows} == {a.id, b.id}
    assert len({json.loads(r.body_text)["id"] for r in rows}) == 1  # one event
    # The same event queued again for an endpoint is refused by the dedupe key.
    event_id = json.loads(rows[0].body_text)["id"]
    endpoint = s.get(WebhookEndpoint, a.id)
    with pytest.raises(Exception, match="(?i)unique|duplicate"):
        events.emit(s, "change_request.filed", {}, endpoints=[endpoint], event_id=event_id)
    s.rollback()


def test_test_event_delete_and_failed_retry_rules(demo):
    s = demo
    admin = agency_agent(s, ADMIN)
    endpoint = _register(s).endpoint
    done = wh.send_test_event(s, admin, endpoint.id)
    assert "queued" in done.message and done.endpoint.pending == 1
    [test] = _deliveries(s, "webhook.test")
    assert json.loads(test.body_text)["data"]["endpoint_id"] == endpoint.id

    # A failed delivery shows on the failed-messages page; it is not retried while disabled.
    test.status, test.last_error = "failed", "webhook: the receiver answered HTTP 500"
    s.add(test)
    s.flush()
    failed = [m for m in outbox.list_failed(s, admin) if m.id == test.id]
    assert failed and failed[0].channel == "webhook" and failed[0].can_retry
    wh.set_active(s, admin, endpoint.id, False)
    with pytest.raises(InvalidInput, match="disabled or deleted"):
        outbox.retry_failed(s, admin, test.id)
    with pytest.raises(InvalidInput, match="Enable the endpoint"):
        wh.send_test_event(s, admin, endpoint.id)
    wh.set_active(s, admin, endpoint.id, True)
    assert outbox.retry_failed(s, admin, test.id).status == "pending"

    wh.delete_endpoint(s, admin, endpoint.id)
    s.refresh(test)
    assert test.status == "failed" and "deleted" in test.last_error
    assert test.webhook_endpoint_id is None
    assert wh.list_endpoints(s, admin) == []


def test_a_failed_payment_is_an_event_once(demo):
    from clientcenter.models import Account, Payment
    from clientcenter.services.billing.paying import fail_payment

    s = demo
    _register(s, ["payment.failed"])
    rivera = s.exec(select(Account).where(Account.name == RIVERA)).one()
    payment = Payment(
        account_id=rivera.id,
        amount_cents=12000,
        method="card",
        provider="stripe",
        idempotency_key="test-failed-payment",
    )
    s.add(payment)
    s.flush()
    assert fail_payment(s, payment)
    assert not fail_payment(s, payment)  # already failed: no second event
    [delivery] = _deliveries(s)
    data = json.loads(delivery.body_text)["data"]
    assert delivery.subject == "payment.failed" and delivery.account_id == rivera.id
    assert data["payment"]["amount_cents"] == 12000 and data["account"]["name"] == RIVERA
