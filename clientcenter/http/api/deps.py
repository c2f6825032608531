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
