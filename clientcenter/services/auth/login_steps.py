"""The steps the customers' login (services/auth/login.py) and the agents' sign-in
(services/auth/agent_login.py) take the same way: the email typed, a code sent on the
attempt's allowance, a code checked and its refusal worded, and the single-use grant that
carries a verified attempt to the HTTP route that sets the session cookie.

What differs between the two flows is data here: the code's channel and destination, who
would receive it, and the words of a refusal.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlmodel import Session

from clientcenter.models import LoginChallenge
from clientcenter.services.accounts import normalize_email
from clientcenter.services.auth import login_codes
from clientcenter.services.auth import remembered as remembered_browsers
from clientcenter.services.auth.login_codes import (
    AttemptEnded,
    CodeCheck,
    CodeOutcome,
    LoginRefused,
    ResendTooSoon,
    TooManySends,
)
from clientcenter.services.auth.tokens import sign, unsign
from clientcenter.services.errors import InvalidInput
from clientcenter.services.notify import outbox

log = logging.getLogger("clientcenter.security")

NO_LONGER_WORKS = "That code no longer works. Tap “Send a new code” to get another."


class CodeProblem(LoginRefused):
    """The code was not accepted; the message says why and what to do."""


def clean_email(raw: str) -> str:
    email = normalize_email(raw or "")
    if not email:
        raise InvalidInput("Enter the email address your agency has on file.", field="email")
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        raise InvalidInput(
            f"“{raw.strip()[:80]}” doesn't look like an email address. Check it for typos.",
            field="email",
        ) from None
    if len(email) > 254:
        raise InvalidInput("That email address is too long.", field="email")
    return email


def allowance(
    db: Session, challenge: LoginChallenge, remembered: str | None, now: datetime
) -> str | None:
    """A remembered browser of this person draws on its own send and failure allowance."""
    return remembered_browsers.allowance(
        db, remembered, subject_kind=challenge.subject_kind, email=challenge.email, now=now
    )


def send_code(
    db: Session,
    challenge: LoginChallenge,
    *,
    channel: str,
    destination: str,
    deliver: bool,
    to_name: str,
    client_ip: str,
    now: datetime,
    remembered: str | None,
) -> None:
    """Issue a code and put it in the outbox. With ``deliver`` false (nobody to send it to)
    the same work — counters, code, hash, rendering, the outbox INSERT — with nothing
    queued, so the answer and its timing say nothing about who is on file."""
    code = login_codes.issue_code(
        db,
        challenge,
        channel=channel,
        destination=destination,
        client_ip=client_ip,
        now=now,
        allowance=allowance(db, challenge, remembered, now),
    )
    outbox.enqueue_if(
        db,
        deliver,
        channel=channel,
        to_address=destination,
        template="login_code",
        context={"code": code, "minutes": login_codes.code_minutes()},
        recipient_kind="login",
        sensitive=True,
        to_name=to_name,
    )


@dataclass(frozen=True)
class CodeWords:
    """How a flow words a code it did not accept."""

    resent: str  # "That code has expired — <resent>."
    latest: str  # "Check <latest> and try again …"
    cannot_resend: str  # after "… can't send another one right now. "
    voided: str  # the code failed too often


def refuse_unless_accepted(
    result: CodeCheck, words: CodeWords, resend: Callable[[], None]
) -> None:
    """Raise CodeProblem unless ``result`` accepted the code. An expired code is replaced
    first (``resend``), if the send limits allow it."""
    if result.outcome == CodeOutcome.EXPIRED:
        try:
            resend()
        except (TooManySends, ResendTooSoon):
            raise CodeProblem(
                "That code has expired, and we can't send another one right now. "
                + words.cannot_resend
            ) from None
        raise CodeProblem(f"That code has expired — {words.resent}.")
    if result.outcome == CodeOutcome.WRONG:
        tries = "1 more try" if result.tries_left == 1 else f"{result.tries_left} more tries"
        raise CodeProblem(
            f"That code isn't right. Check {words.latest} and try again ({tries} with this code)."
        )
    if result.outcome == CodeOutcome.VOIDED:
        raise CodeProblem(words.voided)
    if result.outcome == CodeOutcome.NO_CODE:
        raise CodeProblem(NO_LONGER_WORKS)


def grant(
    purpose: str, challenge: LoginChallenge, browser: str | None, ttl_seconds: int, **fields: int
) -> str:
    """The single-use grant for a verified attempt. ``"b"``: the keyed hash of the browser
    key of the tab that passed the code; :func:`redeem` accepts it only from that browser."""
    return sign(purpose, {"c": challenge.id, **fields, "b": browser}, ttl_seconds)


def redeem(
    db: Session,
    purpose: str,
    value: str | None,
    *,
    subject_kind: str,
    browser: str | None,
    now: datetime,
    fields: tuple[str, ...] = (),
) -> tuple[dict[str, Any], LoginChallenge]:
    """The grant's payload and its attempt, closed now, exactly once (AttemptEnded for a
    forged, expired, used or foreign grant). ``fields``: the other ids it must carry."""
    payload = unsign(purpose, value or "")
    if payload is None or not all(isinstance(payload.get(k), int) for k in ("c", *fields)):
        raise AttemptEnded()
    # A grant minted on a connection without a browser cookie (a login framed by another
    # site) is bound to no browser; the Origin check still stops a foreign page posting it.
    if payload.get("b") is not None and payload.get("b") != browser:
        log.warning(
            "%s grant refused: posted from another browser than the one that passed the code",
            purpose,
        )
        raise AttemptEnded()
    challenge = login_codes.consume(db, payload["c"], now=now)
    if challenge is None or challenge.subject_kind != subject_kind:
        raise AttemptEnded()
    return payload, challenge
