"""Change requests move (services/agency/change_requests.py): an agent sets in review, done or
declined with a note; the customer reads it on My requests and is told by the matrix; every
refusal says why and changes nothing."""

from __future__ import annotations

import pytest
from sqlmodel import select

from clientcenter.models import ActivityLog, AuditEvent, ChangeRequest
from clientcenter.services.agency import change_requests as cr
from clientcenter.services.agency.roles import Permission, refusal
from clientcenter.services.errors import InvalidInput, NotAllowed, NotFound
from clientcenter.services.portal import requests as rq
from clientcenter.services.principal import Principal
from tests.support.checks import effects, refused
from tests.support.demo import (
    AGENT,
    LEE,
    LEE_CHEN,
    PAT,
    RIVERA,
    ROBIN,
    account_named,
    agency_agent,
    agent_viewing,
    customer,
)


def _file(s, email=PAT, subject="Proof of insurance for my landlord"):
    return rq.submit_request(
        s, customer(s, email), "general", "general", {"subject": subject, "message": "Please."}
    )


def test_an_agent_moves_a_request_and_the_customer_sees_status_and_note(demo):
    s = demo
    request = _file(s)
    agent = agency_agent(s)
    done = cr.set_request_status(s, agent, request.id, "in_review", "Looking at it today.")
    assert done.previous_status == "submitted"
    assert done.request.status == "in_review" and done.request.status_label == "In review"
    assert done.request.status_note == "Looking at it today."
    assert done.request.account_id == request.account_id
    assert done.message == f"Request {request.reference} is now in review."

    activity, sent, tasks = effects(s)
    assert activity.action_key == "agency.update_request"
    assert activity.details["status"] == "in_review"
    assert activity.details["note"] == "Looking at it today."
    assert activity.details["previous_status"] == "submitted"
    assert request.reference in activity.summary
    # The matrix's default: the customer (primary applicant) is told; no task, no agent mail.
    assert {kind for kind, _ch, _to in sent} == {"customer"}
    assert tasks == []
    assert s.exec(select(AuditEvent).where(AuditEvent.action == "agency.update_request")).all()

    cr.set_request_status(s, agent, request.id, "done", "")
    mine = rq.list_requests(s, customer(s, PAT))
    row = next(r for r in mine if r.reference == request.reference)
    assert (row.status, row.status_label, row.status_note) == ("done", "Completed", "")
    assert row.status_changed_at is not None


def test_declining_needs_a_note_and_a_final_request_only_reopens(demo):
    s = demo
    request = _file(s)
    agent = agency_agent(s)
    error = refused(
        s, cr.set_request_status, agent, request.id, "declined", "  ", error=InvalidInput
    )
    assert error.field == "note" and "why you are declining" in error.message
    cr.set_request_status(s, agent, request.id, "declined", "We cannot add that driver.")
    # Declined is final: done is refused, in review again needs a note (reopening).
    error = refused(s, cr.set_request_status, agent, request.id, "done", "ok", error=InvalidInput)
    assert "reopen it" in error.message
    error = refused(
        s, cr.set_request_status, agent, request.id, "in_review", "", error=InvalidInput
    )
    assert "why you are reopening" in error.message
    again = cr.set_request_status(s, agent, request.id, "in_review", "Found a way after all.")
    assert again.message.endswith("(reopened).")
    assert (
        s.exec(select(ActivityLog).where(ActivityLog.action_key == "agency.update_request"))
        .all()[-1]
        .details["reopened"]
    )


@pytest.mark.parametrize(
    ("status", "note", "field", "words"),
    [
        ("", "", "status", "must be one of"),
        ("submitted", "", "status", "must be one of"),
        ("approved", "", "status", "must be one of"),
        ("in_review", "x" * 1001, "note", "1000 characters or fewer"),
        ("in_review", "bad\x00note", "note", "control character"),
        ("in_review", "card 4111 1111 1111 1111", "note", "card number"),
    ],
)
def test_bad_status_or_note_is_refused_by_name(demo, status, note, field, words):
    s = demo
    request = _file(s)
    error = refused(
        s,
        cr.set_request_status,
        agency_agent(s),
        request.id,
        status,
        note,
        error=InvalidInput,
        rows_of=(ChangeRequest,),
    )
    assert error.field == field and words in error.message


def test_the_same_status_twice_is_refused(demo):
    s = demo
    request = _file(s)
    cr.set_request_status(s, agency_agent(s), request.id, "in_review", "")
    error = refused(
        s, cr.set_request_status, agency_agent(s), request.id, "in_review", "", error=InvalidInput
    )
    assert "already in review" in error.message


def test_who_may_move_a_request(demo):
    s = demo
    request = _file(s)
    # An auditor's role does not work the queue; service staff's does.
    error = refused(
        s,
        cr.set_request_status,
        agency_agent(s, ROBIN),
        request.id,
        "done",
        "",
        error=NotAllowed,
    )
    assert error.message == refusal(Permission.TASK_QUEUE)
    cr.set_request_status(s, agency_agent(s, LEE_CHEN), request.id, "done", "")
    # A customer, and an agent in read-only mode, are not on the agency side.
    other = _file(s, subject="Second")
    for principal in (customer(s, PAT), agent_viewing(s, RIVERA)):
        refused(s, cr.set_request_status, principal, other.id, "done", "", error=NotAllowed)


def test_unknown_ids_and_another_accounts_request_look_the_same(demo):
    s = demo
    request = _file(s)
    agent = agency_agent(s)
    for rid in (999_999, "x", None):
        error = refused(s, cr.set_request_status, agent, rid, "done", "", error=NotFound)
        assert error.message == "No such request."
    # An agent principal bound to another account (e.g. an API call scoped to it).
    elsewhere = Principal("agent", agent_id=agent.agent_id, account_id=account_named(s, LEE).id)
    error = refused(s, cr.set_request_status, elsewhere, request.id, "done", "", error=NotFound)
    assert error.message == "No such request."


def test_account_requests_lists_the_moves_each_allows(demo):
    s = demo
    first = _file(s, subject="One")
    second = _file(s, subject="Two")
    agent = agency_agent(s, AGENT)
    cr.set_request_status(s, agent, first.id, "declined", "Not possible.")
    page = cr.account_requests(s, agent, first.account_id)
    by_ref = {r.view.reference: r for r in page.rows}
    assert by_ref[first.reference].next_statuses == ("in_review",)
    assert by_ref[second.reference].next_statuses == ("in_review", "done", "declined")
    assert by_ref[first.reference].view.status_note == "Not possible."
    with pytest.raises(NotFound):
        cr.account_requests(s, agent, "nope")
    with pytest.raises(NotAllowed):
        cr.account_requests(s, agency_agent(s, ROBIN), first.account_id)
