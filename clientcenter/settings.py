"""Agency configuration: branding, features, delivery, security.

Read from environment variables (``CC_`` prefix, ``__`` for nesting, plus the bare
``DATABASE_URL``) and an optional TOML file (``clientcenter.toml`` or the path in
``CLIENTCENTER_CONFIG``). Anything invalid stops start-up with a message naming the setting.
"""

from __future__ import annotations

import os
import secrets
import time
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlparse

from pydantic import (
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from clientcenter.services.notify.matrix_cells import check_cells

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET_FILE = PROJECT_ROOT / ".clientcenter.secret"

# Radix Themes accent colours: the theme only accepts these names.
ACCENT_COLORS = (
    "tomato red ruby crimson pink plum purple violet iris indigo blue cyan teal jade green "
    "grass brown orange sky mint lime yellow amber gold bronze gray"
).split()
RADII = ("none", "small", "medium", "large", "full")

# Values that appear in docs and examples; a deployment must never run on them.
KNOWN_WEAK_SECRETS = {
    "changeme",
    "change-me",
    "secret",
    "please-change-this-secret-key-in-production-0123456789",
    # clientcenter/demo/serve.py's key until issue 11: published in the repository.
    "devserver-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
}
MIN_SECRET_LENGTH = 32


class _Section(BaseModel):
    """A settings table: an unknown (mistyped) key is an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


class HelpLink(_Section):
    label: str = Field(min_length=1, max_length=80)
    url: AnyHttpUrl


class IntegrationLinkSetting(_Section):
    """An integration link; ``kind`` is one of the catalog's three integration actions
    (docs/actions-and-matrix.md)."""

    kind: Literal["consumer", "non_consumer", "cross_sell"]
    label: str = Field(min_length=1, max_length=80)
    url: AnyHttpUrl
    carrier: str | None = None
    line: str | None = None  # for cross-sell: the line of business it quotes


class Branding(_Section):
    agency_name: str = Field("Harbor & Main Insurance", min_length=1, max_length=80)
    short_name: str = Field("Harbor & Main", min_length=1, max_length=40)
    tagline: str = "Your policies, documents and ID cards, any time."
    logo_url: str = "/logo.svg"
    accent_color: str = "teal"
    gray_color: Literal["gray", "mauve", "slate", "sage", "olive", "sand"] = "slate"
    radius: Literal["none", "small", "medium", "large", "full"] = "large"
    phone: str = "+1 555 010 2000"
    email: EmailStr = "service@harborandmain.example"
    address: str = "200 Harbor Street, Suite 4, Portland, ME 04101"
    website: AnyHttpUrl = "https://harborandmain.example"
    office_hours: str = "Mon–Fri 8:30 am – 5:30 pm"
    # The agency's own clock: every date and time shown to people is in this zone (an IANA
    # name); stored values stay UTC (services/dates.py).
    time_zone: str = "America/New_York"
    help_links: list[HelpLink] = Field(
        default_factory=lambda: [
            HelpLink(label="How to file a claim", url="https://harborandmain.example/claims"),
            HelpLink(label="Billing questions", url="https://harborandmain.example/billing"),
        ]
    )

    @field_validator("accent_color")
    @classmethod
    def _known_accent(cls, value: str) -> str:
        if value not in ACCENT_COLORS:
            raise ValueError(f"must be one of the theme colours: {', '.join(ACCENT_COLORS)}")
        from clientcenter.palette import check_accent

        check_accent(value)  # its text must reach WCAG AA once darkened (palette.py)
        return value

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f'{value!r} is not a time zone name: use one like "America/Chicago"'
            ) from None
        return value

    @field_validator("logo_url")
    @classmethod
    def _logo_url(cls, value: str) -> str:
        if value.startswith("/") and not value.startswith("//"):
            return value
        parsed = urlparse(value)
        if parsed.scheme == "https" and parsed.netloc:
            return value
        raise ValueError("must be a path under assets/ (like /logo.svg) or an https:// URL")


class Features(_Section):
    text_login: bool = True
    payments: bool = True
    certificates: bool = True
    proposals: bool = True
    referrals: bool = True
    feedback: bool = True
    surveys: bool = True


class Delivery(_Section):
    email_backend: Literal["dev", "sendgrid"] = "dev"
    sms_backend: Literal["dev", "twilio"] = "dev"
    from_email: EmailStr = "portal@harborandmain.example"
    from_name: str = "Harbor & Main Insurance"
    sendgrid_api_key: SecretStr | None = None
    # Tests point the SDK at a recording server; production leaves it at SendGrid.
    sendgrid_host: AnyHttpUrl = "https://api.sendgrid.com"
    sendgrid_webhook_public_key: str | None = None
    twilio_account_sid: str | None = None
    twilio_auth_token: SecretStr | None = None
    twilio_from_number: str | None = None
    twilio_base_url: AnyHttpUrl | None = None  # None means Twilio's own API
    relay_max_attempts: int = Field(8, ge=1, le=50)
    relay_backoff_seconds: float = Field(2.0, gt=0)
    relay_backoff_cap_seconds: float = Field(600.0, gt=0)
    relay_timeout_seconds: float = Field(10.0, gt=0)
    # A claimed message is another relay's to retry once its lease has run out.
    relay_lease_seconds: float = Field(120.0, gt=0)
    relay_poll_seconds: float = Field(2.0, gt=0)
    # Each relay also forgets old rate-limit events and finished login attempts, this often.
    housekeeping_seconds: float = Field(3600.0, ge=60)
    # Run the relay inside the app process (the embedded default); turn off when a separate
    # `python -m clientcenter.cli relay` process does the sending.
    relay_in_app: bool = True

    @model_validator(mode="after")
    def _keys_for_real_backends(self) -> Delivery:
        if self.relay_lease_seconds <= self.relay_timeout_seconds:
            raise ValueError(
                "delivery.relay_lease_seconds must be longer than "
                "relay_timeout_seconds, or two relays could send one message"
            )
        if self.email_backend == "sendgrid" and not self.sendgrid_api_key:
            raise ValueError(
                "delivery.sendgrid_api_key is required when email_backend is sendgrid"
            )
        if self.sms_backend == "twilio" and not (
            self.twilio_account_sid and self.twilio_auth_token and self.twilio_from_number
        ):
            raise ValueError(
                "delivery.twilio_account_sid, twilio_auth_token and twilio_from_number are "
                "required when sms_backend is twilio"
            )
        return self


class Security(_Section):
    code_ttl_seconds: int = Field(600, ge=60, le=600)
    code_max_failures: int = Field(5, ge=1, le=10)
    resend_cooldown_seconds: int = Field(30, ge=30)
    sends_per_contact_per_hour: int = Field(5, ge=1)
    sends_per_destination_per_hour: int = Field(5, ge=1)
    sends_per_ip_per_hour: int = Field(30, ge=1)
    failures_per_contact_per_hour: int = Field(10, ge=1)
    failures_per_ip_per_hour: int = Field(50, ge=1)
    lookups_per_ip_per_hour: int = Field(60, ge=1)
    # Texts to one number, whoever asks (remembered browsers included): the SMS cost cap.
    # Above sends_per_destination_per_hour, so anonymous requests alone cannot use it up.
    sms_per_destination_per_hour: int = Field(10, ge=1)
    sms_per_destination_per_day: int = Field(20, ge=1)
    # How long a browser that completed a login keeps its own send and failure allowance.
    remembered_browser_days: int = Field(90, ge=1, le=400)
    # After the email, who is asked "email or text?": "always" (every email, so the next
    # screen tells nobody who is a customer or has a mobile on file) or "when_mobile" (only a
    # customer with a mobile on file; the others get an email code at once, which shows who
    # has a mobile). See docs/login.md.
    login_channel_choice: Literal["always", "when_mobile"] = "always"
    # "Remember this browser" on the code step (docs/login.md): how long an opted-in browser
    # skips the channel step.
    trusted_browser_days: int = Field(30, ge=1, le=90)
    # The riskiest actions that need a second factor (a passkey or a fresh code) within
    # step_up_minutes (services/auth/step_up.py): "login_contact" (login email or mobile),
    # "pay", "certificate_holder", "household_invite". Empty: none asks.
    step_up_actions: list[
        Literal["login_contact", "pay", "certificate_holder", "household_invite"]
    ] = Field(default_factory=list)
    step_up_minutes: int = Field(10, ge=1, le=60)
    session_idle_minutes: int = Field(30, ge=1, le=30)
    session_absolute_hours: int = Field(12, ge=1, le=12)
    trusted_proxy_hops: int = Field(0, ge=0, le=5)
    # How long a certificate link emailed to its holder works (services/agency/certificate_links.py).
    certificate_link_days: int = Field(30, ge=1, le=365)
    # Origins allowed to frame the login page (the agency website's embed).
    frame_ancestors: list[AnyHttpUrl] = Field(default_factory=list)
    upload_max_bytes: int = Field(10 * 1024 * 1024, ge=1024)
    # The scan hook run on every upload before the agency sees it ("module:function";
    # see clientcenter/services/files/scanning.py).
    upload_scanner: str = Field(
        "clientcenter.services.files.scanning:basic_scan",
        pattern=r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$",
    )
    # ClamAV, for upload_scanner = "clientcenter.services.files.scanning:clamd_scan": clamd's unix
    # socket (an absolute path; Debian's default below) or host:port for TCP.
    clamd_address: str = "/run/clamav/clamd.ctl"
    clamd_timeout_seconds: float = Field(10.0, gt=0, le=120)
    # Where texts may go (ISO 3166 region codes; services/notify/sms_destinations.py): mobile numbers
    # of these countries only. The first one is assumed for numbers typed without +code.
    sms_countries: list[str] = Field(default_factory=lambda: ["US"], min_length=1)

    @field_validator("clamd_address")
    @classmethod
    def _clamd_address(cls, value: str) -> str:
        value = value.strip()
        if value.startswith("/"):
            return value
        host, _, port = value.rpartition(":")
        if host and port.isdigit() and 0 < int(port) < 65536:
            return value
        raise ValueError(
            "must be a unix socket path (/run/clamav/clamd.ctl) or host:port (127.0.0.1:3310)"
        )

    @field_validator("sms_countries")
    @classmethod
    def _known_regions(cls, value: list[str]) -> list[str]:
        import phonenumbers

        codes = [v.strip().upper() for v in value]
        unknown = [c for c in codes if c not in phonenumbers.SUPPORTED_REGIONS]
        if unknown:
            raise ValueError(
                f"unknown region code(s) {', '.join(unknown)}: use two-letter "
                "ISO 3166 codes such as US, CA, GB"
            )
        return list(dict.fromkeys(codes))


class Audit(_Section):
    """The audit trail (services/agency/audit.py, docs/administration.md)."""

    # What a search leaves in the trail: "hash" (a keyed hash: the same words by the same
    # agency match, the words themselves are not kept), "plain" (the words), "none".
    search_queries: Literal["hash", "plain", "none"] = "hash"


class Api(_Section):
    """The REST API under /api/v1 (docs/api.md)."""

    # Calls each key may make per minute, counted across workers in Redis (redis_url, else
    # REFLEX_REDIS_URL); with no Redis configured, counted in each worker's memory.
    rate_limit_per_minute: int = Field(600, ge=1, le=100_000)
    redis_url: str | None = None
    # How long a POST's answer is kept for a retry with the same Idempotency-Key.
    idempotency_hours: int = Field(24, ge=1, le=24 * 30)


class Retention(_Section):
    """How long records are kept (services/retention.py); 0 keeps them forever. The defaults
    follow what a US agency keeps: books and records seven years, the rest as short as use
    allows."""

    activity_log_days: int = Field(7 * 365, ge=0)
    audit_trail_days: int = Field(7 * 365, ge=0)
    # Emails and texts the provider accepted keep their address and status; the body goes.
    message_bodies_days: int = Field(90, ge=0)
    ended_sessions_days: int = Field(90, ge=0)
    login_attempts_days: int = Field(30, ge=0)
    # An account with no active policy is closed; its files go this many years after its
    # last policy's expiration date.
    closed_account_files_years: int = Field(7, ge=0, le=100)


def _aba_checksum_ok(digits: str) -> bool:
    """The ABA routing number's check digit (weights 3, 7, 1): catches a mistyped digit."""
    weights = (3, 7, 1) * 3
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 10 == 0


class OfflinePayee(_Section):
    """Where a check is mailed and a bank transfer is sent, shown on the offline pay screen.
    The bank details are optional, but all three or none: half a transfer instruction sends
    money nowhere."""

    payee_name: str = Field("", max_length=120)
    mailing_address: str = Field("", max_length=400)  # lines separated by newlines
    bank_name: str = Field("", max_length=120)
    routing_number: str = Field("", pattern=r"^(\d{9})?$")
    account_number: str = Field("", pattern=r"^(\d{4,17})?$")

    @field_validator("payee_name", "mailing_address", "bank_name")
    @classmethod
    def _stripped(cls, value: str) -> str:
        return "\n".join(line.strip() for line in value.strip().splitlines() if line.strip())

    @field_validator("routing_number")
    @classmethod
    def _routing_checksum(cls, value: str) -> str:
        if value and not _aba_checksum_ok(value):
            raise ValueError("is not a valid ABA routing number (its check digit is wrong)")
        return value

    @model_validator(mode="after")
    def _bank_all_or_none(self) -> OfflinePayee:
        given = [bool(self.bank_name), bool(self.routing_number), bool(self.account_number)]
        if any(given) and not all(given):
            raise ValueError(
                "bank_name, routing_number and account_number go together: set all three "
                "for bank transfers, or none"
            )
        if self.mailing_address and not self.payee_name:
            raise ValueError("payee_name is required with a mailing_address (checks payable to)")
        return self

    @property
    def has_bank(self) -> bool:
        return bool(self.routing_number)


class Payments(_Section):
    """How customers pay. "offline" (the embedded default) needs no account anywhere: the
    customer records a bank transfer or check and an agent confirms it."""

    provider: Literal["offline", "stripe"] = "offline"
    currency: str = Field("USD", pattern=r"^[A-Z]{3}$")
    # Partial payments: any amount from partial_minimum_cents up to the balance.
    allow_partial: bool = False
    partial_minimum_cents: int = Field(100, ge=50)
    stripe_secret_key: SecretStr | None = None
    stripe_webhook_secret: SecretStr | None = None
    # Tests point the SDK at a recording server; production leaves it at Stripe.
    stripe_api_base: AnyHttpUrl | None = None
    # Checkout Sessions live 30 minutes (Stripe's minimum) so an abandoned one frees the bill.
    checkout_expiry_minutes: int = Field(30, ge=30, le=1440)
    request_ttl_days: int = Field(14, ge=1, le=90)
    offline_instructions: str = Field(
        "Mail a check payable to the agency, or send a bank transfer quoting your invoice "
        "number. We will confirm it as soon as it arrives.",
        max_length=600,
    )
    # [payments.offline]: the payee, mailing address and bank details for offline payments.
    offline: OfflinePayee = Field(default_factory=OfflinePayee)

    @model_validator(mode="after")
    def _keys_for_stripe(self) -> Payments:
        if self.provider == "stripe" and not (
            self.stripe_secret_key and self.stripe_webhook_secret
        ):
            raise ValueError(
                "payments.stripe_secret_key and stripe_webhook_secret are required when "
                "provider is stripe"
            )
        return self


class FileStorage(_Section):
    """Where the private store keeps files. "disk" (settings.storage_dir) suits one machine;
    "s3" puts them in an S3-compatible bucket that every app machine shares. Credentials come
    from the standard AWS chain (environment, shared credentials file, instance or task role)
    and never from these settings."""

    model_config = ConfigDict(extra="forbid", frozen=True)  # hashable: one client per config

    backend: Literal["disk", "s3"] = "disk"
    bucket: str | None = Field(None, pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
    prefix: str = Field("", max_length=200, pattern=r"^([A-Za-z0-9._-]+/)*$")
    # MinIO or another S3-compatible server; None is AWS itself.
    endpoint_url: AnyHttpUrl | None = None
    region: str | None = Field(None, pattern=r"^[a-z0-9-]+$")
    # SSE-KMS with this key; without it, SSE-S3 (AES256).
    kms_key_id: str | None = Field(None, min_length=1, max_length=2048)

    @model_validator(mode="after")
    def _bucket_for_s3(self) -> FileStorage:
        if self.backend == "s3" and not self.bucket:
            raise ValueError("storage.bucket is required when backend is s3")
        return self


class Wallet(_Section):
    """Proof of insurance on the phone (docs/id-cards.md): where only the carrier may issue the
    card, and the Apple and Google Wallet credentials. Without them no wallet button shows."""

    # States where an electronic ID card must come from the insurer (New York: its signed
    # barcode); vehicles garaged there get the carrier's PDF and nothing generated.
    carrier_only_states: list[str] = Field(default_factory=lambda: ["NY"])
    # Apple Wallet: the agency's Pass Type ID certificate and key (PEM) and Apple's WWDR
    # intermediate (PEM), all four with the ids, or none.
    apple_pass_type_id: str | None = Field(None, pattern=r"^pass\.[A-Za-z0-9.-]+$")
    apple_team_id: str | None = Field(None, pattern=r"^[A-Z0-9]{10}$")
    apple_certificate_path: Path | None = None
    apple_key_path: Path | None = None
    apple_key_password: SecretStr | None = None
    apple_wwdr_certificate_path: Path | None = None
    # Apple's PassKit web service (docs/id-cards.md): passes carry the portal's address and a
    # token, devices register for updates, and a change of the card pushes them through APNs
    # (HTTP/2, the Pass Type ID certificate as client certificate). Needs an https public_url.
    apple_web_service: bool = False
    apns_url: AnyHttpUrl = "https://api.push.apple.com"  # a loopback recorder in tests
    apple_devices_per_pass: int = Field(10, ge=1, le=50)  # what one pass's holder may store
    apple_push_seconds: float = Field(30.0, ge=1.0, le=3600.0)  # the push sweep's interval
    # Google Wallet: the issuer id and the service account's JSON key file.
    google_issuer_id: str | None = Field(None, pattern=r"^[0-9]{6,25}$")
    google_service_account_path: Path | None = None

    @field_validator("carrier_only_states")
    @classmethod
    def _states(cls, value: list[str]) -> list[str]:
        states = [s.strip().upper() for s in value]
        for state in states:
            if len(state) != 2 or not state.isalpha():
                raise ValueError(f"{state!r} is not a two-letter state code")
        return states

    @model_validator(mode="after")
    def _all_or_nothing(self) -> Wallet:
        apple = (
            self.apple_pass_type_id,
            self.apple_team_id,
            self.apple_certificate_path,
            self.apple_key_path,
            self.apple_wwdr_certificate_path,
        )
        if any(apple) and not all(apple):
            raise ValueError(
                "Apple Wallet needs apple_pass_type_id, apple_team_id, apple_certificate_path, "
                "apple_key_path and apple_wwdr_certificate_path together"
            )
        if self.apple_web_service and not all(apple):
            raise ValueError("apple_web_service needs the Apple Wallet certificate settings")
        google = (self.google_issuer_id, self.google_service_account_path)
        if any(google) and not all(google):
            raise ValueError(
                "Google Wallet needs google_issuer_id and google_service_account_path"
            )
        return self

    @property
    def apple_configured(self) -> bool:
        return self.apple_pass_type_id is not None

    @property
    def google_configured(self) -> bool:
        return self.google_issuer_id is not None


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="CC_",
        env_nested_delimiter="__",
        extra="forbid",
        validate_default=True,
    )

    database_url: str = Field(
        "sqlite:///clientcenter.db",
        validation_alias="DATABASE_URL",
    )
    public_url: AnyHttpUrl = "http://localhost:3000"
    secret_key: SecretStr | None = None
    storage_dir: Path = PROJECT_ROOT / "var" / "files"
    branding: Branding = Field(default_factory=Branding)
    features: Features = Field(default_factory=Features)
    integrations: list[IntegrationLinkSetting] = Field(default_factory=list)
    delivery: Delivery = Field(default_factory=Delivery)
    security: Security = Field(default_factory=Security)
    payments: Payments = Field(default_factory=Payments)
    audit: Audit = Field(default_factory=Audit)
    api: Api = Field(default_factory=Api)
    retention: Retention = Field(default_factory=Retention)
    storage: FileStorage = Field(default_factory=FileStorage)
    wallet: Wallet = Field(default_factory=Wallet)
    # Agency overrides of the notification matrix: {action_key: {column: bool}}.
    matrix: dict[str, dict[str, bool]] = Field(default_factory=dict)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_path = Path(os.environ.get("CLIENTCENTER_CONFIG", PROJECT_ROOT / "clientcenter.toml"))
        return (
            init_settings,
            env_settings,
            TomlConfigSettingsSource(settings_cls, toml_file=toml_path),
        )

    @field_validator("matrix")
    @classmethod
    def _matrix_overrides_known(cls, value: dict[str, dict[str, bool]]):
        # An override naming an unknown action or column is a typo that would silently
        # change nothing: stop start-up instead.
        check_cells(value, "matrix")
        return value

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if not value.startswith(("sqlite:", "postgresql")):
            raise ValueError("must be a sqlite:/// or postgresql:// URL")
        return value

    @field_validator("secret_key")
    @classmethod
    def _strong_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        raw = value.get_secret_value()
        if raw.lower() in KNOWN_WEAK_SECRETS or len(set(raw)) < 8:
            raise ValueError(
                "is a known or trivial value; generate one with `python -m clientcenter.cli secret`"
            )
        if len(raw) < MIN_SECRET_LENGTH:
            raise ValueError(f"must be at least {MIN_SECRET_LENGTH} characters")
        return value

    @model_validator(mode="after")
    def _dev_mailbox_only_on_localhost(self) -> Settings:
        if self.uses_dev_mailbox and self.public_url.host not in ("localhost", "127.0.0.1"):
            raise ValueError(
                "public_url must be a localhost URL while the dev mailbox delivery backend is "
                "on: the mailbox holds login codes. Configure sendgrid/twilio to go public."
            )
        return self

    @model_validator(mode="after")
    def _pass_web_service_over_https(self) -> Settings:
        # Wallet talks to webServiceURL only over HTTPS; plain http is for a phone on the
        # developer's own machine.
        local = self.public_url.host in ("localhost", "127.0.0.1")
        if self.wallet.apple_web_service and self.public_url.scheme != "https" and not local:
            raise ValueError(
                "wallet.apple_web_service needs an https public_url (Wallet refuses plain http)"
            )
        return self

    @property
    def uses_dev_mailbox(self) -> bool:
        return self.delivery.email_backend == "dev" or self.delivery.sms_backend == "dev"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def secret(self) -> bytes:
        """The key for code hashes, token hashes and signed values (links, grants, tickets)."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value().encode()
        if self.uses_dev_mailbox:
            return _dev_secret().encode()
        raise RuntimeError(
            "CC_SECRET_KEY is not set: a deployment with real delivery needs its own key "
            "(at least 32 random characters)"
        )


def _dev_secret() -> str:
    """The demo's key: random on first run, kept in an ignored local file that only its owner
    can read — created with mode 0600, so it is never readable by others, not even between
    creating and restricting it (whatever the umask)."""
    try:
        fd = os.open(DEV_SECRET_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_dev_secret()
    value = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w") as file:
        file.write(value + "\n")
    return value


def _read_dev_secret() -> str:
    # Another process may have just created the file and not yet written the key.
    for _ in range(50):
        value = DEV_SECRET_FILE.read_text().strip()
        if value:
            return value
        time.sleep(0.02)
    raise RuntimeError(f"{DEV_SECRET_FILE} is empty: delete it and start again")


class SettingsError(SystemExit):
    """Start-up stops with a readable list of the settings that are wrong."""


def load_settings(**overrides) -> Settings:
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or "settings"
            lines.append(f"  - {where}: {err['msg']}")
        raise SettingsError(
            "Client Center cannot start, invalid settings:\n" + "\n".join(lines)
        ) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()


def reset_settings_cache() -> None:
    get_settings.cache_clear()
