"""Random tokens, keyed hashes and short signed values, all under the app key.

Tokens and codes are stored only as keyed hashes (HMAC-SHA256 with ``settings.secret()``), so a
copy of the database alone cannot be replayed. Each use names a *purpose*, so a hash made for
one thing (a session token) never matches another (a login code).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from typing import Any

from clientcenter.settings import get_settings

TOKEN_BYTES = 32  # 256 bits: above the 128-bit floor of the security bar


def new_token(nbytes: int = TOKEN_BYTES) -> str:
    """An opaque URL-safe random token (CSPRNG)."""
    return secrets.token_urlsafe(nbytes)


def keyed_hash(purpose: str, value: str, *, key: bytes | None = None) -> str:
    """HMAC-SHA256 of ``value`` under the app key (or ``key``), separated by ``purpose``;
    64 hex characters."""
    message = purpose.encode() + b"\x00" + value.encode()
    return hmac.new(key or get_settings().secret(), message, hashlib.sha256).hexdigest()


def same_hash(a: str | None, b: str | None) -> bool:
    """Constant-time comparison of two hashes (None never matches)."""
    if a is None or b is None:
        return False
    return hmac.compare_digest(a.encode(), b.encode())


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(
    purpose: str, payload: dict[str, Any], ttl_seconds: int, *, now: float | None = None
) -> str:
    """A short signed value carrying ``payload`` that expires after ``ttl_seconds``.

    Signing gives integrity and expiry only; single use is up to the consumer (it must change
    server state atomically when it accepts the value)."""
    issued = time.time() if now is None else now
    body = _b64(
        json.dumps(
            {"p": payload, "exp": int(issued) + ttl_seconds}, separators=(",", ":"), sort_keys=True
        ).encode()
    )
    return body + "." + keyed_hash("sign:" + purpose, body)


def unsign(purpose: str, value: str, *, now: float | None = None) -> dict[str, Any] | None:
    """The payload of a value from :func:`sign`, or None if forged, for another purpose,
    malformed or expired."""
    if not isinstance(value, str) or value.count(".") != 1 or len(value) > 2048:
        return None
    body, mac = value.split(".")
    if not same_hash(mac, keyed_hash("sign:" + purpose, body)):
        return None
    try:
        data = json.loads(_unb64(body))
    except ValueError:
        return None
    current = time.time() if now is None else now
    if not isinstance(data, dict) or not isinstance(data.get("exp"), int) or current > data["exp"]:
        return None
    payload = data.get("p")
    return payload if isinstance(payload, dict) else None
