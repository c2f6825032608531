"""The import page's HTTP half (docs/import.md, "The import page").

- ``POST /agent/import/upload``: the export's CSVs or zip as a multipart form from our own
  page. The session cookie and the role (IMPORT_DATA) are checked before the body is read; the
  files go to the private store (services/imports/run_files.py), never to Reflex's public
  upload directory; the browser is sent on to the run's page.
- ``GET /agent/import/errors/<signed value>``: a run's refused rows as CSV, for the session
  the link was made for (and the run's own agent), formula-like cells made inert.
- ``GET /agent/import/templates/<entity>.csv``: a template's header line, from the column
  definitions (no data in it, so no session needed).
"""

from __future__ import annotations

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from clientcenter import routes
from clientcenter.db import session_scope
from clientcenter.http.deps import (
    attachment,
    notice_page,
    redirect,
    refuse_foreign_origin,
    request_client_ip,
    run_in_threadpool,
    session_token,
)
from clientcenter.services.access import require_permission
from clientcenter.services.agency import audit
from clientcenter.services.agency.roles import Permission
from clientcenter.services.auth.sessions import principal_from_token
from clientcenter.services.errors import NotFound, ServiceError
from clientcenter.services.imports import runs
from clientcenter.services.imports.run_files import MAX_UPLOADS, Upload

BACK = f"<a href='{routes.AGENT_IMPORT}'>Back to the import page</a>"


def _may_import(token: str | None) -> None:
    with session_scope() as db:
        require_permission(db, principal_from_token(db, token), Permission.IMPORT_DATA)


def _start(token: str | None, uploads: list[Upload]) -> int:
    with session_scope() as db:
        return runs.start_run(db, principal_from_token(db, token), uploads).id


async def upload(request: Request) -> Response:
    if (refused := refuse_foreign_origin(request, "import upload")) is not None:
        return refused
    token = session_token(request)
    try:
        await run_in_threadpool(_may_import, token)
    except ServiceError as exc:
        return notice_page(403, exc.message, BACK)
    form = await request.form(max_files=MAX_UPLOADS, max_fields=10)
    try:
        uploads = [
            Upload(item.filename or "", await item.read())
            for item in form.getlist("files")
            if isinstance(item, UploadFile) and item.filename
        ]
        run_id = await run_in_threadpool(_start, token, uploads)
    except ServiceError as exc:
        return notice_page(400, exc.message, BACK)
    finally:
        await form.close()
    return redirect(routes.import_run_path(run_id))


def _errors(token: str | None, value: str, client_ip: str) -> runs.ErrorsFile:
    with session_scope() as db:
        principal = principal_from_token(db, token)
        sent = runs.errors_file(db, principal, value)
        audit.record_read(
            db,
            principal,
            "import.errors_download",
            None,
            f"Downloaded {sent.filename}.",
            client_ip,
        )
        return sent


async def errors(request: Request) -> Response:
    try:
        sent = await run_in_threadpool(
            _errors,
            session_token(request),
            request.path_params["token"],
            request_client_ip(request),
        )
    except ServiceError:
        # Forged, expired, another session's or another agent's: all look alike.
        return notice_page(404, "This download link is not valid or has expired.", BACK)
    return attachment(sent.text.encode("utf-8"), "text/csv; charset=utf-8", sent.filename)


async def template(request: Request) -> Response:
    try:
        filename, text = runs.template_csv(request.path_params["entity"])
    except NotFound as exc:
        return notice_page(404, exc.message, BACK)
    return attachment(text.encode("utf-8"), "text/csv; charset=utf-8", filename)


ROUTES = [
    Route(routes.IMPORT_UPLOAD_ROUTE, upload, methods=["POST"]),
    Route(routes.IMPORT_ERRORS_PREFIX + "{token}", errors, methods=["GET"]),
    Route(routes.IMPORT_TEMPLATE_PREFIX + "{entity}.csv", template, methods=["GET"]),
]
