"""The administrator's webhook endpoints: register one (its secret shown once), pick its
events, send it a test event, disable, enable or delete it. Every call needs
Permission.MANAGE_WEBHOOKS; every change is in the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import Session, select

from clientcenter.models import OutboxMessage, WebhookEndpoint
from clientcenter.models.activity import OutboxStatus
from clientcenter.models.base import utcnow
from clientcenter.services import form_input as fi
from clientcenter.services.access import require_permission
from clientcenter.services.agency import audit
from clientcenter.services.agency.roles import Permission
from clientcenter.services.errors import InvalidInput, NotFound
from clientcenter.services.principal import Principal
from clientcenter.services.webhooks.events import EVENT_TYPES, TEST_EVENT, emit
from clientcenter.services.webhooks.secrets import endpoint_secret, new_salt
from clientcenter.services.webhooks.urls import check_url
from clientcenter.settings import Settings, get_settings

MAX_ENDPOINTS = 20
DESCRIPTION_MAX = 120


@dataclass(frozen=True)
class EndpointView:
    id: int
    url: str
    description: str
    events: list[str]
    active: bool
    created_at: datetime
    pending: int  # deliveries waiting or being sent
    failed: int  # deliveries the relay gave up on (on the failed-messages page)


@dataclass(frozen=True)
class Registered:
    endpoint: EndpointView
    secret: str  # shown once: it is never displayed again
    message: str


@dataclass(frozen=True)
class EndpointChange:
    endpoint: EndpointView | None
    message: str


def _view(session: Session, e: WebhookEndpoint) -> EndpointView:
    counts = dict(
        session.exec(
            select(OutboxMessage.status, func.count())
            .where(OutboxMessage.webhook_endpoint_id == e.id)
            .group_by(OutboxMessage.status)
        ).all()
    )
    return EndpointView(
        e.id,
        e.url,
        e.description,
        list(e.events or []),
        e.active,
        e.created_at,
        counts.get(OutboxStatus.PENDING, 0) + counts.get(OutboxStatus.SENDING, 0),
        counts.get(OutboxStatus.FAILED, 0),
    )


def _events(value: object) -> list[str]:
    if isinstance(value, str):
        value = [value]
    picked = [str(v).strip() for v in (value or [])]
    unknown = [v for v in picked if v not in EVENT_TYPES]
    if unknown:
        raise InvalidInput(f"Events: {unknown[0]!r} is not an event this portal sends.", "events")
    if not picked:
        raise InvalidInput("Events: pick at least one event to send.", field="events")
    return [e for e in EVENT_TYPES if e in picked]  # the catalog's order, no repeats


def _endpoint(session: Session, endpoint_id: object) -> WebhookEndpoint:
    try:
        endpoint = session.get(WebhookEndpoint, int(endpoint_id))
    except (TypeError, ValueError):
        endpoint = None
    if endpoint is None:
        raise NotFound("No such webhook endpoint.")
    return endpoint


def list_endpoints(session: Session, principal: Principal) -> list[EndpointView]:
    require_permission(session, principal, Permission.MANAGE_WEBHOOKS)
    rows = session.exec(select(WebhookEndpoint).order_by(WebhookEndpoint.id)).all()
    return [_view(session, e) for e in rows]


def register_endpoint(
    session: Session,
    principal: Principal,
    url: object,
    events: object,
    description: object = "",
    *,
    settings: Settings | None = None,
) -> Registered:
    """A new, active endpoint and its signing secret (returned this once)."""
    settings = settings or get_settings()
    agent = require_permission(session, principal, Permission.MANAGE_WEBHOOKS)
    checked = check_url(url, settings)
    picked = _events(events)
    text = fi.text(
        {"description": description},
        "description",
        "Description",
        max_len=DESCRIPTION_MAX,
        required=False,
    )
    if session.exec(select(func.count()).select_from(WebhookEndpoint)).one() >= MAX_ENDPOINTS:
        raise InvalidInput(f"An agency may register up to {MAX_ENDPOINTS} endpoints.")
    endpoint = WebhookEndpoint(
        url=checked,
        description=text,
        events=picked,
        secret_salt=new_salt(),
        created_by_agent_id=agent.id,
    )
    session.add(endpoint)
    session.flush()
    audit.record_write(
        session, principal, "webhooks.register", None, f"{checked} ({len(picked)} events)"
    )
    return Registered(
        _view(session, endpoint),
        endpoint_secret(endpoint.secret_salt, settings),
        "Endpoint registered. Copy the signing secret now: it is not shown again.",
    )


def update_events(
    session: Session, principal: Principal, endpoint_id: object, events: object
) -> EndpointChange:
    require_permission(session, principal, Permission.MANAGE_WEBHOOKS)
    endpoint = _endpoint(session, endpoint_id)
    endpoint.events = _events(events)
    session.add(endpoint)
    session.flush()
    audit.record_write(session, principal, "webhooks.events", None, endpoint.url)
    return EndpointChange(_view(session, endpoint), "Events saved.")


def set_active(
    session: Session, principal: Principal, endpoint_id: object, active: bool
) -> EndpointChange:
    """Disable (its waiting deliveries fail at their next attempt, retryable once enabled) or
    enable again."""
    require_permission(session, principal, Permission.MANAGE_WEBHOOKS)
    endpoint = _endpoint(session, endpoint_id)
    active = active is True
    if endpoint.active == active:
        raise InvalidInput(f"That endpoint is already {'enabled' if active else 'disabled'}.")
    endpoint.active = active
    endpoint.disabled_at = None if active else utcnow()
    session.add(endpoint)
    session.flush()
    audit.record_write(
        session, principal, "webhooks.enable" if active else "webhooks.disable", None, endpoint.url
    )
    return EndpointChange(
        _view(session, endpoint), "Endpoint enabled." if active else "Endpoint disabled."
    )


def delete_endpoint(session: Session, principal: Principal, endpoint_id: object) -> EndpointChange:
    """Gone, with its secret. Deliveries it had stay in the outbox's history (failed if they
    were still waiting), pointing at nothing. The change carries the endpoint as it was."""
    require_permission(session, principal, Permission.MANAGE_WEBHOOKS)
    endpoint = _endpoint(session, endpoint_id)
    before = _view(session, endpoint)
    table = OutboxMessage.__table__.c
    session.execute(
        update(OutboxMessage)
        .where(
            table.webhook_endpoint_id == endpoint.id,
            table.status.in_((OutboxStatus.PENDING, OutboxStatus.SENDING)),
        )
        .values(
            status=OutboxStatus.FAILED, last_error="not sent: the webhook endpoint was deleted"
        )
    )
    session.execute(
        update(OutboxMessage)
        .where(table.webhook_endpoint_id == endpoint.id)
        .values(webhook_endpoint_id=None)
    )
    url = endpoint.url
    session.delete(endpoint)
    session.flush()
    audit.record_write(session, principal, "webhooks.delete", None, url)
    return EndpointChange(before, "Endpoint deleted.")


def send_test_event(session: Session, principal: Principal, endpoint_id: object) -> EndpointChange:
    """One ``webhook.test`` event to this endpoint alone, through the outbox like any other."""
    agent = require_permission(session, principal, Permission.MANAGE_WEBHOOKS)
    endpoint = _endpoint(session, endpoint_id)
    if not endpoint.active:
        raise InvalidInput("Enable the endpoint before sending it a test event.")
    emit(
        session,
        TEST_EVENT,
        {"endpoint_id": endpoint.id, "requested_by": agent.full_name},
        endpoints=[endpoint],
    )
    return EndpointChange(
        _view(session, endpoint), "Test event queued: the relay sends it within seconds."
    )
