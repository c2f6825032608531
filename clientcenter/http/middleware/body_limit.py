"""Every HTTP request body is capped before it is read.

A pure ASGI middleware wrapped around everything the backend serves (our Starlette routes,
Reflex's ``/_upload``, its pages and ``/ping``); websockets pass untouched. The limits live in
one table, :data:`LIMITS`; a path that is not listed gets :data:`DEFAULT_LIMIT`.

* A declared ``Content-Length`` over the limit is answered 413 at once: the app is not called
  and not one byte of the body is read.
* A body without a length (chunked) is counted as it streams. The moment it passes the limit
  the app's next ``receive()`` sees a disconnect, reading stops, and the client gets 413
  (unless the app had already started its answer). The app never receives more than the
  limit, so no route can buffer more than that, whatever it does with the body.

Without this, a route that calls ``await request.body()`` (every webhook does) holds the whole
body in memory: a 300 MiB POST to /webhooks/stripe took a worker from 208 to 783 MiB.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from starlette.responses import JSONResponse

from clientcenter import routes
from clientcenter.http.routes.delivery import MAX_WEBHOOK_BYTES as DELIVERY_WEBHOOK_BYTES
from clientcenter.services.billing.webhooks import MAX_WEBHOOK_BYTES as STRIPE_WEBHOOK_BYTES
from clientcenter.services.imports.run_files import MAX_UPLOAD_BYTES as IMPORT_UPLOAD_BYTES
from clientcenter.settings import get_settings

log = logging.getLogger("clientcenter.http")

KIB = 1024
MIB = 1024 * KIB
MULTIPART_OVERHEAD = 64 * KIB  # boundaries, part headers, the bound-args field

# Logins, account switches, agent routes, pages, anything else: small form posts at most.
DEFAULT_LIMIT = 64 * KIB


def _upload_limit() -> int:
    return get_settings().security.upload_max_bytes + MULTIPART_OVERHEAD


# path -> (limit in bytes, or a function of the settings; whether a Content-Length is
# required). A route that needs more than DEFAULT_LIMIT gets its line here, nowhere else.
LIMITS: dict[str, tuple[int | Callable[[], int], bool]] = {
    # Stripe events are a few KiB; the webhook service refuses anything over 512 KiB anyway.
    routes.STRIPE_WEBHOOK: (STRIPE_WEBHOOK_BYTES, False),
    # SendGrid posts events in batches; Twilio's status callbacks are small forms.
    routes.SENDGRID_WEBHOOK: (DELIVERY_WEBHOOK_BYTES, False),
    routes.TWILIO_WEBHOOK: (DELIVERY_WEBHOOK_BYTES, False),
    # One customer file (security.upload_max_bytes) plus its multipart framing. Browsers
    # always send a length for a file upload; without one the request is refused (411).
    routes.REFLEX_UPLOAD: (_upload_limit, True),
    # The import page's upload: an agency's export (services/imports/run_files.py).
    routes.IMPORT_UPLOAD_ROUTE: (IMPORT_UPLOAD_BYTES + MULTIPART_OVERHEAD, True),
    # A document's bytes posted to the REST API (the file is the whole body); a length first.
    routes.API_PREFIX + routes.API_DOCUMENTS: (
        lambda: get_settings().security.upload_max_bytes,
        True,
    ),
}


def limit_for(path: str) -> tuple[int, bool]:
    limit, needs_length = LIMITS.get(path, (DEFAULT_LIMIT, False))
    return (limit() if callable(limit) else limit), needs_length


def _size(n: int) -> str:
    return f"{n // MIB} MiB" if n >= MIB and n % MIB == 0 else f"{n // KIB} KiB"


def _too_large(limit: int) -> JSONResponse:
    return JSONResponse(
        {"detail": f"Request body too large: this address accepts at most {_size(limit)}."},
        status_code=413,
    )


class BodyLimit:
    """See the module docstring. Mount it outermost among the app's own middleware."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit, needs_length = limit_for(scope.get("path", ""))
        lengths = [v for k, v in scope.get("headers") or [] if k.lower() == b"content-length"]
        declared: int | None = None
        if lengths:
            if len(set(lengths)) != 1 or not lengths[0].strip().isdigit():
                response = JSONResponse({"detail": "Invalid Content-Length."}, status_code=400)
                return await response(scope, receive, send)
            declared = int(lengths[0])
            if declared > limit:
                return await _too_large(limit)(scope, receive, send)
        elif needs_length:
            response = JSONResponse({"detail": "Uploads need a Content-Length."}, status_code=411)
            return await response(scope, receive, send)

        seen = 0
        cut_off = False  # the body passed the limit: the app was told the client left
        started = False  # the app began its answer; after that no 413 can be sent

        async def limited_receive():
            nonlocal seen, cut_off
            if cut_off:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit or (declared is not None and seen > declared):
                    cut_off = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message):
            nonlocal started
            if cut_off and not started:
                return  # the 413 below answers instead of whatever the app makes of it
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not cut_off:
                raise
            # The app saw a disconnect mid-body (Starlette raises ClientDisconnect): expected.
            log.debug("request body cut off at %d bytes on %s", limit, scope.get("path"))
        if cut_off and not started:
            log.warning("refused a request body over %d bytes on %s", limit, scope.get("path"))
            await _too_large(limit)(scope, receive, send)
