"""Which URLs may receive webhooks: https, or plain http to this machine's loopback in the
embedded dev mode (a receiver on the developer's laptop)."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from clientcenter.services.errors import InvalidInput
from clientcenter.settings import Settings, get_settings

MAX_URL = 254  # the outbox's address column
LOOPBACK_NAMES = {"localhost"}


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _link_local_or_unspecified(host: str) -> bool:
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False  # a name: not resolved here (see docs/webhooks.md)
    return ip.is_link_local or ip.is_unspecified


def dev_mode(settings: Settings) -> bool:
    """The embedded default (dev mailbox delivery, localhost public URL)."""
    return settings.uses_dev_mailbox


def check_url(value: object, settings: Settings | None = None) -> str:
    """The endpoint URL as it will be called, or InvalidInput naming what is wrong."""
    settings = settings or get_settings()
    url = str(value or "").strip()
    if not url:
        raise InvalidInput("URL: enter the address that receives the webhooks.", field="url")
    if len(url) > MAX_URL:
        raise InvalidInput(
            f"URL must be {MAX_URL} characters or fewer (it has {len(url)}).", field="url"
        )
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise InvalidInput("URL: remove the spaces or control characters.", field="url")
    try:
        parts = urlsplit(url)
        port = parts.port  # raises on a port that is not a number
    except ValueError:
        raise InvalidInput("URL: that is not a valid web address.", field="url") from None
    host = parts.hostname or ""
    if parts.scheme not in ("https", "http") or not host:
        raise InvalidInput(
            "URL must start with https:// and name a host, e.g. https://example.com/hooks.",
            field="url",
        )
    if parts.username or parts.password:
        raise InvalidInput(
            "URL: leave credentials out of the address; the signature proves the sender.",
            field="url",
        )
    if parts.fragment:
        raise InvalidInput("URL: remove the #fragment.", field="url")
    if _link_local_or_unspecified(host):
        # Cloud metadata services live there: a webhook is never a way to read them.
        raise InvalidInput(
            "URL: link-local and unspecified addresses (169.254.x.x, fe80::, 0.0.0.0) "
            "cannot receive webhooks.",
            field="url",
        )
    if parts.scheme == "http":
        if not (is_loopback(host) and dev_mode(settings)):
            raise InvalidInput(
                "URL must use https:// (plain http only reaches a receiver on this machine, "
                "in the dev set-up).",
                field="url",
            )
    del port
    return url
