"""Email through the official SendGrid SDK.

The message's dedupe key travels as a custom arg: SendGrid echoes it in every event-webhook
event and lets the Email Activity API find the message by it after a crash."""

from __future__ import annotations

import urllib.error

from python_http_client import exceptions as http_errors
from sendgrid import SendGridAPIClient
from sendgrid.helpers.mail import (
    ClickTracking,
    CustomArg,
    Email,
    Mail,
    ReplyTo,
    To,
    TrackingSettings,
)

from clientcenter.delivery.base import (
    Accepted,
    LookupUnavailable,
    Outgoing,
    Rejected,
    Retry,
    SendResult,
    short_error,
)
from clientcenter.settings import Settings

DEDUPE_ARG = "cc_dedupe_key"
OUTBOX_ARG = "cc_outbox_id"


class SendGridEmail:
    name = "sendgrid"

    def __init__(self, settings: Settings):
        d = settings.delivery
        if d.sendgrid_api_key is None:
            raise ValueError("delivery.sendgrid_api_key is not set")
        self._client = SendGridAPIClient(
            api_key=d.sendgrid_api_key.get_secret_value(), host=str(d.sendgrid_host).rstrip("/")
        )
        self._timeout = d.relay_timeout_seconds
        self._from = Email(str(d.from_email), d.from_name)
        self._reply_to = ReplyTo(str(settings.branding.email), settings.branding.agency_name)

    def build(self, message: Outgoing) -> Mail:
        mail = Mail(
            from_email=self._from,
            to_emails=To(message.to_address, message.to_name or None),
            subject=message.subject,
            plain_text_content=message.body_text,
            html_content=message.body_html or None,
        )
        mail.reply_to = self._reply_to
        mail.custom_arg = [
            CustomArg(DEDUPE_ARG, message.dedupe_key),
            CustomArg(OUTBOX_ARG, str(message.id)),
        ]
        if message.sensitive:
            # A rewritten tracking link would put the login email through a third party.
            mail.tracking_settings = TrackingSettings(click_tracking=ClickTracking(False, False))
        return mail

    def send(self, message: Outgoing) -> SendResult:
        try:
            response = self._client.client.mail.send.post(
                request_body=self.build(message).get(), timeout=self._timeout
            )
        except http_errors.HTTPError as exc:
            return _classify(exc)
        except (TimeoutError, urllib.error.URLError, ConnectionError) as exc:
            return Retry(short_error(f"sendgrid unreachable: {exc}"))
        message_id = response.headers.get("X-Message-Id") or ""
        return Accepted(message_id or f"sendgrid:{message.dedupe_key}")

    def find_accepted(self, message: Outgoing) -> str | None:
        """Ask the Email Activity API for a message carrying this dedupe key."""
        query = f"unique_args['{DEDUPE_ARG}']=\"{message.dedupe_key}\""
        try:
            response = self._client.client.messages.get(
                query_params={"query": query, "limit": 1}, timeout=self._timeout
            )
        except http_errors.HTTPError as exc:
            # 400/403: the account has no Email Activity access; 5xx: cannot tell now.
            raise LookupUnavailable(f"sendgrid activity lookup: HTTP {exc.status_code}") from exc
        except (TimeoutError, urllib.error.URLError, ConnectionError) as exc:
            raise LookupUnavailable(f"sendgrid activity lookup: {exc}") from exc
        import json

        found = json.loads(response.body or b"{}").get("messages") or []
        return found[0]["msg_id"] if found else None


def _classify(exc: http_errors.HTTPError) -> SendResult:
    status = exc.status_code
    detail = short_error(f"sendgrid HTTP {status}: {_body(exc)}")
    if status == 429 or status >= 500:
        return Retry(detail, _retry_after(getattr(exc, "headers", None)))
    return Rejected(detail)


def _body(exc: http_errors.HTTPError) -> str:
    body = getattr(exc, "body", b"")
    return body.decode(errors="replace") if isinstance(body, bytes) else str(body)


def _retry_after(headers) -> float | None:
    try:
        value = headers.get("Retry-After") if headers is not None else None
        return float(value) if value else None
    except (TypeError, ValueError):
        return None
