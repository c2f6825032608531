"""/change-requests: customers' personal, commercial and general requests, read, and their
status set with a note (the task queue's own service: services/agency/change_requests.py)."""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, Request

from clientcenter import routes
from clientcenter.http.api import calls
from clientcenter.http.api.deps import CALL, api_principal
from clientcenter.http.api.errors import documented
from clientcenter.http.api.params import (
    DEFAULT,
    Cursor,
    CustomerId,
    IdempotencyKey,
    Limit,
    RecordId,
    UpdatedSince,
)
from clientcenter.http.api.schemas import ChangeRequestOut, PageOut, StatusIn
from clientcenter.services.api import idempotency, resources
from clientcenter.services.principal import Principal

router = APIRouter(tags=["change requests"], dependencies=CALL)


@router.get(
    routes.API_CHANGE_REQUESTS, response_model=PageOut[ChangeRequestOut], responses=documented(422)
)
def list_change_requests(
    principal: Principal = Depends(api_principal),
    limit: Limit = DEFAULT,
    cursor: Cursor = None,
    updated_since: UpdatedSince = None,
    customer_id: CustomerId = None,
):
    """Change requests in id order (updated_since: made, or their status set, since).
    Scope: read."""
    page = calls.read(
        lambda db: resources.list_records(
            db,
            principal,
            "change_requests",
            limit=limit,
            cursor=cursor,
            updated_since=updated_since,
            customer_id=customer_id,
        )
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get(
    routes.API_CHANGE_REQUEST, response_model=ChangeRequestOut, responses=documented(404, 422)
)
def get_change_request(change_request_id: RecordId, principal: Principal = Depends(api_principal)):
    """One change request. Scope: read."""
    return calls.read(
        lambda db: resources.get_record(db, principal, "change_requests", change_request_id)
    )


@router.post(
    routes.API_CHANGE_REQUEST_STATUS,
    response_model=ChangeRequestOut,
    responses=documented(404, 409, 422),
)
def set_change_request_status(
    change_request_id: RecordId,
    body: StatusIn,
    request: Request,
    idempotency_key: IdempotencyKey,
    principal: Principal = Depends(api_principal),
):
    """Move the request to in_review, done or declined with a note the customer reads, as the
    task queue does (the same moves allowed, the same message). Scope: write."""
    fields = body.model_dump(mode="json")
    digest = idempotency.body_hash(
        json.dumps({"id": change_request_id, **fields}, sort_keys=True).encode()
    )

    def work(db):
        item = resources.set_status(db, principal, change_request_id, body.status, body.note)
        return 200, ChangeRequestOut.model_validate(item).model_dump(mode="json")

    return calls.remembered(request, principal, idempotency_key, digest, work)
