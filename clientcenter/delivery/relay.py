"""The relay: sends due outbox messages, at least once, never twice on purpose.

1. Claim: due rows are taken with a lease (status "sending", lease_until, attempts+1) in a
   short transaction. PostgreSQL skips rows another relay holds (FOR UPDATE SKIP LOCKED); on
   both databases the UPDATE is guarded on the status and lease seen, so two relays can never
   both claim one row.
2. Send, outside any transaction, with the message's dedupe key.
3. Record the outcome: sent (provider id; a login-code body is purged), or retry later with
   exponential backoff and a cap, or failed after the last attempt.

A relay that dies between 2 and 3 leaves the row "sending" until its lease runs out. The next
relay then asks the provider whether it already accepted that dedupe key before sending again;
only when the provider cannot tell does it send again (at-least-once).

Every relay loop also runs the housekeeping sweep (services/auth/housekeeping.py) at most once per
``delivery.housekeeping_seconds``: the app process and the `relay` command both have one. The
sweep applies the agency's retention settings too (services/retention.py). With
``wallet.apple_web_service`` on, it also pushes Wallet passes whose card changed
(delivery/apns.py) at most once per ``wallet.apple_push_seconds``."""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from clientcenter.delivery import backends_for
from clientcenter.delivery.apns import ApnsSender, push_changed_passes
from clientcenter.delivery.base import (
    Accepted,
    LookupUnavailable,
    Outgoing,
    Rejected,
    Retry,
    SendResult,
    short_error,
)
from clientcenter.models import OutboxMessage
from clientcenter.models.activity import OutboxStatus
from clientcenter.models.base import utcnow
from clientcenter.services.auth import housekeeping
from clientcenter.services.notify import sms_destinations
from clientcenter.settings import Settings, get_settings

log = logging.getLogger("clientcenter.relay")


@dataclass
class RelayReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    reconciled: int = 0  # found already accepted by the provider after a crash

    @property
    def handled(self) -> int:
        return self.sent + self.retried + self.failed


@dataclass(frozen=True)
class OutboxLease:
    """One outbox row this relay holds until its lease runs out."""

    message: Outgoing
    attempts: int  # including this one
    outcome_unknown: bool  # an earlier attempt died mid-send


@dataclass
class Relay:
    engine: Engine
    settings: Settings = field(default_factory=get_settings)
    backends: dict | None = None
    batch_size: int = 20
    clock: Callable[[], float] = time.monotonic  # for the housekeeping interval
    _housekept_at: float | None = field(default=None, init=False, repr=False)
    _pushed_at: float | None = field(default=None, init=False, repr=False)
    _apns: ApnsSender | None = field(default=None, init=False, repr=False)

    def __post_init__(self):
        if self.backends is None:
            self.backends = backends_for(self.settings, self.engine)

    # -- claiming ------------------------------------------------------------------------
    def claim(self, now: datetime | None = None) -> list[OutboxLease]:
        now = now or utcnow()
        lease_until = now + timedelta(seconds=self.settings.delivery.relay_lease_seconds)
        table = OutboxMessage.__table__
        c = table.c
        leases: list[OutboxLease] = []
        with self.engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                # Take the write lock before reading: a deferred transaction that read an
                # older snapshot could not upgrade to a writer while another relay commits.
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            due = conn.execute(
                select(table)
                .where(c.status.in_((OutboxStatus.PENDING, OutboxStatus.SENDING)))
                .where(c.next_attempt_at <= now)
                .where(or_(c.lease_until.is_(None), c.lease_until < now))
                .order_by(c.next_attempt_at, c.id)
                .limit(self.batch_size)
                .with_for_update(skip_locked=True)  # PostgreSQL; ignored by SQLite
            ).all()
            for row in due:
                # Guarded on what we saw: two relays can never both claim one row.
                guard = [
                    c.id == row.id,
                    c.status == row.status,
                    c.lease_until.is_(None)
                    if row.lease_until is None
                    else c.lease_until == row.lease_until,
                ]
                result = conn.execute(
                    update(table)
                    .where(*guard)
                    .values(
                        status=OutboxStatus.SENDING,
                        lease_until=lease_until,
                        attempts=c.attempts + 1,
                    )
                )
                if result.rowcount != 1:
                    continue
                leases.append(
                    OutboxLease(
                        _outgoing(row),
                        row.attempts + 1,
                        outcome_unknown=row.status == OutboxStatus.SENDING,
                    )
                )
            conn.commit()
        return leases

    # -- one pass ------------------------------------------------------------------------
    def run_once(self) -> RelayReport:
        report = RelayReport()
        for lease in self.claim():
            self._deliver(lease, report)
        return report

    def drain(self, max_passes: int = 100) -> RelayReport:
        """Send everything due now (tests and the `relay --once` command)."""
        total = RelayReport()
        for _ in range(max_passes):
            report = self.run_once()
            if not report.handled:
                break
            for name in ("sent", "retried", "failed", "reconciled"):
                setattr(total, name, getattr(total, name) + getattr(report, name))
        return total

    def run_forever(self, stop: threading.Event) -> None:
        poll = self.settings.delivery.relay_poll_seconds
        while not stop.is_set():
            try:
                report = self.run_once()
            except Exception:  # a database hiccup must not kill the relay thread
                log.exception("relay pass failed")
                report = RelayReport()
            try:
                self.housekeep_if_due()
            except Exception:  # nor a failed sweep; the next interval tries again
                log.exception("housekeeping failed")
            try:
                self.push_passes_if_due()
            except Exception:  # nor APNs being away; the next interval tries again
                log.exception("Wallet pass pushes failed")
            if not report.handled:
                stop.wait(poll)

    # -- housekeeping --------------------------------------------------------------------
    def housekeep_if_due(self) -> bool:
        """Sweep on the first call, then once per interval. True if it swept (or found
        another relay sweeping)."""
        now = self.clock()
        interval = self.settings.delivery.housekeeping_seconds
        if self._housekept_at is not None and now - self._housekept_at < interval:
            return False
        self._housekept_at = now  # before the sweep: a failing one waits an interval too
        with Session(self.engine) as session:
            swept = housekeeping.sweep(session)
            session.commit()
        if swept and (swept.rate_events or swept.login_challenges):
            log.info(
                "housekeeping: deleted %d rate events, %d login attempts",
                swept.rate_events,
                swept.login_challenges,
            )
        if swept and swept.retained.total:
            log.info(
                "retention: deleted %s",
                ", ".join(f"{n} {kind}" for kind, n in swept.retained.items() if n),
            )
        return True

    # -- Wallet pass updates --------------------------------------------------------------
    def push_passes_if_due(self) -> bool:
        """Push the Wallet passes whose card changed, at most once per interval. True if it
        swept."""
        wallet = self.settings.wallet
        if not wallet.apple_web_service:
            return False
        now = self.clock()
        if self._pushed_at is not None and now - self._pushed_at < wallet.apple_push_seconds:
            return False
        self._pushed_at = now
        if self._apns is None:
            self._apns = ApnsSender(self.settings)
        report = push_changed_passes(self.engine, self.settings, self._apns)
        if report.sent or report.forgotten or report.failed:
            log.info(
                "Wallet pushes: %d sent, %d registrations forgotten, %d to retry",
                report.sent,
                report.forgotten,
                report.failed,
            )
        return True

    # -- delivering one message -----------------------------------------------------------
    def _deliver(self, lease: OutboxLease, report: RelayReport) -> None:
        message = lease.message
        backend = self.backends[message.channel]
        ttl = self.settings.security.code_ttl_seconds
        if message.sensitive and utcnow() - _aware(message.created_at) > timedelta(seconds=ttl):
            self._record(
                message.id,
                Rejected("the login code expired before it could be sent"),
                lease.attempts,
                report,
            )
            return
        refused = (
            sms_destinations.refusal(message.to_address, self.settings)
            if message.channel == "sms"
            else None
        )
        if refused is not None:
            # Defense in depth against SMS pumping: whatever wrote the row, a text outside
            # security.sms_countries or to no mobile never reaches a provider.
            self._record(
                message.id,
                Rejected(short_error(f"not sent: {refused.message}")),
                lease.attempts,
                report,
            )
            return
        if lease.outcome_unknown:
            try:
                found = backend.find_accepted(message)
            except LookupUnavailable as exc:
                log.warning("message %s: %s; sending again", message.id, exc)
                found = None
            if found:
                report.reconciled += 1
                self._record(message.id, Accepted(found), lease.attempts, report)
                return
        try:
            result = backend.send(message)
        except Exception as exc:  # an SDK surprise is a retry, not a lost message
            log.exception("message %s: backend %s raised", message.id, backend.name)
            result = Retry(short_error(f"{backend.name}: {type(exc).__name__}: {exc}"))
        self._record(message.id, result, lease.attempts, report)

    def _record(
        self, message_id: int, result: SendResult, attempts: int, report: RelayReport
    ) -> None:
        d = self.settings.delivery
        now = utcnow()
        with Session(self.engine) as session:
            row = session.get(OutboxMessage, message_id)
            if row is None:
                return
            if isinstance(result, Accepted):
                if (
                    row.status == OutboxStatus.SENDING
                ):  # a webhook may already have said "delivered"
                    row.status = OutboxStatus.SENT
                row.provider_message_id = row.provider_message_id or result.provider_message_id
                row.sent_at = row.sent_at or now
                row.last_error = ""
                report.sent += 1
            elif isinstance(result, Retry) and attempts < d.relay_max_attempts:
                row.status = OutboxStatus.PENDING
                row.next_attempt_at = now + timedelta(
                    seconds=backoff_seconds(
                        attempts,
                        d.relay_backoff_seconds,
                        d.relay_backoff_cap_seconds,
                        result.retry_after,
                    )
                )
                row.last_error = result.error
                report.retried += 1
            else:
                row.status = OutboxStatus.FAILED
                row.last_error = (
                    result.error
                    if attempts < d.relay_max_attempts or isinstance(result, Rejected)
                    else short_error(f"gave up after {attempts} attempts: {result.error}")
                )
                report.failed += 1
            row.lease_until = None
            if row.sensitive and row.status in (OutboxStatus.SENT, OutboxStatus.FAILED):
                purge_body(row)
            session.add(row)
            session.commit()


def backoff_seconds(
    attempts: int,
    base: float,
    cap: float,
    retry_after: float | None = None,
    rng: random.Random | None = None,
) -> float:
    """base·2^(n-1), ±20 % jitter so relays do not retry in step, never above the cap; a
    provider's Retry-After is honoured up to the cap."""
    delay = base * (2 ** max(attempts - 1, 0))
    delay *= (rng or random).uniform(0.8, 1.2)
    if retry_after:
        delay = max(delay, retry_after)
    return min(delay, cap)


def purge_body(row: OutboxMessage) -> None:
    """A login code must not outlive its sending."""
    row.body_text = ""
    row.body_html = ""


def _aware(value: datetime) -> datetime:

    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _outgoing(row) -> Outgoing:
    """From an outbox ORM object or a Core row of the outbox table."""
    return Outgoing(
        id=row.id,
        dedupe_key=row.dedupe_key,
        channel=row.channel,
        to_address=row.to_address,
        to_name=row.to_name,
        subject=row.subject,
        body_text=row.body_text,
        body_html=row.body_html,
        sensitive=row.sensitive,
        created_at=_aware(row.created_at),
        webhook_endpoint_id=row.webhook_endpoint_id,
    )
