"""Payments: the provider interface (offline default, Stripe), paying invoices, one-time
payments, payment requests and provider webhooks. Services for the pages and the agent side:

- ``pay_invoice``, ``finish_checkout``, ``abandon_checkout`` (customer, or agent read-only)
- ``pay_all.pay_all`` (every open bill in one payment), ``summary.billing_summary`` (what
  Billing and Home say: due, a payment pending, or paid up)
- ``confirm_offline_payment`` (agent), ``take_one_time_payment`` (agency side)
- ``send_payment_request``, ``open_payment_request`` (agency side / the /pay link)
- ``handle_webhook`` (the provider's signed callbacks)
"""

from clientcenter.services.billing.money import format_money, parse_amount
from clientcenter.services.billing.paying import (
    PayResult,
    abandon_checkout,
    confirm_offline_payment,
    finish_checkout,
    pay_invoice,
    take_one_time_payment,
)
from clientcenter.services.billing.payment_requests import (
    RequestLanding,
    SentRequest,
    open_payment_request,
    send_payment_request,
)
from clientcenter.services.billing.providers.factory import get_provider
from clientcenter.services.billing.providers.interface import WebhookRejected
from clientcenter.services.billing.webhooks import handle_webhook

__all__ = [
    "PayResult",
    "RequestLanding",
    "SentRequest",
    "WebhookRejected",
    "abandon_checkout",
    "confirm_offline_payment",
    "finish_checkout",
    "format_money",
    "get_provider",
    "handle_webhook",
    "open_payment_request",
    "parse_amount",
    "pay_invoice",
    "send_payment_request",
    "take_one_time_payment",
]
