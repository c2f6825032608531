"""The payments settings section: the offline default needs nothing; Stripe needs its keys."""

import pytest

from clientcenter.services.billing import get_provider
from clientcenter.settings import SettingsError, load_settings


def test_offline_is_the_default_and_needs_no_account():
    settings = load_settings()
    assert settings.payments.provider == "offline" and not settings.payments.allow_partial
    assert get_provider(settings).name == "offline"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"CC_PAYMENTS__PROVIDER": "stripe"}, "stripe_secret_key and stripe_webhook_secret"),
        (
            {"CC_PAYMENTS__PROVIDER": "stripe", "CC_PAYMENTS__STRIPE_SECRET_KEY": "sk_test_1"},
            "stripe_webhook_secret",
        ),
        ({"CC_PAYMENTS__PROVIDER": "paypal"}, "payments.provider"),
        ({"CC_PAYMENTS__CURRENCY": "usd"}, "payments.currency"),
        ({"CC_PAYMENTS__CHECKOUT_EXPIRY_MINUTES": "5"}, "payments.checkout_expiry_minutes"),
        ({"CC_PAYMENTS__PARTIAL_MINIMUM_CENTS": "0"}, "payments.partial_minimum_cents"),
    ],
)
def test_bad_payment_settings_stop_startup_naming_them(monkeypatch, env, named):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(SettingsError) as exc:
        load_settings()
    assert named in str(exc.value)


def test_stripe_with_its_keys(monkeypatch):
    monkeypatch.setenv("CC_PAYMENTS__PROVIDER", "stripe")
    monkeypatch.setenv("CC_PAYMENTS__STRIPE_SECRET_KEY", "sk_test_123")
    monkeypatch.setenv("CC_PAYMENTS__STRIPE_WEBHOOK_SECRET", "whsec_123")
    settings = load_settings()
    provider = get_provider(settings)
    assert (provider.name, provider.customer_methods, provider.redirects) == (
        "stripe",
        ("card",),
        True,
    )
    assert "sk_test_123" not in repr(settings)  # secrets stay out of logs and tracebacks
