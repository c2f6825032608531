"""Plain HTTP routes mounted beside Reflex's websocket (api_transformer)."""

from __future__ import annotations

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

from clientcenter.db import get_engine
from clientcenter.http.api import build_api
from clientcenter.http.middleware.body_limit import BodyLimit
from clientcenter.http.middleware.security_headers import SecurityHeaders
from clientcenter.http.middleware.tab_binding import TabBinding
from clientcenter.http.routes.agent import ROUTES as AGENT_ROUTES
from clientcenter.http.routes.audit import ROUTES as AUDIT_ROUTES
from clientcenter.http.routes.auth import ROUTES as AUTH_ROUTES
from clientcenter.http.routes.delivery import ROUTES as DELIVERY_ROUTES
from clientcenter.http.routes.files import ROUTES as FILE_ROUTES
from clientcenter.http.routes.imports import ROUTES as IMPORT_ROUTES
from clientcenter.http.routes.integrations import ROUTES as INTEGRATION_ROUTES
from clientcenter.http.routes.payments import ROUTES as PAYMENT_ROUTES
from clientcenter.http.routes.wallet import ROUTES as WALLET_ROUTES
from clientcenter.routes import API_PREFIX, HEALTHZ


async def health(_request: Request) -> JSONResponse:
    """Liveness and database reachability, for load balancers."""
    try:
        with get_engine().connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:  # the probe reports, it does not raise
        return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok"})


def build_http_app() -> Starlette:
    # The middleware wraps everything mounted here too: Reflex's pages, /_upload and
    # websocket. BodyLimit caps every request body before any route reads it.
    return Starlette(
        routes=[
            Route(HEALTHZ, health),
            *AUTH_ROUTES,
            *FILE_ROUTES,
            *PAYMENT_ROUTES,
            *INTEGRATION_ROUTES,
            *DELIVERY_ROUTES,
            *AGENT_ROUTES,
            *AUDIT_ROUTES,
            *IMPORT_ROUTES,
            *WALLET_ROUTES,
            Mount(API_PREFIX, app=build_api()),
        ],
        middleware=[Middleware(SecurityHeaders), Middleware(BodyLimit), Middleware(TabBinding)],
    )
