"""Turning what a form sent into clean values, or a specific message naming the field.

Forms arrive as dicts of strings. Services first keep only the keys they allow (`allowed`),
so an extra key a client adds (``account_id``, ``status``…) never reaches a model, then read
each value through one of these parsers. Every refusal is an `InvalidInput` carrying the field
name, so a form can show the message beside the right input.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from clientcenter.services.dates import date_text
from clientcenter.services.errors import InvalidInput
from clientcenter.services.notify import sms_destinations

US_STATES = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH "
    "NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR VI GU AS MP".split()
)
_ZIP = re.compile(r"^\d{5}(-\d{4})?$")
_VIN = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")  # 17 characters; I, O and Q are never used
_CARD_LIKE = re.compile(r"(?:\d[ -]?){12,18}\d")


def allowed(data: Mapping[str, Any] | None, keys: Iterable[str]) -> dict[str, Any]:
    """Only the allow-listed keys of a submitted form; anything else is dropped unread."""
    data = data or {}
    return {key: data[key] for key in keys if key in data}


def _raw(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else ""
    return str(value).strip()


def _filled(
    data: Mapping[str, Any],
    key: str,
    label: str,
    *,
    required: bool,
    missing: str | None = None,
    clean: Callable[[str], str] | None = None,
) -> str:
    """The value sent for ``key``, stripped (and ``clean``-ed); "" when the field was left
    empty, which a required field refuses (``missing``, or "<label> is required.")."""
    value = _raw(data, key)
    if clean is not None:
        value = clean(value)
    if not value and required:
        raise InvalidInput(missing or f"{label} is required.", field=key)
    return value


def text(
    data: Mapping[str, Any],
    key: str,
    label: str,
    *,
    max_len: int,
    required: bool = True,
    multiline: bool = False,
) -> str:
    value = _filled(data, key, label, required=required)
    if not value:
        return ""
    if multiline:
        value = value.replace("\r\n", "\n")
    if len(value) > max_len:
        raise InvalidInput(
            f"{label} must be {max_len} characters or fewer (it has {len(value)}).", field=key
        )
    allowed_controls = {"\n", "\t"} if multiline else set()
    if any(unicodedata.category(ch) == "Cc" and ch not in allowed_controls for ch in value):
        raise InvalidInput(f"{label} contains a control character; please retype it.", field=key)
    if looks_like_card_number(value):
        # Requests are kept and emailed: card data must never ride along.
        raise InvalidInput(
            f"{label} seems to contain a card number. Please leave it out; "
            "pay through Billing instead.",
            field=key,
        )
    return value


def looks_like_card_number(text: str) -> bool:
    """A 13–19 digit run (spaces or dashes allowed) that passes the Luhn check: what no form,
    note or log line may keep."""
    for match in _CARD_LIKE.finditer(text or ""):
        digits = re.sub(r"\D", "", match.group())
        if 13 <= len(digits) <= 19 and _luhn_ok(digits):
            return True
    return False


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def name(data: Mapping[str, Any], key: str, label: str, *, required: bool = True) -> str:
    value = text(data, key, label, max_len=80, required=required)
    if value and not any(ch.isalpha() for ch in value):
        raise InvalidInput(f"{label} must contain letters.", field=key)
    return value


def choice(
    data: Mapping[str, Any],
    key: str,
    label: str,
    options: Mapping[str, str] | Iterable[str],
    *,
    required: bool = True,
) -> str:
    value = _filled(data, key, label, required=required, missing=f"Choose {label.lower()}.")
    if not value:
        return ""
    if value not in options:
        raise InvalidInput(f"{label}: {value!r} is not one of the choices.", field=key)
    return value


def flag(data: Mapping[str, Any], key: str) -> bool:
    """A checkbox or switch: true for on/true/yes/1, false when absent."""
    value = data.get(key)
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in ("on", "true", "yes", "1")


def email(
    data: Mapping[str, Any], key: str, label: str = "Email address", *, required: bool = True
) -> str | None:
    value = _filled(data, key, label, required=required)
    if not value:
        return None
    if len(value) > 254:
        raise InvalidInput(f"{label} is too long.", field=key)
    try:
        result = validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidInput(f"{label} is not valid: {exc}", field=key) from None
    return result.normalized.lower()


def mobile(
    data: Mapping[str, Any], key: str, label: str = "Mobile number", *, required: bool = True
) -> str | None:
    """A phone number as E.164 (US numbers may be typed without +1)."""
    value = _filled(data, key, label, required=required)
    if not value:
        return None
    try:
        number = phonenumbers.parse(value, "US")
    except phonenumbers.NumberParseException:
        raise InvalidInput(
            f"{label} is not a phone number; type it like (207) 555-0100.", field=key
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidInput(f"{label} {value!r} is not a valid phone number.", field=key)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def sms_mobile(
    data: Mapping[str, Any],
    key: str,
    label: str = "Mobile number",
    *,
    required: bool = True,
    unchanged: str | None = None,
) -> str | None:
    """A number the portal may text (services/notify/sms_destinations.py), as E.164. ``unchanged``
    is the number already on file: re-submitting it is not a new destination, so an old
    number that today's rule would refuse does not block editing the rest of the form."""
    value = _filled(data, key, label, required=required)
    if not value:
        return None
    e164 = sms_destinations.parse(value, field=key, label=label)
    if e164 == unchanged:
        return e164
    return sms_destinations.check(e164, field=key, label=label)


def us_state(
    data: Mapping[str, Any], key: str, label: str = "State", *, required: bool = True
) -> str:
    value = _filled(data, key, label, required=required, clean=str.upper)
    if not value:
        return ""
    if value not in US_STATES:
        raise InvalidInput(f"{label} must be a two-letter US state code, like ME.", field=key)
    return value


def postal_code(
    data: Mapping[str, Any], key: str, label: str = "ZIP code", *, required: bool = True
) -> str:
    value = _filled(data, key, label, required=required)
    if not value:
        return ""
    if not _ZIP.match(value):
        raise InvalidInput(f"{label} must be 5 digits (or ZIP+4, like 04101-1234).", field=key)
    return value


def vin(data: Mapping[str, Any], key: str, label: str = "VIN", *, required: bool = True) -> str:
    value = _filled(
        data, key, label, required=required, clean=lambda v: v.upper().replace(" ", "")
    )
    if not value:
        return ""
    if len(value) != 17:
        raise InvalidInput(f"{label} must be 17 characters (it has {len(value)}).", field=key)
    if not _VIN.match(value):
        raise InvalidInput(f"{label} uses only letters and digits, never I, O or Q.", field=key)
    return value


def integer(
    data: Mapping[str, Any],
    key: str,
    label: str,
    *,
    minimum: int,
    maximum: int,
    required: bool = True,
) -> int | None:
    value = _filled(data, key, label, required=required, clean=lambda v: v.replace(",", ""))
    if not value:
        return None
    try:
        number = int(value)
    except ValueError:
        raise InvalidInput(f"{label} must be a whole number.", field=key) from None
    if not minimum <= number <= maximum:
        raise InvalidInput(f"{label} must be between {minimum:,} and {maximum:,}.", field=key)
    return number


def money_cents(
    data: Mapping[str, Any], key: str, label: str, *, maximum_dollars: int, required: bool = True
) -> int | None:
    value = _filled(
        data,
        key,
        label,
        required=required,
        clean=lambda v: v.replace(",", "").replace("$", "").strip(),
    )
    if not value:
        return None
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise InvalidInput(
            f"{label} must be an amount in dollars, like 12,500.", field=key
        ) from None
    if amount.as_tuple().exponent < -2 or amount < 0 or amount > maximum_dollars:
        raise InvalidInput(
            f"{label} must be between $0 and ${maximum_dollars:,}, in dollars and cents.",
            field=key,
        )
    return int(amount * 100)


def iso_date(
    data: Mapping[str, Any],
    key: str,
    label: str,
    *,
    earliest: date | None = None,
    latest: date | None = None,
    required: bool = True,
) -> date | None:
    value = _filled(data, key, label, required=required)
    if not value:
        return None
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{label} must be a date (YYYY-MM-DD).", field=key) from None
    if earliest is not None and parsed < earliest:
        raise InvalidInput(f"{label} cannot be before {date_text(earliest)}.", field=key)
    if latest is not None and parsed > latest:
        raise InvalidInput(f"{label} cannot be after {date_text(latest)}.", field=key)
    return parsed


def record_id(
    data: Mapping[str, Any], key: str, label: str, *, required: bool = True
) -> int | None:
    """An id chosen from a list the page offered; the service still checks whose it is."""
    value = _filled(data, key, label, required=required, missing=f"Choose {label.lower()}.")
    if not value:
        return None
    if not value.isdigit() or len(value) > 12:
        raise InvalidInput(f"{label}: that choice is not valid.", field=key)
    return int(value)
