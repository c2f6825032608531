"""The import page: upload an export (zip or CSVs), map its headers to our fields, choose the
options, preview, apply with a progress bar, and read the report (docs/import.md)."""

from __future__ import annotations

import reflex as rx

from clientcenter import routes
from clientcenter.components.agency.ui import (
    SELECT_STYLE,
    agent_shell,
    entries,
    field_label,
    list_row,
    messages,
    muted,
    page_title,
    section,
)
from clientcenter.components.common import error_callout
from clientcenter.components.tables import scroll_table
from clientcenter.state.agency.imports import (
    AgentImportState,
    CountRow,
    ErrorRow,
    FieldChoice,
    FileCard,
    HeaderRow,
    RunRow,
    TemplateRow,
)

S = AgentImportState
UPLOAD_FORM_ID = "import-upload-form"
# The form posts to the upload route itself (form.submit() skips the React submit handler
# Reflex puts on every form): the files go straight to our own authenticated HTTP route.
SUBMIT_UPLOAD = (
    f"(() => {{const f = document.getElementById('{UPLOAD_FORM_ID}');"
    " const input = document.getElementById('import-files');"
    " if (!input.files.length) { input.focus(); return; }"
    " document.getElementById('import-upload-submit').disabled = true; f.submit();})()"
)


def _template_link(t: TemplateRow) -> rx.Component:
    return rx.link(
        rx.hstack(rx.icon("file-down", size=14), rx.text(t.file, size="2"), spacing="1"),
        href=t.href,
        class_name="import-template",
        download="",
    )


def _upload() -> rx.Component:
    return section(
        "Upload an export",
        muted(
            "A zip of the export, or its CSV files named ",
            S.accepted,
            ". Up to ",
            S.upload_limit,
            " at a time; the command line takes bigger files.",
        ),
        rx.el.form(
            rx.vstack(
                field_label("Files", "import-files"),
                rx.el.input(
                    type="file",
                    id="import-files",
                    name="files",
                    multiple=True,
                    accept=".csv,.zip,text/csv,application/zip",
                    style={"font_size": "14px", "max_width": "100%"},
                ),
                rx.button(
                    rx.icon("upload", size=16),
                    "Upload",
                    type="button",
                    size="3",
                    id="import-upload-submit",
                    on_click=rx.call_script(SUBMIT_UPLOAD),
                ),
                spacing="2",
                align="start",
                width="100%",
            ),
            action=routes.IMPORT_UPLOAD_ROUTE,
            method="post",
            enc_type="multipart/form-data",
            id=UPLOAD_FORM_ID,
            width="100%",
        ),
        rx.vstack(
            muted(
                "Templates, one per kind of record (the header line; docs/import.md explains "
                "each column):"
            ),
            rx.hstack(rx.foreach(S.templates, _template_link), wrap="wrap", spacing="4"),
            spacing="1",
            width="100%",
            id="import-templates",
        ),
        id_="import-upload",
    )


def _option(choice: FieldChoice) -> rx.Component:
    return rx.el.option(choice.label, value=choice.value)


def _header_row(h: HeaderRow, fields) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.el.label(h.header, html_for=h.select_id, style={"font_weight": "500"}),
                rx.cond(
                    h.matched,
                    rx.fragment(),
                    rx.badge("Not matched", color_scheme="amber", variant="soft", size="1"),
                ),
                spacing="1",
            ),
        ),
        rx.table.cell(
            rx.el.select(
                rx.foreach(fields, _option),
                id=h.select_id,
                value=h.target,
                on_change=lambda value: S.choose_target(h.entity, h.header, value),
                style=SELECT_STYLE,
                disabled=S.running,
            ),
            min_width="180px",
        ),
        class_name="import-header",
    )


def _file_card(card: FileCard) -> rx.Component:
    return rx.box(
        rx.vstack(
            rx.hstack(
                rx.icon("file-spreadsheet", size=18),
                rx.text(card.file, weight="bold", size="3"),
                rx.badge(card.entity, variant="outline"),
                align="center",
                spacing="2",
                wrap="wrap",
            ),
            muted("Required: ", card.required),
            error_callout(card.problem, icon="circle-alert"),
            scroll_table(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("Column in the file"),
                        rx.table.column_header_cell("Our field"),
                    )
                ),
                rx.table.body(rx.foreach(card.headers, lambda h: _header_row(h, card.fields))),
                label="Columns of " + card.file,
            ),
            spacing="2",
            width="100%",
        ),
        padding_y="10px",
        border_top=f"1px solid {rx.color('gray', 4)}",
        width="100%",
        class_name="import-file",
        id="import-file-" + card.entity,
    )


def _saved_option(name: str) -> rx.Component:
    return rx.el.option(name, value=name)


def _mapping() -> rx.Component:
    return rx.grid(
        rx.vstack(
            field_label("Start from a saved mapping", "import-saved-mapping"),
            rx.el.select(
                rx.foreach(S.saved_mappings, _saved_option),
                id="import-saved-mapping",
                value=S.mapping_name,
                on_change=S.choose_mapping,
                style=SELECT_STYLE,
                disabled=S.running,
            ),
            spacing="1",
            width="100%",
        ),
        rx.form(
            rx.vstack(
                field_label("Save this mapping as", "import-mapping-name"),
                rx.hstack(
                    rx.input(
                        id="import-mapping-name",
                        name="mapping_name",
                        placeholder="e.g. nightly",
                        max_length=80,
                        size="3",
                        width="100%",
                    ),
                    rx.button(
                        "Save",
                        type="submit",
                        size="3",
                        variant="soft",
                        id="import-mapping-save",
                        disabled=S.running,
                    ),
                    width="100%",
                ),
                spacing="1",
                width="100%",
            ),
            on_submit=S.save_mapping,
            reset_on_submit=False,
            width="100%",
        ),
        columns=rx.breakpoints(initial="1", md="2"),
        spacing="3",
        width="100%",
    )


def _checkbox(id_: str, name: str, checked: rx.Var, label: str, hint) -> rx.Component:
    return rx.el.label(
        rx.el.input(
            type="checkbox",
            id=id_,
            checked=checked,
            on_change=lambda value: S.set_option(name, value),
            disabled=S.running,
            style={"margin_top": "3px"},
        ),
        rx.vstack(rx.text(label, size="2", weight="medium"), muted(hint), spacing="0"),
        style={"display": "flex", "gap": "8px", "align_items": "start"},
    )


def _options() -> rx.Component:
    return rx.vstack(
        _checkbox(
            "import-full",
            "full",
            S.full,
            "Full import",
            "Records these files no longer name are retired (the preview counts them).",
        ),
        _checkbox(
            "import-valid-rows-only",
            "valid_rows_only",
            S.valid_rows_only,
            "Apply the valid rows",
            "By default one refused row means nothing is applied.",
        ),
        _checkbox(
            "import-notify",
            "notify",
            S.notify,
            "Notify customers",
            "Off: the import emails and texts no one. The preview says how many would hear.",
        ),
        spacing="2",
        width="100%",
    )


def _progress() -> rx.Component:
    return rx.vstack(
        rx.box(
            rx.box(
                height="100%",
                width=S.percent.to_string() + "%",
                background_color=rx.color("accent", 9),
                border_radius="inherit",
                transition="width 0.3s",
            ),
            role="progressbar",
            aria_label="Import progress",
            custom_attrs={
                "aria-valuenow": S.percent,
                "aria-valuemin": 0,
                "aria-valuemax": 100,
            },
            height="10px",
            width="100%",
            border_radius="999px",
            background_color=rx.color("gray", 4),
            overflow="hidden",
            id="import-progress",
        ),
        muted(S.percent.to_string(), "% · ", S.progress_label, id="import-progress-label"),
        spacing="1",
        width="100%",
    )


def _count_row(c: CountRow) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.vstack(rx.text(c.entity, weight="medium"), muted(c.file), spacing="0")
        ),
        rx.table.cell(c.created.to_string()),
        rx.table.cell(c.updated.to_string()),
        rx.table.cell(c.unchanged.to_string()),
        rx.table.cell(
            c.refused.to_string(), color=rx.cond(c.refused > 0, rx.color("red", 11), "")
        ),
        rx.table.cell(c.retired.to_string()),
        class_name="import-count",
        id="import-count-" + c.entity,
    )


def _count_notes(c: CountRow) -> rx.Component:
    return rx.cond(
        (c.note != "") | (c.unmatched != ""),
        muted(
            rx.text.strong(c.entity, ": "),
            c.note,
            rx.cond((c.note != "") & (c.unmatched != ""), "; ", ""),
            rx.cond(c.unmatched != "", "columns not imported: " + c.unmatched, ""),
        ),
    )


def _error_row(e: ErrorRow) -> rx.Component:
    return list_row(
        rx.text(
            e.where,
            rx.cond(e.column != "", ", column " + e.column, ""),
            weight="medium",
            size="2",
        ),
        rx.cond(e.value != "", muted("Value: ", e.value)),
        rx.text(e.reason, size="2"),
        class_name="import-error",
    )


def _notifications() -> rx.Component:
    return rx.cond(
        S.dry_run,
        rx.text(
            rx.cond(
                S.notify,
                rx.fragment(
                    "Customers who would be emailed: ",
                    S.customers_to_email.to_string(),
                    " · texted: ",
                    S.customers_to_text.to_string(),
                ),
                "No customer would be emailed or texted (Notify customers is off).",
            ),
            size="2",
            id="import-notify-count",
        ),
        rx.text(
            "Customers notified: ",
            S.customers_notified.to_string(),
            size="2",
            id="import-notify-count",
        ),
    )


def _report() -> rx.Component:
    heads = ["Created", "Updated", "Unchanged", "Refused", "Retired"]
    return section(
        rx.cond(S.dry_run, "Preview: what would happen", "Report"),
        scroll_table(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell("File"),
                    *[
                        rx.table.column_header_cell(
                            rx.cond(
                                S.dry_run & (h in ("Created", "Updated", "Retired")),
                                "Would be " + h.lower(),
                                h,
                            )
                        )
                        for h in heads
                    ],
                )
            ),
            rx.table.body(rx.foreach(S.counts, _count_row)),
            label="Import counts by file",
        ),
        rx.foreach(S.counts, _count_notes),
        _notifications(),
        rx.cond(
            S.error_count > 0,
            rx.vstack(
                rx.hstack(
                    rx.text(
                        S.error_count.to_string(),
                        rx.cond(S.error_count == 1, " row refused", " rows refused"),
                        rx.cond(S.error_count > 20, " (the first 20 below)", ""),
                        weight="medium",
                        size="2",
                        id="import-error-count",
                    ),
                    rx.spacer(),
                    rx.button(
                        rx.icon("download", size=16),
                        "Download errors (CSV)",
                        variant="soft",
                        size="2",
                        on_click=S.download_errors,
                        id="import-errors-download",
                    ),
                    width="100%",
                    align="center",
                    wrap="wrap",
                ),
                entries(S.errors, _error_row, id="import-errors"),
                spacing="2",
                width="100%",
            ),
            rx.text("No row refused.", size="2", id="import-error-count"),
        ),
        id_="import-report",
    )


def _actions_buttons() -> rx.Component:
    return rx.hstack(
        rx.button(
            rx.icon("eye", size=16),
            "Preview",
            size="3",
            variant=rx.cond(S.status == "previewed", "soft", "solid"),
            on_click=S.preview,
            disabled=S.running | S.has_problems,
            id="import-preview",
        ),
        rx.button(
            rx.icon("check", size=16),
            "Apply",
            size="3",
            on_click=S.apply,
            disabled=S.status != "previewed",
            id="import-apply",
        ),
        spacing="3",
        wrap="wrap",
    )


def _run() -> rx.Component:
    done = S.status == "applied"
    return rx.fragment(
        rx.cond(
            done,
            rx.fragment(),
            rx.fragment(
                section(
                    "Columns",
                    muted(
                        "Each column of the files feeds one of our fields. Columns our names "
                        "and the usual export names matched are chosen already; map the rest "
                        "or leave them out."
                    ),
                    rx.cond(
                        S.ignored != "", muted("Not imported (not one of our files): ", S.ignored)
                    ),
                    rx.foreach(S.files, _file_card),
                    _mapping(),
                    id_="import-columns",
                ),
                section("Options", _options(), id_="import-options"),
            ),
        ),
        section(
            rx.cond(done, "Applied", "Preview, then apply"),
            rx.cond(
                done,
                muted("Files: ", S.upload_names, " · mapping: ", S.mapping_name),
                muted(
                    "Preview reads everything and writes nothing. Apply applies what the "
                    "preview showed, in the background: you may leave this page and come back."
                ),
            ),
            rx.cond(done, rx.fragment(), _actions_buttons()),
            rx.cond(S.running | S.has_report, _progress()),
            error_callout(S.run_message, "import-run-message", icon="circle-alert"),
            id_="import-actions",
            right=rx.badge(S.status_label, id="import-status", size="2"),
        ),
        rx.cond(S.has_report & ~S.running, _report()),
        rx.button(
            rx.icon("plus", size=16),
            "Start another import",
            variant=rx.cond(done, "solid", "ghost"),
            on_click=S.new_import,
            id="import-new",
        ),
    )


def _recent_row(r: RunRow) -> rx.Component:
    return list_row(
        rx.link(r.when, " · ", r.files, href=r.href, size="2", weight="medium"),
        muted(r.status_label),
        class_name="import-recent",
    )


def import_page() -> rx.Component:
    return agent_shell(
        page_title(
            "Import",
            "Bring the book of business in from the management system's CSV exports.",
        ),
        messages("import", S.error, S.notice),
        rx.cond(S.run_id == 0, _upload(), _run()),
        section(
            "Recent imports",
            entries(S.recent, _recent_row, "No import yet.", id="import-recent"),
            id_="import-recent-section",
        ),
        active=routes.AGENT_IMPORT,
    )
