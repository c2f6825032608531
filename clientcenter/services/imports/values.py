"""The cells exports really hold, parsed: dates, amounts, emails, phones, choices.

Each parser takes the stripped cell and returns a value, or raises CellRefused with the reason
(the caller adds file, line, column and value). Emails and phones go through the same rules as
the forms (services/form_input.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from clientcenter.services import form_input
from clientcenter.services.errors import InvalidInput

# ISO first; then the US forms agency systems export (Excel's M/D/YY among them).
DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%m-%d-%Y", "%Y/%m/%d")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # tab and line feed may stay
MAX_AMOUNT_CENTS = 10**12  # ten billion dollars: anything larger is a misplaced column


class CellRefused(ValueError):
    pass


def text(value: str, *, max_len: int) -> str:
    if len(value) > max_len:
        raise CellRefused(f"longer than {max_len} characters ({len(value)})")
    if _CONTROL.search(value):
        raise CellRefused("contains a control character")
    return value


@lru_cache(maxsize=8192)  # an export repeats the same few hundred dates
def a_date(value: str) -> date:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise CellRefused("not a date (use YYYY-MM-DD, MM/DD/YYYY or M/D/YY)")


def amount_cents(value: str) -> int:
    """ "$1,234.50" -> 123450; "(12.00)" and "-12.00" -> -1200."""
    cleaned = value.replace("$", "").replace(",", "").replace(" ", "")
    negative = cleaned.startswith("(") and cleaned.endswith(")")
    if negative:
        cleaned = cleaned[1:-1]
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise CellRefused("not an amount (like $1,234.50 or (12.00))") from None
    if not amount.is_finite() or amount.as_tuple().exponent < -2:
        raise CellRefused("not an amount in dollars and cents")
    cents = int(amount * 100) * (-1 if negative else 1)
    if abs(cents) >= MAX_AMOUNT_CENTS:
        raise CellRefused("too large to be an amount")
    return cents


def vin(value: str) -> str:
    """A vehicle identification number, as the forms check it: 17 letters and digits, never
    I, O or Q. The check digit is not enforced: VINs from outside North America lack one."""
    return _form_rule(form_input.vin, value.replace("-", ""))


def model_year(value: str) -> int:
    if not (value.isdigit() and len(value) == 4):
        raise CellRefused("not a model year (four digits, like 2021)")
    year = int(value)
    if not 1900 <= year <= date.today().year + 2:
        raise CellRefused(f"not a model year between 1900 and {date.today().year + 2}")
    return year


# A plain local part (RFC 5322 dot-atom, ASCII): what the forms' validator accepts as it is.
_PLAIN_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_valid_domains: set[str] = set()  # ASCII domains (as written) the forms' validator accepted
_MAX_DOMAINS = 10_000


def email(value: str) -> str:
    """The forms' rule (services/form_input.py). An export names the same few domains on
    every row, and checking the domain is most of the validator's cost: once a domain has
    passed, an address at it with a plain ASCII local part is valid by the same rule, and its
    normal form is the address lower-cased. (A refused address never reaches the set.)"""
    local, at, domain = value.rpartition("@")
    if (
        domain in _valid_domains
        and len(value) <= 254
        and len(local) <= 64
        and _PLAIN_LOCAL.fullmatch(local)
    ):
        return value.lower()
    address = _form_rule(form_input.email, value)
    if at and domain.isascii() and _PLAIN_LOCAL.fullmatch(local):
        if len(_valid_domains) >= _MAX_DOMAINS:
            _valid_domains.clear()
        _valid_domains.add(domain)
    return address


def phone(value: str) -> str:
    """A US (or +country) phone number as E.164."""
    return _form_rule(form_input.mobile, value)


def us_state(value: str) -> str:
    return _form_rule(form_input.us_state, value)


def postal_code(value: str) -> str:
    return _form_rule(form_input.postal_code, value)


def _form_rule(parser, value: str) -> str:
    try:
        return parser({"v": value}, "v", "The value")
    except InvalidInput as exc:
        raise CellRefused(str(exc).removeprefix("The value ").rstrip(".")) from None


def choice(value: str, synonyms: Mapping[str, str], what: str) -> str:
    """One of our values, from ours or the synonyms exports use (case- and space-insensitive)."""
    found = synonyms.get(fold(value))
    if found is None:
        raise CellRefused(f"not a known {what}")
    return found


def flag(value: str) -> bool:
    folded = fold(value)
    if folded in ("y", "yes", "true", "1", "x"):
        return True
    if folded in ("n", "no", "false", "0"):
        return False
    raise CellRefused("not yes or no")


@lru_cache(maxsize=4096)  # carriers, lines, statuses, coverages: a few, often
def fold(value: str) -> str:
    """ "Co-Applicant " -> "coapplicant": how headers and choices are compared."""
    return "".join(ch for ch in value.casefold() if ch.isalnum())
