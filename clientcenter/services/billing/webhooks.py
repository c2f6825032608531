"""Provider webhooks: verified by the provider's own signature check before anything is read.
A refused webhook changes nothing and is logged (without its body) for the operator."""

from __future__ import annotations

import hashlib
import logging

from sqlmodel import Session

from clientcenter.services.billing.paying import apply_provider_event
from clientcenter.services.billing.providers.factory import get_provider
from clientcenter.services.billing.providers.interface import WebhookRejected
from clientcenter.settings import Settings, get_settings

log = logging.getLogger("clientcenter.payments")
MAX_WEBHOOK_BYTES = 512 * 1024


def handle_webhook(
    session: Session,
    payload: bytes,
    signature: str | None,
    *,
    client_ip: str = "",
    settings: Settings | None = None,
) -> str:
    """Verify, then apply. Raises WebhookRejected (after logging it) for anything untrusted."""
    settings = settings or get_settings()
    try:
        if len(payload) > MAX_WEBHOOK_BYTES:
            raise WebhookRejected(f"payload of {len(payload)} bytes is too large")
        event = get_provider(settings).parse_webhook(payload, signature)
    except WebhookRejected as exc:
        # The digest lets an operator match a refused delivery to the provider's dashboard;
        # the body itself stays out of the log.
        log.warning(
            "payment webhook refused from %s: %s (body sha256 %s)",
            client_ip or "?",
            exc,
            hashlib.sha256(payload).hexdigest()[:16],
        )
        raise
    return apply_provider_event(session, event, settings)
