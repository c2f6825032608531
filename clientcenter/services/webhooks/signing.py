"""How a delivery is signed, and how a receiver checks it (docs/webhooks.md shows the same
check for receivers to copy).

Each attempt is signed afresh: ``Webhook-Signature: v1=<hex HMAC-SHA256 of
"{timestamp}.{raw body}">`` with the endpoint's secret, ``Webhook-Timestamp`` the Unix time of
the attempt, ``Webhook-Id`` the event's id (the same on every retry, for the receiver to
drop duplicates). A receiver refuses a timestamp more than five minutes from its clock, so a
captured delivery cannot be replayed later."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping

SCHEME = "v1"
REPLAY_WINDOW_SECONDS = 300
ID_HEADER = "Webhook-Id"
TIMESTAMP_HEADER = "Webhook-Timestamp"
SIGNATURE_HEADER = "Webhook-Signature"


class SignatureRefused(Exception):
    """The delivery is not proven to come from the portal, or is too old: read nothing."""


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"{SCHEME}={mac.hexdigest()}"


def signed_headers(secret: str, event_id: str, body: bytes, now: float | None = None) -> dict:
    timestamp = int(now if now is not None else time.time())
    return {
        ID_HEADER: event_id,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(secret, timestamp, body),
    }


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: float | None = None,
    tolerance: int = REPLAY_WINDOW_SECONDS,
) -> str:
    """The event id of a genuine, fresh delivery; raises SignatureRefused otherwise.
    ``headers`` is looked up case-insensitively."""
    lower = {k.lower(): v for k, v in headers.items()}
    event_id = lower.get(ID_HEADER.lower(), "")
    raw_ts = lower.get(TIMESTAMP_HEADER.lower(), "")
    given = lower.get(SIGNATURE_HEADER.lower(), "")
    if not (event_id and raw_ts and given):
        raise SignatureRefused("missing Webhook-Id, Webhook-Timestamp or Webhook-Signature")
    try:
        timestamp = int(raw_ts)
    except ValueError:
        raise SignatureRefused("Webhook-Timestamp is not a Unix time") from None
    current = now if now is not None else time.time()
    if abs(current - timestamp) > tolerance:
        raise SignatureRefused("Webhook-Timestamp is outside the replay window")
    expected = signature(secret, timestamp, body)
    # Several space-separated signatures may come (a secret being rotated): any one will do.
    if not any(hmac.compare_digest(expected, part) for part in given.split()):
        raise SignatureRefused("Webhook-Signature does not match")
    return event_id
