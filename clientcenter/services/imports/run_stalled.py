"""Import runs whose worker is gone: a restart or a crash mid-preview or mid-apply rolls the
run's transaction back but leaves its row "previewing" or "applying". The housekeeping sweep
calls :func:`fail_stalled` (kept apart from run_worker, which imports the whole engine)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from clientcenter.models.base import utcnow
from clientcenter.models.imports import ImportRun, ImportRunStatus
from clientcenter.services.imports import run_progress

S = ImportRunStatus
# A run still "previewing" or "applying" with no word from its worker this long is one whose
# process stopped (a restart, a crash): its transaction was rolled back with it.
STALLED_AFTER = timedelta(minutes=10)
STALLED_MESSAGE = (
    "The import stopped when the server restarted; nothing was applied. Preview it again."
)


def fail_stalled(db: Session, *, now: datetime | None = None) -> int:
    """Mark the runs whose worker is gone as failed (the housekeeping sweep calls this), so
    the page stops showing a progress bar that never moves and the run can be previewed
    again. A run this process is working on is never one of them: on SQLite an apply writes
    its progress only at the end, so its row's time says nothing while it runs."""
    cutoff = (now or utcnow()) - STALLED_AFTER
    running = (S.PREVIEWING.value, S.APPLYING.value)
    stalled = [
        run_id
        for run_id in db.exec(
            select(ImportRun.id).where(
                col(ImportRun.status).in_(running), col(ImportRun.updated_at) < cutoff
            )
        )
        if run_progress.live_progress(run_id) is None
    ]
    if not stalled:
        return 0
    db.exec(
        update(ImportRun)
        .where(col(ImportRun.id).in_(stalled), col(ImportRun.status).in_(running))
        .values(status=S.FAILED.value, message=STALLED_MESSAGE, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return len(stalled)
