"""Retention: each kind loses exactly what is past its time (a row one second, or one day,
beyond the cutoff) and keeps what is not (one second, or one day, inside it, and a row exactly
at it); a dry run counts the same and deletes nothing; 0 keeps forever; the files of a closed
account leave the store only once the deleting transaction commits; the relay's housekeeping
sweep applies it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from clientcenter.models import (
    Account,
    ActivityLog,
    Certificate,
    Document,
    LoginChallenge,
    OutboxMessage,
    Policy,
    Task,
    UserSession,
)
from clientcenter.models.audit import AuditEvent
from clientcenter.models.certificates import CertificateLink
from clientcenter.services import retention
from clientcenter.services.auth import housekeeping
from clientcenter.services.files import storage
from clientcenter.settings import get_settings
from tests.support.factories import make_people
from tests.support.settings import use_settings

NOW = datetime(2026, 5, 4, 15, 0, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)
DAYS = get_settings().retention  # the defaults


def _before(days: int) -> datetime:
    return NOW - timedelta(days=days)


@pytest.fixture
def people(session):
    return make_people(session)


def _ids(db: Session, model, *where) -> set[int]:
    db.expire_all()
    return set(db.exec(select(model.id).where(*where)).all())


# --- builders: for each kind, one row past its time and two inside it --------------------------


def _activity(db, people) -> dict[str, int]:
    def entry(at):
        row = ActivityLog(
            account_id=people.account.id,
            action_key="customer.login_email",
            actor_kind="customer",
            created_at=at,
        )
        db.add(row)
        db.flush()
        return row.id

    cutoff = _before(DAYS.activity_log_days)
    made = {"old": entry(cutoff - SECOND), "at": entry(cutoff), "new": entry(cutoff + SECOND)}
    db.add(
        Task(
            account_id=people.account.id,
            assigned_agent_id=people.producer.id,
            activity_id=made["old"],
            action_key="customer.login_email",
            title="Follow up",
        )
    )
    return made


def _audit(db) -> dict[str, int]:
    def event(at):
        row = AuditEvent(created_at=at, kind="read", action="info_pane.open")
        db.add(row)
        db.flush()
        return row.id

    cutoff = _before(DAYS.audit_trail_days)
    return {"old": event(cutoff - SECOND), "at": event(cutoff), "new": event(cutoff + SECOND)}


def _messages(db) -> dict[str, int]:
    def message(name, sent_at, status="sent"):
        row = OutboxMessage(
            dedupe_key=name,
            channel="email",
            recipient_kind="customer",
            to_address="p@example.com",
            template="action_customer",
            subject="Hello",
            body_text="Dear Pat",
            body_html="<p>Dear",
            status=status,
            sent_at=sent_at,
            created_at=sent_at or NOW,
        )
        db.add(row)
        db.flush()
        return row.id

    cutoff = _before(DAYS.message_bodies_days)
    return {
        "old": message("old", cutoff - SECOND),
        "old_delivered": message("old-delivered", cutoff - SECOND, "delivered"),
        "old_failed": message("old-failed", cutoff - SECOND, "failed"),
        "at": message("at", cutoff),
        "new": message("new", cutoff + SECOND),
    }


def _sessions(db, people) -> dict[str, int]:
    cutoff = _before(DAYS.ended_sessions_days)
    idle = timedelta(minutes=get_settings().security.session_idle_minutes)

    def session_row(name, *, revoked=None, expires=None, seen=None):
        seen = seen or NOW
        row = UserSession(
            token_hash=name,
            kind="agent",
            email="a@agency.example",
            agent_id=people.producer.id,
            created_at=seen,
            last_seen_at=seen,
            absolute_expires_at=expires or NOW + 12 * 3600 * SECOND,
            revoked_at=revoked,
        )
        db.add(row)
        db.flush()
        return row.id

    return {
        "revoked_old": session_row("r-old", revoked=cutoff - SECOND, seen=cutoff - 2 * idle),
        "revoked_new": session_row("r-new", revoked=cutoff + SECOND, seen=cutoff),
        "expired_old": session_row("e-old", expires=cutoff - SECOND, seen=cutoff - 2 * idle),
        "idle_old": session_row("i-old", seen=cutoff - idle - SECOND, expires=NOW),
        "idle_new": session_row("i-new", seen=cutoff - idle + SECOND, expires=NOW),
        "live": session_row("live"),
    }


def _attempts(db) -> dict[str, int]:
    def attempt(name, at):
        row = LoginChallenge(attempt_hash=name, email="p@example.com", created_at=at)
        db.add(row)
        db.flush()
        return row.id

    cutoff = _before(DAYS.login_attempts_days)
    return {
        "old": attempt("old", cutoff - SECOND),
        "at": attempt("at", cutoff),
        "new": attempt("new", cutoff + SECOND),
    }


def _closed_accounts(db, people) -> dict[str, tuple[int, str]]:
    """Accounts whose last policy expired a day past, exactly at, and a day inside the
    cutoff; and one with an old expired policy beside an active one (not closed)."""
    last_day = retention.years_before(NOW.date(), DAYS.closed_account_files_years)
    made = {}
    for name, expired, active in [
        ("past", last_day - timedelta(days=1), False),
        ("at", last_day, False),
        ("inside", last_day + timedelta(days=1), False),
        ("still_open", last_day - timedelta(days=400), True),
    ]:
        account = Account(kind="personal", name=f"Closed {name}", producer_id=people.producer.id)
        db.add(account)
        db.flush()
        db.add(_policy(account.id, f"X-{name}", expired, "expired"))
        if active:
            db.add(_policy(account.id, f"A-{name}", NOW.date() + timedelta(days=100), "active"))
        stored = storage.save_bytes(b"%PDF-1.4 " + name.encode(), session=db)
        doc = Document(
            account_id=account.id,
            category="declarations",
            title=name,
            filename=f"{name}.pdf",
            storage_key=stored.storage_key,
            content_type="application/pdf",
            size_bytes=stored.size_bytes,
            sha256=stored.sha256,
        )
        db.add(doc)
        db.flush()
        made[name] = (doc.id, stored.storage_key)
    # The closed account's certificate is its file: it goes with it, link and all.
    past_doc, _ = made["past"]
    past_account = db.get(Document, past_doc).account_id
    certificate = Certificate(account_id=past_account, document_id=past_doc, issued_on=last_day)
    db.add(certificate)
    db.flush()
    db.add(
        CertificateLink(
            certificate_id=certificate.id,
            account_id=past_account,
            token_hash="t" * 64,
            holder_name="Landlord",
            to_address="l@example.com",
            shared_by_agent_id=people.producer.id,
            expires_at=NOW,
        )
    )
    return made


def _policy(account_id: int, number: str, expires: date, status: str) -> Policy:
    return Policy(
        account_id=account_id,
        number=number,
        line="home",
        carrier="Travelers",
        effective_date=expires - timedelta(days=365),
        expiration_date=expires,
        status=status,
        premium_cents=100,
    )


@pytest.fixture
def rows(session, people):
    made = {
        "activity": _activity(session, people),
        "audit": _audit(session),
        "messages": _messages(session),
        "sessions": _sessions(session, people),
        "attempts": _attempts(session),
        "files": _closed_accounts(session, people),
    }
    session.commit()
    return made


def _path(key: str):
    return get_settings().storage_dir / key[:2] / key


EXPECTED = retention.RetentionCounts(
    activity_log=1,
    audit_trail=1,
    message_bodies=2,
    ended_sessions=3,
    login_attempts=1,
    closed_account_files=1,
)


def test_it_deletes_exactly_what_is_past_its_time(session, people, rows):
    assert retention.apply(session, now=NOW) == EXPECTED
    session.commit()
    a, m, s, f = rows["activity"], rows["messages"], rows["sessions"], rows["files"]
    assert _ids(session, ActivityLog) >= {a["at"], a["new"]} and a["old"] not in _ids(
        session, ActivityLog
    )
    task = session.exec(select(Task)).one()
    assert task.activity_id is None  # the task stays, without its log entry
    assert _ids(session, AuditEvent) == {rows["audit"]["at"], rows["audit"]["new"]}
    bodies = {
        row.id: (row.body_text, row.body_html, row.subject, row.status)
        for row in session.exec(select(OutboxMessage))
    }
    assert bodies[m["old"]] == ("", "", "Hello", "sent")
    assert bodies[m["old_delivered"]][:2] == ("", "")
    for kept in ("old_failed", "at", "new"):
        assert bodies[m[kept]][:2] == ("Dear Pat", "<p>Dear"), kept
    assert _ids(session, UserSession) == {s["revoked_new"], s["idle_new"], s["live"]}
    assert _ids(session, LoginChallenge) == {rows["attempts"]["at"], rows["attempts"]["new"]}
    kept_docs = {doc_id for name, (doc_id, _) in f.items() if name != "past"}
    assert _ids(session, Document) == kept_docs
    assert not _path(f["past"][1]).exists()
    assert all(_path(key).exists() for name, (_, key) in f.items() if name != "past")
    assert _ids(session, Certificate) == set() and _ids(session, CertificateLink) == set()
    # Running again finds nothing: idempotent, whoever runs it next.
    assert retention.apply(session, now=NOW).total == 0


def test_a_dry_run_counts_the_same_and_deletes_nothing(session, people, rows):
    def everything():
        session.expire_all()
        return {
            model.__name__: sorted(str(r.model_dump()) for r in session.exec(select(model)))
            for model in (
                ActivityLog,
                AuditEvent,
                OutboxMessage,
                UserSession,
                LoginChallenge,
                Document,
                Certificate,
                Task,
            )
        }

    before = everything()
    assert retention.apply(session, dry_run=True, now=NOW) == EXPECTED
    session.commit()
    assert everything() == before
    assert all(_path(key).exists() for _, key in rows["files"].values())


def test_files_stay_when_the_deleting_transaction_rolls_back(session, people, rows):
    retention.apply(session, now=NOW)
    session.rollback()
    assert all(_path(key).exists() for _, key in rows["files"].values())
    assert len(_ids(session, Document)) == 4


def test_zero_keeps_forever(session, people, rows, monkeypatch):
    use_settings(
        monkeypatch,
        **{
            f"RETENTION__{name.upper()}": "0"
            for name in (
                "activity_log_days",
                "audit_trail_days",
                "message_bodies_days",
                "ended_sessions_days",
                "login_attempts_days",
                "closed_account_files_years",
            )
        },
    )
    assert retention.apply(session, now=NOW + timedelta(days=365 * 50)).total == 0


def test_the_housekeeping_sweep_applies_retention(session, people, rows):
    swept = housekeeping.sweep(session, now=NOW)
    # (Housekeeping forgets day-old login attempts itself, before retention looks.)
    assert swept.retained.audit_trail == 1 and swept.retained.closed_account_files == 1


def test_the_cli_prints_counts_per_kind(session, people, rows, capsys):
    text = retention.format_counts(EXPECTED, get_settings().retention, dry_run=True)
    assert text.splitlines()[0] == "retention, dry run: nothing was deleted"
    assert "ended sessions" in text and "would delete       3" in text
    assert "kept 7 years: retention.closed_account_files_years" in text


def test_29_february_counts_back_to_28():
    assert retention.years_before(date(2028, 2, 29), 7) == date(2021, 2, 28)
