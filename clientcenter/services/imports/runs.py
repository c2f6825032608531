"""Import runs: the import page's imports, each a row (ImportRun) that outlives the page.

Upload → the files are stored privately and their headers read (``start_run``); the agent maps
headers to fields and picks options (each change sends the run back to "uploaded", so what is
applied is always what was previewed); Preview runs the import as a dry run in the background;
Apply (once: a second click or a second tab is refused) runs it for real in the background.
An applied run is all-or-nothing by default: if any row is refused the whole import is rolled
back and the run is "refused" (``valid_rows_only`` keeps the valid rows). Every step checks the
agent's role (IMPORT_DATA) and that the run is theirs; another agent's run looks absent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import update
from sqlmodel import Session, col, select

from clientcenter.models import Agent
from clientcenter.models.base import utcnow
from clientcenter.models.imports import ImportMapping, ImportRun, ImportRunStatus
from clientcenter.services.access import require_permission
from clientcenter.services.agency import audit
from clientcenter.services.agency.roles import Permission
from clientcenter.services.auth import tokens
from clientcenter.services.errors import InvalidInput, NotFound
from clientcenter.services.imports import run_files
from clientcenter.services.imports.columns import IGNORE, map_headers
from clientcenter.services.imports.entities import ENTITIES
from clientcenter.services.imports.mappings import AUTOMATIC, load_mapping, save_mapping
from clientcenter.services.imports.reader import FileRefused
from clientcenter.services.imports.run_files import Upload
from clientcenter.services.imports.run_mapping import explicit
from clientcenter.services.imports.run_progress import live_progress
from clientcenter.services.imports.run_report import report_from_json
from clientcenter.services.imports.values import fold
from clientcenter.services.principal import Principal

S = ImportRunStatus
OPTION_NAMES = ("full", "valid_rows_only", "notify")
RUNNING = (S.PREVIEWING.value, S.APPLYING.value)
ERRORS_LINK_TTL_SECONDS = 5 * 60
_ERRORS_PURPOSE = "import-errors"
RECENT_RUNS = 10

STATUS_LABELS = {
    S.UPLOADED: "Uploaded: map the columns, then preview",
    S.PREVIEWING: "Previewing…",
    S.PREVIEWED: "Previewed: ready to apply",
    S.APPLYING: "Applying…",
    S.APPLIED: "Applied",
    S.FAILED: "Failed: nothing was applied",
    S.REFUSED: "Refused: rows were refused, nothing was applied",
}


@dataclass(frozen=True)
class HeaderChoice:
    header: str
    target: str  # our field, or "" (not imported)
    matched: bool  # our names or synonyms matched it (else the agent maps it or leaves it)


@dataclass(frozen=True)
class RunFile:
    entity: str
    file: str
    headers: list[HeaderChoice]
    required: list[str]  # the entity's required fields
    fields: list[tuple[str, bool]]  # every field of the entity: (name, required)
    problem: str  # the file cannot be read, or its mapping is refused (names the columns)


@dataclass(frozen=True)
class RunView:
    id: int
    status: str
    status_label: str
    created_at: object
    upload_names: list[str]
    files: list[RunFile]
    ignored: list[str]
    mapping_name: str
    options: dict[str, bool]
    progress_done: int
    progress_total: int
    message: str
    report: object | None  # ImportReport of the last preview or apply
    running: bool = False
    saved_mappings: list[str] = field(default_factory=list)

    @property
    def percent(self) -> int:
        if self.status in (S.APPLIED, S.PREVIEWED, S.REFUSED):
            return 100
        if not self.progress_total:
            return 0
        return max(0, min(100, self.progress_done * 100 // self.progress_total))


def _agent(session: Session, principal: Principal | None) -> Agent:
    return require_permission(session, principal, Permission.IMPORT_DATA)


def _own_run(session: Session, agent: Agent, run_id: int, *, lock: bool = False) -> ImportRun:
    query = select(ImportRun).where(ImportRun.id == run_id, ImportRun.agent_id == agent.id)
    run = session.exec(query.with_for_update() if lock else query).first()
    if run is None:
        raise NotFound("No such import.")
    return run


def start_run(session: Session, principal: Principal | None, uploads: list[Upload]) -> ImportRun:
    """Store the uploaded files and read their headers; the run waits for its mapping."""
    agent = _agent(session, principal)
    stored, files, ignored = run_files.store_uploads(session, uploads)
    mapping = {entity: dict(file["auto"]) for entity, file in files.items()}
    run = ImportRun(
        agent_id=agent.id,
        uploads=stored,
        files=files,
        ignored=ignored,
        mapping=mapping,
        mapping_name=AUTOMATIC,
        options={name: False for name in OPTION_NAMES},
        progress_total=sum(f["size"] for f in files.values()),
    )
    session.add(run)
    session.flush()
    return run


def view_run(session: Session, principal: Principal | None, run_id: int) -> RunView:
    agent = _agent(session, principal)
    return _view(session, _own_run(session, agent, run_id))


def latest_runs(session: Session, principal: Principal | None) -> list[RunView]:
    """The agent's last runs, newest first (the page reopens on the first)."""
    agent = _agent(session, principal)
    runs = session.exec(
        select(ImportRun)
        .where(ImportRun.agent_id == agent.id)
        .order_by(col(ImportRun.id).desc())
        .limit(RECENT_RUNS)
    ).all()
    return [_view(session, run, with_mappings=False) for run in runs]


def saved_mapping_names(session: Session) -> list[str]:
    return [AUTOMATIC, *session.exec(select(ImportMapping.name).order_by(ImportMapping.name))]


def _view(session: Session, run: ImportRun, *, with_mappings: bool = True) -> RunView:
    done, total = live_progress(run.id) or (run.progress_done, run.progress_total)
    return RunView(
        id=run.id,
        status=run.status,
        status_label=STATUS_LABELS[S(run.status)],
        created_at=run.created_at,
        upload_names=[u["name"] for u in run.uploads],
        files=_files(run),
        ignored=list(run.ignored),
        mapping_name=run.mapping_name,
        options={name: bool(run.options.get(name)) for name in OPTION_NAMES},
        progress_done=done,
        progress_total=total,
        message=run.message,
        report=report_from_json(run.report) if run.report else None,
        running=run.status in RUNNING,
        saved_mappings=saved_mapping_names(session) if with_mappings else [],
    )


def _files(run: ImportRun) -> list[RunFile]:
    shown = []
    for entity in ENTITIES:
        file = run.files.get(entity.name)
        if file is None:
            continue
        chosen = run.mapping.get(entity.name, {})
        headers = [
            HeaderChoice(h, chosen.get(h, IGNORE), bool(file["auto"].get(h)))
            for h in file["headers"]
        ]
        problem = file["problem"] or _mapping_problem(entity, file, chosen)
        shown.append(
            RunFile(
                entity=entity.name,
                file=file["file"],
                headers=headers,
                required=[c.name for c in entity.columns if c.required],
                fields=[(c.name, c.required) for c in entity.columns],
                problem=problem,
            )
        )
    return shown


def _mapping_problem(entity, file: dict, chosen: Mapping[str, str]) -> str:
    """The engine's own refusal of this mapping (a required column missing, two headers on one
    field), so the page shows it before anything runs."""
    try:
        map_headers(file["file"], file["headers"], entity.columns, explicit(file, chosen))
    except FileRefused as refused:
        return refused.reason
    return ""


def _editable(session: Session, principal: Principal | None, run_id: int) -> ImportRun:
    agent = _agent(session, principal)
    run = _own_run(session, agent, run_id, lock=True)
    if run.status not in (S.UPLOADED, S.PREVIEWED, S.FAILED, S.REFUSED):
        raise InvalidInput(
            "This import is running or has been applied; upload the files again to start another."
        )
    return run


def _changed(run: ImportRun) -> None:
    """A change of mapping or options: the last preview no longer says what would happen."""
    run.status = S.UPLOADED.value
    run.report = None
    run.message = ""
    run.updated_at = utcnow()


def set_target(
    session: Session,
    principal: Principal | None,
    run_id: int,
    entity: str,
    header: str,
    target: str,
) -> RunView:
    """Map one header of one file to one of our fields, or "" to leave it out."""
    run = _editable(session, principal, run_id)
    file = run.files.get(entity)
    if file is None or header not in file["headers"]:
        raise InvalidInput(f'"{header}" is not a column of this import\'s {entity} file.')
    columns = next(e.columns for e in ENTITIES if e.name == entity)
    if target != IGNORE and target not in {c.name for c in columns}:
        raise InvalidInput(f'"{target}" is not one of our {entity} fields.')
    run.mapping = {**run.mapping, entity: {**run.mapping.get(entity, {}), header: target}}
    _changed(run)
    session.flush()
    return _view(session, run)


def use_saved_mapping(
    session: Session, principal: Principal | None, run_id: int, name: str
) -> RunView:
    """Start from a saved mapping: each header it names takes its field; the rest keep what
    our names and synonyms matched."""
    run = _editable(session, principal, run_id)
    saved = load_mapping(session, name)
    mapping = {}
    for entity, file in run.files.items():
        named = {fold(h): t for h, t in saved.get(entity, {}).items()}
        mapping[entity] = {
            h: named.get(fold(h), file["auto"].get(h, IGNORE)) for h in file["headers"]
        }
    run.mapping = mapping
    run.mapping_name = name
    _changed(run)
    session.flush()
    return _view(session, run)


def save_run_mapping(
    session: Session, principal: Principal | None, run_id: int, name: str
) -> RunView:
    """Save this run's mapping under ``name`` (replacing one of that name) for re-imports."""
    run = _editable(session, principal, run_id)
    save_mapping(session, name, run.mapping)
    run.mapping_name = name.strip()
    session.flush()
    return _view(session, run)


def set_options(
    session: Session, principal: Principal | None, run_id: int, options: Mapping[str, object]
) -> RunView:
    run = _editable(session, principal, run_id)
    unknown = set(options) - set(OPTION_NAMES)
    if unknown:
        raise InvalidInput(f"Unknown option: {', '.join(sorted(unknown))}.")
    chosen = {name: options.get(name, run.options.get(name)) is True for name in OPTION_NAMES}
    if chosen != {name: bool(run.options.get(name)) for name in OPTION_NAMES}:
        run.options = chosen
        _changed(run)
        session.flush()
    return _view(session, run)


def _claim(session: Session, run: ImportRun, allowed: tuple[str, ...], to: S) -> None:
    """Move the run to ``to`` only if it is still in an allowed status: one UPDATE, so of two
    clicks or two tabs exactly one wins."""
    claimed = session.exec(
        update(ImportRun)
        .where(ImportRun.id == run.id, col(ImportRun.status).in_(allowed))
        .values(status=to.value, progress_done=0, message="", updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        session.refresh(run)
        raise InvalidInput(_not_now(run.status, to))
    session.refresh(run)


def _not_now(status: str, wanted: S) -> str:
    if status in RUNNING:
        return "This import is already running; its progress is shown below."
    if status == S.APPLIED:
        return "This import has been applied already."
    if wanted == S.APPLYING:
        return "Preview the import first: Apply applies what the preview showed."
    return "This import cannot be previewed now."


def begin_preview(session: Session, principal: Principal | None, run_id: int) -> RunView:
    """Claim the run for its dry run; the caller commits, then starts run_worker.launch."""
    run = _editable(session, principal, run_id)
    refused = [f"{f.file}: {f.problem}" for f in _files(run) if f.problem]
    if refused:
        raise InvalidInput("Fix the columns first. " + " ".join(refused))
    _claim(
        session,
        run,
        (S.UPLOADED.value, S.PREVIEWED.value, S.FAILED.value, S.REFUSED.value),
        S.PREVIEWING,
    )
    return _view(session, run)


def begin_apply(session: Session, principal: Principal | None, run_id: int) -> RunView:
    """Claim a previewed run for its apply (once); the caller commits, then launches it. A
    preview that refused rows applies nothing, unless the run applies the valid rows only."""
    agent = _agent(session, principal)
    run = _own_run(session, agent, run_id)
    if run.status == S.PREVIEWED:
        report = report_from_json(run.report) if run.report else None
        if report is not None and report.errors and not run.options.get("valid_rows_only"):
            raise InvalidInput(
                f"The preview refused {len(report.errors)} row(s), so nothing would be applied. "
                "Fix the files and upload them again, or choose “Apply the valid rows” and "
                "preview again."
            )
    _claim(session, run, (S.PREVIEWED.value,), S.APPLYING)
    names = ", ".join(f["file"] for f in run.files.values())
    audit.record_write(
        session, principal, "import.apply", None, f"Applied import {run.id}: {names}."
    )
    return _view(session, run)


# --- the refused rows as CSV, through a download link of the agent's session ----------------


def errors_link(session: Session, principal: Principal | None, run_id: int) -> str:
    """A signed path to the run's refused rows as CSV, for this session, for five minutes."""
    from clientcenter import routes

    agent = _agent(session, principal)
    run = _own_run(session, agent, run_id)
    if not run.report:
        raise InvalidInput("Preview the import first.")
    value = tokens.sign(
        _ERRORS_PURPOSE, {"r": run.id, "s": principal.session_id}, ERRORS_LINK_TTL_SECONDS
    )
    return routes.import_errors_path(value)


@dataclass(frozen=True)
class ErrorsFile:
    filename: str
    text: str


def errors_file(session: Session, principal: Principal | None, value: str) -> ErrorsFile:
    """The CSV an errors link names, for the very session it was made for; NotFound for a
    forged or expired link, another session's, or another agent's run."""
    payload = tokens.unsign(_ERRORS_PURPOSE, value)
    if payload is None or principal is None or payload.get("s") != principal.session_id:
        raise NotFound("This download link is not valid or has expired.")
    agent = _agent(session, principal)
    run = _own_run(session, agent, int(payload.get("r") or 0))
    report = report_from_json(run.report) if run.report else None
    if report is None:
        raise NotFound("This import has no report.")
    return ErrorsFile(f"import-{run.id}-refused-rows.csv", report.errors_csv())


def template_csv(entity_name: str) -> tuple[str, str]:
    """(file name, its header line) of an entity's template, from its column definitions."""
    entity = next((e for e in ENTITIES if e.name == entity_name), None)
    if entity is None:
        raise NotFound("No such template.")
    return entity.file, ",".join(c.name for c in entity.columns) + "\r\n"
