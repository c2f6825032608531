"""Download links: short-lived signed paths to one file, bound to one login session and one
account: how a logged-in browser gets a document, its ID cards, a certificate or a receipt.

A link only says *what* may be fetched, by *which session*, *until when*; the download route
still re-checks the session cookie and the account on every request, so a leaked link is
useless without the browser's own session, and dies within minutes anyway.

Token: ``base64url(json payload) "." base64url(HMAC-SHA256(key, payload))`` where the key is
derived from ``settings.secret()`` for this one purpose.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass

from clientcenter import routes
from clientcenter.services.errors import NotAllowed, ServiceError
from clientcenter.services.principal import Principal
from clientcenter.settings import get_settings

LINK_TTL_SECONDS = 5 * 60
KINDS = ("document", "idcards", "certificate", "receipt", "pkpass")
_PURPOSE = b"clientcenter/download-link/v1"


class LinkInvalid(ServiceError):
    """Tampered, malformed or for another session/account: answered like a missing file."""


class LinkExpired(ServiceError):
    pass


@dataclass(frozen=True)
class LinkTarget:
    kind: str
    object_id: int  # a document id, the policy id for ID cards, a payment id for a receipt
    session_id: int
    account_id: int
    expires_at: int
    vehicle_ids: tuple[int, ...] = ()


def _key() -> bytes:
    return hmac.new(get_settings().secret(), _PURPOSE, hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(
    principal: Principal,
    kind: str,
    object_id: int,
    *,
    vehicle_ids=(),
    ttl_seconds: int = LINK_TTL_SECONDS,
    now: float | None = None,
) -> str:
    """The path of a download link for this principal's session and account."""
    if kind not in KINDS:
        raise ValueError(f"unknown link kind {kind!r}")
    if principal.session_id is None or principal.account_id is None:
        raise NotAllowed("Downloads need a signed-in session on a customer account.")
    payload = {
        "k": kind,
        "o": int(object_id),
        "s": int(principal.session_id),
        "a": int(principal.account_id),
        "e": int((now or time.time()) + ttl_seconds),
    }
    if vehicle_ids:
        payload["v"] = [int(v) for v in vehicle_ids]
    body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    mac = hmac.new(_key(), body, hashlib.sha256).digest()
    return f"{routes.FILES_PREFIX}{_b64(body)}.{_b64(mac)}"


def verify(token: str, *, now: float | None = None) -> LinkTarget:
    """The target of an authentic, unexpired token; LinkInvalid / LinkExpired otherwise."""
    try:
        body_part, mac_part = token.split(".")
        body, mac = _unb64(body_part), _unb64(mac_part)
    except (ValueError, TypeError):
        raise LinkInvalid("This download link is not valid.") from None
    expected = hmac.new(_key(), body, hashlib.sha256).digest()
    if not hmac.compare_digest(mac, expected):
        raise LinkInvalid("This download link is not valid.")
    try:
        p = json.loads(body)
        target = LinkTarget(
            kind=p["k"],
            object_id=int(p["o"]),
            session_id=int(p["s"]),
            account_id=int(p["a"]),
            expires_at=int(p["e"]),
            vehicle_ids=tuple(int(v) for v in p.get("v", ())),
        )
    except (ValueError, KeyError, TypeError):
        raise LinkInvalid("This download link is not valid.") from None
    if target.kind not in KINDS:
        raise LinkInvalid("This download link is not valid.")
    if (now or time.time()) > target.expires_at:
        raise LinkExpired("This download link has expired. Go back and tap Download again.")
    return target


def matches(target: LinkTarget, principal: Principal | None) -> bool:
    """The link was issued to this very session, looking at this very account."""
    return (
        principal is not None
        and principal.session_id == target.session_id
        and principal.account_id == target.account_id
    )
