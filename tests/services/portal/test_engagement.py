"""Referral, feedback, and the claim experience survey after a closed claim."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from clientcenter.models import Claim, ClaimSurvey, Policy
from clientcenter.services.errors import InvalidInput, NotAllowed, NotFound, ReadOnlyRefused
from clientcenter.services.portal import engagement
from tests.support.checks import effects, refused
from tests.support.demo import AGENT, LEE, PAT, RIVERA, account_named, agent_viewing, customer
from tests.support.settings import set_feature


def test_referral(demo):
    s = demo
    pat = customer(s, PAT)
    referral = engagement.refer_friend(
        s,
        pat,
        {
            "friend_name": "Dana Shore",
            "friend_email": "Dana@Example.com",
            "friend_phone": "(207) 555-0188",
            "note": "Just bought a house",
            "account_id": "99",
        },
    )
    assert referral.account_id == pat.account_id and referral.friend_email == "dana@example.com"
    assert referral.friend_phone == "+12075550188"
    activity, sent, tasks = effects(s)
    assert activity.action_key == "customer.referral" and "Dana Shore" in activity.summary
    assert {k for k, _, _ in sent} == {"agent", "customer"} and len(tasks) == 1
    error = refused(
        s, engagement.refer_friend, pat, {"friend_name": "Dana Shore"}, error=InvalidInput
    )
    assert "email address or a phone number" in error.message
    error = refused(
        s,
        engagement.refer_friend,
        pat,
        {"friend_name": "Dana", "friend_phone": "12"},
        error=InvalidInput,
    )
    assert error.field == "friend_phone"


def test_feedback(demo):
    s = demo
    pat = customer(s, PAT)
    feedback = engagement.give_feedback(s, pat, {"rating": "5", "comment": "So easy!"})
    assert feedback.rating == 5
    activity, sent, tasks = effects(s)
    assert activity.action_key == "customer.feedback" and "5/5" in activity.summary
    assert sent == {("agent", "email", AGENT)} and len(tasks) == 1
    for bad, message in [
        ("0", "between 1 and 5"),
        ("6", "between 1 and 5"),
        ("", "Choose your rating"),
        ("five", "whole number"),
    ]:
        error = refused(s, engagement.give_feedback, pat, {"rating": bad}, error=InvalidInput)
        assert message in error.message


def test_claim_survey_after_a_closed_claim(demo):
    s = demo
    pat = customer(s, PAT)
    waiting = engagement.claims_awaiting_survey(s, pat)
    assert len(waiting) == 1 and waiting[0].number.startswith("CLM-")
    claim_id = waiting[0].id
    survey = engagement.submit_claim_survey(
        s,
        pat,
        claim_id,
        {
            "rating": "4",
            "kept_informed": "5",
            "speed": "3",
            "fairness": "",
            "comment": "Quick windshield fix",
            "contact_id": "1",
        },
    )
    assert survey.answers == {"kept_informed": 5, "speed": 3}
    assert survey.contact_id == pat.contact_id
    activity, sent, tasks = effects(s)
    assert activity.action_key == "customer.claim_survey"
    assert sent == {("agent", "email", AGENT)} and len(tasks) == 1
    assert engagement.claims_awaiting_survey(s, pat) == []
    error = refused(
        s, engagement.submit_claim_survey, pat, claim_id, {"rating": "1"}, error=InvalidInput
    )
    assert "already been rated" in error.message


def test_claim_survey_refusals(demo, monkeypatch):
    s = demo
    pat = customer(s, PAT)
    rivera = account_named(s, RIVERA)
    policy = s.exec(select(Policy).where(Policy.account_id == rivera.id)).first()
    open_claim = Claim(
        account_id=rivera.id,
        policy_id=policy.id,
        number="CLM-OPEN-1",
        loss_date=date.today(),
        status="open",
    )
    jordan = account_named(s, LEE)
    their_policy = s.exec(select(Policy).where(Policy.account_id == jordan.id)).first()
    their_claim = Claim(
        account_id=jordan.id,
        policy_id=their_policy.id,
        number="CLM-J-1",
        loss_date=date.today(),
        status="closed",
    )
    s.add_all([open_claim, their_claim])
    s.flush()
    error = refused(
        s, engagement.submit_claim_survey, pat, open_claim.id, {"rating": "5"}, error=InvalidInput
    )
    assert "still open" in error.message
    refused(
        s, engagement.submit_claim_survey, pat, their_claim.id, {"rating": "5"}, error=NotFound
    )
    refused(s, engagement.get_survey_claim, pat, their_claim.id, error=NotFound)
    closed = engagement.claims_awaiting_survey(s, pat)[0]
    refused(
        s,
        engagement.submit_claim_survey,
        agent_viewing(s, RIVERA),
        closed.id,
        {"rating": "5"},
        error=ReadOnlyRefused,
    )
    error = refused(
        s,
        engagement.submit_claim_survey,
        pat,
        closed.id,
        {"rating": "5", "speed": "9"},
        error=InvalidInput,
    )
    assert error.field == "speed"
    assert s.exec(select(ClaimSurvey)).all() == []


def test_features_switched_off(demo, monkeypatch):
    s = demo
    pat = customer(s, PAT)
    set_feature(monkeypatch, "referrals", False)
    set_feature(monkeypatch, "feedback", False)
    set_feature(monkeypatch, "surveys", False)
    for fn, args in [
        (engagement.refer_friend, ({"friend_name": "A", "friend_email": "a@b.co"},)),
        (engagement.give_feedback, ({"rating": "5"},)),
        (engagement.claims_awaiting_survey, ()),
        (engagement.submit_claim_survey, (1, {"rating": "5"})),
    ]:
        error = refused(s, fn, pat, *args, error=NotAllowed)
        assert "by your agency" in error.message
