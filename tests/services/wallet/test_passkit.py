"""Apple's PassKit web service on both databases: what a pass carries, device registration
and its refusals (nothing stored), the serials that changed, the latest pass and its
conditions, and Wallet's bounded logs."""

from __future__ import annotations

import io
import json
import logging
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import select

from clientcenter.models import Driver, Vehicle, WalletRegistration
from clientcenter.models.base import utcnow
from clientcenter.services.errors import InvalidInput, NotFound
from clientcenter.services.portal import id_card_view
from clientcenter.services.wallet import apple_pass, passkit
from clientcenter.services.wallet.web_service import TOKEN_CHARS, pass_token, token_matches
from clientcenter.settings import SettingsError, load_settings
from tests.support.checks import refused
from tests.support.demo import LEE, PAT, RIVERA, customer, policy_of
from tests.support.settings import use_settings
from tests.support.wallet import PASS_TYPE, age_cards, configure_apple, make_chain

DEVICE = "0123456789abcdef0123456789abcdef"
OTHER_DEVICE = "fedcba9876543210fedcba9876543210"
PUSH = "ab" * 32


@pytest.fixture
def chain(tmp_path, monkeypatch):
    chain = make_chain(tmp_path)
    configure_apple(monkeypatch, chain, WALLET__APPLE_WEB_SERVICE="true")
    return chain


def _vehicles(session, account=RIVERA):
    auto = policy_of(session, account, "auto")
    return auto, session.exec(
        select(Vehicle).where(Vehicle.policy_id == auto.id).order_by(Vehicle.id)
    ).all()


def _serial(session, index=0, account=RIVERA):
    auto, vehicles = _vehicles(session, account)
    return f"{auto.number}-{vehicles[index].id}"


def _auth(serial):
    return f"ApplePass {pass_token(serial)}"


def _body(token=PUSH):
    return json.dumps({"pushToken": token}).encode()


def _register(session, serial, device=DEVICE, token=PUSH):
    created = passkit.register(session, device, PASS_TYPE, serial, _auth(serial), _body(token))
    session.commit()
    return created


def _registrations(session):
    return session.exec(select(WalletRegistration).order_by(WalletRegistration.id)).all()


def _set_vehicle(session, vehicle_id, **values):
    """Write the vehicle with these exact times: an UPDATE statement, which the ORM's
    ``stamp_updates`` does not see (it would set updated_at to now)."""
    session.exec(update(Vehicle).where(Vehicle.id == vehicle_id).values(**values))
    session.commit()
    session.expire_all()


def _pass_json(data: bytes) -> dict:
    return json.loads(zipfile.ZipFile(io.BytesIO(data)).read("pass.json"))


# -- what a pass carries ----------------------------------------------------------------


def test_pass_carries_the_web_service_and_its_own_token(demo, chain):
    [card, other, *_] = id_card_view.id_cards(demo, customer(demo, PAT))
    data = apple_pass.pass_json(card, load_settings())
    serial = f"{card.policy_number}-{card.vehicle_id}"
    assert data["serialNumber"] == serial
    assert data["webServiceURL"] == "http://localhost:3000/wallet"
    token = data["authenticationToken"]
    assert len(token) == TOKEN_CHARS >= 16 and token == pass_token(serial)
    # Each pass its own token; only "ApplePass <its token>" matches.
    assert token != apple_pass.pass_json(other, load_settings())["authenticationToken"]
    assert token_matches(serial, f"ApplePass {token}")
    assert not token_matches(serial, f"Bearer {token}")
    assert not token_matches(serial, f"ApplePass {token[:-1]}x")
    assert not token_matches(serial, f"ApplePass {token}0")
    assert not token_matches(serial, None)
    assert not token_matches(f"{serial}0", f"ApplePass {token}")


def test_no_web_service_fields_unless_configured(demo, tmp_path, monkeypatch):
    configure_apple(monkeypatch, make_chain(tmp_path))  # certificates, web service off
    [card, *_] = id_card_view.id_cards(demo, customer(demo, PAT))
    data = apple_pass.pass_json(card, load_settings())
    assert "webServiceURL" not in data and "authenticationToken" not in data
    serial = f"{card.policy_number}-{card.vehicle_id}"
    refused(
        demo,
        passkit.register,
        DEVICE,
        PASS_TYPE,
        serial,
        _auth(serial),
        _body(),
        error=NotFound,
    )
    with pytest.raises(NotFound, match="not offered"):
        passkit.record_logs(b'{"logs": ["x"]}')


def test_settings_need_the_certificates_and_https(tmp_path, monkeypatch):
    monkeypatch.setenv("CC_WALLET__APPLE_WEB_SERVICE", "true")
    with pytest.raises(SettingsError, match="apple_web_service needs"):
        load_settings()
    configure_apple(monkeypatch, make_chain(tmp_path), WALLET__APPLE_WEB_SERVICE="true")
    use_settings(
        monkeypatch,
        PUBLIC_URL="http://portal.example.com",
        DELIVERY__EMAIL_BACKEND="sendgrid",
        DELIVERY__SENDGRID_API_KEY="SG.test",
        DELIVERY__SMS_BACKEND="twilio",
        DELIVERY__TWILIO_ACCOUNT_SID="AC" + "0" * 32,
        DELIVERY__TWILIO_AUTH_TOKEN="tok",
        DELIVERY__TWILIO_FROM_NUMBER="+12075550199",
    )
    with pytest.raises(SettingsError, match="https public_url"):
        load_settings()
    use_settings(monkeypatch, PUBLIC_URL="https://portal.example.com")
    settings = load_settings()
    assert str(settings.wallet.apns_url).rstrip("/") == "https://api.push.apple.com"
    assert settings.wallet.apple_devices_per_pass == 10


# -- registration -----------------------------------------------------------------------


def test_register_new_then_existing_then_a_new_push_token(demo, chain):
    serial = _serial(demo)
    assert _register(demo, serial) is True
    [row] = _registrations(demo)
    assert (row.device_library_id, row.serial_number, row.push_token) == (DEVICE, serial, PUSH)
    _auto, vehicles = _vehicles(demo)
    assert row.vehicle_id == vehicles[0].id
    # Registered as current: nothing to push until the card changes.
    assert passkit.aware(row.pushed_through) == passkit.card_changed_at(demo, vehicles[0])
    assert _register(demo, serial) is False
    assert _register(demo, serial, token="CD" * 32) is False
    [row] = _registrations(demo)
    assert row.push_token == "cd" * 32
    # Another device for the same pass is a second row.
    assert _register(demo, serial, device=OTHER_DEVICE) is True
    assert len(_registrations(demo)) == 2


def test_unregister(demo, chain):
    serial = _serial(demo)
    _register(demo, serial)
    refused(
        demo,
        passkit.unregister,
        DEVICE,
        PASS_TYPE,
        serial,
        "ApplePass wrong",
        error=passkit.Unauthorized,
    )
    assert passkit.unregister(demo, DEVICE, PASS_TYPE, serial, _auth(serial)) is True
    demo.commit()
    assert _registrations(demo) == []
    assert passkit.unregister(demo, DEVICE, PASS_TYPE, serial, _auth(serial)) is False


@pytest.mark.parametrize(
    ("device", "pass_type", "serial", "auth", "body", "error", "match"),
    [
        (DEVICE, PASS_TYPE, "{serial}", None, "{body}", passkit.Unauthorized, "token"),
        (DEVICE, PASS_TYPE, "{serial}", "ApplePass nope", "{body}", passkit.Unauthorized, "token"),
        (DEVICE, PASS_TYPE, "{serial}", "{other_auth}", "{body}", passkit.Unauthorized, "token"),
        (DEVICE, "pass.example.other", "{serial}", "{auth}", "{body}", NotFound, "No such pass"),
        ("not-hex!", PASS_TYPE, "{serial}", "{auth}", "{body}", InvalidInput, "device"),
        ("a" * 65, PASS_TYPE, "{serial}", "{auth}", "{body}", InvalidInput, "device"),
        (DEVICE, PASS_TYPE, "no-vehicle-id-x", "{auth}", "{body}", InvalidInput, "serial"),
        (DEVICE, PASS_TYPE, "{serial}", "{auth}", b"not json", InvalidInput, "JSON"),
        (
            DEVICE,
            PASS_TYPE,
            "{serial}",
            "{auth}",
            b'{"pushToken": "zz"}',
            InvalidInput,
            "pushToken",
        ),
        (DEVICE, PASS_TYPE, "{serial}", "{auth}", b"[1]", InvalidInput, "pushToken"),
        (DEVICE, PASS_TYPE, "{serial}", "{auth}", b" " * 2000, passkit.TooLarge, "at most"),
    ],
)
def test_register_refusals_store_nothing(
    demo, chain, device, pass_type, serial, auth, body, error, match
):
    real = _serial(demo)
    other = _serial(demo, 1)
    fill = {
        "{serial}": real,
        "{auth}": _auth(real),
        "{other_auth}": _auth(other),
        "{body}": _body(),
    }
    serial = fill.get(serial, serial)
    auth = fill.get(auth, auth)
    body = fill.get(body, body)
    exc = refused(demo, passkit.register, device, pass_type, serial, auth, body, error=error)
    assert match.lower() in exc.message.lower()


def test_unknown_serial_with_its_own_token_looks_absent(demo, chain):
    auto, _ = _vehicles(demo)
    serial = f"{auto.number}-999999"
    refused(
        demo, passkit.register, DEVICE, PASS_TYPE, serial, _auth(serial), _body(), error=NotFound
    )
    with pytest.raises(NotFound):
        passkit.latest_pass(demo, PASS_TYPE, serial, _auth(serial))
    # Another account's vehicle under this policy's number: not the card that pass was.
    jordans = _serial(demo, account=LEE)
    moved = f"{auto.number}-{jordans.rsplit('-', 1)[1]}"
    refused(
        demo, passkit.register, DEVICE, PASS_TYPE, moved, _auth(moved), _body(), error=passkit.Gone
    )


def test_a_lapsed_policy_or_a_carrier_only_card_is_gone(demo, chain):
    serial = _serial(demo)
    auto, vehicles = _vehicles(demo)
    vehicles[0].garaging_state = "NY"
    demo.commit()
    exc = refused(
        demo,
        passkit.register,
        DEVICE,
        PASS_TYPE,
        serial,
        _auth(serial),
        _body(),
        error=passkit.Gone,
    )
    assert "no longer issued" in exc.message
    with pytest.raises(passkit.Gone):
        passkit.latest_pass(demo, PASS_TYPE, serial, _auth(serial))
    vehicles[0].garaging_state = "ME"
    auto.status = "cancelled"
    demo.commit()
    refused(
        demo,
        passkit.register,
        DEVICE,
        PASS_TYPE,
        serial,
        _auth(serial),
        _body(),
        error=passkit.Gone,
    )
    with pytest.raises(passkit.Gone):
        passkit.latest_pass(demo, PASS_TYPE, serial, _auth(serial))
    auto.status = "active"
    demo.commit()
    # Past its term (tomorrow after expiry) there is no card either.
    after = auto.expiration_date + timedelta(days=1)
    with pytest.raises(passkit.Gone):
        passkit.latest_pass(demo, PASS_TYPE, serial, _auth(serial), today=after)
    # The device may still unregister a pass whose card is gone.
    _register(demo, serial)
    auto.status = "cancelled"
    demo.commit()
    assert passkit.unregister(demo, DEVICE, PASS_TYPE, serial, _auth(serial)) is True


def test_devices_per_pass_are_bounded(demo, chain, monkeypatch):
    use_settings(monkeypatch, WALLET__APPLE_DEVICES_PER_PASS="2")
    serial = _serial(demo)
    _register(demo, serial, device="a" * 32)
    _register(demo, serial, device="b" * 32)
    exc = refused(
        demo,
        passkit.register,
        "c" * 32,
        PASS_TYPE,
        serial,
        _auth(serial),
        _body(),
        error=passkit.TooMany,
    )
    assert "2 devices" in exc.message
    # A device already registered may still renew its push token.
    assert _register(demo, serial, device="a" * 32, token="ef" * 32) is False
    # Another pass has its own allowance.
    assert _register(demo, _serial(demo, 1), device="c" * 32) is True


# -- what changed -----------------------------------------------------------------------


def test_updated_serials_follow_the_card_changes(demo, chain):
    first, second = _serial(demo), _serial(demo, 1)
    assert passkit.updated_serials(demo, DEVICE, PASS_TYPE, None) is None  # nothing registered
    _register(demo, first)
    _register(demo, second)
    everything = passkit.updated_serials(demo, DEVICE, PASS_TYPE, None)
    assert everything.serial_numbers == [first, second]
    tag = everything.last_updated
    assert passkit.updated_serials(demo, DEVICE, PASS_TYPE, tag) is None
    # The agency changes the second vehicle: only its serial comes back, with a later tag.
    auto, vehicles = _vehicles(demo)
    vehicles[1].model = vehicles[1].model + " Sport"
    demo.commit()
    changed = passkit.updated_serials(demo, DEVICE, PASS_TYPE, tag)
    assert changed.serial_numbers == [second] and int(changed.last_updated) > int(tag)
    # A change of the policy (its carrier) changes every card on it.
    auto.carrier = auto.carrier + " Group"
    demo.commit()
    assert passkit.updated_serials(
        demo, DEVICE, PASS_TYPE, changed.last_updated
    ).serial_numbers == [
        first,
        second,
    ]
    # A driver's change too (the named insureds print on the card).
    latest = passkit.updated_serials(demo, DEVICE, PASS_TYPE, None).last_updated
    driver = demo.exec(select(Driver).where(Driver.policy_id == auto.id)).first()
    driver.first_name = driver.first_name + "x"
    demo.commit()
    assert len(passkit.updated_serials(demo, DEVICE, PASS_TYPE, latest).serial_numbers) == 2
    # Another device sees nothing of these.
    assert passkit.updated_serials(demo, OTHER_DEVICE, PASS_TYPE, None) is None


def test_updated_serials_refusals(demo, chain):
    with pytest.raises(InvalidInput, match="passesUpdatedSince"):
        passkit.updated_serials(demo, DEVICE, PASS_TYPE, "yesterday")
    with pytest.raises(InvalidInput, match="device"):
        passkit.updated_serials(demo, "../etc", PASS_TYPE, None)
    with pytest.raises(NotFound):
        passkit.updated_serials(demo, DEVICE, "pass.example.other", None)


# -- the latest pass --------------------------------------------------------------------


def test_latest_pass_is_the_card_now_and_honours_if_modified_since(demo, chain):
    serial = _serial(demo)
    age_cards(demo)
    found = passkit.latest_pass(demo, PASS_TYPE, serial, _auth(serial))
    data = _pass_json(found.data)
    assert data["serialNumber"] == serial and data["authenticationToken"] == pass_token(serial)
    assert found.last_modified.microsecond == 0
    assert passkit.latest_pass(demo, PASS_TYPE, serial, _auth(serial), found.last_modified) is None
    older = found.last_modified - timedelta(seconds=1)
    assert passkit.latest_pass(demo, PASS_TYPE, serial, _auth(serial), older) is not None
    # The vehicle changes (a second later): the pass served shows it, with a later date.
    _auto, vehicles = _vehicles(demo)
    _set_vehicle(demo, vehicles[0].id, make="Volvo", updated_at=utcnow())
    again = passkit.latest_pass(demo, PASS_TYPE, serial, _auth(serial), found.last_modified)
    assert again.last_modified > found.last_modified
    assert "Volvo" in _pass_json(again.data)["generic"]["primaryFields"][0]["value"]
    with pytest.raises(passkit.Unauthorized):
        passkit.latest_pass(demo, PASS_TYPE, serial, _auth(_serial(demo, 1)))
    with pytest.raises(NotFound):
        passkit.latest_pass(demo, "pass.example.other", serial, _auth(serial))


def test_a_change_in_the_second_the_pass_was_served_is_not_hidden(demo, chain):
    serial = _serial(demo)
    age_cards(demo)
    _auto, vehicles = _vehicles(demo)
    changed = utcnow().replace(microsecond=100_000)
    _set_vehicle(demo, vehicles[0].id, updated_at=changed)
    served = passkit.latest_pass(demo, PASS_TYPE, serial, _auth(serial), now=changed)
    assert served.last_modified == changed.replace(microsecond=0) - timedelta(seconds=1)
    # Changed again later in that same second: the device's date does not hide it.
    _set_vehicle(
        demo, vehicles[0].id, make="Volvo", updated_at=changed.replace(microsecond=900_000)
    )
    again = passkit.latest_pass(demo, PASS_TYPE, serial, _auth(serial), served.last_modified)
    assert "Volvo" in _pass_json(again.data)["generic"]["primaryFields"][0]["value"]
    # Served seconds after the change, the pass is dated its change; then 304.
    later = changed + timedelta(seconds=5)
    settled = passkit.latest_pass(
        demo, PASS_TYPE, serial, _auth(serial), served.last_modified, now=later
    )
    assert settled.last_modified == changed.replace(microsecond=0)
    assert (
        passkit.latest_pass(demo, PASS_TYPE, serial, _auth(serial), settled.last_modified) is None
    )


def test_a_renumbered_policy_makes_the_old_pass_gone(demo, chain):
    serial = _serial(demo)
    auto, _ = _vehicles(demo)
    auto.number = auto.number + "-R"
    demo.commit()
    with pytest.raises(passkit.Gone):
        passkit.latest_pass(demo, PASS_TYPE, serial, _auth(serial))


# -- Wallet's logs ----------------------------------------------------------------------


def test_logs_are_written_bounded_and_stored_nowhere(demo, chain, caplog):
    caplog.set_level(logging.INFO, logger="clientcenter.wallet.passkit")
    passkit._log_budget.update(minute=0, lines=0)
    entries = ["Web service error for pass.x (8): \x1b[31mred\nsecond line", "y" * 2000]
    entries += [f"entry {i}" for i in range(30)]
    before = len(_registrations(demo))
    written = passkit.record_logs(json.dumps({"logs": entries}).encode(), clock=60.0 * 1000)
    assert written == passkit.MAX_LOG_ENTRIES
    lines = [r.getMessage() for r in caplog.records if r.name == "clientcenter.wallet.passkit"]
    assert all(r.levelno == logging.INFO for r in caplog.records if r.name.endswith("passkit"))
    assert len(lines) == passkit.MAX_LOG_ENTRIES
    assert "\x1b" not in lines[0] and "\n" not in lines[0] and "second line" in lines[0]
    assert len(lines[1]) <= passkit.MAX_LOG_CHARS + len("Wallet log: ")
    assert len(_registrations(demo)) == before
    # Across the process, at most LOG_LINES_PER_MINUTE a minute.
    total = written
    for _ in range(10):
        total += passkit.record_logs(json.dumps({"logs": entries}).encode(), clock=60.0 * 1000)
    assert total == passkit.LOG_LINES_PER_MINUTE
    assert passkit.record_logs(b'{"logs": ["next minute"]}', clock=60.0 * 1001) == 1


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"x" * (16 * 1024 + 1), passkit.TooLarge),
        (b"not json", InvalidInput),
        (b'{"logs": "one string"}', InvalidInput),
        (b'{"logs": [1, 2]}', InvalidInput),
        (b'{"other": []}', InvalidInput),
    ],
)
def test_log_refusals(chain, body, error):
    with pytest.raises(error):
        passkit.record_logs(body)


def test_tags_are_microseconds(demo, chain):
    moment = utcnow()
    assert int(passkit.tag_of(moment)) == int(moment.timestamp() * 1_000_000)
    assert passkit.tag_of(moment.replace(tzinfo=None)) == passkit.tag_of(moment)
