"""/accounts: list, read, upsert (keyed on customer_id), and an account's activity and
documents."""

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
from clientcenter.http.api.schemas import (
    AccountIn,
    AccountOut,
    ActivityOut,
    DocumentOut,
    PageOut,
)
from clientcenter.services.api import resources
from clientcenter.services.principal import Principal

router = APIRouter(tags=["accounts"], dependencies=CALL)


@router.get(routes.API_ACCOUNTS, response_model=PageOut[AccountOut], responses=documented(422))
def list_accounts(
    principal: Principal = Depends(api_principal),
    limit: Limit = DEFAULT,
    cursor: Cursor = None,
    updated_since: UpdatedSince = None,
    customer_id: CustomerId = None,
):
    """Accounts in id order, a page at a time. Scope: read."""
    page = calls.read(
        lambda db: resources.list_records(
            db,
            principal,
            "accounts",
            limit=limit,
            cursor=cursor,
            updated_since=updated_since,
            customer_id=customer_id,
        )
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get(routes.API_ACCOUNT, response_model=AccountOut, responses=documented(404, 422))
def get_account(account_id: RecordId, principal: Principal = Depends(api_principal)):
    """One account. Scope: read."""
    return calls.read(lambda db: resources.get_record(db, principal, "accounts", account_id))


@router.post(
    routes.API_ACCOUNTS,
    response_model=AccountOut,
    status_code=201,
    responses={200: {"model": AccountOut, "description": "Found and updated (or unchanged)"}}
    | documented(409, 422),
)
def upsert_account(
    body: AccountIn,
    request: Request,
    idempotency_key: IdempotencyKey,
    principal: Principal = Depends(api_principal),
):
    """Create the account of this customer_id, or update the fields sent. Scope: write."""
    return calls.upsert(request, principal, idempotency_key, "accounts", body, AccountOut)


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
