"""The REST API under /api/v1 (docs/api.md): a FastAPI app mounted inside the HTTP app that
Reflex serves (api_transformer), so one process and one port serve pages and API alike, behind
the same middleware (security headers, the body limit's 413 before reading).

Routers are one per resource (records.py makes the imported records' alike: accounts,
contacts, policies, vehicles, coverages, drivers, invoices, certificate holders; the others
have a module each); each route is thin: the key and
its rate limit (deps.api_principal), one service call (services/api/resources.py), the
answer. The schema is at /api/v1/openapi.json and a readable page of it at /api/v1/docs.
"""

from __future__ import annotations

from fastapi import FastAPI, HTTPException
from fastapi.exceptions import RequestValidationError

from clientcenter import routes
from clientcenter.http.api import accounts, change_requests, documents, records, webhooks
from clientcenter.http.api.docs_page import docs_response
from clientcenter.http.api.errors import (
    ApiRefused,
    documented,
    http_refused,
    invalid_request,
    refused,
    service_refused,
)
from clientcenter.services.errors import ServiceError

DESCRIPTION = (
    "Accounts, contacts, policies, vehicles, coverages, drivers, invoices and certificate "
    "holders of the agency's book, read and upserted on the agency management system's own "
    "keys (customer_id, contact_id, policy_id…), like the CSV import. "
    "Every POST takes an Idempotency-Key; lists are cursor pages with updated_since."
)


class NoStore:
    """Answers of the API hold customer data: no cache keeps them (a route's own header wins)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_no_store(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(k.lower() == b"cache-control" for k, _ in headers):
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_no_store)


def build_api() -> FastAPI:
    api = FastAPI(
        title="Client Center API",
        version="1",
        description=DESCRIPTION,
        openapi_url=routes.API_OPENAPI,
        docs_url=None,
        redoc_url=None,
        # Every operation can answer these: a body that does not parse (or a bad length), no
        # or a bad key, a missing scope, a body over the limit, too many calls.
        responses=documented(400, 401, 403, 413, 429),
    )
    for module in (accounts, documents, change_requests, webhooks):
        api.include_router(module.router)
    for router in records.ROUTERS:
        api.include_router(router)
    api.add_middleware(NoStore)
    api.add_exception_handler(ApiRefused, refused)
    api.add_exception_handler(ServiceError, service_refused)
    api.add_exception_handler(RequestValidationError, invalid_request)
    api.add_exception_handler(HTTPException, http_refused)

    @api.get(routes.API_DOCS, include_in_schema=False)
    def docs():
        return docs_response(api.openapi())

    return api
