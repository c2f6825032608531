"""Money is exact: integer cents parsed from what people type, and shown back."""

import pytest

from clientcenter.services.billing.money import format_money, parse_amount
from clientcenter.services.errors import InvalidInput
from clientcenter.services.form_input import looks_like_card_number


@pytest.mark.parametrize(
    ("typed", "cents"),
    [
        ("125", 12500),
        ("125.5", 12550),
        ("125.05", 12505),
        ("$1,234.56", 123456),
        (" 0.01 ", 1),
        ("1234567.89", 123456789),
        ("US$ 12", 1200),
        ("0.29", 29),
        ("0.57", 57),  # 0.57 * 100 is 56.99999 in floats: Decimal keeps it exact
    ],
)
def test_amounts_parse_to_exact_cents(typed, cents):
    assert parse_amount(typed) == cents


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter an amount"),
        ("abc", "as a number"),
        ("1.234", "two digits"),
        ("-5", "more than zero"),
        ("0", "more than zero"),
        ("0.00", "more than zero"),
        ("1,23.00", "as a number"),
        ("1e3", "as a number"),
        ("12.", "as a number"),
        ("10000000.01", "cannot be more than"),
        ("NaN", "as a number"),
    ],
)
def test_bad_amounts_are_refused_with_a_reason(typed, message):
    with pytest.raises(InvalidInput, match=message) as exc:
        parse_amount(typed)
    assert exc.value.field == "amount"


def test_money_is_shown_with_its_currency():
    assert format_money(123456) == "$1,234.56"
    assert format_money(5, "USD") == "$0.05"
    assert format_money(-250) == "-$2.50"
    assert format_money(99900, "EUR") == "€999.00"
    assert format_money(100, "CHF") == "1.00 CHF"


@pytest.mark.parametrize(
    ("text", "card"),
    [
        ("4242 4242 4242 4242", True),
        ("4111-1111-1111-1111", True),
        ("paid with 5555555555554444", True),
        ("378282246310005", True),
        ("Check 1042", False),
        ("Transfer ref 2024-11-05-0001", False),
        ("4242 4242 4242 4241", False),  # fails the Luhn check
        ("Policy PA-9285660", False),
        ("", False),
    ],
)
def test_card_numbers_are_recognised(text, card):
    assert looks_like_card_number(text) is card
