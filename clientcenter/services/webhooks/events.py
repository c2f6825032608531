"""Which actions become which webhook events, and the one place they are emitted.

record_action (services/notify/activity.py) calls :func:`emit_for_action` for every action it
records, in the action's transaction: an event is written as one outbox message per active
endpoint subscribed to its type, or not at all if the action rolls back. Nothing else in the
services emits events, except :func:`emit` for the one domain event that is not a catalog
action (a payment that failed) and the administrator's test event."""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlmodel import Session, select

from clientcenter.models import Account, WebhookEndpoint
from clientcenter.models.base import utcnow
from clientcenter.services.notify import outbox

# The event types an endpoint may pick, with the words the admin page shows.
EVENT_TYPES: dict[str, str] = {
    "change_request.filed": "A customer filed a change request, general request or message",
    "change_request.updated": "An agent moved a request (in review, done, declined)",
    "document.uploaded": "A customer uploaded a document",
    "payment.succeeded": "A payment succeeded",
    "payment.failed": "A payment failed or its checkout expired",
    "contact.updated": "A customer changed contact details or preferences",
    "proposal.accepted": "A customer accepted a proposal",
    "proposal.declined": "A customer declined a proposal",
    "certificate.requested": "A customer requested a certificate",
    "certificate_holder.added": "A customer added a certificate holder",
    "login.changed": "A login email or mobile changed, or a contact's login was switched",
}
TEST_EVENT = "webhook.test"  # sent only by "Send test event", to that one endpoint

# Catalog action → event type. Some actions refine it from their details (below).
ACTION_EVENTS: dict[str, str] = {
    "customer.personal_change_request": "change_request.filed",
    "customer.commercial_change_request": "change_request.filed",
    "customer.general_request": "change_request.filed",
    "customer.contact_us": "change_request.filed",
    "agency.update_request": "change_request.updated",
    "customer.upload_documents": "document.uploaded",
    "customer.payments": "payment.succeeded",
    "agent.payments": "payment.succeeded",
    "agency.one_time_payment": "payment.succeeded",
    "customer.edit_personal_info": "contact.updated",
    "customer.edit_coapplicant_info": "contact.updated",
    "customer.edit_contact_preferences": "contact.updated",
    "customer.proposal": "proposal.accepted",
    "customer.request_certificate": "certificate.requested",
    "customer.add_certificate_holder": "certificate_holder.added",
    "agency.switch_login": "login.changed",
    "agency.correct_login_address": "login.changed",
}
LOGIN_FIELDS = {"email", "mobile"}


def event_for(action_key: str, details: dict[str, Any] | None) -> str | None:
    """The event an action raises, or None."""
    event = ACTION_EVENTS.get(action_key)
    details = details or {}
    if action_key == "customer.proposal" and details.get("decision") == "declined":
        return "proposal.declined"
    if (
        event == "contact.updated"
        and details.get("confirmed")
        and (LOGIN_FIELDS & set(details.get("changed") or ()))
    ):
        # A confirmed change of the email or mobile a contact logs in with.
        return "login.changed"
    return event


def new_event_id() -> str:
    return "evt_" + uuid.uuid4().hex


def payload(event_id: str, event_type: str, data: dict[str, Any], created_at=None) -> str:
    """The raw body, exactly as signed and sent: compact JSON, keys sorted."""
    body = {
        "id": event_id,
        "type": event_type,
        "created_at": (created_at or utcnow()).isoformat().replace("+00:00", "Z"),
        "data": data,
    }
    return json.dumps(body, separators=(",", ":"), sort_keys=True, default=str)


def subscribers(session: Session, event_type: str) -> list[WebhookEndpoint]:
    rows = session.exec(
        select(WebhookEndpoint).where(WebhookEndpoint.active).order_by(WebhookEndpoint.id)
    ).all()
    return [e for e in rows if event_type in (e.events or ())]


def emit(
    session: Session,
    event_type: str,
    data: dict[str, Any],
    *,
    account_id: int | None = None,
    activity_id: int | None = None,
    endpoints: list[WebhookEndpoint] | None = None,
    event_id: str | None = None,
) -> list[int]:
    """Queue one delivery of one event to each subscribed endpoint (or to ``endpoints``).
    The dedupe key is the event and the endpoint: the same event never goes twice to one
    endpoint. Returns the outbox ids."""
    targets = subscribers(session, event_type) if endpoints is None else endpoints
    if not targets:
        return []
    event_id = event_id or new_event_id()
    body = payload(event_id, event_type, data)
    return [
        outbox.enqueue_webhook(
            session,
            endpoint_id=e.id,
            url=e.url,
            event_type=event_type,
            body=body,
            dedupe_key=f"wh-{event_id}-{e.id}",
            account_id=account_id,
            activity_id=activity_id,
        ).id
        for e in targets
    ]


def emit_for_action(
    session: Session,
    action_key: str,
    *,
    actor_kind: str,
    account: Account | None,
    activity_id: int | None,
    summary: str,
    details: dict[str, Any],
) -> list[int]:
    """record_action's call: the action's event, if it has one and anyone listens."""
    event_type = event_for(action_key, details)
    if event_type is None:
        return []
    data = {
        "action": action_key,
        "account": {"id": account.id, "name": account.name} if account else None,
        "actor": actor_kind,
        "summary": summary,
        "details": details,
        "activity_id": activity_id,
    }
    return emit(
        session,
        event_type,
        data,
        account_id=account.id if account else None,
        activity_id=activity_id,
    )
