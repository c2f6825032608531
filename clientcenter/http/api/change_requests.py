"""/change-requests: customers' personal, commercial and general requests, read only for now
(setting a status with a note comes with the change-request statuses' service)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from clientcenter import routes
from clientcenter.http.api import calls
from clientcenter.http.api.deps import CALL, api_principal
from clientcenter.http.api.errors import documented
from clientcenter.http.api.params import DEFAULT, Cursor, CustomerId, Limit, RecordId, UpdatedSince
from clientcenter.http.api.schemas import ChangeRequestOut, PageOut
from clientcenter.services.api import resources
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
    """Change requests in id order (updated_since: made since). Scope: read."""
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
