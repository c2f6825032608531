"""The installable app: the web app manifest and its icons (from the agency's branding), the
service worker and the script that registers it, and the ID cards the worker keeps.

``GET /wallet/cards.json`` answers the signed-in customer's cards in force, as the phone may
keep them (services/portal/id_card_view.offline_copy): the printed facts of each generated
card, nothing else. It records nothing (the page's view is recorded by the page) and answers
an agent's read-only view with 403: that is not the customer's phone.

Under ``routes.PASSKIT_PREFIX``: Apple's PassKit web service, which Wallet calls for passes
it holds (rules in services/wallet/passkit.py; each refusal maps to the status Apple's
protocol expects). No cookie and no origin check: Wallet is not a browser, and the pass's
token is the credential.
"""

from __future__ import annotations

import hashlib
import json
from email.utils import format_datetime, parsedate_to_datetime
from functools import lru_cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from clientcenter import routes
from clientcenter.db import session_scope
from clientcenter.http.deps import NO_STORE, forbidden, run_in_threadpool, session_token
from clientcenter.models.base import utcnow
from clientcenter.services.auth.sessions import principal_from_token
from clientcenter.services.errors import InvalidInput, NotFound, ServiceError
from clientcenter.services.portal import id_card_view
from clientcenter.services.wallet import icons, passkit
from clientcenter.services.wallet.apple_pass import CONTENT_TYPE as PKPASS
from clientcenter.settings import get_settings

STATIC = Path(__file__).resolve().parent.parent / "static"
ICONS = {"192.png": (192, False), "512.png": (512, False), "maskable-512.png": (512, True)}
JS_HEADERS = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}


def icon_path(name: str) -> str:
    return routes.APP_ICON_PREFIX + name


def shell_urls() -> list[str]:
    """What the worker caches when it installs: enough to open the app with no signal."""
    return [routes.WEB_MANIFEST, icon_path("192.png"), "/favicon.svg"]


@lru_cache(maxsize=1)
def service_worker_js() -> str:
    text = (STATIC / "sw.js").read_text()
    filled = (
        text.replace("__CARDS_URL__", routes.OFFLINE_CARDS_ROUTE)
        .replace("__SHELL_URLS__", json.dumps(shell_urls()))
        .replace("__SIGN_OUT__", json.dumps([routes.LOGOUT_ROUTE]))
        .replace("__BRAND__", icons.brand_colour())
    )
    # A new version whenever the worker's text changes: its install replaces the old shell.
    version = hashlib.sha256(filled.encode()).hexdigest()[:12]
    return filled.replace("__VERSION__", version)


@lru_cache(maxsize=1)
def register_js() -> str:
    return (STATIC / "sw-register.js").read_text().replace("__SW__", routes.SERVICE_WORKER)


def manifest() -> dict:
    branding = get_settings().branding
    return {
        "id": routes.CUSTOMER_HOME,
        "name": f"{branding.short_name} Client Center",
        "short_name": branding.short_name[:12],
        "description": branding.tagline,
        "start_url": routes.CUSTOMER_HOME,
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": icons.brand_colour(),
        "icons": [
            {
                "src": icon_path(name),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "maskable" if maskable else "any",
            }
            for name, (size, maskable) in ICONS.items()
        ],
    }


async def web_manifest(_request: Request) -> Response:
    return Response(
        json.dumps(manifest()),
        media_type="application/manifest+json",
        headers={"Cache-Control": "no-cache"},
    )


async def app_icon(request: Request) -> Response:
    spec = ICONS.get(request.path_params["name"])
    if spec is None:
        return Response("Not found", status_code=404)
    size, maskable = spec
    data = await run_in_threadpool(icons.icon_png, size, maskable=maskable)
    return Response(
        data, media_type="image/png", headers={"Cache-Control": "public, max-age=86400"}
    )


async def service_worker(_request: Request) -> Response:
    return Response(service_worker_js(), media_type="text/javascript", headers=JS_HEADERS)


async def register_script(_request: Request) -> Response:
    return Response(register_js(), media_type="text/javascript", headers=JS_HEADERS)


async def offline_cards(request: Request) -> Response:
    token = session_token(request)

    def read() -> dict | None | int:
        with session_scope() as db:
            principal = principal_from_token(db, token)
            if principal is None:
                return 401
            if not principal.is_customer or principal.account_id is None:
                return 403
            try:
                cards = id_card_view.id_cards(db, principal)
            except ServiceError:
                return 403
            return {
                "saved_at": utcnow().isoformat(),
                "cards": id_card_view.offline_copy(cards),
            }

    found = await run_in_threadpool(read)
    if found == 401:
        return JSONResponse({"error": "Please log in."}, status_code=401, headers=NO_STORE)
    if found == 403:
        return forbidden()
    return JSONResponse(found, headers=NO_STORE)


# -- Apple's PassKit web service ---------------------------------------------------------

PASSKIT_STATUS = [  # most specific first: TooLarge is an InvalidInput, TooMany a NotAllowed
    (passkit.TooLarge, 413),
    (passkit.TooMany, 429),
    (passkit.Unauthorized, 401),
    (passkit.Gone, 410),
    (NotFound, 404),
    (InvalidInput, 400),
]


def _refusal(exc: ServiceError) -> Response:
    status = next((code for kind, code in PASSKIT_STATUS if isinstance(exc, kind)), 403)
    return JSONResponse({"error": exc.message}, status_code=status, headers=NO_STORE)


async def _passkit(call) -> Response:
    """Run ``call(db)`` on a worker thread in one transaction; a refusal rolls it back."""

    def run():
        with session_scope() as db:
            return call(db)

    try:
        return await run_in_threadpool(run)
    except ServiceError as exc:
        return _refusal(exc)


def _ids(request: Request) -> tuple[str, str, str]:
    p = request.path_params
    return p.get("device_library_id", ""), p["pass_type_id"], p.get("serial_number", "")


async def passkit_registration(request: Request) -> Response:
    device, pass_type, serial = _ids(request)
    auth = request.headers.get("authorization")
    if request.method == "DELETE":

        def unregister(db):
            passkit.unregister(db, device, pass_type, serial, auth)
            return Response(status_code=200)

        return await _passkit(unregister)
    body = await request.body()

    def register(db):
        created = passkit.register(db, device, pass_type, serial, auth, body)
        return Response(status_code=201 if created else 200)

    return await _passkit(register)


async def passkit_updated(request: Request) -> Response:
    device, pass_type, _ = _ids(request)
    since = request.query_params.get("passesUpdatedSince")

    def updated(db):
        found = passkit.updated_serials(db, device, pass_type, since)
        if found is None:
            return Response(status_code=204)
        return JSONResponse(
            {"serialNumbers": found.serial_numbers, "lastUpdated": found.last_updated},
            headers=NO_STORE,
        )

    return await _passkit(updated)


def _http_date(value: str | None):
    if not value:
        return None
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None  # an unreadable date is no condition: the pass is sent


async def passkit_pass(request: Request) -> Response:
    _, pass_type, serial = _ids(request)
    auth = request.headers.get("authorization")
    since = _http_date(request.headers.get("if-modified-since"))

    def latest(db):
        found = passkit.latest_pass(db, pass_type, serial, auth, since)
        if found is None:
            return Response(status_code=304)
        modified = format_datetime(found.last_modified, usegmt=True)
        return Response(
            found.data,
            media_type=PKPASS,
            headers={"Last-Modified": modified, "Cache-Control": "no-cache"},
        )

    return await _passkit(latest)


async def passkit_log(request: Request) -> Response:
    body = await request.body()
    try:
        passkit.record_logs(body)
    except ServiceError as exc:
        return _refusal(exc)
    return Response(status_code=200)


ROUTES = [
    Route(routes.WEB_MANIFEST, web_manifest),
    Route(routes.APP_ICON_PREFIX + "{name}", app_icon),
    Route(routes.SERVICE_WORKER, service_worker),
    Route(routes.SERVICE_WORKER_REGISTER, register_script),
    Route(routes.OFFLINE_CARDS_ROUTE, offline_cards),
    Route(routes.PASSKIT_REGISTRATION, passkit_registration, methods=["POST", "DELETE"]),
    Route(routes.PASSKIT_UPDATED, passkit_updated, methods=["GET"]),
    Route(routes.PASSKIT_PASS, passkit_pass, methods=["GET"]),
    Route(routes.PASSKIT_LOG, passkit_log, methods=["POST"]),
]
