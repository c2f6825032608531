"""What every API call asks of its request: a key (checked in the database now), and room in
the key's rate limit. A sync dependency, so FastAPI runs it on a worker thread."""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from clientcenter.db import session_scope
from clientcenter.http.api.errors import ApiRefused, from_service
from clientcenter.http.deps import request_client_ip
from clientcenter.services.api import keys, rate_limit
from clientcenter.services.errors import ServiceError
from clientcenter.services.principal import Principal

# Documents the scheme in the OpenAPI schema; the key itself is checked by services/api/keys.
bearer = HTTPBearer(auto_error=False, description="An API key: Authorization: Bearer cck_…")


def api_principal(
    request: Request, _credentials: HTTPAuthorizationCredentials | None = Depends(bearer)
) -> Principal:
    try:
        with session_scope() as db:
            principal = keys.authenticate(
                db, request.headers.get("authorization"), request_client_ip(request)
            )
    except ServiceError as exc:
        raise from_service(exc) from None
    verdict = rate_limit.take(principal.api_key_id)
    if not verdict.allowed:
        raise ApiRefused(
            429,
            f"This API key made too many calls; try again in {verdict.retry_after} s.",
            {"Retry-After": str(verdict.retry_after)},
        )
    return principal


def _query_names(dependant):
    for param in dependant.query_params:
        yield param.alias
    for sub in dependant.dependencies:
        yield from _query_names(sub)


def known_query(request: Request) -> None:
    """Query parameters the operation does not take are refused by name, like unknown body
    fields: a misspelt filter (``updated_snce``) would otherwise return everything."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    known = set(_query_names(dependant))
    unknown = sorted({name for name in request.query_params if name not in known})
    if unknown:
        raise ApiRefused(
            422,
            "Unknown query parameter"
            + ("s" if len(unknown) > 1 else "")
            + ": "
            + ", ".join(repr(u) for u in unknown)[:500],
            errors=[{"field": u[:100], "message": "unknown query parameter"} for u in unknown][
                :20
            ],
        )


# Every resource router: the key first (401 before anything else), then the query's names.
CALL = [Depends(api_principal), Depends(known_query)]
