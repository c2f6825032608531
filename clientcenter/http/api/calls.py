"""The two shapes of a call: a read (one transaction, its audit event with it), and a POST
with an Idempotency-Key (the change and its remembered answer in one transaction)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from clientcenter.db import session_scope
from clientcenter.http.api.errors import NO_STORE, ApiRefused, from_service
from clientcenter.services.api import idempotency, resources
from clientcenter.services.errors import ServiceError
from clientcenter.services.principal import Principal

REPLAYED = "Idempotent-Replayed"
RACED = "Another request with this Idempotency-Key is being answered; retry in a moment."


def read(work: Callable[[Session], Any]) -> Any:
    try:
        with session_scope() as db:
            return work(db)
    except ServiceError as exc:
        raise from_service(exc) from None


def _replayed(stored: idempotency.Stored) -> JSONResponse:
    return JSONResponse(
        json.loads(stored.body),
        status_code=stored.status_code,
        headers={**NO_STORE, REPLAYED: "true"},
    )


def remembered(
    request: Request,
    principal: Principal,
    idempotency_key: str,
    digest: str,
    work: Callable[[Session], tuple[int, dict]],
    kept: Callable[[dict], dict] = lambda payload: payload,
) -> JSONResponse:
    """A POST: ``work`` makes the change and its answer (status, JSON), which is stored with
    it under the Idempotency-Key; a retry gets the stored answer (``kept`` of it, where the
    first answer holds what must not be stored, such as a secret shown once)."""
    method_path = f"{request.method} {request.url.path}"
    try:
        key = idempotency.check_key(idempotency_key)
        with session_scope() as db:
            stored = idempotency.replay(db, principal.api_key_id, key, method_path, digest)
            if stored is not None:
                return _replayed(stored)
            status, payload = work(db)
            answer = idempotency.Stored(status, json.dumps(kept(payload)))
            idempotency.remember(db, principal.api_key_id, key, method_path, digest, answer)
    except ServiceError as exc:
        raise from_service(exc) from None
    except IntegrityError:
        # A request with the same key (or a change of the same record) committed first.
        try:
            with session_scope() as db:
                stored = idempotency.replay(db, principal.api_key_id, key, method_path, digest)
        except ServiceError as exc:
            raise from_service(exc) from None
        if stored is not None:
            return _replayed(stored)
        raise ApiRefused(409, RACED) from None
    return JSONResponse(payload, status_code=status, headers=NO_STORE)


def upsert(
    request: Request,
    principal: Principal,
    idempotency_key: str,
    resource: str,
    body: BaseModel,
    out: type[BaseModel],
) -> JSONResponse:
    """201 with the record when the body created it, 200 when it found it (updated or not)."""
    fields = body.model_dump(mode="json", exclude_unset=True)
    digest = idempotency.body_hash(json.dumps(fields, sort_keys=True).encode())

    def work(db: Session) -> tuple[int, dict]:
        done = resources.upsert(db, principal, resource, body.model_dump(exclude_unset=True))
        return (201 if done.created else 200), out.model_validate(done.item).model_dump(
            mode="json"
        )

    return remembered(request, principal, idempotency_key, digest, work)
