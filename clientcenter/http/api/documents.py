"""/documents: upload a file's bytes to an account (internal until published), publish it to
the customer's Client Center (the agency's Policies/Invoices action), unpublish it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool

from clientcenter import routes
from clientcenter.http.api import calls
from clientcenter.http.api.deps import CALL, api_principal
from clientcenter.http.api.errors import documented
from clientcenter.http.api.params import MAX_ID, NO_CONTROL, IdempotencyKey, RecordId
from clientcenter.http.api.schemas import DocumentOut
from clientcenter.services.agency.documents import AGENCY_KINDS
from clientcenter.services.api import idempotency, resources
from clientcenter.services.principal import Principal

router = APIRouter(tags=["documents"], dependencies=CALL)

FILE_BODY = {
    "requestBody": {
        "required": True,
        "description": "the file itself: PDF, JPEG, PNG, HEIC or Word (.docx), read by content",
        "content": {
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
        },
    }
}


@router.post(
    routes.API_DOCUMENTS,
    response_model=DocumentOut,
    status_code=201,
    responses=documented(404, 409, 411, 422),
    openapi_extra=FILE_BODY,
)
async def add_document(
    request: Request,
    idempotency_key: IdempotencyKey,
    account_id: Annotated[int, Query(ge=1, le=MAX_ID, description="our id of the account")],
    title: Annotated[str, Query(min_length=1, max_length=120, pattern=NO_CONTROL)],
    category: Annotated[str, Query(description="one of " + ", ".join(AGENCY_KINDS))],
    policy_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    principal: Principal = Depends(api_principal),
):
    """Store the file on the account, not yet shown to the customer. Scope: documents."""
    data = await request.body()  # capped by the body limit before it is read
    digest = idempotency.body_hash(f"{account_id}|{title}|{category}|{policy_id}|".encode() + data)

    def work(db):
        item = resources.add_document(
            db, principal, account_id, data, title=title, category=category, policy_id=policy_id
        )
        return 201, DocumentOut.model_validate(item).model_dump(mode="json")

    return await run_in_threadpool(
        calls.remembered, request, principal, idempotency_key, digest, work
    )


def _toggle(request, principal, idempotency_key, document_id, change):
    digest = idempotency.body_hash(str(document_id).encode())

    def work(db):
        item = change(db, principal, document_id)
        return 200, DocumentOut.model_validate(item).model_dump(mode="json")

    return calls.remembered(request, principal, idempotency_key, digest, work)


@router.post(
    routes.API_DOCUMENT_PUBLISH, response_model=DocumentOut, responses=documented(404, 409, 422)
)
def publish_document(
    document_id: RecordId,
    request: Request,
    idempotency_key: IdempotencyKey,
    principal: Principal = Depends(api_principal),
):
    """Show it in the customer's Client Center (the customer is told as the agency's
    notification matrix says). Scope: documents."""
    return _toggle(request, principal, idempotency_key, document_id, resources.publish_document)


@router.post(
    routes.API_DOCUMENT_UNPUBLISH, response_model=DocumentOut, responses=documented(404, 409, 422)
)
def unpublish_document(
    document_id: RecordId,
    request: Request,
    idempotency_key: IdempotencyKey,
    principal: Principal = Depends(api_principal),
):
    """Take it out of the customer's Client Center (the file stays). Scope: documents."""
    return _toggle(request, principal, idempotency_key, document_id, resources.unpublish_document)
