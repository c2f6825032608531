"""/webhook-endpoints: the agency's webhook endpoints (docs/webhooks.md), listed, registered
and deleted through the same service as the admin page (services/webhooks/endpoints.py).
Scope: webhooks. The signing secret is in the registration's first answer only: a retry of
it with the same Idempotency-Key answers the endpoint with ``secret`` null, since the stored
answer must not hold the secret."""

from __future__ import annotations

import json
from dataclasses import asdict

from fastapi import APIRouter, Depends, Request

from clientcenter import routes
from clientcenter.http.api import calls
from clientcenter.http.api.deps import CALL, api_principal
from clientcenter.http.api.errors import documented
from clientcenter.http.api.params import IdempotencyKey, RecordId
from clientcenter.http.api.schemas import WebhookEndpointIn, WebhookEndpointOut
from clientcenter.services.api import idempotency
from clientcenter.services.principal import Principal
from clientcenter.services.webhooks import endpoints

router = APIRouter(tags=["webhook endpoints"], dependencies=CALL)


def _out(view: endpoints.EndpointView, secret: str | None = None) -> dict:
    data = {**asdict(view), "created_at": view.created_at.isoformat(), "secret": secret}
    return WebhookEndpointOut.model_validate(data).model_dump(mode="json")


@router.get(routes.API_WEBHOOK_ENDPOINTS, response_model=list[WebhookEndpointOut])
def list_webhook_endpoints(principal: Principal = Depends(api_principal)):
    """Every endpoint, with its deliveries waiting and failed. Scope: webhooks."""
    return calls.read(lambda db: [_out(v) for v in endpoints.list_endpoints(db, principal)])


@router.post(
    routes.API_WEBHOOK_ENDPOINTS,
    response_model=WebhookEndpointOut,
    status_code=201,
    responses=documented(409, 422),
)
def register_webhook_endpoint(
    body: WebhookEndpointIn,
    request: Request,
    idempotency_key: IdempotencyKey,
    principal: Principal = Depends(api_principal),
):
    """Register an endpoint for the events given; the answer holds its signing secret, this
    once. Scope: webhooks."""
    fields = body.model_dump(mode="json")
    digest = idempotency.body_hash(json.dumps(fields, sort_keys=True).encode())

    def work(db):
        made = endpoints.register_endpoint(db, principal, body.url, body.events, body.description)
        return 201, _out(made.endpoint, made.secret)

    return calls.remembered(
        request,
        principal,
        idempotency_key,
        digest,
        work,
        kept=lambda payload: {**payload, "secret": None},
    )


@router.post(
    routes.API_WEBHOOK_ENDPOINT_DELETE,
    response_model=WebhookEndpointOut,
    responses=documented(404, 409, 422),
)
def delete_webhook_endpoint(
    endpoint_id: RecordId,
    request: Request,
    idempotency_key: IdempotencyKey,
    principal: Principal = Depends(api_principal),
):
    """Delete the endpoint (its waiting deliveries are not sent); the answer is the endpoint
    as it was. Scope: webhooks."""
    digest = idempotency.body_hash(str(endpoint_id).encode())

    def work(db):
        deleted = endpoints.delete_endpoint(db, principal, endpoint_id)  # NotFound if unknown
        return 200, _out(deleted.endpoint)

    return calls.remembered(request, principal, idempotency_key, digest, work)
