"""The imported records — /accounts, /contacts, /policies, /vehicles, /coverages, /drivers,
/invoices and /certificate-holders: list, read, and upsert on the import's own keys
(docs/import.md), one router per resource made alike. Their lists take ``updated_since``,
``customer_id`` and, on a policy's records, ``policy_record_id``.

No ``from __future__ import annotations`` here: the routes are made in a function, and FastAPI
reads their parameters' types from the signature given to each."""

import inspect
from dataclasses import dataclass

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from clientcenter import routes
from clientcenter.http.api import calls
from clientcenter.http.api.deps import CALL, api_principal
from clientcenter.http.api.errors import documented
from clientcenter.http.api.params import (
    DEFAULT,
    MAX_ID,
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
    CertificateHolderIn,
    CertificateHolderOut,
    ContactIn,
    ContactOut,
    CoverageIn,
    CoverageOut,
    DriverIn,
    DriverOut,
    InvoiceIn,
    InvoiceOut,
    PageOut,
    PolicyIn,
    PolicyOut,
    VehicleIn,
    VehicleOut,
)
from clientcenter.services.api import resources
from clientcenter.services.principal import Principal

PolicyRecordId = Query(None, ge=1, le=MAX_ID, description="only this policy's records (our id)")


@dataclass(frozen=True)
class Record:
    resource: str  # resources.RESOURCES' name
    body: type[BaseModel]
    out: type[BaseModel]
    keys: str  # what the upsert is keyed on, for its summary
    on_policy: bool = True  # a policy's record: its list takes policy_record_id


RECORDS = (
    Record("accounts", AccountIn, AccountOut, "customer_id", on_policy=False),
    Record(
        "contacts",
        ContactIn,
        ContactOut,
        "customer_id + contact_id, or customer_id + email",
        on_policy=False,
    ),
    Record(
        "policies",
        PolicyIn,
        PolicyOut,
        "policy_id, or carrier + policy_number",
        on_policy=False,
    ),
    Record("vehicles", VehicleIn, VehicleOut, "the policy + vehicle_id, or the policy + VIN"),
    Record(
        "coverages",
        CoverageIn,
        CoverageOut,
        "the policy + the coverage's name (+ the VIN of its vehicle)",
    ),
    Record(
        "drivers",
        DriverIn,
        DriverOut,
        "the policy + driver_id, or the policy + names and birth date",
    ),
    Record("invoices", InvoiceIn, InvoiceOut, "invoice_id, or the invoice number"),
    Record(
        "certificate_holders",
        CertificateHolderIn,
        CertificateHolderOut,
        "customer_id + holder_id, or customer_id + name",
        on_policy=False,
    ),
)


def _signed(fn, name: str, params: list[inspect.Parameter]):
    fn.__name__ = name
    fn.__signature__ = inspect.Signature(params)
    return fn


def _kw(name: str, annotation, default=inspect.Parameter.empty) -> inspect.Parameter:
    return inspect.Parameter(
        name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default
    )


def router_for(child: Record) -> APIRouter:
    resource, label = child.resource, resources.RESOURCES[child.resource].label
    plural = resource.replace("_", " ")
    a_label = ("an " if label[0] in "aeiou" else "a ") + label
    collection = "/" + resource.replace("_", "-")
    id_name = routes.API_RECORD_IDS[resource]
    router = APIRouter(tags=[plural], dependencies=CALL)
    principal_param = _kw("principal", Principal, Depends(api_principal))

    def list_(
        principal,
        limit=DEFAULT,
        cursor=None,
        updated_since=None,
        customer_id=None,
        policy_record_id=None,
    ):
        page = calls.read(
            lambda db: resources.list_records(
                db,
                principal,
                resource,
                limit=limit,
                cursor=cursor,
                updated_since=updated_since,
                customer_id=customer_id,
                policy_record_id=policy_record_id,
            )
        )
        return {"items": page.items, "next_cursor": page.next_cursor}

    list_params = [
        principal_param,
        _kw("limit", Limit, DEFAULT),
        _kw("cursor", Cursor, None),
        _kw("updated_since", UpdatedSince, None),
        _kw("customer_id", CustomerId, None),
    ]
    if child.on_policy:
        list_params.append(_kw("policy_record_id", int | None, PolicyRecordId))
    router.get(
        collection,
        response_model=PageOut[child.out],
        responses=documented(422),
        summary=f"List {plural}",
        description=f"{plural.capitalize()} in id order, a page at a time. Scope: read.",
    )(_signed(list_, f"list_{resource}", list_params))

    def get(principal, **ids):
        return calls.read(lambda db: resources.get_record(db, principal, resource, ids[id_name]))

    router.get(
        collection + "/{" + id_name + "}",
        response_model=child.out,
        responses=documented(404, 422),
        summary=f"Get {a_label}",
        description=f"One {label}. Scope: read.",
    )(_signed(get, f"get_{resource}", [_kw(id_name, RecordId), principal_param]))

    def upsert(body, request, idempotency_key, principal):
        return calls.upsert(request, principal, idempotency_key, resource, body, child.out)

    router.post(
        collection,
        response_model=child.out,
        status_code=201,
        responses={200: {"model": child.out, "description": "Found and updated (or unchanged)"}}
        | documented(409, 422),
        summary=f"Upsert {a_label}",
        description=f"Create the {label} keyed on {child.keys}, or update the fields sent. "
        "Scope: write.",
    )(
        _signed(
            upsert,
            f"upsert_{resource}",
            [
                _kw("body", child.body),
                _kw("request", Request),
                _kw("idempotency_key", IdempotencyKey),
                principal_param,
            ],
        )
    )
    return router


ROUTERS = tuple(router_for(record) for record in RECORDS)
