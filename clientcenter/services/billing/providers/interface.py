"""The payment-provider interface (the choice of provider from settings is ``factory.py``).

A provider knows how money moves; it knows nothing about invoices, accounts or who may pay.
Those rules live in ``paying.py``, which is the same for every provider.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Literal

CheckoutState = Literal["open", "paid", "expired", "failed"]

# Ways money arrives, with the words people read.
METHOD_LABELS = {
    "card": "Card",
    "bank_transfer": "Bank transfer",
    "check": "Check",
    "cash": "Cash",
}


class WebhookRejected(Exception):
    """A webhook we refuse (bad or missing signature, wrong provider). Nothing changed."""


@dataclass(frozen=True)
class CheckoutRequest:
    payment_id: int
    idempotency_key: str  # stable per payment: a retried call creates one checkout
    amount_cents: int
    currency: str
    description: str
    success_url: str
    cancel_url: str
    customer_email: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Checkout:
    """What the provider says about one checkout (a hosted card page)."""

    provider_ref: str
    state: CheckoutState
    redirect_url: str | None = None
    amount_cents: int | None = None
    currency: str | None = None
    payment_id: int | None = None  # from our metadata, when the provider echoes it


@dataclass(frozen=True)
class ProviderEvent:
    event_id: str
    event_type: str
    checkout: Checkout | None  # None: an event we do not act on


class PaymentProvider(ABC):
    name: str
    # How a customer pays with this provider.
    customer_methods: tuple[str, ...]
    # True when the customer leaves for the provider's page; False when the customer only
    # tells us how they paid and an agent confirms it.
    redirects: bool

    @abstractmethod
    def create_checkout(self, request: CheckoutRequest) -> Checkout: ...

    @abstractmethod
    def fetch_checkout(self, provider_ref: str) -> Checkout: ...

    @abstractmethod
    def expire_checkout(self, provider_ref: str) -> Checkout:
        """Close an open checkout so it can no longer be paid; says what state it ended in."""

    @abstractmethod
    def parse_webhook(self, payload: bytes, signature: str | None) -> ProviderEvent:
        """Verify and read a webhook; raises WebhookRejected when it cannot be trusted."""
