"""Apple's PassKit web service over HTTP: the statuses Wallet expects for each call and each
refusal, Last-Modified and If-Modified-Since, no cookie needed, and bodies bounded."""

from __future__ import annotations

import io
import json
import zipfile
from email.utils import format_datetime, parsedate_to_datetime

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from clientcenter import routes
from clientcenter.http import build_http_app
from clientcenter.models import Vehicle, WalletRegistration
from clientcenter.services.wallet.web_service import pass_token
from tests.support.demo import RIVERA, policy_of
from tests.support.wallet import PASS_TYPE, age_cards, configure_apple, make_chain

DEVICE = "0123456789abcdef0123456789abcdef"
PUSH = {"pushToken": "ab" * 32}


@pytest.fixture
def client(demo, tmp_path, monkeypatch):
    configure_apple(monkeypatch, make_chain(tmp_path), WALLET__APPLE_WEB_SERVICE="true")
    with TestClient(build_http_app(), base_url="http://localhost:3000") as c:
        yield c


def _serial(demo, index=0):
    auto = policy_of(demo, RIVERA, "auto")
    vehicles = demo.exec(select(Vehicle).where(Vehicle.policy_id == auto.id).order_by(Vehicle.id))
    return f"{auto.number}-{vehicles.all()[index].id}"


def _auth(serial):
    return {"Authorization": f"ApplePass {pass_token(serial)}"}


def _registration(serial, device=DEVICE, pass_type=PASS_TYPE):
    return routes.PASSKIT_REGISTRATION.format(
        device_library_id=device, pass_type_id=pass_type, serial_number=serial
    )


def _updated(device=DEVICE, pass_type=PASS_TYPE):
    return routes.PASSKIT_UPDATED.format(device_library_id=device, pass_type_id=pass_type)


def _pass(serial, pass_type=PASS_TYPE):
    return routes.PASSKIT_PASS.format(pass_type_id=pass_type, serial_number=serial)


def _count(demo):
    demo.expire_all()
    return len(demo.exec(select(WalletRegistration)).all())


def test_the_protocol_from_registration_to_unregistration(demo, client):
    serial = _serial(demo)
    age_cards(demo)
    assert client.post(_registration(serial), json=PUSH, headers=_auth(serial)).status_code == 201
    assert client.post(_registration(serial), json=PUSH, headers=_auth(serial)).status_code == 200
    assert _count(demo) == 1
    listed = client.get(_updated())
    assert listed.status_code == 200
    data = listed.json()
    assert data["serialNumbers"] == [serial] and data["lastUpdated"].isdigit()
    unchanged = client.get(_updated(), params={"passesUpdatedSince": data["lastUpdated"]})
    assert unchanged.status_code == 204
    got = client.get(_pass(serial), headers=_auth(serial))
    assert got.status_code == 200
    assert got.headers["content-type"] == "application/vnd.apple.pkpass"
    modified = got.headers["last-modified"]
    assert parsedate_to_datetime(modified).tzinfo is not None
    card = json.loads(zipfile.ZipFile(io.BytesIO(got.content)).read("pass.json"))
    assert card["serialNumber"] == serial
    assert card["webServiceURL"] == routes.absolute_url(routes.PASSKIT_PREFIX)
    again = client.get(_pass(serial), headers={**_auth(serial), "If-Modified-Since": modified})
    assert again.status_code == 304 and again.content == b""
    # A date Wallet could not have had is no condition: the pass is sent.
    odd = client.get(_pass(serial), headers={**_auth(serial), "If-Modified-Since": "soon"})
    assert odd.status_code == 200
    assert client.delete(_registration(serial), headers=_auth(serial)).status_code == 200
    assert _count(demo) == 0
    assert client.get(_updated()).status_code == 204


def test_refusals_answer_what_apple_expects_and_store_nothing(demo, client):
    serial = _serial(demo)
    other = _serial(demo, 1)
    cases = [
        (client.post(_registration(serial), json=PUSH), 401),
        (client.post(_registration(serial), json=PUSH, headers=_auth(other)), 401),
        (
            client.post(
                _registration(serial, pass_type="pass.other"), json=PUSH, headers=_auth(serial)
            ),
            404,
        ),
        (client.post(_registration(serial, device="x-y"), json=PUSH, headers=_auth(serial)), 400),
        (client.post(_registration("nonsense"), json=PUSH, headers=_auth("nonsense")), 400),
        (client.post(_registration(serial), content=b"{", headers=_auth(serial)), 400),
        (client.post(_registration(serial), content=b" " * 5000, headers=_auth(serial)), 413),
        (client.get(_pass(serial)), 401),
        (client.get(_pass(serial, pass_type="pass.other"), headers=_auth(serial)), 404),
        (client.get(_updated(), params={"passesUpdatedSince": "x"}), 400),
        (client.delete(_registration(serial)), 401),
        (client.put(_registration(serial), json=PUSH, headers=_auth(serial)), 405),
    ]
    for response, status in cases:
        assert response.status_code == status, (response.request.url, response.text)
        if status != 405:
            assert response.json()["error"]
    assert _count(demo) == 0


def test_a_body_over_the_apps_own_limit_is_refused_before_reading(demo, client):
    serial = _serial(demo)
    huge = b" " * (65 * 1024)
    response = client.post(_registration(serial), content=huge, headers=_auth(serial))
    assert response.status_code == 413
    assert _count(demo) == 0


def test_a_lapsed_policy_answers_gone(demo, client):
    serial = _serial(demo)
    policy = policy_of(demo, RIVERA, "auto")
    policy.status = "expired"
    demo.commit()
    assert client.get(_pass(serial), headers=_auth(serial)).status_code == 410
    assert client.post(_registration(serial), json=PUSH, headers=_auth(serial)).status_code == 410
    assert _count(demo) == 0


def test_too_many_devices(demo, client, monkeypatch):
    from tests.support.settings import use_settings

    use_settings(monkeypatch, WALLET__APPLE_DEVICES_PER_PASS="1")
    serial = _serial(demo)
    assert client.post(_registration(serial), json=PUSH, headers=_auth(serial)).status_code == 201
    second = client.post(_registration(serial, device="f" * 32), json=PUSH, headers=_auth(serial))
    assert second.status_code == 429 and _count(demo) == 1


def test_the_log_route(demo, client):
    assert client.post(routes.PASSKIT_LOG, json={"logs": ["Wallet said hello"]}).status_code == 200
    assert client.post(routes.PASSKIT_LOG, content=b"nope").status_code == 400
    assert client.post(routes.PASSKIT_LOG, content=b"x" * (17 * 1024)).status_code == 413


def test_everything_is_absent_without_the_web_service(demo, tmp_path, monkeypatch):
    configure_apple(monkeypatch, make_chain(tmp_path))
    serial = _serial(demo)
    with TestClient(build_http_app(), base_url="http://localhost:3000") as c:
        assert c.post(_registration(serial), json=PUSH, headers=_auth(serial)).status_code == 404
        assert c.get(_pass(serial), headers=_auth(serial)).status_code == 404
        assert c.get(_updated()).status_code == 404
        assert c.post(routes.PASSKIT_LOG, json={"logs": []}).status_code == 404
    assert _count(demo) == 0


def test_last_modified_is_an_http_date(demo, client):
    serial = _serial(demo)
    got = client.get(_pass(serial), headers=_auth(serial))
    moment = parsedate_to_datetime(got.headers["last-modified"])
    assert format_datetime(moment, usegmt=True) == got.headers["last-modified"]
