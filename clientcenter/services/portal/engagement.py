"""Referral, feedback, and the claim experience survey offered once the agency closes a claim.
Each follows its feature switch (referrals, feedback, surveys)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from clientcenter.models import Claim, ClaimSurvey, Feedback, Policy, Referral
from clientcenter.models.engagement import ClaimStatus
from clientcenter.models.policies import POLICY_LINES
from clientcenter.services import form_input as fi
from clientcenter.services.access import (
    acting_contact,
    require_feature,
    viewable_account,
    writable_account,
)
from clientcenter.services.errors import InvalidInput, NotFound
from clientcenter.services.notify.activity import record_action
from clientcenter.services.principal import Principal

REFERRAL_FIELDS = ("friend_name", "friend_email", "friend_phone", "note")
FEEDBACK_FIELDS = ("rating", "comment")
# The survey's questions: each answered 1–5, plus an overall rating and a comment.
SURVEY_QUESTIONS = (
    ("kept_informed", "We kept you informed while your claim was open"),
    ("speed", "Your claim was handled quickly"),
    ("fairness", "The settlement was fair"),
)
SURVEY_FIELDS = ("rating", "comment", *(key for key, _ in SURVEY_QUESTIONS))
RATING_WORDS = {1: "Very poor", 2: "Poor", 3: "Okay", 4: "Good", 5: "Excellent"}


@dataclass(frozen=True)
class ClaimView:
    id: int
    number: str
    description: str
    loss_date: date
    policy_label: str


def refer_friend(session: Session, principal: Principal, data: dict[str, Any] | None) -> Referral:
    require_feature("referrals")
    account = writable_account(session, principal, "customer.referral")
    contact = acting_contact(session, principal)
    values = fi.allowed(data, REFERRAL_FIELDS)
    name = fi.name(values, "friend_name", "Your friend's name")
    email = fi.email(values, "friend_email", "Your friend's email", required=False)
    phone = fi.mobile(values, "friend_phone", "Your friend's phone", required=False)
    if not (email or phone):
        raise InvalidInput(
            f"Give an email address or a phone number so we can reach {name}.",
            field="friend_email",
        )
    note = fi.text(values, "note", "Note", max_len=1000, required=False, multiline=True)
    referral = Referral(
        account_id=account.id,
        contact_id=contact.id,
        friend_name=name,
        friend_email=email,
        friend_phone=phone,
        note=note,
    )
    session.add(referral)
    session.flush()
    reach = " and ".join(x for x in (email, phone) if x)
    record_action(
        session,
        principal,
        "customer.referral",
        summary=f"Referred {name} ({reach})." + (f" Note: {note}" if note else ""),
        details={"referral_id": referral.id, "friend_name": name},
    )
    return referral


def give_feedback(session: Session, principal: Principal, data: dict[str, Any] | None) -> Feedback:
    require_feature("feedback")
    account = writable_account(session, principal, "customer.feedback")
    contact = acting_contact(session, principal)
    values = fi.allowed(data, FEEDBACK_FIELDS)
    rating = _rating(values, "rating", "Your rating")
    comment = fi.text(values, "comment", "Comment", max_len=2000, required=False, multiline=True)
    feedback = Feedback(
        account_id=account.id, contact_id=contact.id, rating=rating, comment=comment
    )
    session.add(feedback)
    session.flush()
    record_action(
        session,
        principal,
        "customer.feedback",
        summary=f"Rated Client Center {rating}/5 ({RATING_WORDS[rating]})."
        + (f" “{comment}”" if comment else ""),
        details={"feedback_id": feedback.id, "rating": rating},
    )
    return feedback


def claims_awaiting_survey(session: Session, principal: Principal) -> list[ClaimView]:
    """Closed claims on the account that nobody has rated yet."""
    require_feature("surveys")
    account = viewable_account(session, principal)
    surveyed = select(ClaimSurvey.claim_id).where(ClaimSurvey.account_id == account.id)
    rows = session.exec(
        select(Claim, Policy)
        .join(Policy, Policy.id == Claim.policy_id)
        .where(
            Claim.account_id == account.id,
            Claim.status == ClaimStatus.CLOSED,
            Claim.id.not_in(surveyed),
        )
        .order_by(Claim.loss_date.desc(), Claim.id.desc())
    ).all()
    return [_claim_view(c, p) for c, p in rows]


def get_survey_claim(session: Session, principal: Principal, claim_id: int) -> ClaimView:
    require_feature("surveys")
    account = viewable_account(session, principal)
    claim = _own_closed_claim(session, account.id, claim_id)
    return _claim_view(claim, session.get(Policy, claim.policy_id))


def submit_claim_survey(
    session: Session, principal: Principal, claim_id: int, data: dict[str, Any] | None
) -> ClaimSurvey:
    require_feature("surveys")
    account = writable_account(session, principal, "customer.claim_survey")
    contact = acting_contact(session, principal)
    claim = _own_closed_claim(session, account.id, claim_id)
    values = fi.allowed(data, SURVEY_FIELDS)
    rating = _rating(values, "rating", "Overall rating")
    answers = {
        key: _rating(values, key, question, required=False) for key, question in SURVEY_QUESTIONS
    }
    answers = {k: v for k, v in answers.items() if v is not None}
    comment = fi.text(values, "comment", "Comment", max_len=2000, required=False, multiline=True)
    if session.exec(select(ClaimSurvey.id).where(ClaimSurvey.claim_id == claim.id)).first():
        raise InvalidInput(f"Claim {claim.number} has already been rated. Thank you!")
    survey = ClaimSurvey(
        account_id=account.id,
        claim_id=claim.id,
        contact_id=contact.id,
        rating=rating,
        answers=answers,
        comment=comment,
    )
    try:
        with session.begin_nested():  # the unique claim_id settles a race between two devices
            session.add(survey)
            session.flush()
    except IntegrityError:
        raise InvalidInput(f"Claim {claim.number} has already been rated. Thank you!") from None
    record_action(
        session,
        principal,
        "customer.claim_survey",
        summary=f"Claim {claim.number} experience rated {rating}/5 "
        f"({RATING_WORDS[rating]})." + (f" “{comment}”" if comment else ""),
        details={
            "survey_id": survey.id,
            "claim_number": claim.number,
            "rating": rating,
            "answers": answers,
        },
    )
    return survey


def _own_closed_claim(session: Session, account_id: int, claim_id: int) -> Claim:
    claim = session.get(Claim, claim_id)
    if claim is None or claim.account_id != account_id:
        raise NotFound("That claim is not on your account.")
    if claim.status != ClaimStatus.CLOSED:
        raise InvalidInput(
            f"Claim {claim.number} is still open; the survey opens once your agency closes it."
        )
    return claim


def _claim_view(claim: Claim, policy: Policy | None) -> ClaimView:
    label = f"{POLICY_LINES.get(policy.line, policy.line)} · {policy.number}" if policy else ""
    return ClaimView(
        id=claim.id,
        number=claim.number,
        description=claim.description,
        loss_date=claim.loss_date,
        policy_label=label,
    )


def _rating(values: dict[str, Any], key: str, label: str, *, required: bool = True) -> int | None:
    if required and not str(values.get(key) or "").strip():
        raise InvalidInput(f"Choose {label.lower()}: 1 to 5 stars.", field=key)
    return fi.integer(values, key, label, minimum=1, maximum=5, required=required)
