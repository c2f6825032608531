"""The payment provider the settings choose. The providers import only ``interface.py``;
this module is the one that knows them all."""

from __future__ import annotations

from clientcenter.services.billing.providers.interface import PaymentProvider
from clientcenter.services.billing.providers.offline import OfflineProvider
from clientcenter.settings import Settings, get_settings


def get_provider(settings: Settings | None = None) -> PaymentProvider:
    settings = settings or get_settings()
    if settings.payments.provider == "stripe":
        # The Stripe SDK is loaded only by an agency that uses Stripe.
        from clientcenter.services.billing.providers.stripe import StripeProvider

        return StripeProvider(settings)
    return OfflineProvider()
