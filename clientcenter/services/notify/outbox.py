"""The transactional outbox: messages are rows written in the same transaction as the change
they announce; the relay (clientcenter.delivery.relay) sends them afterwards."""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, literal
from sqlalchemy import select as sql_select
from sqlmodel import Session, select

from clientcenter.delivery.background import note_outbox_write
from clientcenter.models import Account, OutboxMessage, WebhookEndpoint
from clientcenter.models.activity import OutboxStatus
from clientcenter.models.base import utcnow
from clientcenter.services.access import require_permission
from clientcenter.services.agency.roles import Permission
from clientcenter.services.errors import InvalidInput, NotFound
from clientcenter.services.notify import sms_destinations
from clientcenter.services.notify.templates import TEMPLATES, render
from clientcenter.services.principal import Principal
from clientcenter.settings import Settings

log = logging.getLogger("clientcenter.outbox")
CHANNELS = ("email", "sms")  # what enqueue renders; "webhook" goes through enqueue_webhook
WEBHOOK = "webhook"
RECIPIENT_KINDS = ("agent", "customer", "primary", "login", "other")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")


def new_dedupe_key() -> str:
    """One key per message, passed to the provider so a retried send is recognised."""
    return "cc-" + uuid.uuid4().hex


def enqueue(
    session: Session,
    *,
    channel: str,
    to_address: str,
    template: str,
    context: dict[str, Any],
    recipient_kind: str,
    account_id: int | None = None,
    activity_id: int | None = None,
    sensitive: bool = False,
    to_name: str = "",
    dedupe_key: str | None = None,
    settings: Settings | None = None,
) -> OutboxMessage:
    """Render ``template`` and add one message to the outbox (flushed, not committed)."""
    if channel not in CHANNELS:
        raise ValueError(f"channel must be one of {CHANNELS}, not {channel!r}")
    if recipient_kind not in RECIPIENT_KINDS:
        raise ValueError(f"recipient_kind must be one of {RECIPIENT_KINDS}")
    address = (to_address or "").strip()
    if channel == "email" and not _EMAIL.match(address):
        raise ValueError("an email message needs an email address")
    if channel == "sms" and not _E164.match(address):
        raise ValueError("a text message needs a mobile number in +E.164 form")
    if template in TEMPLATES and TEMPLATES[template].sensitive and not sensitive:
        # A login code must be purged after sending: the caller cannot forget it.
        raise ValueError(f"template {template!r} carries a secret: enqueue it with sensitive=True")
    # SMS pumping: a text to a number outside security.sms_countries, or to no mobile, is
    # written as failed with the reason, never queued (services/notify/sms_destinations.py).
    refused = sms_destinations.refusal(address, settings) if channel == "sms" else None
    rendered = render(template, context, settings)
    message = OutboxMessage(
        dedupe_key=dedupe_key or new_dedupe_key(),
        channel=channel,
        recipient_kind=recipient_kind,
        to_address=address.lower() if channel == "email" else address,
        to_name=to_name[:160],
        template=template,
        subject=rendered.subject[:200] if channel == "email" else "",
        body_text=rendered.text if channel == "email" else rendered.sms,
        body_html=rendered.html if channel == "email" else "",
        account_id=account_id,
        activity_id=activity_id,
        sensitive=sensitive,
    )
    if refused is not None:
        message.status = OutboxStatus.FAILED
        message.last_error = f"not sent: {refused.message}"[:500]
        if sensitive:
            message.body_text = message.body_html = ""  # a code that is never sent
        log.warning("outbox: refused a text to a %s destination (%s)", refused.code, template)
    session.add(message)
    session.flush()
    if refused is None:
        note_outbox_write(session)
    return message


def enqueue_if(
    session: Session,
    deliver: bool,
    *,
    channel: str,
    to_address: str,
    template: str,
    context: dict[str, Any],
    recipient_kind: str,
    sensitive: bool = False,
    to_name: str = "",
    settings: Settings | None = None,
) -> None:
    """:func:`enqueue` as one ``INSERT … SELECT … WHERE :deliver``: the same rendering, the
    same statement and the same parameters whether or not the message goes anywhere, and no
    row when ``deliver`` is false. The login uses it where a code may have nobody to go to
    (an unknown email, a text with no mobile on file), so neither the statements executed nor
    their time tell that case from a real send."""
    if channel not in CHANNELS or recipient_kind not in RECIPIENT_KINDS:
        raise ValueError("unknown channel or recipient kind")
    address = (to_address or "").strip()
    if deliver and channel == "email" and not _EMAIL.match(address):
        raise ValueError("an email message needs an email address")
    if deliver and channel == "sms" and not _E164.match(address):
        raise ValueError("a text message needs a mobile number in +E.164 form")
    if template in TEMPLATES and TEMPLATES[template].sensitive and not sensitive:
        raise ValueError(f"template {template!r} carries a secret: enqueue it with sensitive=True")
    # As in enqueue: a text to a refused destination is written failed, never queued.
    refused = sms_destinations.refusal(address, settings) if channel == "sms" else None
    rendered = render(template, context, settings)
    values = {
        "dedupe_key": new_dedupe_key(),
        "channel": channel,
        "recipient_kind": recipient_kind,
        "to_address": address.lower() if channel == "email" else address,
        "to_name": to_name[:160],
        "template": template,
        "subject": rendered.subject[:200] if channel == "email" else "",
        "body_text": rendered.text if channel == "email" else rendered.sms,
        "body_html": rendered.html if channel == "email" else "",
        "sensitive": sensitive,
        "next_attempt_at": utcnow(),
        "created_at": utcnow(),
        "status": OutboxStatus.PENDING if refused is None else OutboxStatus.FAILED,
        "last_error": "" if refused is None else f"not sent: {refused.message}"[:500],
    }
    if refused is not None and sensitive:
        values["body_text"] = values["body_html"] = ""  # a code that is never sent
    row = sql_select(
        *(literal(v, OutboxMessage.__table__.c[k].type).label(k) for k, v in values.items())
    ).where(literal(deliver))
    session.execute(insert(OutboxMessage).from_select(list(values), row))
    if deliver and refused is None:
        note_outbox_write(session)


def enqueue_webhook(
    session: Session,
    *,
    endpoint_id: int,
    url: str,
    event_type: str,
    body: str,
    dedupe_key: str,
    account_id: int | None = None,
    activity_id: int | None = None,
) -> OutboxMessage:
    """One webhook delivery (services/webhooks/events.py): the raw JSON body, signed by the
    relay's sender at each attempt with the endpoint's secret."""
    message = OutboxMessage(
        dedupe_key=dedupe_key,
        channel=WEBHOOK,
        recipient_kind="other",
        to_address=url,
        template=WEBHOOK,
        subject=event_type[:200],
        body_text=body,
        account_id=account_id,
        activity_id=activity_id,
        webhook_endpoint_id=endpoint_id,
    )
    session.add(message)
    session.flush()
    note_outbox_write(session)
    return message


# -- failed messages, for agents -------------------------------------------------------------


@dataclass(frozen=True)
class FailedMessage:
    id: int
    channel: str
    to_address: str
    to_name: str
    recipient_kind: str
    subject: str
    account_id: int | None
    account_name: str
    attempts: int
    last_error: str
    created_at: datetime
    can_retry: bool  # a login code is never resent: the customer asks for a new one


def list_failed(session: Session, principal: Principal, *, limit: int = 50) -> list[FailedMessage]:
    """Messages the relay gave up on, newest first."""
    require_permission(session, principal, Permission.FAILED_MESSAGES)
    rows = session.exec(
        select(OutboxMessage, Account.name)
        .join(Account, Account.id == OutboxMessage.account_id, isouter=True)
        .where(OutboxMessage.status == OutboxStatus.FAILED)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(max(1, min(limit, 200)))
        .execution_options(populate_existing=True)
    ).all()
    return [
        FailedMessage(
            m.id,
            m.channel,
            m.to_address,
            m.to_name,
            m.recipient_kind,
            m.subject,
            m.account_id,
            name or "",
            m.attempts,
            m.last_error,
            m.created_at,
            can_retry=not m.sensitive,
        )
        for m, name in rows
    ]


def retry_failed(session: Session, principal: Principal, message_id: int) -> OutboxMessage:
    """Put one failed message back in the queue with a fresh set of attempts."""
    require_permission(session, principal, Permission.FAILED_MESSAGES)
    message = session.exec(
        select(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if message is None:
        raise NotFound("No such message.")
    if message.status != OutboxStatus.FAILED:
        raise InvalidInput("Only a failed message can be sent again.")
    if message.sensitive:
        raise InvalidInput("A sign-in code is never resent; the customer can ask for a new one.")
    if message.channel == WEBHOOK:
        endpoint = (
            session.get(WebhookEndpoint, message.webhook_endpoint_id)
            if message.webhook_endpoint_id
            else None
        )
        if endpoint is None or not endpoint.active:
            raise InvalidInput(
                "That webhook endpoint is disabled or deleted: enable it (Webhooks page) "
                "before sending again."
            )
    message.status = OutboxStatus.PENDING
    message.attempts = 0
    message.next_attempt_at = utcnow()
    message.lease_until = None
    session.add(message)
    session.flush()
    note_outbox_write(session)
    return message
