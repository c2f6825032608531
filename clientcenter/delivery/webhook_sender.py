"""Webhook deliveries: one signed HTTPS POST per outbox message of channel "webhook".

The body is the outbox row's raw JSON, signed at each attempt (services/webhooks/signing.py)
with the endpoint's secret. Redirects are not followed (a 3xx is a retry: the endpoint must
answer itself), and every status outside 2xx is retried with the relay's backoff until its
attempts run out. A receiver cannot be asked whether it already took a delivery, so after a
relay dies mid-send the message is sent again with the same Webhook-Id (at-least-once; the
receiver drops the duplicate)."""

from __future__ import annotations

import json

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import Session

from clientcenter.delivery.base import (
    Accepted,
    LookupUnavailable,
    Outgoing,
    Rejected,
    Retry,
    SendResult,
    short_error,
)
from clientcenter.models import WebhookEndpoint
from clientcenter.services.errors import InvalidInput
from clientcenter.services.webhooks.secrets import endpoint_secret
from clientcenter.services.webhooks.signing import signed_headers
from clientcenter.services.webhooks.urls import check_url
from clientcenter.settings import Settings

USER_AGENT = "ClientCenter-Webhooks/1"


class WebhookSender:
    name = "webhook"

    def __init__(self, settings: Settings, engine: Engine, client: httpx.Client | None = None):
        self._settings = settings
        self._engine = engine
        timeout = settings.delivery.relay_timeout_seconds
        self._client = client or httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            follow_redirects=False,
            trust_env=False,  # no proxy from the environment between us and the receiver
            headers={"User-Agent": USER_AGENT},
        )

    def _endpoint(self, message: Outgoing) -> WebhookEndpoint | None:
        if message.webhook_endpoint_id is None:
            return None
        with Session(self._engine) as session:
            endpoint = session.get(WebhookEndpoint, message.webhook_endpoint_id)
            if endpoint is not None:
                session.expunge(endpoint)
            return endpoint

    def send(self, message: Outgoing) -> SendResult:
        endpoint = self._endpoint(message)
        if endpoint is None:
            return Rejected("not sent: the webhook endpoint was deleted")
        if not endpoint.active:
            return Rejected("not sent: the webhook endpoint is disabled")
        try:
            # Checked again at send time: settings may have changed since it was registered.
            url = check_url(endpoint.url, self._settings)
        except InvalidInput as exc:
            return Rejected(short_error(f"not sent: {exc.message}"))
        body = message.body_text.encode()
        try:
            event_id = json.loads(body)["id"]
        except (ValueError, KeyError, TypeError):
            return Rejected("not sent: the delivery's body is not a webhook event")
        headers = {
            "Content-Type": "application/json",
            **signed_headers(
                endpoint_secret(endpoint.secret_salt, self._settings), event_id, body
            ),
        }
        try:
            response = self._client.post(url, content=body, headers=headers)
        except httpx.TimeoutException:
            return Retry("webhook: the receiver did not answer in time")
        except httpx.HTTPError as exc:
            return Retry(short_error(f"webhook: {type(exc).__name__}: {exc}"))
        if 200 <= response.status_code < 300:
            return Accepted(event_id)
        return Retry(
            short_error(f"webhook: the receiver answered HTTP {response.status_code}"),
            retry_after=_retry_after(response),
        )

    def find_accepted(self, message: Outgoing) -> str | None:
        raise LookupUnavailable("a webhook receiver cannot be asked what it already took")

    def close(self) -> None:
        self._client.close()


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None
