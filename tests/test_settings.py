from pathlib import Path

import pytest

from clientcenter.components.brand import brand_mark, build_theme, contact_card
from clientcenter.settings import SettingsError, load_settings

EXAMPLE = Path(__file__).resolve().parent.parent / "clientcenter.example.toml"


def _error_text(exc: pytest.ExceptionInfo) -> str:
    return str(exc.value)


@pytest.mark.parametrize(
    ("env", "value", "named"),
    [
        ("CC_BRANDING__ACCENT_COLOR", "#12ab34", "branding.accent_color"),
        ("CC_BRANDING__WEBSITE", "not a url", "branding.website"),
        ("CC_BRANDING__EMAIL", "service@", "branding.email"),
        ("CC_BRANDING__LOGO_URL", "javascript:alert(1)", "branding.logo_url"),
        ("CC_SECRET_KEY", "short-but-random-Zx9", "secret_key"),
        ("CC_SECRET_KEY", "changeme", "secret_key"),
        ("CC_SECRET_KEY", "a" * 40, "secret_key"),
        ("DATABASE_URL", "mysql://x/y", "DATABASE_URL"),
        ("CC_SECURITY__CODE_TTL_SECONDS", "3600", "security.code_ttl_seconds"),
        ("CC_SECURITY__RESEND_COOLDOWN_SECONDS", "5", "security.resend_cooldown_seconds"),
    ],
)
def test_invalid_setting_stops_startup_naming_it(monkeypatch, env, value, named):
    monkeypatch.setenv(env, value)
    with pytest.raises(SettingsError) as exc:
        load_settings()
    assert named in _error_text(exc)
    assert "cannot start" in _error_text(exc)


def test_dev_mailbox_refuses_a_public_url(monkeypatch):
    monkeypatch.setenv("CC_PUBLIC_URL", "https://portal.agency.example")
    with pytest.raises(SettingsError) as exc:
        load_settings()
    assert "dev mailbox" in _error_text(exc)


def test_real_backends_need_their_keys(monkeypatch):
    monkeypatch.setenv("CC_DELIVERY__EMAIL_BACKEND", "sendgrid")
    with pytest.raises(SettingsError) as exc:
        load_settings()
    assert "sendgrid_api_key" in _error_text(exc)


def test_unknown_setting_is_refused(tmp_path, monkeypatch):
    cfg = tmp_path / "cc.toml"
    cfg.write_text('[branding]\nagency_nmae = "Typo"\n')
    monkeypatch.setenv("CLIENTCENTER_CONFIG", str(cfg))
    with pytest.raises(SettingsError) as exc:
        load_settings()
    assert "branding.agency_nmae" in _error_text(exc)


def test_without_a_key_real_delivery_refuses_to_run(monkeypatch):
    monkeypatch.delenv("CC_SECRET_KEY")
    monkeypatch.setenv("CC_PUBLIC_URL", "https://portal.agency.example")
    monkeypatch.setenv("CC_DELIVERY__EMAIL_BACKEND", "sendgrid")
    monkeypatch.setenv("CC_DELIVERY__SENDGRID_API_KEY", "SG.test")
    monkeypatch.setenv("CC_DELIVERY__SMS_BACKEND", "twilio")
    monkeypatch.setenv("CC_DELIVERY__TWILIO_ACCOUNT_SID", "AC" + "0" * 32)
    monkeypatch.setenv("CC_DELIVERY__TWILIO_AUTH_TOKEN", "tok")
    monkeypatch.setenv("CC_DELIVERY__TWILIO_FROM_NUMBER", "+12075550199")
    settings = load_settings()
    with pytest.raises(RuntimeError, match="CC_SECRET_KEY"):
        settings.secret()


def test_demo_generates_and_keeps_its_own_key(monkeypatch, tmp_path):
    import clientcenter.settings as s

    monkeypatch.delenv("CC_SECRET_KEY")
    monkeypatch.setattr(s, "DEV_SECRET_FILE", tmp_path / ".secret")
    first = load_settings().secret()
    assert len(first) >= 48
    assert load_settings().secret() == first
    assert (tmp_path / ".secret").stat().st_mode & 0o077 == 0


def test_example_config_is_valid_and_two_configs_brand_differently(monkeypatch, tmp_path):
    monkeypatch.setenv("CLIENTCENTER_CONFIG", str(EXAMPLE))
    example = load_settings()
    monkeypatch.setenv("CLIENTCENTER_CONFIG", str(tmp_path / "absent.toml"))
    plain = load_settings()
    assert example.branding.agency_name != plain.branding.agency_name

    def rendered(settings):
        return (
            str(build_theme(settings)),
            str(brand_mark(settings.branding)),
            str(contact_card(settings.branding)),
        )

    a, b = rendered(example), rendered(plain)
    for part_a, part_b in zip(a, b):
        assert part_a != part_b
    assert example.branding.accent_color in a[0] and plain.branding.accent_color in b[0]
    assert example.branding.agency_name in a[1] and example.branding.phone in a[2]
    assert plain.branding.agency_name in b[1] and plain.branding.phone in b[2]
