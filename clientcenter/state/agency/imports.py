"""The import page (docs/import.md, "The import page"): the run in view, its files' headers and
the field each feeds, options, the preview or apply report, and the progress of a running one.

Thin: the upload itself is an HTTP route (clientcenter/http/routes/imports.py); every handler
here calls services/imports/runs.py, which checks the role and that the run is the agent's.
A running preview or apply lives on a worker thread (services/imports/run_worker.py); ``watch``
polls the run's row until it ends, and the page starts watching again when reopened.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import reflex as rx

from clientcenter import routes
from clientcenter.db import session_scope
from clientcenter.services.accounts import when
from clientcenter.services.errors import ServiceError
from clientcenter.services.imports import run_worker, runs
from clientcenter.services.imports.entities import ENTITIES
from clientcenter.services.imports.run_files import MAX_UPLOAD_BYTES, accepted_names
from clientcenter.services.portal.documents import format_size
from clientcenter.state.agency.desk import AgentState, query_param
from clientcenter.state.base import SessionEnded, off_loop
from clientcenter.state.downloads import download_script, parse_id

FIRST_ERRORS = 20  # the page lists these; the CSV has every one
WATCH_SECONDS = 0.5
WATCH_LIMIT_SECONDS = 6 * 3600


@dataclass
class FieldChoice:
    value: str = ""
    label: str = ""


@dataclass
class HeaderRow:
    entity: str = ""
    header: str = ""
    target: str = ""
    matched: bool = False
    select_id: str = ""


@dataclass
class FileCard:
    entity: str = ""
    file: str = ""
    problem: str = ""
    required: str = ""
    headers: list[HeaderRow] = field(default_factory=list)
    fields: list[FieldChoice] = field(default_factory=list)


@dataclass
class CountRow:
    entity: str = ""
    file: str = ""
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: int = 0
    retired: int = 0
    note: str = ""
    unmatched: str = ""


@dataclass
class ErrorRow:
    where: str = ""
    column: str = ""
    value: str = ""
    reason: str = ""


@dataclass
class RunRow:
    id: int = 0
    when: str = ""
    files: str = ""
    status_label: str = ""
    href: str = ""


@dataclass
class TemplateRow:
    entity: str = ""
    file: str = ""
    href: str = ""


def _templates() -> list[TemplateRow]:
    return [TemplateRow(e.name, e.file, routes.import_template_path(e.name)) for e in ENTITIES]


class AgentImportState(AgentState):
    run_id: int = 0
    status: str = ""
    status_label: str = ""
    running: bool = False
    upload_names: str = ""
    ignored: str = ""
    files: list[FileCard] = []
    mapping_name: str = ""
    saved_mappings: list[str] = []
    full: bool = False
    valid_rows_only: bool = False
    notify: bool = False
    percent: int = 0
    progress_label: str = ""
    has_report: bool = False
    dry_run: bool = True
    counts: list[CountRow] = []
    errors: list[ErrorRow] = []
    error_count: int = 0
    customers_to_email: int = 0
    customers_to_text: int = 0
    customers_notified: int = 0
    run_message: str = ""
    recent: list[RunRow] = []
    templates: list[TemplateRow] = []
    accepted: str = ""
    upload_limit: str = ""
    error: str = ""
    notice: str = ""
    _watching: bool = False

    @rx.var
    def has_problems(self) -> bool:
        return any(card.problem for card in self.files)

    def _show(self, view: runs.RunView | None) -> None:
        if view is None:
            self.run_id, self.status, self.status_label, self.running = 0, "", "", False
            self.files, self.counts, self.errors, self.has_report = [], [], [], False
            self.upload_names = self.ignored = self.run_message = ""
            return
        self.run_id, self.status, self.status_label = view.id, view.status, view.status_label
        self.running = view.running
        self.upload_names = ", ".join(view.upload_names)
        self.ignored = ", ".join(view.ignored)
        self.files = [_card(f) for f in view.files]
        self.mapping_name = view.mapping_name
        if view.saved_mappings:
            self.saved_mappings = view.saved_mappings
        self.full = view.options["full"]
        self.valid_rows_only = view.options["valid_rows_only"]
        self.notify = view.options["notify"]
        self.percent = view.percent
        self.progress_label = (
            f"{format_size(view.progress_done)} of {format_size(view.progress_total)} read"
        )
        self.run_message = view.message
        report = view.report
        self.has_report = report is not None
        if report is None:
            self.counts, self.errors, self.error_count = [], [], 0
            return
        self.dry_run = report.dry_run
        self.counts = [
            CountRow(
                e.entity,
                e.file,
                e.created,
                e.updated,
                e.unchanged,
                e.refused,
                e.retired,
                e.note,
                ", ".join(e.unmatched_columns),
            )
            for e in report.entities
        ]
        self.error_count = len(report.errors)
        self.errors = [
            ErrorRow(f"{e.file}, line {e.line}" if e.line else e.file, e.column, e.value, e.reason)
            for e in report.errors[:FIRST_ERRORS]
        ]
        self.customers_to_email = report.customers_to_email
        self.customers_to_text = report.customers_to_text
        self.customers_notified = report.customers_notified

    def _load(self, run_id: int | None) -> runs.RunView | None:
        principal = self._require_agent()
        with session_scope() as db:
            recent = runs.latest_runs(db, principal)
            wanted = run_id or (recent[0].id if recent else None)
            view = runs.view_run(db, principal, wanted) if wanted else None
            self.saved_mappings = runs.saved_mapping_names(db)
        self.recent = [
            RunRow(
                r.id,
                when(r.created_at),
                ", ".join(r.upload_names),
                r.status_label,
                routes.import_run_path(r.id),
            )
            for r in recent
        ]
        return view

    @rx.event
    @off_loop
    def open_page(self):
        self.error = self.notice = ""
        self.templates = _templates()
        self.accepted = accepted_names()
        self.upload_limit = format_size(MAX_UPLOAD_BYTES)
        try:
            self._show(self._load(parse_id(query_param(self, "run"))))
        except ServiceError as exc:
            self._show(None)
            self.error = exc.message
        return AgentImportState.watch if self.running else None

    @rx.event
    @off_loop
    def new_import(self):
        """Back to the upload form (the last runs stay listed)."""
        self._require_agent()
        self._show(None)
        self.error = self.notice = ""

    def _change(self, step) -> None:
        principal = self._require_agent()
        self.error = self.notice = ""
        try:
            with session_scope() as db:
                self._show(step(db, principal))
        except ServiceError as exc:
            self.error = exc.message

    @rx.event
    @off_loop
    def choose_target(self, entity: str, header: str, target: str):
        self._require_agent()
        if not all(isinstance(v, str) for v in (entity, header, target)):
            return
        self._change(lambda db, p: runs.set_target(db, p, self.run_id, entity, header, target))

    @rx.event
    @off_loop
    def choose_mapping(self, name: str):
        self._require_agent()
        if isinstance(name, str) and name:
            self._change(lambda db, p: runs.use_saved_mapping(db, p, self.run_id, name))

    @rx.event
    @off_loop
    def save_mapping(self, form_data: dict):
        name = str(form_data.get("mapping_name") or "")
        self._change(lambda db, p: runs.save_run_mapping(db, p, self.run_id, name))
        if not self.error:
            self.notice = f"Mapping saved as “{self.mapping_name}”."

    @rx.event
    @off_loop
    def set_option(self, name: str, checked: bool):
        self._require_agent()
        if isinstance(name, str) and isinstance(checked, bool):
            self._change(lambda db, p: runs.set_options(db, p, self.run_id, {name: checked}))

    def _begin(self, begin, *, dry_run: bool):
        self._change(lambda db, p: begin(db, p, self.run_id))
        if self.error or not self.running:
            return None
        run_worker.launch(self.run_id, dry_run=dry_run)
        return AgentImportState.watch

    @rx.event
    @off_loop
    def preview(self):
        return self._begin(runs.begin_preview, dry_run=True)

    @rx.event
    @off_loop
    def apply(self):
        return self._begin(runs.begin_apply, dry_run=False)

    @rx.event
    @off_loop
    def download_errors(self):
        principal = self._require_agent()
        try:
            with session_scope() as db:
                path = runs.errors_link(db, principal, self.run_id)
        except ServiceError as exc:
            self.error = exc.message
            return None
        return download_script(path)

    @rx.event(background=True)
    async def watch(self):
        """Follow a running preview or apply until it ends (one watcher per tab)."""
        async with self:
            await asyncio.to_thread(self._require_agent)  # an ended session leaves at once
            if self._watching or not self.run_id:
                return
            self._watching = True
        try:
            for _ in range(int(WATCH_LIMIT_SECONDS / WATCH_SECONDS)):
                await asyncio.sleep(WATCH_SECONDS)
                async with self:
                    if not self.run_id:
                        return
                    try:
                        view = await asyncio.to_thread(self._load, self.run_id)
                    except (ServiceError, SessionEnded):
                        return
                    self._show(view)
                    if not self.running:
                        return
        finally:
            async with self:
                self._watching = False


def _card(file: runs.RunFile) -> FileCard:
    fields = [FieldChoice("", "— not imported —")] + [
        FieldChoice(name, f"{name} (required)" if required else name)
        for name, required in file.fields
    ]
    return FileCard(
        entity=file.entity,
        file=file.file,
        problem=file.problem,
        required=", ".join(file.required),
        headers=[
            HeaderRow(file.entity, h.header, h.target, h.matched, f"map-{file.entity}-{position}")
            for position, h in enumerate(file.headers)
        ],
        fields=fields,
    )
