"""The audit trail (auditors and administrators): who read or changed which customer's data,
when and from where; filtered, paged newest first, and exported as CSV for a date range."""

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
    pager,
    section,
)
from clientcenter.components.forms import field_error
from clientcenter.state.agency.audit import AgentAuditState, AuditEntry
from clientcenter.state.agency.queues import FilterOption

S = AgentAuditState


def _labelled(label: str, html_for: str, control: rx.Component, key: str) -> rx.Component:
    return rx.vstack(
        field_label(label, html_for),
        control,
        field_error(S.field_errors, key),
        spacing="1",
        width="100%",
        min_width="0",
    )


def _date(id_: str, name: str, **props) -> rx.Component:
    return rx.input(id=id_, name=name, type="date", size="3", width="100%", **props)


def _agent_option(a: FilterOption) -> rx.Component:
    return rx.el.option(a.label, value=a.value)


def _filters() -> rx.Component:
    return rx.form(
        rx.grid(
            _labelled(
                "Agent",
                "audit-agent",
                rx.el.select(
                    rx.el.option("Every agent", value=""),
                    rx.foreach(S.agents, _agent_option),
                    id="audit-agent",
                    name="agent_id",
                    style=SELECT_STYLE,
                ),
                "agent_id",
            ),
            _labelled(
                "Account",
                "audit-account",
                rx.input(
                    id="audit-account",
                    name="account",
                    placeholder="Name or number",
                    size="3",
                    width="100%",
                    max_length=160,
                ),
                "account",
            ),
            _labelled("From", "audit-from", _date("audit-from", "date_from"), "date_from"),
            _labelled("To", "audit-to", _date("audit-to", "date_to"), "date_to"),
            _labelled(
                "Kind",
                "audit-kind",
                rx.el.select(
                    rx.el.option("All kinds", value=""),
                    rx.el.option("Reads", value="read"),
                    rx.el.option("Changes", value="write"),
                    id="audit-kind",
                    name="kind",
                    style=SELECT_STYLE,
                ),
                "kind",
            ),
            rx.box(
                rx.button("Filter", type="submit", size="3", id="audit-filter-submit"),
                align_self="end",
            ),
            columns=rx.breakpoints(initial="1", sm="2", md="3"),
            spacing="3",
            width="100%",
        ),
        on_submit=S.apply,
        reset_on_submit=False,
        width="100%",
        id="audit-filters",
    )


def _row(e: AuditEntry) -> rx.Component:
    return list_row(
        rx.hstack(
            rx.badge(e.kind_label, color_scheme=rx.cond(e.kind == "write", "orange", "blue")),
            rx.text(e.action, weight="medium", size="2", font_family="monospace"),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        muted(e.when, " · ", e.agent, rx.cond(e.client_ip != "", " · " + e.client_ip, "")),
        rx.cond(e.account != "", rx.text(e.account, size="2")),
        rx.cond(e.summary != "", rx.text(e.summary, size="2", color_scheme="gray")),
        class_name="audit-row",
    )


def _export() -> rx.Component:
    return section(
        "Export as CSV",
        muted(
            "Every read and change in the range, oldest first (dates are UTC days). Cells a "
            "spreadsheet would run as a formula start with an apostrophe."
        ),
        rx.form(
            rx.vstack(
                rx.grid(
                    rx.vstack(
                        field_label("First day", "export-from"), _date("export-from", "date_from")
                    ),
                    rx.vstack(field_label("Last day", "export-to"), _date("export-to", "date_to")),
                    columns=rx.breakpoints(initial="1", sm="2"),
                    spacing="3",
                    width="100%",
                ),
                rx.el.label(
                    rx.el.input(type="checkbox", id="export-customers", name="include_customers"),
                    " Include customers' own actions (from the activity log)",
                    style={"font_size": "14px", "display": "flex", "gap": "8px"},
                ),
                rx.button(
                    rx.icon("download", size=16),
                    "Export CSV",
                    type="submit",
                    size="3",
                    id="audit-export-submit",
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=S.export,
            reset_on_submit=False,
            width="100%",
            id="audit-export-form",
        ),
        messages("audit-export", S.export_error),
        id_="audit-export",
    )


def audit_page() -> rx.Component:
    return agent_shell(
        page_title(
            "Audit trail",
            "Every agent read of customer data and every change, with time and client IP.",
        ),
        section("Filter", _filters(), id_="audit-filter"),
        messages("audit", S.error),
        rx.text(
            S.total.to_string(),
            rx.cond(S.total == 1, " event", " events"),
            size="2",
            color_scheme="gray",
            id="audit-count",
        ),
        entries(S.rows, _row, "Nothing recorded for these filters.", id="audit-list"),
        pager(S.page, S.pages, S.previous_page, S.next_page, "audit-pager"),
        _export(),
        active=routes.AGENT_MORE,
    )
