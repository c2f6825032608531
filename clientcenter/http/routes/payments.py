"""HTTP routes for payments: the provider's webhook (and, with login, receipt downloads)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from clientcenter import routes
from clientcenter.db import session_scope
from clientcenter.http.deps import request_client_ip, run_in_threadpool
from clientcenter.services.billing import WebhookRejected, handle_webhook
from clientcenter.services.billing.webhooks import MAX_WEBHOOK_BYTES


async def stripe_webhook(request: Request) -> JSONResponse:
    """Stripe's signed callbacks. 400 for anything unverified (logged, nothing changed); 200
    once applied or recognised as a replay; an unexpected error is a 500, so Stripe retries."""
    body = await request.body()
    if len(body) > MAX_WEBHOOK_BYTES:
        body = body[: MAX_WEBHOOK_BYTES + 1]  # handle_webhook refuses and logs it
    signature = request.headers.get("stripe-signature")
    client_ip = request_client_ip(request)

    def apply() -> str:
        with session_scope() as session:
            return handle_webhook(session, body, signature, client_ip=client_ip)

    try:
        await run_in_threadpool(apply)
    except WebhookRejected:
        return JSONResponse({"error": "webhook refused"}, status_code=400)
    return JSONResponse({"received": True})


ROUTES = [
    Route(routes.STRIPE_WEBHOOK, stripe_webhook, methods=["POST"]),
]
