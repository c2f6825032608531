"""Where the portal may send a text message: mobile numbers in the agency's countries.

SMS pumping: a form that texts a code to any number it is given lets an attacker route texts
to premium-rate, satellite or international-network numbers whose operators share the fee
with them, at the agency's cost. So a text goes only to a number that phonenumbers knows as a
mobile (``MOBILE``, or ``FIXED_LINE_OR_MOBILE`` where a country's plan cannot tell the two
apart, as in the US) in one of ``security.sms_countries``.

This is the one check. Profile edits and contact-change codes call :func:`check` before a
mobile is stored or texted; :func:`refusal` is asked again by ``outbox.enqueue`` and by the
relay right before a send, so no path (an old or imported number, a changed setting) can
make the portal text a number outside the allowed set.
"""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneNumberType as T
from phonenumbers import geocoder

from clientcenter.services.errors import InvalidInput
from clientcenter.settings import Settings, get_settings

ACCEPTED_TYPES = frozenset({T.MOBILE, T.FIXED_LINE_OR_MOBILE})
# Country codes that belong to no country: checked before the region, so the message says
# what the number is rather than only "not in your countries".
NON_GEOGRAPHIC = {
    881: ("satellite", "a satellite phone number (+881)"),
    882: (
        "international_network",
        "a number on an international network (+882), not a mobile number in any country",
    ),
    883: (
        "international_network",
        "a number on an international network (+883), not a mobile number in any country",
    ),
}
TYPE_WORDS = {
    T.PREMIUM_RATE: ("premium_rate", "a premium-rate number"),
    T.SHARED_COST: ("shared_cost", "a shared-cost number"),
    T.TOLL_FREE: ("toll_free", "a toll-free number"),
    T.VOIP: ("voip", "an internet (VoIP) number"),
    T.PERSONAL_NUMBER: ("personal_number", "a personal forwarding number"),
    T.PAGER: ("pager", "a pager number"),
    T.UAN: ("uan", "a company switchboard number"),
    T.VOICEMAIL: ("voicemail", "a voicemail access number"),
    T.FIXED_LINE: ("landline", "a landline"),
}


@dataclass(frozen=True)
class Refusal:
    code: str  # country | satellite | international_network | premium_rate | … | invalid
    message: str  # for the person who typed the number


class SmsDestinationRefused(InvalidInput):
    def __init__(self, refusal: Refusal, *, field: str | None = "mobile"):
        super().__init__(refusal.message, field=field)
        self.refusal = refusal


def allowed_countries(settings: Settings | None = None) -> tuple[str, ...]:
    return tuple((settings or get_settings()).security.sms_countries)


def country_name(region: str) -> str:
    example = phonenumbers.example_number(region)
    name = geocoder.country_name_for_number(example, "en") if example else ""
    return name or region


def _where(settings: Settings | None) -> str:
    names = ", ".join(f"{country_name(r)} ({r})" for r in allowed_countries(settings))
    return f"We can text only mobile numbers from: {names}."


def _shown(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def refusal_for(
    number: phonenumbers.PhoneNumber, settings: Settings | None = None
) -> Refusal | None:
    """Why ``number`` may not get a text, or None when it may."""
    shown = _shown(number)
    if not phonenumbers.is_valid_number(number):
        return Refusal("invalid", f"{shown} is not a valid phone number.")
    if number.country_code in NON_GEOGRAPHIC:
        code, words = NON_GEOGRAPHIC[number.country_code]
        return Refusal(code, f"{shown} is {words}. {_where(settings)}")
    region = phonenumbers.region_code_for_number(number)
    if region not in allowed_countries(settings):
        return Refusal(
            "country", f"{shown} is a number in {country_name(region)}. {_where(settings)}"
        )
    kind = phonenumbers.number_type(number)
    if kind not in ACCEPTED_TYPES:
        code, words = TYPE_WORDS.get(kind, ("not_mobile", "not a mobile number"))
        return Refusal(
            code, f"{shown} is {words}. Please enter a mobile number that can receive texts."
        )
    return None


def refusal(e164: str, settings: Settings | None = None) -> Refusal | None:
    """The same check for a stored +E.164 value (the outbox and the relay ask this)."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return Refusal("invalid", "This is not a phone number in +E.164 form.")
    return refusal_for(number, settings)


def parse(
    value: str,
    *,
    field: str | None = "mobile",
    label: str = "Mobile number",
    settings: Settings | None = None,
) -> str:
    """A typed number as +E.164, read as a number of the first allowed country when it has
    no +code; InvalidInput when it is no valid phone number at all."""
    default_region = allowed_countries(settings)[0]
    example = phonenumbers.example_number_for_type(default_region, T.MOBILE)
    hint = (
        phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)
        if example
        else "+1 207 555 0100"
    )
    try:
        number = phonenumbers.parse(value, default_region)
    except phonenumbers.NumberParseException:
        raise InvalidInput(
            f"{label} is not a phone number; type it like {hint}.", field=field
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidInput(
            f"{label} {value.strip()[:40]!r} is not a valid phone number; "
            f"type it like {hint}, or with its country code.",
            field=field,
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def check(
    value: str,
    *,
    field: str | None = "mobile",
    label: str = "Mobile number",
    settings: Settings | None = None,
) -> str:
    """``value`` as +E.164 if a text may go to it, else SmsDestinationRefused (an
    InvalidInput naming the field)."""
    e164 = parse(value, field=field, label=label, settings=settings)
    problem = refusal(e164, settings)
    if problem is not None:
        raise SmsDestinationRefused(problem, field=field)
    return e164
