"""The audit trail's CSV export: ``POST /exports/audit`` with a date range, from our own
pages only, for an agent whose role may export it (services/agency/audit.py). The file is
streamed as the database hands rows over, so a year of events never sits in memory."""

from __future__ import annotations

from collections.abc import Iterator

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from clientcenter import routes
from clientcenter.db import session_scope
from clientcenter.http.deps import (
    SAFE_HEADERS,
    content_disposition,
    notice_page,
    refuse_foreign_origin,
    request_client_ip,
    run_in_threadpool,
    session_token,
)
from clientcenter.services.agency import audit
from clientcenter.services.auth.sessions import principal_from_token
from clientcenter.services.errors import InvalidInput, ServiceError
from clientcenter.services.principal import Principal

EXPORT_FIELDS = ("date_from", "date_to", "include_customers")


def _back(status: int, message: str) -> Response:
    return notice_page(
        status, message, f"<a href='{routes.AGENT_AUDIT}'>Back to the audit trail</a>"
    )


def _start(token: str | None, data: dict, client_ip: str) -> tuple[Principal, audit.ExportRange]:
    """Who asks, whether they may, and the range; the export itself is in the trail."""
    with session_scope() as db:
        principal = principal_from_token(db, token)
        audit.require_export(db, principal)
        wanted = audit.parse_export(data)
        audit.record_read(
            db,
            principal,
            "audit.export",
            None,
            f"Exported the audit trail {wanted.date_from} to {wanted.date_to}"
            + (" with customers' actions." if wanted.include_customers else "."),
            client_ip,
        )
        return principal, wanted


def _chunks(principal: Principal, wanted: audit.ExportRange) -> Iterator[bytes]:
    with session_scope() as db:
        for piece in audit.export_csv(db, principal, wanted):
            yield piece.encode("utf-8")


async def export_audit(request: Request) -> Response:
    if (refused := refuse_foreign_origin(request, "audit export")) is not None:
        return refused
    form = await request.form()
    data = {name: str(form.get(name) or "") for name in EXPORT_FIELDS}
    try:
        principal, wanted = await run_in_threadpool(
            _start, session_token(request), data, request_client_ip(request)
        )
    except InvalidInput as exc:
        return _back(400, exc.message)
    except ServiceError as exc:
        return _back(403, exc.message)
    headers = {
        **SAFE_HEADERS,
        "Content-Disposition": content_disposition(audit.export_filename(wanted)),
    }
    # A sync iterator: Starlette pulls each piece on a worker thread.
    return StreamingResponse(
        _chunks(principal, wanted), media_type="text/csv; charset=utf-8", headers=headers
    )


ROUTES = [Route(routes.AUDIT_EXPORT_ROUTE, export_audit, methods=["POST"])]
