"""Apple's PassKit web service: the rules behind the routes Wallet calls (docs/id-cards.md).

A pass made with ``wallet.apple_web_service`` on carries the portal's address and its own
token (services/wallet/web_service.py). Wallet then registers each device that holds it,
asks which of its passes changed since a tag, fetches the latest pass, and posts its logs.
Nobody is signed in: the pass's token is the only credential, and a request without the
right one stores nothing.

A pass's *change tag* is the last change of what its card prints: the policy, the vehicle
or the policy's drivers (their ``updated_at``, kept by ``stamp_updates`` on every ORM change:
an agent's edit, an import, the REST API). The push sweep (services/wallet/pass_updates.py)
compares it with what each device was last pushed.

Refusals, each its own error so the route answers the status Apple's protocol expects:
a malformed id or serial is ``InvalidInput`` (400), another pass type or an unknown serial
``NotFound`` (404), a wrong or missing token ``Unauthorized`` (401), a card that no longer
exists (policy not in force, vehicle now garaged in a carrier-only state, policy renumbered)
``Gone`` (410), a body over its bound ``TooLarge`` (413), one device too many for a pass
``TooMany`` (429).
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from clientcenter.models import Vehicle, WalletRegistration
from clientcenter.models.base import utcnow
from clientcenter.services.errors import InvalidInput, NotAllowed, NotFound, ServiceError
from clientcenter.services.portal import id_card_view
from clientcenter.services.portal.id_card_view import IdCard
from clientcenter.services.wallet import apple_pass
from clientcenter.services.wallet.change_tags import aware, card_changed_at, tag_of
from clientcenter.services.wallet.web_service import token_matches
from clientcenter.settings import get_settings

log = logging.getLogger("clientcenter.wallet.passkit")

DEVICE_ID = re.compile(r"[A-Za-z0-9]{1,64}")  # Apple's are 32 hex characters
# A serial is f"{policy number}-{vehicle id}" (apple_pass.serial_number).
SERIAL = re.compile(r"(?P<number>[^\x00-\x1f\x7f/]{1,40})-(?P<vehicle>[0-9]{1,12})")
PUSH_TOKEN = re.compile(r"[0-9A-Fa-f]{16,200}")  # APNs device tokens are hex
TAG = re.compile(r"[0-9]{1,20}")
MAX_REGISTRATION_BYTES = 1024  # {"pushToken": "<64 hex>"} is under 100
MAX_LOG_BYTES = 16 * 1024
MAX_LOG_ENTRIES = 20  # logged of one post; the rest is counted, not written
MAX_LOG_CHARS = 500  # of one entry
LOG_LINES_PER_MINUTE = 120  # across the process: a stranger cannot flood the log

NOT_OFFERED = "Updated Wallet passes are not offered by this agency."
UNKNOWN_PASS = "No such pass."
WRONG_TOKEN = "The pass's authentication token is missing or wrong."
GONE = "This ID card is no longer issued: the policy is not in force or the card comes from the carrier."


class Unauthorized(ServiceError):
    """The request does not carry the pass's token (401)."""


class Gone(ServiceError):
    """The pass existed but its card does not any more (410)."""


class TooLarge(InvalidInput):
    """A body over its bound (413)."""


class TooMany(NotAllowed):
    """A pass already has as many devices as ``wallet.apple_devices_per_pass`` (429)."""


@dataclass(frozen=True)
class LatestPass:
    data: bytes  # the signed .pkpass
    last_modified: datetime  # the change tag, to the second (HTTP dates have no fraction)


@dataclass(frozen=True)
class UpdatedSerials:
    serial_numbers: list[str]
    last_updated: str  # the tag Wallet sends back as passesUpdatedSince next time


# -- tags -------------------------------------------------------------------------------


# -- checks -----------------------------------------------------------------------------


def _require_on() -> None:
    if not get_settings().wallet.apple_web_service:
        raise NotFound(NOT_OFFERED)


def _pass_type(pass_type_id: str) -> None:
    if pass_type_id != get_settings().wallet.apple_pass_type_id:
        raise NotFound(UNKNOWN_PASS)


def _device(device_library_id: str) -> str:
    if not DEVICE_ID.fullmatch(device_library_id or ""):
        raise InvalidInput(
            "The device library identifier is malformed.", "deviceLibraryIdentifier"
        )
    return device_library_id


def _serial(serial_number: str) -> tuple[str, int]:
    match = SERIAL.fullmatch(serial_number or "")
    if match is None:
        raise InvalidInput("The serial number is malformed.", "serialNumber")
    return match["number"], int(match["vehicle"])


def _authorised(serial_number: str, authorization: str | None) -> None:
    if not token_matches(serial_number, authorization):
        raise Unauthorized(WRONG_TOKEN)


def _checked(pass_type_id: str, serial_number: str, authorization: str | None) -> tuple[str, int]:
    """The checks every call on one pass makes first, in this order: the service is on, the
    pass type is ours, the serial is well formed, the token is the pass's."""
    _require_on()
    _pass_type(pass_type_id)
    number, vehicle_id = _serial(serial_number)
    _authorised(serial_number, authorization)
    return number, vehicle_id


def _current_card(
    session: Session, number: str, vehicle_id: int, today: date | None
) -> tuple[Vehicle, IdCard]:
    """The vehicle and the card the pass shows today, or the refusal that fits."""
    vehicle = session.get(Vehicle, vehicle_id)
    if vehicle is None:
        raise NotFound(UNKNOWN_PASS)
    card = id_card_view.card_of_vehicle(session, vehicle_id, today=today)
    if card is None or card.carrier_only or card.policy_number != number:
        raise Gone(GONE)
    return vehicle, card


# -- the web service --------------------------------------------------------------------


def register(
    session: Session,
    device_library_id: str,
    pass_type_id: str,
    serial_number: str,
    authorization: str | None,
    body: bytes,
    *,
    today: date | None = None,
) -> bool:
    """Register a device for a pass's updates. True if new (201), False if it was already
    registered (200; a new push token replaces the old one)."""
    number, vehicle_id = _checked(pass_type_id, serial_number, authorization)
    _device(device_library_id)
    vehicle, _card = _current_card(session, number, vehicle_id, today)
    push_token = _push_token(body)
    existing = session.exec(
        select(WalletRegistration).where(
            WalletRegistration.device_library_id == device_library_id,
            WalletRegistration.serial_number == serial_number,
        )
    ).first()
    if existing is not None:
        if existing.push_token != push_token:
            existing.push_token = push_token
            existing.updated_at = utcnow()
            session.add(existing)
            session.flush()
        return False
    devices = session.exec(
        select(func.count())
        .select_from(WalletRegistration)
        .where(WalletRegistration.serial_number == serial_number)
    ).one()
    limit = get_settings().wallet.apple_devices_per_pass
    if devices >= limit:
        raise TooMany(f"This pass is already registered on {limit} devices.")
    row = WalletRegistration(
        device_library_id=device_library_id,
        serial_number=serial_number,
        vehicle_id=vehicle_id,
        push_token=push_token,
        pushed_through=card_changed_at(session, vehicle),
    )
    try:
        with session.begin_nested():  # the same device registering twice at once
            session.add(row)
    except IntegrityError:
        return False
    return True


def _push_token(body: bytes) -> str:
    if len(body) > MAX_REGISTRATION_BYTES:
        raise TooLarge(f"A registration is at most {MAX_REGISTRATION_BYTES} bytes.")
    try:
        data = json.loads(body)
    except ValueError:
        raise InvalidInput("The registration is not JSON.", "pushToken") from None
    token = data.get("pushToken") if isinstance(data, dict) else None
    if not isinstance(token, str) or not PUSH_TOKEN.fullmatch(token):
        raise InvalidInput("The registration needs a pushToken (hex).", "pushToken")
    return token.lower()


def unregister(
    session: Session,
    device_library_id: str,
    pass_type_id: str,
    serial_number: str,
    authorization: str | None,
) -> bool:
    """Forget a device's registration for a pass (the pass was deleted from Wallet). True if
    there was one. Works for a card that is gone too: the device is cleaning up."""
    _checked(pass_type_id, serial_number, authorization)
    _device(device_library_id)
    row = session.exec(
        select(WalletRegistration).where(
            WalletRegistration.device_library_id == device_library_id,
            WalletRegistration.serial_number == serial_number,
        )
    ).first()
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def updated_serials(
    session: Session, device_library_id: str, pass_type_id: str, since: str | None
) -> UpdatedSerials | None:
    """The serials registered on a device whose card changed after the tag ``since`` (all of
    them without one), or None when there are none (204). Apple sends no token here: the
    answer names serials only, never what a card prints."""
    _require_on()
    _pass_type(pass_type_id)
    _device(device_library_id)
    if since is not None and not TAG.fullmatch(since):
        raise InvalidInput(
            "passesUpdatedSince is not a tag this service gave.", "passesUpdatedSince"
        )
    rows = session.exec(
        select(WalletRegistration)
        .where(WalletRegistration.device_library_id == device_library_id)
        .order_by(WalletRegistration.id)
    ).all()
    changed: list[tuple[str, str]] = []
    for row in rows:
        vehicle = session.get(Vehicle, row.vehicle_id)
        if vehicle is None:
            continue  # the sweep forgets it; nothing to fetch
        tag = tag_of(card_changed_at(session, vehicle))
        if since is None or int(tag) > int(since):
            changed.append((row.serial_number, tag))
    if not changed:
        return None
    return UpdatedSerials([s for s, _ in changed], max((t for _, t in changed), key=int))


def latest_pass(
    session: Session,
    pass_type_id: str,
    serial_number: str,
    authorization: str | None,
    if_modified_since: datetime | None = None,
    *,
    today: date | None = None,
    now: datetime | None = None,
) -> LatestPass | None:
    """The pass as it is now, signed; None when it has not changed since
    ``if_modified_since`` (304). Not recorded as a download: Wallet fetches it by itself.

    HTTP dates have whole seconds. Served within the second of its last change, the pass is
    dated the second before: a change later in that same second then still gets past the
    device's If-Modified-Since (at the cost of one more download when there was none)."""
    number, vehicle_id = _checked(pass_type_id, serial_number, authorization)
    vehicle, card = _current_card(session, number, vehicle_id, today)
    changed = card_changed_at(session, vehicle).replace(microsecond=0)
    if if_modified_since is not None and changed <= aware(if_modified_since):
        return None
    current = aware(now or utcnow()).replace(microsecond=0)
    dated = changed - timedelta(seconds=1) if current <= changed else changed
    return LatestPass(apple_pass.build_pkpass(card), dated)


# -- Wallet's logs ----------------------------------------------------------------------

_log_budget = {"minute": 0, "lines": 0}
_log_lock = threading.Lock()


def _may_log(clock: float) -> bool:
    minute = int(clock // 60)
    with _log_lock:
        if _log_budget["minute"] != minute:
            _log_budget.update(minute=minute, lines=0)
        if _log_budget["lines"] >= LOG_LINES_PER_MINUTE:
            return False
        _log_budget["lines"] += 1
        return True


def _printable(text: str) -> str:
    # One line each, no terminal escapes: the log is read by people and parsers.
    return re.sub(r"[\x00-\x1f\x7f]", " ", text)[:MAX_LOG_CHARS]


def record_logs(body: bytes, *, clock: float | None = None) -> int:
    """Write what a device reports ({"logs": [...]}) to the log at info level, bounded: at
    most MAX_LOG_ENTRIES of one post, each cut to MAX_LOG_CHARS, and LOG_LINES_PER_MINUTE
    across the process. Stores nothing. Returns how many lines were written."""
    _require_on()
    if len(body) > MAX_LOG_BYTES:
        raise TooLarge(f"A log post is at most {MAX_LOG_BYTES // 1024} KiB.")
    try:
        data = json.loads(body)
    except ValueError:
        raise InvalidInput("The log post is not JSON.", "logs") from None
    entries = data.get("logs") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
        raise InvalidInput("The log post needs a list of strings under logs.", "logs")
    now = time.time() if clock is None else clock
    written = 0
    for entry in entries[:MAX_LOG_ENTRIES]:
        if not _may_log(now):
            break
        log.info("Wallet log: %s", _printable(entry))
        written += 1
    return written
