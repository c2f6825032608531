"""Provider webhooks: SendGrid's signed event webhook and Twilio's status callback.

Both are verified with the provider SDK's own helper before anything is read."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

from sendgrid.helpers.eventwebhook import EventWebhook, EventWebhookHeader
from sqlmodel import Session
from twilio.request_validator import RequestValidator

from clientcenter.delivery.email_sendgrid import DEDUPE_ARG
from clientcenter.delivery.status import apply_event
from clientcenter.models.activity import OutboxStatus
from clientcenter.settings import Settings

# The provider's word for an event → the outbox status it moves a message to.
SENDGRID_STATUS = {
    "processed": OutboxStatus.SENT,
    "delivered": OutboxStatus.DELIVERED,
    "bounce": OutboxStatus.FAILED,
    "dropped": OutboxStatus.FAILED,
}
TWILIO_STATUS = {
    "sent": OutboxStatus.SENT,
    "delivered": OutboxStatus.DELIVERED,
    "undelivered": OutboxStatus.FAILED,
    "failed": OutboxStatus.FAILED,
}
MAX_SIGNATURE_AGE_SECONDS = 600


class WebhookRefused(Exception):
    """Not verified: nothing was read or changed."""

    def __init__(self, reason: str, status: int = 403):
        super().__init__(reason)
        self.status = status


def verify_sendgrid(settings: Settings, body: bytes, headers, now: float | None = None) -> list:
    key = settings.delivery.sendgrid_webhook_public_key
    if not key:
        raise WebhookRefused("the SendGrid event webhook is not configured", 404)
    signature = headers.get(EventWebhookHeader.SIGNATURE)
    timestamp = headers.get(EventWebhookHeader.TIMESTAMP)
    if not signature or not timestamp:
        raise WebhookRefused("missing signature")
    try:
        fresh = abs((now or time.time()) - int(timestamp)) <= MAX_SIGNATURE_AGE_SECONDS
        helper = EventWebhook()
        valid = helper.verify_signature(
            body.decode("utf-8"), signature, timestamp, helper.convert_public_key_to_ecdsa(key)
        )
    except (ValueError, UnicodeDecodeError, TypeError):
        raise WebhookRefused("malformed signature") from None
    if not valid:
        raise WebhookRefused("bad signature")
    if not fresh:  # a replayed capture of an old, validly signed batch
        raise WebhookRefused("stale signature")
    try:
        events = json.loads(body)
    except ValueError:
        raise WebhookRefused("not JSON", 400) from None
    if not isinstance(events, list):
        raise WebhookRefused("expected a list of events", 400)
    return events


def apply_sendgrid_events(session: Session, events: list) -> int:
    """Returns how many events were new."""
    new = 0
    for event in events:
        if not isinstance(event, dict) or not event.get("sg_event_id"):
            continue
        raw = str(event.get("event", ""))
        sg_message_id = str(event.get("sg_message_id", "")).split(".", 1)[0]
        occurred = _from_unix(event.get("timestamp"))
        reason = str(event.get("reason") or event.get("response") or "")
        new += apply_event(
            session,
            provider="sendgrid",
            event_id=f"sendgrid:{event['sg_event_id']}",
            status=SENDGRID_STATUS.get(raw),
            raw_status=raw,
            dedupe_key=event.get(DEDUPE_ARG),
            provider_message_id=sg_message_id,
            occurred_at=occurred,
            error=f"sendgrid {raw}: {reason}".strip(": "),
        )
    return new


def verify_twilio(settings: Settings, url: str, params: dict[str, str], headers) -> None:
    token = settings.delivery.twilio_auth_token
    if token is None:
        raise WebhookRefused("Twilio is not configured", 404)
    signature = headers.get("X-Twilio-Signature")
    if not signature:
        raise WebhookRefused("missing signature")
    if not RequestValidator(token.get_secret_value()).validate(url, params, signature):
        raise WebhookRefused("bad signature")


def apply_twilio_status(session: Session, params: dict[str, str], dedupe_key: str | None) -> bool:
    sid = params.get("MessageSid") or params.get("SmsSid") or ""
    raw = params.get("MessageStatus") or params.get("SmsStatus") or ""
    if not sid or not raw:
        raise WebhookRefused("missing MessageSid or MessageStatus", 400)
    error = params.get("ErrorCode") or ""
    # Twilio sends one callback per status change: sid + status identifies it.
    return apply_event(
        session,
        provider="twilio",
        event_id=f"twilio:{sid}:{raw}",
        status=TWILIO_STATUS.get(raw),
        raw_status=raw,
        dedupe_key=dedupe_key,
        provider_message_id=sid,
        error=f"twilio {raw}" + (f" (error {error})" if error else ""),
    )


def _from_unix(value) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None
