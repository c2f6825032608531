"""Pushes to Wallet when a card changes, on both databases, against a recording APNs on
loopback (a real TLS server that demands the Pass Type ID certificate as client certificate).

APNs speaks HTTP/2 only, and so does the recorder (tests/support/apns_recorder.py, the
``h2`` library's server side): ALPN "h2" over TLS, or prior knowledge on plain HTTP. A
request over HTTP/1.1 is never recorded, so every push the tests count arrived over HTTP/2,
and they check its protocol version, method, path, headers, body and client certificate. An
HTTPS server that speaks only HTTP/1.1 gets nothing: the sender does not fall back.
"""

from __future__ import annotations

import json
import ssl

import httpx
import pytest
from sqlmodel import select

from clientcenter.delivery.apns import ApnsSender, push_changed_passes
from clientcenter.delivery.relay import Relay
from clientcenter.models import Vehicle, WalletRegistration
from clientcenter.services.wallet import pass_updates, passkit
from clientcenter.services.wallet.web_service import pass_token
from clientcenter.settings import load_settings
from tests.support.apns_recorder import start_http1_apns, start_recording_apns
from tests.support.demo import RIVERA, policy_of
from tests.support.settings import use_settings
from tests.support.wallet import PASS_TYPE, configure_apple, make_chain

DEVICE_A = "a" * 32
DEVICE_B = "b" * 32
T1 = "11" * 32
T2 = "22" * 32


@pytest.fixture
def chain(tmp_path, monkeypatch):
    return make_chain(tmp_path)


@pytest.fixture
def apns(chain, monkeypatch):
    """The recording APNs over TLS, configured as wallet.apns_url."""
    recorder = start_recording_apns(chain)
    configure_apple(
        monkeypatch, chain, WALLET__APPLE_WEB_SERVICE="true", WALLET__APNS_URL=recorder.url
    )
    yield recorder
    recorder.close()


def _sender(chain):
    trust = ssl.create_default_context(cafile=str(chain.root))  # the recorder's root
    return ApnsSender(load_settings(), verify=trust)


def _sweep(session, chain):
    session.commit()
    sender = _sender(chain)
    try:
        return push_changed_passes(session.get_bind(), load_settings(), sender)
    finally:
        sender.close()
        session.expire_all()


def _vehicles(session):
    auto = policy_of(session, RIVERA, "auto")
    vehicles = session.exec(
        select(Vehicle).where(Vehicle.policy_id == auto.id).order_by(Vehicle.id)
    ).all()
    return auto, vehicles


def _register(session, vehicle, policy_number, device, token):
    serial = f"{policy_number}-{vehicle.id}"
    body = json.dumps({"pushToken": token}).encode()
    passkit.register(session, device, PASS_TYPE, serial, f"ApplePass {pass_token(serial)}", body)
    session.commit()


def _registered(session):
    auto, (first, second) = _vehicles(session)
    _register(session, first, auto.number, DEVICE_A, T1)
    _register(session, second, auto.number, DEVICE_A, T1)  # one device, one token, two passes
    _register(session, first, auto.number, DEVICE_B, T2)
    return auto, first, second


def test_the_push_request():
    settings = load_settings()
    request = pass_updates.push_request(T1, settings)
    assert request.url == f"https://api.push.apple.com/3/device/{T1}"
    assert request.body == b"{}"
    assert request.headers["apns-topic"] == (settings.wallet.apple_pass_type_id or "")
    assert request.headers["apns-push-type"] == "background"


def test_a_changed_card_pushes_each_token_once_with_the_pass_certificate(demo, chain, apns):
    auto, first, second = _registered(demo)
    assert _sweep(demo, chain).sent == 0 and apns.requests == []  # nothing changed yet
    auto.carrier = auto.carrier + " Group"  # an agency's change of the policy
    report = _sweep(demo, chain)
    assert (report.sent, report.failed, report.forgotten) == (2, 0, 0)
    assert sorted(r.path for r in apns.requests) == [f"/3/device/{T1}", f"/3/device/{T2}"]
    for request in apns.requests:
        assert request.method == "POST" and request.body == b"{}"
        assert request.headers["apns-topic"] == PASS_TYPE
        assert request.headers["content-type"] == "application/json"
        assert request.client_certificate == chain.signer_subject
        assert request.http_version == "HTTP/2"
    # Pushed: the next sweep sends nothing.
    assert _sweep(demo, chain).sent == 0 and len(apns.requests) == 2
    # One vehicle changes: only the device holding it is pushed.
    second = demo.get(Vehicle, second.id)
    second.model = second.model + " Sport"
    assert _sweep(demo, chain).sent == 1
    assert apns.requests[-1].path == f"/3/device/{T1}"


def test_dead_tokens_are_forgotten_and_failures_tried_again(demo, chain, apns):
    auto, _first, _second = _registered(demo)
    apns.answers = {T1: (410, "Unregistered"), T2: (500, "InternalServerError")}
    auto.carrier = auto.carrier + " Group"
    report = _sweep(demo, chain)
    assert (report.sent, report.forgotten, report.failed) == (0, 2, 1)
    left = demo.exec(select(WalletRegistration)).all()
    assert [r.push_token for r in left] == [T2]
    # APNs is back: the due push goes out on the next sweep, and only once.
    apns.answers = {}
    assert _sweep(demo, chain).sent == 1
    assert _sweep(demo, chain).sent == 0
    # A bad token (400 BadDeviceToken) is forgotten too.
    apns.answers = {T2: (400, "BadDeviceToken")}
    auto = demo.get(type(auto), auto.id)
    auto.carrier = auto.carrier + " Inc"
    assert _sweep(demo, chain).forgotten == 1
    assert demo.exec(select(WalletRegistration)).all() == []


def test_apns_unreachable_leaves_the_push_due(demo, chain, monkeypatch):
    configure_apple(
        monkeypatch,
        chain,
        WALLET__APPLE_WEB_SERVICE="true",
        WALLET__APNS_URL="https://127.0.0.1:9",  # discard port: nothing listens
    )
    auto, _first, _second = _registered(demo)
    auto.carrier = auto.carrier + " Group"
    report = _sweep(demo, chain)
    assert (report.sent, report.failed) == (0, 2)
    assert len(pass_updates.due_pushes(demo)) == 2


def test_a_vehicle_gone_forgets_its_registrations(demo, chain, apns):
    auto, first, _second = _registered(demo)
    demo.delete(demo.get(Vehicle, first.id))
    report = _sweep(demo, chain)
    assert report.orphans == 2 and report.sent == 0
    assert [r.vehicle_id for r in demo.exec(select(WalletRegistration)).all()] == [_second.id]


def test_plain_http_recorder_for_a_developer_machine(demo, chain, monkeypatch):
    """Without TLS (wallet.apns_url on http://localhost) the same request goes out, over
    HTTP/2 with prior knowledge (there is no ALPN to offer it)."""
    recorder = start_recording_apns()
    try:
        configure_apple(
            monkeypatch, chain, WALLET__APPLE_WEB_SERVICE="true", WALLET__APNS_URL=recorder.url
        )
        auto, _first, _second = _registered(demo)
        auto.carrier = auto.carrier + " Group"
        assert _sweep(demo, chain).sent == 2
        assert {r.headers["apns-topic"] for r in recorder.requests} == {PASS_TYPE}
        assert {(r.http_version, r.client_certificate) for r in recorder.requests} == {
            ("HTTP/2", None)
        }
    finally:
        recorder.close()


def test_an_http1_only_apns_gets_nothing_and_the_push_stays_due(demo, chain, monkeypatch):
    """APNs takes HTTP/2 only, so the sender offers nothing else: against an HTTPS server
    that speaks HTTP/1.1 alone (and would record and accept an HTTP/1.1 request) each push
    fails and stays due."""
    server = start_http1_apns(chain)
    try:
        configure_apple(
            monkeypatch, chain, WALLET__APPLE_WEB_SERVICE="true", WALLET__APNS_URL=server.url
        )
        auto, _first, _second = _registered(demo)
        auto.carrier = auto.carrier + " Group"
        report = _sweep(demo, chain)
        assert (report.sent, report.failed) == (0, 2) and server.requests == []
        assert len(pass_updates.due_pushes(demo)) == 2
    finally:
        server.close()


def test_the_recorder_takes_no_http1_request(chain):
    """What makes the tests' HTTP/2 check mean something: an HTTP/1.1 client with the pass
    certificate gets no answer from the recorder, and nothing is recorded."""
    recorder = start_recording_apns(chain)
    context = ssl.create_default_context(cafile=str(chain.root))
    context.load_cert_chain(str(chain.signer), str(chain.key))
    try:
        with httpx.Client(http1=True, http2=False, verify=context, trust_env=False) as client:
            with pytest.raises(httpx.RemoteProtocolError):
                client.post(f"{recorder.url}/3/device/{T1}", content=b"{}")
        with httpx.Client(http1=False, http2=True, verify=context, trust_env=False) as client:
            assert client.post(f"{recorder.url}/3/device/{T1}", content=b"{}").status_code == 200
        assert [(r.path, r.http_version) for r in recorder.requests] == [
            (f"/3/device/{T1}", "HTTP/2")
        ]
    finally:
        recorder.close()


def test_the_relay_pushes_on_its_interval_only_when_configured(demo, chain, apns, monkeypatch):
    auto, _first, _second = _registered(demo)
    now = [1000.0]
    trust = ssl.create_default_context(cafile=str(chain.root))
    relay = Relay(demo.get_bind(), load_settings(), clock=lambda: now[0])
    relay._apns = ApnsSender(relay.settings, verify=trust)
    auto.carrier = auto.carrier + " Group"
    demo.commit()
    assert relay.push_passes_if_due() is True and len(apns.requests) == 2
    demo.expire_all()
    auto = demo.get(type(auto), auto.id)
    auto.carrier = auto.carrier + " Inc"
    demo.commit()
    now[0] += 5  # inside wallet.apple_push_seconds (30)
    assert relay.push_passes_if_due() is False and len(apns.requests) == 2
    now[0] += 30
    assert relay.push_passes_if_due() is True and len(apns.requests) == 4
    relay._apns.close()
    use_settings(monkeypatch, WALLET__APPLE_WEB_SERVICE="false")
    assert Relay(demo.get_bind(), load_settings()).push_passes_if_due() is False


def test_apns_is_verified_against_the_systems_roots(demo, chain, apns):
    """The default sender trusts only the system's roots: the recorder's certificate, from
    the test root, is refused and nothing is pushed."""
    auto, _first, _second = _registered(demo)
    auto.carrier = auto.carrier + " Group"
    demo.commit()
    sender = ApnsSender(load_settings())
    try:
        report = push_changed_passes(demo.get_bind(), load_settings(), sender)
    finally:
        sender.close()
    assert (report.sent, report.failed) == (0, 2) and apns.requests == []
