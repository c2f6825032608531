"""Remembered browsers: nobody can lock a customer or an agent out of their own browser.

When a login completes, the HTTP route gives the browser a random, HttpOnly cookie
(``connection.remembered_cookie_name()``) bound to the person who logged in; the database
keeps only ``connection.remembered_digest(raw)``. Later login steps from that browser for the
same person (subject kind and email) draw on the browser's own send and failure allowance
(services/auth/login_codes.py), so anonymous requests flooding that email — which use up the
email's shared counters — cannot stop its owner from getting a code and logging in there.
The allowance is per browser and the cookie's value is never shown to any page; a cookie of
another person, an unknown one, an expired or a revoked one gets no allowance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, select

from clientcenter.models import RememberedBrowser
from clientcenter.models.base import utcnow
from clientcenter.services.accounts import normalize_email
from clientcenter.services.auth import connection
from clientcenter.services.auth.devices import device_label
from clientcenter.services.auth.sessions import as_utc
from clientcenter.services.auth.tokens import new_token
from clientcenter.services.dates import date_text
from clientcenter.settings import get_settings

SUBJECT_KINDS = ("customer", "agent")
TRUST_CHANNELS = ("email", "sms")


@dataclass(frozen=True)
class Remembered:
    """What the route sets: a new cookie value, or None to set the one the browser sent
    again (with a fresh max-age)."""

    new_value: str | None
    max_age: int


def _lifetime() -> timedelta:
    return timedelta(days=get_settings().security.remembered_browser_days)


def _find(db: Session, digest: str | None) -> RememberedBrowser | None:
    if not digest or len(digest) != 64:
        return None
    return db.exec(select(RememberedBrowser).where(RememberedBrowser.digest == digest)).first()


def _live(record: RememberedBrowser | None, now: datetime) -> bool:
    return record is not None and record.revoked_at is None and as_utc(record.expires_at) > now


def allowance(
    db: Session, digest: str | None, *, subject_kind: str, email: str, now: datetime | None = None
) -> str | None:
    """The key of this browser's own allowance when ``digest`` (the connection's
    ``_remembered_digest()``) names a live remembered browser of this very person; None
    otherwise, and the request counts with everyone's."""
    now = now or utcnow()
    record = _find(db, digest)
    if (
        not _live(record, now)
        or record.subject_kind != subject_kind
        or record.email != normalize_email(email)
    ):
        return None
    return f"{record.subject_kind}:{record.id}"


def remember(
    db: Session,
    *,
    subject_kind: str,
    email: str,
    presented: str | None,
    contact_id: int | None = None,
    agent_id: int | None = None,
    user_agent: str = "",
    trust_channel: str = "",
    now: datetime | None = None,
) -> Remembered:
    """After a completed login: keep the browser's cookie if it already stands for this
    person, otherwise a new one. A cookie of someone else in this browser (a shared
    computer) is revoked: one browser holds one remembered cookie. ``trust_channel``: the
    customer ticked "Remember this browser" and their code went by it (see
    :func:`trusted_channel`); a login without the tick leaves an earlier opt-in as it was."""
    if subject_kind not in SUBJECT_KINDS:
        raise ValueError(f"unknown subject kind {subject_kind!r}")
    now = now or utcnow()
    email = normalize_email(email)
    expires = now + _lifetime()
    max_age = int(_lifetime().total_seconds())
    record = _find(db, presented)
    if _live(record, now) and (record.subject_kind, record.email) == (subject_kind, email):
        record.contact_id, record.agent_id = contact_id, agent_id
        record.last_used_at, record.expires_at = now, expires
        record.user_agent = user_agent[:200]
        _trust(record, trust_channel, now)
        db.add(record)
        db.flush()
        return Remembered(None, max_age)
    if _live(record, now):
        record.revoked_at = now
        db.add(record)
    raw = new_token()
    fresh = RememberedBrowser(
        digest=connection.remembered_digest(raw),
        subject_kind=subject_kind,
        email=email,
        contact_id=contact_id,
        agent_id=agent_id,
        user_agent=user_agent[:200],
        created_at=now,
        last_used_at=now,
        expires_at=expires,
    )
    _trust(fresh, trust_channel, now)
    db.add(fresh)
    db.flush()
    return Remembered(raw, max_age)


def _trust(record: RememberedBrowser, channel: str, now: datetime) -> None:
    if channel in TRUST_CHANNELS:
        days = get_settings().security.trusted_browser_days
        record.trusted_until = now + timedelta(days=days)
        record.trusted_channel = channel
        # The cookie must live at least as long as the opt-in.
        record.expires_at = max(as_utc(record.expires_at), record.trusted_until)


def _trusted(record: RememberedBrowser | None, now: datetime) -> bool:
    return (
        _live(record, now)
        and record.trusted_until is not None
        and as_utc(record.trusted_until) > now
        and record.trusted_channel in TRUST_CHANNELS
    )


def trusted_channel(
    db: Session, digest: str | None, *, subject_kind: str, email: str, now: datetime | None = None
) -> str | None:
    """The channel a browser this person opted in to remembering gets its code by at once
    (no channel step), or None: not opted in, expired, revoked, or someone else's."""
    now = now or utcnow()
    record = _find(db, digest)
    if not _trusted(record, now) or (record.subject_kind, record.email) != (
        subject_kind,
        normalize_email(email),
    ):
        return None
    return record.trusted_channel


@dataclass(frozen=True)
class TrustedBrowser:
    id: int
    label: str  # the browser and system, from its user agent
    last_used: str
    until: str
    this_browser: bool


def trusted_browsers(
    db: Session, *, subject_kind: str, email: str, current: str | None, now: datetime | None = None
) -> list[TrustedBrowser]:
    """Profile → Remembered browsers: this person's live opted-in browsers."""
    now = now or utcnow()
    rows = db.exec(
        select(RememberedBrowser)
        .where(
            RememberedBrowser.subject_kind == subject_kind,
            RememberedBrowser.email == normalize_email(email),
            RememberedBrowser.revoked_at.is_(None),
            RememberedBrowser.trusted_until.is_not(None),
        )
        .order_by(RememberedBrowser.last_used_at.desc())
    )
    return [
        TrustedBrowser(
            r.id,
            device_label(r.user_agent),
            date_text(r.last_used_at),
            date_text(r.trusted_until),
            r.digest == current,
        )
        for r in rows
        if _trusted(r, now)
    ]


def forget_browser(
    db: Session, *, subject_kind: str, email: str, browser_id: int, now: datetime | None = None
) -> None:
    """Profile → Remembered browsers → Forget: that browser asks "email or text?" again.
    Only this person's own browsers (another's id looks absent)."""
    from clientcenter.services.errors import NotFound

    record = db.get(RememberedBrowser, browser_id)
    if (
        record is None
        or (record.subject_kind, record.email) != (subject_kind, normalize_email(email))
        or record.trusted_until is None
    ):
        raise NotFound("That browser isn't remembered any more.")
    record.trusted_until = None
    record.trusted_channel = ""
    record.revoked_at = record.revoked_at or (now or utcnow())
    db.add(record)
    db.flush()


def revoke_all(db: Session, *, subject_kind: str, email: str, now: datetime | None = None) -> int:
    """End every remembered browser of a person (for "log out everywhere" and the list of
    remembered browsers, issue 18). Returns how many were live."""
    result = db.execute(
        update(RememberedBrowser)
        .where(
            RememberedBrowser.subject_kind == subject_kind,
            RememberedBrowser.email == normalize_email(email),
            RememberedBrowser.revoked_at.is_(None),
        )
        .values(revoked_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def prune(db: Session, *, now: datetime | None = None) -> int:
    """Delete remembered browsers that expired more than a day ago."""
    from sqlalchemy import delete

    result = db.execute(
        delete(RememberedBrowser).where(
            RememberedBrowser.expires_at < (now or utcnow()) - timedelta(days=1)
        )
    )
    return result.rowcount or 0
