"""/policies: list, read, and upsert keyed on policy_id (or carrier + policy_number), like the import."""

from __future__ import annotations

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
from clientcenter.http.api.schemas import PageOut, PolicyIn, PolicyOut
from clientcenter.services.api import resources
from clientcenter.services.principal import Principal

router = APIRouter(tags=["policies"], dependencies=CALL)


@router.get(routes.API_POLICIES, response_model=PageOut[PolicyOut], responses=documented(422))
def list_policies(
    principal: Principal = Depends(api_principal),
    limit: Limit = DEFAULT,
    cursor: Cursor = None,
    updated_since: UpdatedSince = None,
    customer_id: CustomerId = None,
):
    """Policies in id order, a page at a time. Scope: read."""
    page = calls.read(
        lambda db: resources.list_records(
            db,
            principal,
            "policies",
            limit=limit,
            cursor=cursor,
            updated_since=updated_since,
            customer_id=customer_id,
        )
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get(routes.API_POLICY, response_model=PolicyOut, responses=documented(404, 422))
def get_policy(policy_id: RecordId, principal: Principal = Depends(api_principal)):
    """One policy. Scope: read."""
    return calls.read(lambda db: resources.get_record(db, principal, "policies", policy_id))


@router.post(
    routes.API_POLICIES,
    response_model=PolicyOut,
    status_code=201,
    responses={200: {"model": PolicyOut, "description": "Found and updated (or unchanged)"}}
    | documented(409, 422),
)
def upsert_policy(
    body: PolicyIn,
    request: Request,
    idempotency_key: IdempotencyKey,
    principal: Principal = Depends(api_principal),
):
    """Create the policy the keys name, or update the fields sent. Scope: write."""
    return calls.upsert(request, principal, idempotency_key, "policies", body, PolicyOut)
