"""Text messages through the official Twilio SDK.

Twilio's Messages API takes no idempotency key, so the dedupe key rides on the status
callback URL (it comes back with every status event) and, after a crash, the relay asks
Twilio's message list whether the same text already went to the same number."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode, urlsplit, urlunsplit

import requests
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from clientcenter import routes
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


class BaseUrlHttpClient(TwilioHttpClient):
    """The SDK's own HTTP client, sending to another origin (a regional proxy, or a recording
    server in tests). Twilio documents a custom ``http_client`` as the way to change transport."""

    def __init__(self, base_url: str | None, timeout: float):
        super().__init__(timeout=timeout)
        self._base = urlsplit(base_url) if base_url else None

    def request(self, method, url, *args, **kwargs):
        if self._base is not None:
            parts = urlsplit(url)
            url = urlunsplit(
                (
                    self._base.scheme,
                    self._base.netloc,
                    self._base.path.rstrip("/") + parts.path,
                    parts.query,
                    "",
                )
            )
        return super().request(method, url, *args, **kwargs)


class TwilioSms:
    name = "twilio"

    def __init__(self, settings: Settings):
        d = settings.delivery
        if not (d.twilio_account_sid and d.twilio_auth_token and d.twilio_from_number):
            raise ValueError(
                "delivery.twilio_account_sid, twilio_auth_token and "
                "twilio_from_number are required for Twilio"
            )
        base = str(d.twilio_base_url) if d.twilio_base_url else None
        self._client = Client(
            d.twilio_account_sid,
            d.twilio_auth_token.get_secret_value(),
            http_client=BaseUrlHttpClient(base, d.relay_timeout_seconds),
        )
        self._from = d.twilio_from_number
        self._callback = str(settings.public_url).rstrip("/") + routes.TWILIO_WEBHOOK

    def status_callback(self, message: Outgoing) -> str:
        return f"{self._callback}?{urlencode({'k': message.dedupe_key})}"

    def send(self, message: Outgoing) -> SendResult:
        try:
            sent = self._client.messages.create(
                to=message.to_address,
                from_=self._from,
                body=message.body_text,
                status_callback=self.status_callback(message),
            )
        except TwilioRestException as exc:
            detail = short_error(f"twilio HTTP {exc.status}: {exc.msg}")
            if exc.status == 429 or exc.status >= 500:
                return Retry(detail)
            return Rejected(detail)
        except (requests.Timeout, requests.ConnectionError) as exc:
            return Retry(short_error(f"twilio unreachable: {exc}"))
        return Accepted(sent.sid)

    def find_accepted(self, message: Outgoing) -> str | None:
        since = message.created_at - timedelta(minutes=1)
        try:
            found = self._client.messages.list(
                to=message.to_address, from_=self._from, date_sent_after=since, limit=50
            )
        except TwilioRestException as exc:
            raise LookupUnavailable(f"twilio message list: HTTP {exc.status}") from exc
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise LookupUnavailable(f"twilio message list: {exc}") from exc
        for m in found:
            created = m.date_created
            if m.body == message.body_text and (created is None or created >= since):
                return m.sid
        return None
