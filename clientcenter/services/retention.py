"""Retention: what is past the time the agency keeps it (``settings.retention``), counted or
deleted. 0 days (or years) keeps a kind forever.

- **activity log** and **audit trail** rows older than their days;
- **message bodies**: an email or text the provider accepted keeps its address, status and
  dates, its body goes (a failed one keeps its body for the failures queue);
- **ended sessions**: revoked, past their 12 hours, or idle, that long ago;
- **login attempts** begun that long ago (housekeeping already forgets most after a day);
- **files of closed accounts**: an account with no active policy is closed, and its
  documents (with the certificates made of them) go N years after its last policy's
  expiration date. An account with no policy at all has no date, and keeps its files.

"Past its time" is strictly older than the cutoff, so a row exactly at the cutoff stays.
The same deletes run from ``python -m clientcenter.cli retention`` and from the relay's
housekeeping (services/auth/housekeeping.py, under its lock): they are idempotent, and a
second worker running them at once finds nothing left to do. The caller commits; files are
removed from the store only once that commit succeeds.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, or_, update
from sqlmodel import Session, select

from clientcenter.models import (
    Account,
    ActivityLog,
    Certificate,
    ChangeRequest,
    Document,
    LoginChallenge,
    OutboxMessage,
    Policy,
    Proposal,
    Task,
    UserSession,
)
from clientcenter.models.activity import OutboxStatus
from clientcenter.models.audit import AuditEvent
from clientcenter.models.base import utcnow
from clientcenter.models.certificates import CertificateLink
from clientcenter.services.accounts import active_policy_exists
from clientcenter.services.files import storage
from clientcenter.settings import Retention, Settings, get_settings

# kind: (what is counted, the setting that keeps it, its unit)
KINDS = {
    "activity_log": ("activity log entries", "activity_log_days", "days"),
    "audit_trail": ("audit trail events", "audit_trail_days", "days"),
    "message_bodies": ("bodies of sent messages", "message_bodies_days", "days"),
    "ended_sessions": ("ended sessions", "ended_sessions_days", "days"),
    "login_attempts": ("login attempts", "login_attempts_days", "days"),
    "closed_account_files": ("files of closed accounts", "closed_account_files_years", "years"),
}


@dataclass(frozen=True)
class RetentionCounts:
    activity_log: int = 0
    audit_trail: int = 0
    message_bodies: int = 0
    ended_sessions: int = 0
    login_attempts: int = 0
    closed_account_files: int = 0

    def items(self) -> list[tuple[str, int]]:
        return list(asdict(self).items())

    @property
    def total(self) -> int:
        return sum(asdict(self).values())


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def apply(
    db: Session,
    *,
    dry_run: bool = False,
    now: datetime | None = None,
    settings: Settings | None = None,
) -> RetentionCounts:
    """Count (dry run) or delete what is past its time; the caller commits."""
    now = now or utcnow()
    settings = settings or get_settings()
    keep = settings.retention
    return RetentionCounts(
        activity_log=_activity_log(db, _cutoff(now, keep.activity_log_days), dry_run),
        audit_trail=_simple(
            db, AuditEvent, AuditEvent.created_at, _cutoff(now, keep.audit_trail_days), dry_run
        ),
        message_bodies=_message_bodies(db, _cutoff(now, keep.message_bodies_days), dry_run),
        ended_sessions=_ended_sessions(
            db, _cutoff(now, keep.ended_sessions_days), settings, dry_run
        ),
        login_attempts=_simple(
            db,
            LoginChallenge,
            LoginChallenge.created_at,
            _cutoff(now, keep.login_attempts_days),
            dry_run,
        ),
        closed_account_files=_closed_account_files(db, now, keep, dry_run),
    )


def _cutoff(now: datetime, days: int) -> datetime | None:
    return now - timedelta(days=days) if days else None


def _count(db: Session, model, *where) -> int:
    return db.exec(select(func.count()).select_from(model).where(*where)).one()


def _simple(db: Session, model, column, cutoff: datetime | None, dry_run: bool) -> int:
    if cutoff is None:
        return 0
    if dry_run:
        return _count(db, model, column < cutoff)
    return db.execute(delete(model).where(column < cutoff)).rowcount


def _activity_log(db: Session, cutoff: datetime | None, dry_run: bool) -> int:
    if cutoff is None:
        return 0
    old = ActivityLog.created_at < cutoff
    if dry_run:
        return _count(db, ActivityLog, old)
    # Tasks, messages and certificate links outlive the entry that caused them.
    old_ids = select(ActivityLog.id).where(old)
    for model in (Task, OutboxMessage, CertificateLink):
        db.execute(update(model).where(model.activity_id.in_(old_ids)).values(activity_id=None))
    return db.execute(delete(ActivityLog).where(old)).rowcount


def _message_bodies(db: Session, cutoff: datetime | None, dry_run: bool) -> int:
    if cutoff is None:
        return 0
    where = (
        OutboxMessage.status.in_((OutboxStatus.SENT, OutboxStatus.DELIVERED)),
        OutboxMessage.sent_at < cutoff,
        or_(OutboxMessage.body_text != "", OutboxMessage.body_html != ""),
    )
    if dry_run:
        return _count(db, OutboxMessage, *where)
    return db.execute(
        update(OutboxMessage).where(*where).values(body_text="", body_html="")
    ).rowcount


def _ended_sessions(
    db: Session, cutoff: datetime | None, settings: Settings, dry_run: bool
) -> int:
    if cutoff is None:
        return 0
    idle = timedelta(minutes=settings.security.session_idle_minutes)
    ended = or_(
        UserSession.revoked_at < cutoff,
        UserSession.absolute_expires_at < cutoff,
        UserSession.last_seen_at < cutoff - idle,  # went idle before the cutoff
    )
    if dry_run:
        return _count(db, UserSession, ended)
    return db.execute(delete(UserSession).where(ended)).rowcount


def closed_accounts_before(last_day: date):
    """SQL: ids of accounts with no active policy whose last policy expired before
    ``last_day``."""
    expired_before = (
        select(Policy.account_id)
        .group_by(Policy.account_id)
        .having(func.max(Policy.expiration_date) < last_day)
    )
    return select(Account.id).where(
        Account.id.in_(expired_before), ~active_policy_exists(Account.id)
    )


def _closed_account_files(db: Session, now: datetime, keep: Retention, dry_run: bool) -> int:
    if not keep.closed_account_files_years:
        return 0
    closed = closed_accounts_before(years_before(now.date(), keep.closed_account_files_years))
    in_closed = Document.account_id.in_(closed)
    if dry_run:
        return _count(db, Document, in_closed)
    documents = db.exec(select(Document.id, Document.storage_key).where(in_closed)).all()
    if not documents:
        return 0
    ids = [d.id for d in documents]
    # What points at these files lets go of them; a certificate is its file, so it goes too.
    certificates = select(Certificate.id).where(Certificate.document_id.in_(ids))
    db.execute(delete(CertificateLink).where(CertificateLink.certificate_id.in_(certificates)))
    db.execute(delete(Certificate).where(Certificate.document_id.in_(ids)))
    db.execute(
        update(ChangeRequest)
        .where(ChangeRequest.attachment_document_id.in_(ids))
        .values(attachment_document_id=None)
    )
    db.execute(update(Proposal).where(Proposal.document_id.in_(ids)).values(document_id=None))
    db.execute(delete(Document).where(Document.id.in_(ids)))
    for d in documents:
        storage.delete_after_commit(db, d.storage_key)
    return len(ids)


def format_counts(counts: RetentionCounts, keep: Retention, *, dry_run: bool) -> str:
    """What the CLI prints: one line per kind, with the setting behind it."""
    lines = ["retention, dry run: nothing was deleted" if dry_run else "retention:"]
    verb = "would delete" if dry_run else "deleted"
    for kind, count in counts.items():
        label, setting, unit = KINDS[kind]
        value = getattr(keep, setting)
        kept = f"kept {value} {unit}" if value else "kept forever"
        lines.append(f"  {label:<26} {verb} {count:>7}   ({kept}: retention.{setting})")
    return "\n".join(lines)
