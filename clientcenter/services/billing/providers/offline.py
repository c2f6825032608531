"""The embedded default: no account anywhere. The customer tells us they sent a bank transfer
or a check; the invoice shows "payment pending" until an agent confirms the money arrived."""

from __future__ import annotations

from clientcenter.services.billing.providers.interface import (
    Checkout,
    CheckoutRequest,
    PaymentProvider,
    ProviderEvent,
    WebhookRejected,
)
from clientcenter.services.errors import NotAllowed

_NO_CARDS = "Card payments are not set up for this agency."


class OfflineProvider(PaymentProvider):
    name = "offline"
    customer_methods = ("bank_transfer", "check")
    redirects = False

    def create_checkout(self, request: CheckoutRequest) -> Checkout:
        raise NotAllowed(_NO_CARDS)

    def fetch_checkout(self, provider_ref: str) -> Checkout:
        raise NotAllowed(_NO_CARDS)

    def expire_checkout(self, provider_ref: str) -> Checkout:
        raise NotAllowed(_NO_CARDS)

    def parse_webhook(self, payload: bytes, signature: str | None) -> ProviderEvent:
        raise WebhookRejected("payments.provider is offline: no card webhooks are accepted")
