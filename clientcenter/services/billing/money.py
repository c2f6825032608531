"""Money as integer cents with its currency: parsing what people type, and showing it."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from clientcenter.services.errors import InvalidInput
from clientcenter.services.form_input import looks_like_card_number

# Ten million in any currency is not a bill anyone pays through a portal; it is a typo.
MAX_AMOUNT_CENTS = 10_000_000_00
_SYMBOLS = {"USD": "$", "CAD": "CA$", "EUR": "€", "GBP": "£"}
_AMOUNT = re.compile(r"^\d{1,3}(,\d{3})*(\.\d{1,2})?$|^\d+(\.\d{1,2})?$")


def format_money(cents: int, currency: str = "USD") -> str:
    """1234567 → "$12,345.67" (exact: integer arithmetic, no floats)."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(int(cents)), 100)
    symbol = _SYMBOLS.get(currency.upper())
    number = f"{whole:,}.{part:02d}"
    return f"{sign}{symbol}{number}" if symbol else f"{sign}{number} {currency.upper()}"


def parse_amount(text: str, *, field: str = "amount") -> int:
    """ "$1,234.5" → 123450. Refuses anything that is not a plain positive amount."""
    raw = (text or "").strip().replace(" ", "")
    for symbol in ("US$", "CA$", "$", "€", "£"):
        if raw.startswith(symbol):
            raw = raw[len(symbol) :]
            break
    if not raw:
        raise InvalidInput("Enter an amount, like 125.00.", field)
    if raw.startswith("-"):
        raise InvalidInput("The amount must be more than zero.", field)
    if not _AMOUNT.match(raw):
        if re.match(r"^\d[\d,]*\.\d{3,}$", raw):
            raise InvalidInput("Use at most two digits after the decimal point.", field)
        raise InvalidInput("Enter the amount as a number, like 125.00.", field)
    try:
        cents = int((Decimal(raw.replace(",", "")) * 100).to_integral_exact())
    except InvalidOperation:  # pragma: no cover - the pattern above already refused it
        raise InvalidInput("Enter the amount as a number, like 125.00.", field) from None
    return check_cents(cents, field=field)


def check_cents(cents: int, *, field: str = "amount") -> int:
    if isinstance(cents, bool) or not isinstance(cents, int):
        raise InvalidInput("The amount must be a whole number of cents.", field)
    if cents <= 0:
        raise InvalidInput("The amount must be more than zero.", field)
    if cents > MAX_AMOUNT_CENTS:
        raise InvalidInput(
            f"The amount cannot be more than {format_money(MAX_AMOUNT_CENTS)}.", field
        )
    return cents


def clean_note(
    text: str, *, field: str, max_length: int, required: bool = False, label: str = "This"
) -> str:
    """A free-text reference or memo: trimmed, bounded, and never a card number
    (card data must not reach our database, logs or messages)."""
    value = " ".join((text or "").split())
    if required and not value:
        raise InvalidInput(f"{label} is required.", field)
    if len(value) > max_length:
        raise InvalidInput(f"{label} can be at most {max_length} characters.", field)
    if looks_like_card_number(value):
        raise InvalidInput(
            "That looks like a card number. Never type card numbers here: "
            "card payments go through the secure card form.",
            field,
        )
    return value
