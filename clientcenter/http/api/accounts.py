"""An account's activity and documents (its list, read and upsert are in records.py)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from clientcenter import routes
from clientcenter.http.api import calls
from clientcenter.http.api.deps import CALL, api_principal
from clientcenter.http.api.errors import documented
from clientcenter.http.api.params import (
    DEFAULT,
    Cursor,
    Limit,
    RecordId,
    UpdatedSince,
)
from clientcenter.http.api.schemas import (
    ActivityOut,
    DocumentOut,
    PageOut,
)
from clientcenter.services.api import resources
from clientcenter.services.principal import Principal

router = APIRouter(tags=["accounts"], dependencies=CALL)


@router.get(
    routes.API_ACCOUNT_ACTIVITY,
    response_model=PageOut[ActivityOut],
    responses=documented(404, 422),
)
def list_account_activity(
    account_id: RecordId,
    principal: Principal = Depends(api_principal),
    limit: Limit = DEFAULT,
    cursor: Cursor = None,
    updated_since: UpdatedSince = None,
):
    """The account's activity log, oldest first. Scope: read."""
    page = calls.read(
        lambda db: resources.list_activity(
            db, principal, account_id, limit=limit, cursor=cursor, updated_since=updated_since
        )
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get(
    routes.API_ACCOUNT_DOCUMENTS,
    response_model=PageOut[DocumentOut],
    responses=documented(404, 422),
)
def list_account_documents(
    account_id: RecordId,
    principal: Principal = Depends(api_principal),
    limit: Limit = DEFAULT,
    cursor: Cursor = None,
):
    """The account's documents in id order: drafts, published, internal and the customer's
    own uploads, as the info pane lists them. Scope: documents."""
    page = calls.read(
        lambda db: resources.list_documents(db, principal, account_id, limit=limit, cursor=cursor)
    )
    return {"items": page.items, "next_cursor": page.next_cursor}
