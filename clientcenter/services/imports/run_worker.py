"""The background half of an import run: the preview (a dry run) or the apply, on a worker
thread with its own database session, so the agent can leave the page and come back.

Progress (bytes read of all the files) is kept in this process for the page and written to the
run's row as it goes, so another worker process sees it too. SQLite allows one writer at a
time and the apply holds the write lock until it commits, so there the row gets the progress
only at the end (one process serves SQLite anyway).

An apply that refused a row is rolled back whole unless the run applies the valid rows only:
an import from the page is all-or-nothing, and no row is ever half-applied.
"""

from __future__ import annotations

import logging
import threading
import time

from sqlmodel import Session

from clientcenter.db import get_engine, session_scope
from clientcenter.models.base import utcnow
from clientcenter.models.imports import ImportRun, ImportRunStatus
from clientcenter.services.imports import run_files, run_progress
from clientcenter.services.imports.documents import import_documents
from clientcenter.services.imports.run import ImportOptions, run_import
from clientcenter.services.imports.run_mapping import engine_mapping
from clientcenter.services.imports.run_report import report_to_json

log = logging.getLogger("clientcenter.imports")
S = ImportRunStatus
WRITE_EVERY_SECONDS = 0.5


def launch(run_id: int, *, dry_run: bool) -> threading.Thread:
    """Start the claimed run (runs.begin_preview / begin_apply, committed) on a thread."""
    thread = threading.Thread(
        target=work,
        args=(run_id,),
        kwargs={"dry_run": dry_run},
        daemon=True,
        name=f"import-run-{run_id}",
    )
    thread.start()
    return thread


class _RolledBack(Exception):
    def __init__(self, report):
        self.report = report


def work(run_id: int, *, dry_run: bool) -> None:
    """Run the import and record how it ended; never raises."""
    try:
        _run(run_id, dry_run)
    except _RolledBack as refused:
        _finish(run_id, S.REFUSED, report=report_to_json(refused.report))
    except run_files.FilesChanged as exc:
        _finish(run_id, S.FAILED, message=exc.message)
    except Exception:
        log.exception("import run %s stopped", run_id)
        _finish(
            run_id,
            S.FAILED,
            message="The import stopped on an unexpected error; nothing "
            "was applied. The server's log has the details.",
        )
    finally:
        run_progress.forget(run_id)


def _run(run_id: int, dry_run: bool) -> None:
    with session_scope() as db:
        run = db.get(ImportRun, run_id)
        options = ImportOptions(
            dry_run=dry_run,
            full=bool(run.options.get("full")),
            valid_rows_only=bool(run.options.get("valid_rows_only")),
            notify=bool(run.options.get("notify")),
        )
        progress = _Progress(run_id, run.files, persist=dry_run or not _sqlite(db))
        with run_files.opened(run.uploads, run.files) as (files, with_documents):
            report = run_import(
                db,
                files,
                mapping=engine_mapping(run),
                default_producer_id=run.agent_id,
                options=options,
                progress=progress,
            )
            for source in with_documents:  # a zip's documents.csv and documents/, last
                import_documents(db, source, options=options, report=report, agent_id=run.agent_id)
        if not dry_run and report.errors and not options.valid_rows_only:
            raise _RolledBack(report)  # session_scope rolls back everything the import wrote
        done = S.PREVIEWED if dry_run else S.APPLIED
        run.status, run.report = done.value, report_to_json(report)
        run.progress_done = run.progress_total
        run.updated_at = run.finished_at = utcnow()


def _sqlite(db: Session) -> bool:
    return db.get_bind().dialect.name == "sqlite"


class _Progress:
    """The engine's callback, per chunk: (entity, bytes read of its file, the file's size)."""

    def __init__(self, run_id: int, files: dict, *, persist: bool):
        self.run_id = run_id
        self.sizes = {entity: int(f["size"]) for entity, f in files.items()}
        self.read: dict[str, int] = {}
        self.total = sum(self.sizes.values())
        self.persist = persist
        self.written = 0.0
        run_progress.set_progress(run_id, 0, self.total)

    def __call__(self, entity: str, done: int, size: int) -> None:
        self.read[entity] = min(done, self.sizes.get(entity, size))
        done_all = sum(self.read.values())
        run_progress.set_progress(self.run_id, done_all, self.total)
        now = time.monotonic()
        if self.persist and now - self.written >= WRITE_EVERY_SECONDS:
            self.written = now
            with Session(get_engine()) as own:  # its own transaction, committed at once
                run = own.get(ImportRun, self.run_id)
                run.progress_done, run.updated_at = done_all, utcnow()
                own.commit()


def _finish(run_id: int, status: S, *, report: dict | None = None, message: str = "") -> None:
    try:
        with session_scope() as db:
            run = db.get(ImportRun, run_id)
            run.status, run.message = status.value, message[:500]
            if report is not None:
                run.report = report
            run.updated_at = run.finished_at = utcnow()
    except Exception:
        log.exception("import run %s: could not record how it ended", run_id)
