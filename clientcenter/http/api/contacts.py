"""/contacts: list, read, and upsert keyed on customer_id + contact_id (or email), like the import."""

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
from clientcenter.http.api.schemas import ContactIn, ContactOut, PageOut
from clientcenter.services.api import resources
from clientcenter.services.principal import Principal

router = APIRouter(tags=["contacts"], dependencies=CALL)


@router.get(routes.API_CONTACTS, response_model=PageOut[ContactOut], responses=documented(422))
def list_contacts(
    principal: Principal = Depends(api_principal),
    limit: Limit = DEFAULT,
    cursor: Cursor = None,
    updated_since: UpdatedSince = None,
    customer_id: CustomerId = None,
):
    """Contacts in id order, a page at a time. Scope: read."""
    page = calls.read(
        lambda db: resources.list_records(
            db,
            principal,
            "contacts",
            limit=limit,
            cursor=cursor,
            updated_since=updated_since,
            customer_id=customer_id,
        )
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get(routes.API_CONTACT, response_model=ContactOut, responses=documented(404, 422))
def get_contact(contact_id: RecordId, principal: Principal = Depends(api_principal)):
    """One contact. Scope: read."""
    return calls.read(lambda db: resources.get_record(db, principal, "contacts", contact_id))


@router.post(
    routes.API_CONTACTS,
    response_model=ContactOut,
    status_code=201,
    responses={200: {"model": ContactOut, "description": "Found and updated (or unchanged)"}}
    | documented(409, 422),
)
def upsert_contact(
    body: ContactIn,
    request: Request,
    idempotency_key: IdempotencyKey,
    principal: Principal = Depends(api_principal),
):
    """Create the contact the keys name, or update the fields sent. Scope: write."""
    return calls.upsert(request, principal, idempotency_key, "contacts", body, ContactOut)
