"""Stripe Checkout through the official SDK. The card is typed on Stripe's hosted page and
never touches this server; we learn the outcome from a signed webhook (or by asking Stripe
when the customer comes back)."""

from __future__ import annotations

import logging
import time

import stripe

from clientcenter.services.billing.providers.interface import (
    Checkout,
    CheckoutRequest,
    PaymentProvider,
    ProviderEvent,
    WebhookRejected,
)
from clientcenter.services.errors import ServiceError
from clientcenter.settings import Settings

log = logging.getLogger("clientcenter.payments")

# The events that move a checkout; anything else is acknowledged and ignored.
CHECKOUT_EVENTS = {
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "checkout.session.expired",
}


class ProviderUnavailable(ServiceError):
    def __init__(self) -> None:
        super().__init__(
            "The card payment service did not answer. Nothing was charged; "
            "please try again in a few minutes."
        )


class StripeProvider(PaymentProvider):
    name = "stripe"
    customer_methods = ("card",)
    redirects = True

    def __init__(self, settings: Settings):
        cfg = settings.payments
        self._expiry_seconds = cfg.checkout_expiry_minutes * 60
        self._webhook_secret = cfg.stripe_webhook_secret.get_secret_value()
        base = {"api": str(cfg.stripe_api_base).rstrip("/")} if cfg.stripe_api_base else None
        # The SDK retries network failures itself, reusing our idempotency key.
        self._client = stripe.StripeClient(
            cfg.stripe_secret_key.get_secret_value(), base_addresses=base, max_network_retries=2
        )

    def create_checkout(self, request: CheckoutRequest) -> Checkout:
        metadata = {"payment_id": str(request.payment_id), **request.metadata}
        params = {
            "mode": "payment",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": request.currency.lower(),
                        "unit_amount": request.amount_cents,
                        "product_data": {"name": request.description[:250]},
                    },
                }
            ],
            "success_url": request.success_url,
            "cancel_url": request.cancel_url,
            "client_reference_id": str(request.payment_id),
            "metadata": metadata,
            "payment_intent_data": {"metadata": metadata},
            "expires_at": int(time.time()) + self._expiry_seconds,
        }
        if request.customer_email:
            params["customer_email"] = request.customer_email
        session = self._call(
            lambda: self._client.v1.checkout.sessions.create(
                params, {"idempotency_key": f"cc-checkout-{request.idempotency_key}"}
            )
        )
        return _checkout(session)

    def fetch_checkout(self, provider_ref: str) -> Checkout:
        return _checkout(
            self._call(lambda: self._client.v1.checkout.sessions.retrieve(provider_ref))
        )

    def expire_checkout(self, provider_ref: str) -> Checkout:
        try:
            return _checkout(self._client.v1.checkout.sessions.expire(provider_ref))
        except stripe.InvalidRequestError:
            # Not open any more (paid or already expired): say what it became.
            return self.fetch_checkout(provider_ref)
        except stripe.StripeError as exc:
            log.warning("stripe expire failed: %s", type(exc).__name__)
            raise ProviderUnavailable() from None

    def parse_webhook(self, payload: bytes, signature: str | None) -> ProviderEvent:
        try:
            event = stripe.Webhook.construct_event(payload, signature, self._webhook_secret)
        except stripe.SignatureVerificationError as exc:
            raise WebhookRejected(f"signature check failed: {exc.user_message or exc}") from None
        except ValueError:
            raise WebhookRejected("payload is not a Stripe event") from None
        checkout = None
        if event.type in CHECKOUT_EVENTS:
            checkout = _checkout(event.data.object)
            # The event type is the news; the object is the session as it was then.
            forced = {
                "checkout.session.async_payment_failed": "failed",
                "checkout.session.expired": "expired",
            }.get(event.type)
            if forced:
                checkout = Checkout(
                    checkout.provider_ref,
                    forced,
                    None,
                    checkout.amount_cents,
                    checkout.currency,
                    checkout.payment_id,
                )
        return ProviderEvent(event.id, event.type, checkout)

    @staticmethod
    def _call(fn):
        try:
            return fn()
        except stripe.StripeError as exc:
            # Only the class and Stripe's request id: responses never carry card data, but
            # nothing from them is worth keeping either.
            log.warning(
                "stripe call failed: %s (request %s)",
                type(exc).__name__,
                getattr(exc, "request_id", None),
            )
            raise ProviderUnavailable() from None


def _checkout(obj) -> Checkout:
    session = obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)
    status = session.get("status")
    payment_status = session.get("payment_status")
    if status == "complete" and payment_status in ("paid", "no_payment_required"):
        state = "paid"
    elif status == "expired":
        state = "expired"
    else:
        # "open", or complete but a delayed method (bank debit) is still settling.
        state = "open"
    metadata = session.get("metadata") or {}
    payment_id = metadata.get("payment_id") or session.get("client_reference_id")
    currency = session.get("currency")
    return Checkout(
        provider_ref=session["id"],
        state=state,
        redirect_url=session.get("url") if state == "open" else None,
        amount_cents=session.get("amount_total"),
        currency=currency.upper() if currency else None,
        payment_id=int(payment_id) if payment_id and str(payment_id).isdigit() else None,
    )
