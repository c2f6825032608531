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
        # [payments.offline]: a mistyped routing number, half the bank details, no payee
        (
            {
                "CC_PAYMENTS__OFFLINE__PAYEE_NAME": "Northwind",
                "CC_PAYMENTS__OFFLINE__BANK_NAME": "First Bank",
                "CC_PAYMENTS__OFFLINE__ROUTING_NUMBER": "011000016",
                "CC_PAYMENTS__OFFLINE__ACCOUNT_NUMBER": "12345678",
            },
            "payments.offline.routing_number: Value error, is not a valid ABA routing number",
        ),
        ({"CC_PAYMENTS__OFFLINE__ROUTING_NUMBER": "12345"}, "payments.offline.routing_number"),
        ({"CC_PAYMENTS__OFFLINE__ACCOUNT_NUMBER": "12ab"}, "payments.offline.account_number"),
        (
            {"CC_PAYMENTS__OFFLINE__BANK_NAME": "First Bank"},
            "payments.offline: Value error, bank_name, routing_number and account_number go",
        ),
        (
            {"CC_PAYMENTS__OFFLINE__MAILING_ADDRESS": "1 Harbor Plaza"},
            "payments.offline: Value error, payee_name is required",
        ),
        ({"CC_PAYMENTS__OFFLINE__IBAN": "DE89"}, "payments.offline.iban"),
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


def test_offline_payee_from_the_toml_file(monkeypatch, tmp_path):
    config = tmp_path / "clientcenter.toml"
    config.write_text(
        """
[payments.offline]
payee_name = "Northwind Risk Partners"
mailing_address = \"\"\"
  Northwind Risk Partners
  1 Harbor Plaza, Suite 400
  Portland, ME 04101
\"\"\"
bank_name = "Casco Bay Bank"
routing_number = "011000015"
account_number = "000123456789"
"""
    )
    monkeypatch.setenv("CLIENTCENTER_CONFIG", str(config))
    payee = load_settings().payments.offline
    assert payee.payee_name == "Northwind Risk Partners"
    assert payee.mailing_address.splitlines() == [
        "Northwind Risk Partners",
        "1 Harbor Plaza, Suite 400",
        "Portland, ME 04101",
    ]
    assert (payee.bank_name, payee.routing_number, payee.account_number) == (
        "Casco Bay Bank",
        "011000015",
        "000123456789",
    )
    assert payee.has_bank


def test_offline_payee_is_optional():
    payee = load_settings().payments.offline
    assert (payee.payee_name, payee.mailing_address, payee.has_bank) == ("", "", False)
