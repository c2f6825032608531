"""Every refusal of the API as one JSON shape (schemas.Problem), and the status it gets.

A service's refusal maps by its kind: no or a bad key 401, a missing scope or role 403 (the
scope named), an absent id 404, a reused Idempotency-Key 409, bad input 422 (the field
named). FastAPI's own validation errors are rewritten so that an unknown field, a wrong type
or a missing field is named the same way. Bodies over the limit never get here: the body
limit middleware answers 413 before the body is read."""

from __future__ import annotations

from fastapi import HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from clientcenter.http.api.schemas import Problem
from clientcenter.services.access import ScopeMissing
from clientcenter.services.api.idempotency import IdempotencyConflict
from clientcenter.services.api.keys import NotAuthenticated
from clientcenter.services.errors import InvalidInput, NotAllowed, NotFound, ServiceError

NO_STORE = {"Cache-Control": "no-store"}
_STATUS_WORDS = {
    400: "Bad request.",
    401: "Send a valid API key.",
    403: "Not allowed.",
    404: "Not found.",
    405: "This address does not take that method.",
    409: "Conflict.",
    413: "Request body too large.",
    415: "Send JSON.",
    422: "Invalid request.",
    429: "Too many requests.",
}


def problem(status: int, detail: str, headers: dict | None = None, **extra) -> JSONResponse:
    body = Problem(detail=detail, **extra).model_dump(mode="json")
    return JSONResponse(body, status_code=status, headers={**NO_STORE, **(headers or {})})


class ApiRefused(Exception):
    """A refusal raised from a dependency or a route, answered by :func:`refused`."""

    def __init__(self, status: int, detail: str, headers: dict | None = None, **extra):
        self.status, self.detail, self.headers, self.extra = status, detail, headers, extra


def from_service(exc: ServiceError) -> ApiRefused:
    if isinstance(exc, NotAuthenticated):
        return ApiRefused(401, exc.message, {"WWW-Authenticate": "Bearer"})
    if isinstance(exc, ScopeMissing):
        return ApiRefused(403, exc.message, scope=exc.scope)
    if isinstance(exc, NotAllowed):
        return ApiRefused(403, exc.message)
    if isinstance(exc, NotFound):
        return ApiRefused(404, exc.message)
    if isinstance(exc, IdempotencyConflict):
        return ApiRefused(409, exc.message)
    if isinstance(exc, InvalidInput):
        errors = [{"field": exc.field, "message": exc.message}] if exc.field else []
        return ApiRefused(422, exc.message, errors=errors)
    return ApiRefused(422, exc.message)


async def refused(_request: Request, exc: ApiRefused) -> JSONResponse:
    return problem(exc.status, exc.detail, exc.headers, **exc.extra)


async def service_refused(request: Request, exc: ServiceError) -> JSONResponse:
    return await refused(request, from_service(exc))


def _field(loc: tuple) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    return ".".join(parts) or "body"


def _message(error: dict) -> str:
    if error.get("type") == "extra_forbidden":
        return "unknown field"
    if error.get("type") == "missing":
        return "required"
    return str(error.get("msg", "invalid"))


async def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = [{"field": _field(e.get("loc", ())), "message": _message(e)} for e in exc.errors()]
    unknown = [e["field"] for e in errors if e["message"] == "unknown field"]
    if unknown:
        detail = "Unknown field" + ("s" if len(unknown) > 1 else "") + ": " + ", ".join(unknown)
    else:
        detail = "Invalid request: " + "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return problem(422, detail[:1000], errors=errors[:50])


async def http_refused(_request: Request, exc: HTTPException) -> JSONResponse:
    detail = exc.detail if isinstance(exc.detail, str) else _STATUS_WORDS.get(exc.status_code)
    return problem(exc.status_code, detail or "Refused.", dict(exc.headers or {}))


def documented(*statuses: int) -> dict:
    """The OpenAPI ``responses`` entries of these refusals."""
    return {s: {"model": Problem, "description": _STATUS_WORDS.get(s, "")} for s in statuses}
