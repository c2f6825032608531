"""Delivery status changes reported by the providers' webhooks, applied idempotently."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from clientcenter.delivery.relay import purge_body
from clientcenter.models import DeliveryEvent, OutboxMessage
from clientcenter.models.activity import OutboxStatus
from clientcenter.models.base import utcnow

# Which reported status may replace which: a late "sent" never undoes "delivered".
_MAY_REPLACE = {
    OutboxStatus.SENT: {OutboxStatus.PENDING, OutboxStatus.SENDING},
    OutboxStatus.FAILED: {OutboxStatus.PENDING, OutboxStatus.SENDING, OutboxStatus.SENT},
    OutboxStatus.DELIVERED: {
        OutboxStatus.PENDING,
        OutboxStatus.SENDING,
        OutboxStatus.SENT,
        OutboxStatus.FAILED,
    },
}


def find_message(
    session: Session, *, dedupe_key: str | None, provider_message_id: str | None
) -> OutboxMessage | None:
    if dedupe_key:
        row = session.exec(
            select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)
        ).first()
        if row is not None:
            return row
    if provider_message_id:
        return session.exec(
            select(OutboxMessage).where(OutboxMessage.provider_message_id == provider_message_id)
        ).first()
    return None


def apply_event(
    session: Session,
    *,
    provider: str,
    event_id: str,
    status: str | None,
    raw_status: str,
    dedupe_key: str | None,
    provider_message_id: str,
    occurred_at: datetime | None = None,
    error: str = "",
) -> bool:
    """Record one provider event once; move the message's status forward if it says so.
    Returns False for an event already seen (a webhook retry)."""
    try:
        with session.begin_nested():  # a duplicate must not spoil the rest of the batch
            session.add(
                DeliveryEvent(
                    provider=provider,
                    event_id=event_id[:160],
                    provider_message_id=provider_message_id[:120],
                    status=raw_status[:20],
                    occurred_at=occurred_at,
                )
            )
    except IntegrityError:
        return False
    message = find_message(session, dedupe_key=dedupe_key, provider_message_id=provider_message_id)
    if message is None or status is None:
        return True
    if message.status in _MAY_REPLACE.get(status, set()):
        message.status = status
        message.lease_until = None
        message.provider_message_id = message.provider_message_id or provider_message_id
        if status in (OutboxStatus.SENT, OutboxStatus.DELIVERED):
            message.sent_at = message.sent_at or occurred_at or utcnow()
            message.last_error = ""
        if status == OutboxStatus.FAILED:
            message.last_error = error[:480] or f"{provider}: {raw_status}"
        if message.sensitive and status in (
            OutboxStatus.SENT,
            OutboxStatus.DELIVERED,
            OutboxStatus.FAILED,
        ):
            purge_body(message)
        session.add(message)
    session.flush()
    return True
