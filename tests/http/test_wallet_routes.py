"""The installable app's routes: manifest and icons from the branding, the service worker at
the root scope, the cards it keeps (the signed-in customer's only), and logout clearing them."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image
from starlette.testclient import TestClient

from clientcenter import routes
from clientcenter.http import build_http_app
from clientcenter.http.cookies import session_cookie_name
from clientcenter.http.middleware.security_headers import content_security_policy
from clientcenter.http.routes import wallet
from clientcenter.services.portal import id_card_view
from tests.support.demo import MORGAN, RIVERA
from tests.support.logins import agent_session, customer_session


@pytest.fixture
def client(demo):
    with TestClient(build_http_app(), base_url="http://localhost:3000") as c:
        yield c


def _get(client, path, token=None):
    client.cookies.clear()
    return client.get(path, cookies={session_cookie_name(): token} if token else None)


def test_manifest_names_the_agency_and_its_icons_exist(client):
    response = client.get(routes.WEB_MANIFEST)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/manifest+json")
    data = response.json()
    assert data["name"] == "Harbor & Main Client Center"
    assert (data["start_url"], data["scope"], data["display"]) == ("/home", "/", "standalone")
    assert data["theme_color"].startswith("#")
    for icon in data["icons"]:
        got = client.get(icon["src"])
        assert got.status_code == 200 and got.headers["content-type"] == "image/png"
        image = Image.open(io.BytesIO(got.content))
        assert f"{image.width}x{image.height}" == icon["sizes"]
    assert {i["purpose"] for i in data["icons"]} == {"any", "maskable"}
    assert client.get(routes.APP_ICON_PREFIX + "9999.png").status_code == 404


def test_service_worker_at_the_root_small_and_filled_in(client):
    response = client.get(routes.SERVICE_WORKER)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["cache-control"] == "no-cache"  # updates reach phones at once
    js = response.text
    assert "__" not in js.replace("__proto__", "")  # every placeholder filled
    assert json.dumps(routes.OFFLINE_CARDS_ROUTE) in js and routes.LOGOUT_ROUTE in js
    assert len(response.content) < 20 * 1024
    register = client.get(routes.SERVICE_WORKER_REGISTER).text
    assert f'register("{routes.SERVICE_WORKER}", {{ scope: "/" }})' in register


def test_csp_allows_the_worker_and_the_manifest():
    policy = content_security_policy("/home")
    assert "worker-src 'self'" in policy and "manifest-src 'self'" in policy


def test_offline_cards_are_the_customers_printed_facts(demo, client):
    login = customer_session(demo)
    response = _get(client, routes.OFFLINE_CARDS_ROUTE, login.token)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    data = response.json()
    expected = id_card_view.offline_copy(id_card_view.id_cards(demo, login.principal))
    assert data["cards"] == expected and len(expected) == 2
    assert data["saved_at"]


def test_offline_cards_refused_without_a_customer_session(demo, client):
    assert _get(client, routes.OFFLINE_CARDS_ROUTE).status_code == 401
    assert _get(client, routes.OFFLINE_CARDS_ROUTE, "not-a-token").status_code == 401
    agent = agent_session(demo, RIVERA)  # a read-only view is not the customer's phone
    assert _get(client, routes.OFFLINE_CARDS_ROUTE, agent.token).status_code == 403
    morgan = customer_session(demo, MORGAN)  # another customer: their own (no) cards
    assert _get(client, routes.OFFLINE_CARDS_ROUTE, morgan.token).json()["cards"] == []


def test_logout_clears_what_the_phone_kept(demo, client):
    login = customer_session(demo)
    client.cookies.clear()
    response = client.post(
        routes.LOGOUT_ROUTE,
        cookies={session_cookie_name(): login.token},
        headers={"Origin": "http://localhost:3000"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["clear-site-data"] == '"cache", "storage"'
    assert _get(client, routes.OFFLINE_CARDS_ROUTE, login.token).status_code == 401


def test_shell_urls_are_served(client):
    for path in wallet.shell_urls():
        if path.startswith(("/favicon",)):
            continue  # a static asset of the front end, not an HTTP route
        assert client.get(path).status_code == 200, path
