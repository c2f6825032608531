"""Proposals: read, then accept or decline once, with a comment."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from clientcenter.models import Proposal
from clientcenter.services.errors import InvalidInput, NotAllowed, NotFound, ReadOnlyRefused
from clientcenter.services.portal import proposals
from tests.support.checks import effects, refused
from tests.support.demo import (
    JORDAN,
    LEE,
    PAT,
    RIVERA,
    SAM,
    account_named,
    agent_viewing,
    customer,
)
from tests.support.settings import set_feature


def the_proposal(s) -> Proposal:
    return s.exec(select(Proposal).where(Proposal.account_id == account_named(s, RIVERA).id)).one()


def test_view_a_published_proposal(demo):
    s = demo
    pat = customer(s, PAT)
    listed = proposals.list_proposals(s, pat)
    assert len(listed) == 1
    view = proposals.get_proposal(s, pat, listed[0].id)
    assert view.open_for_decision and view.status_label == "Awaiting your answer"
    assert view.premium == "$410.00" and view.line_label == "Personal Umbrella"
    assert view.coverages[0].name == "Personal Umbrella Liability"
    assert proposals.get_proposal(s, agent_viewing(s, RIVERA), view.id).id == view.id


def test_accept_with_a_comment_then_no_second_answer(demo):
    s = demo
    sam = customer(s, SAM)
    p = the_proposal(s)
    view = proposals.decide(
        s,
        sam,
        p.id,
        {
            "decision": "accept",
            "comment": "Looks good, start next month.",
            "status": "published",
            "premium_cents": "1",
        },
    )
    assert view.status == "accepted" and not view.open_for_decision
    s.refresh(p)
    assert p.decided_by_contact_id == sam.contact_id and p.premium_cents == 41000
    assert p.decision_comment == "Looks good, start next month." and p.decided_at is not None
    activity, sent, tasks = effects(s)
    assert activity.action_key == "customer.proposal" and "Accepted" in activity.summary
    assert {k for k, _, _ in sent} == {"agent", "customer", "primary"} and len(tasks) == 1
    error = refused(
        s, proposals.decide, customer(s, PAT), p.id, {"decision": "decline"}, error=InvalidInput
    )
    assert "already accepted" in error.message


def test_decline(demo):
    s = demo
    p = the_proposal(s)
    view = proposals.decide(s, customer(s, PAT), p.id, {"decision": "decline"})
    assert view.status == "declined" and view.status_label == "Declined"
    assert "Declined" in effects(s)[0].summary


def test_proposal_refusals(demo, monkeypatch):
    s = demo
    p = the_proposal(s)
    pat = customer(s, PAT)
    jordan = customer(s, JORDAN, LEE)
    refused(s, proposals.decide, jordan, p.id, {"decision": "accept"}, error=NotFound)
    refused(s, proposals.get_proposal, jordan, p.id, error=NotFound)
    refused(
        s,
        proposals.decide,
        agent_viewing(s, RIVERA),
        p.id,
        {"decision": "accept"},
        error=ReadOnlyRefused,
    )
    error = refused(s, proposals.decide, pat, p.id, {"decision": "maybe"}, error=InvalidInput)
    assert "not one of the choices" in error.message
    error = refused(s, proposals.decide, pat, p.id, {}, error=InvalidInput)
    assert "Choose your answer" in error.message
    p.valid_until = date.today() - timedelta(days=1)
    s.add(p)
    s.flush()
    assert proposals.get_proposal(s, pat, p.id).status_label == "Expired"
    error = refused(s, proposals.decide, pat, p.id, {"decision": "accept"}, error=InvalidInput)
    assert "was valid until" in error.message
    set_feature(monkeypatch, "proposals", False)
    refused(s, proposals.list_proposals, pat, error=NotAllowed)
    refused(s, proposals.decide, pat, p.id, {"decision": "accept"}, error=NotAllowed)
