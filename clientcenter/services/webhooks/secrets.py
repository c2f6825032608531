"""Endpoint secrets: derived, not stored.

The row keeps a random salt; the secret is HMAC-SHA256(app secret, "webhook-endpoint:" + salt),
shown once to the administrator who registered the endpoint. Derivation rather than
encryption: no key management of its own and no cipher to get wrong, the relay can always
recompute it, and a copy of the database alone (a backup, a read replica) cannot sign a
delivery. The cost: changing CC_SECRET_KEY changes every endpoint's secret, so each receiver
needs the new one (re-register the endpoint); docs/webhooks.md says so."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets as random

from clientcenter.settings import Settings, get_settings

PREFIX = "whsec_"
_PURPOSE = b"webhook-endpoint:"


def new_salt() -> str:
    return random.token_hex(32)  # 256 bits; 64 characters, the column's size


def endpoint_secret(salt: str, settings: Settings | None = None) -> str:
    key = (settings or get_settings()).secret()
    mac = hmac.new(key, _PURPOSE + salt.encode(), hashlib.sha256).digest()
    return PREFIX + base64.urlsafe_b64encode(mac).decode().rstrip("=")
