"""Agent work queues: tasks/notes, an account's activity log, undelivered messages, and the
More page (matrix in force, the login embed snippet, sign out)."""

from __future__ import annotations

import reflex as rx

from clientcenter.components.agency.ui import (
    SELECT_STYLE,
    agent_shell,
    empty,
    list_row,
    muted,
    page_title,
    pager,
    section,
)
from clientcenter.components.common import error_callout, notice_callout
from clientcenter.state.agency.queues import (
    AgentActivityState,
    AgentMoreState,
    AgentOutboxState,
    AgentTasksState,
)

# --- tasks ---------------------------------------------------------------------------------


def _segmented(value: rx.Var, options: list[tuple[str, str]], on_change, id_: str) -> rx.Component:
    return rx.segmented_control.root(
        *[rx.segmented_control.item(label, value=v) for v, label in options],
        value=value,
        on_change=on_change,
        id=id_,
        width="100%",
    )


def _task(t: dict) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(t["title"], weight="bold", size="2"),
            rx.cond(t["body"] != "", rx.text(t["body"], size="2", white_space="pre-line")),
            muted("For ", t["assigned"], " · ", t["created"]),
            rx.cond(
                t["account_id"] != "",
                rx.link(
                    "Open ", t["account"], href="/agent/account?id=" + t["account_id"], size="2"
                ),
            ),
            rx.cond(
                AgentTasksState.status == "open",
                rx.vstack(
                    rx.button(
                        rx.icon("check", size=16),
                        "Mark done",
                        size="2",
                        on_click=AgentTasksState.complete(t["id"]),
                        class_name="task-done",
                    ),
                    rx.form(
                        rx.hstack(
                            rx.el.input(type="hidden", name="task_id", value=t["id"]),
                            rx.el.select(
                                rx.foreach(
                                    AgentTasksState.colleagues,
                                    lambda a: rx.el.option(a["name"], value=a["id"]),
                                ),
                                name="agent_id",
                                default_value=t["assigned_id"],
                                aria_label="Hand to",
                                style={**SELECT_STYLE, "flex": "1", "width": "auto"},
                            ),
                            rx.button(
                                "Hand over",
                                size="2",
                                variant="soft",
                                type="submit",
                                class_name="task-reassign",
                            ),
                            width="100%",
                            spacing="2",
                        ),
                        on_submit=AgentTasksState.reassign,
                        width="100%",
                    ),
                    spacing="2",
                    width="100%",
                ),
                rx.button(
                    rx.icon("rotate-ccw", size=16),
                    "Reopen",
                    size="2",
                    variant="soft",
                    on_click=AgentTasksState.reopen(t["id"]),
                    class_name="task-reopen",
                ),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        class_name="task-card",
    )


def tasks_page() -> rx.Component:
    s = AgentTasksState
    return agent_shell(
        page_title("Tasks and notes", "What customers' actions asked of you, oldest first."),
        _segmented(s.status, [("open", "Open"), ("done", "Done")], s.show, "task-status"),
        _segmented(s.scope, [("mine", "Mine"), ("all", "Everyone's")], s.show_scope, "task-scope"),
        error_callout(s.error, "tasks-error", icon="circle-alert"),
        notice_callout(s.notice, "tasks-notice"),
        rx.text(
            s.total.to_string(),
            rx.cond(s.total == 1, " task", " tasks"),
            size="2",
            color_scheme="gray",
            id="task-count",
        ),
        rx.cond(
            s.rows.length() > 0,
            rx.vstack(rx.foreach(s.rows, _task), spacing="3", width="100%", id="task-list"),
            empty("Nothing here."),
        ),
        pager(s.page, s.pages, s.previous_page, s.next_page, "task-pager"),
        active="/agent/tasks",
    )


# --- activity log --------------------------------------------------------------------------


def activity_page() -> rx.Component:
    s = AgentActivityState
    return agent_shell(
        rx.vstack(
            rx.link(
                rx.hstack(
                    rx.icon("chevron-left", size=16),
                    rx.text(s.account_name, size="2"),
                    spacing="1",
                    align="center",
                ),
                href="/agent/account?id=" + s.account_id,
                underline="none",
                id="back-link",
            ),
            rx.heading("Activity log", size="6", as_="h1", id="page-title"),
            spacing="1",
            width="100%",
        ),
        error_callout(s.error, "activity-error", icon="circle-alert"),
        rx.form(
            rx.vstack(
                rx.el.label("Action", html_for="activity-action", style={"font_size": "14px"}),
                rx.el.select(
                    rx.el.option("All actions", value=""),
                    rx.foreach(
                        s.action_options, lambda o: rx.el.option(o["label"], value=o["value"])
                    ),
                    name="action",
                    id="activity-action",
                    style=SELECT_STYLE,
                ),
                rx.el.label("Who acted", html_for="activity-actor", style={"font_size": "14px"}),
                rx.el.select(
                    rx.el.option("Anyone", value=""),
                    rx.foreach(
                        s.actor_options, lambda o: rx.el.option(o["label"], value=o["value"])
                    ),
                    name="actor",
                    id="activity-actor",
                    style=SELECT_STYLE,
                ),
                rx.hstack(
                    rx.button("Filter", type="submit", size="2", id="activity-filter"),
                    rx.button(
                        "Clear",
                        type="button",
                        size="2",
                        variant="soft",
                        on_click=s.clear,
                        color_scheme="gray",
                    ),
                    spacing="2",
                ),
                spacing="2",
                width="100%",
            ),
            on_submit=s.filter,
            reset_on_submit=False,
            width="100%",
        ),
        rx.text(
            s.total.to_string(),
            rx.cond(s.total == 1, " entry", " entries"),
            size="2",
            color_scheme="gray",
            id="activity-count",
        ),
        rx.card(
            rx.cond(
                s.rows.length() > 0,
                rx.vstack(
                    rx.foreach(
                        s.rows,
                        lambda r: list_row(
                            rx.text(r["label"], weight="medium", size="2"),
                            muted(r["actor"], " · ", r["when"], " · ", r["channel"]),
                            rx.cond(r["summary"] != "", rx.text(r["summary"], size="2")),
                            class_name="activity-row",
                        ),
                    ),
                    spacing="0",
                    width="100%",
                ),
                empty("No entries."),
            ),
            width="100%",
        ),
        pager(s.page, s.pages, s.previous_page, s.next_page, "activity-pager"),
        active="/agent",
    )


# --- outbox --------------------------------------------------------------------------------


def _failed(m: dict) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.badge(m["channel"], variant="soft"),
                rx.text(m["subject"], weight="medium", size="2", min_width="0"),
                align="center",
                spacing="2",
                wrap="wrap",
            ),
            muted("To ", m["to"], word_break="break-all"),
            rx.cond(
                m["account"] != "",
                rx.link(m["account"], size="2", href="/agent/account?id=" + m["account_id"]),
            ),
            muted(m["when"], " · ", m["attempts"], " attempts"),
            rx.text(m["error"], size="1", color=rx.color("red", 11), word_break="break-word"),
            rx.cond(
                m["can_retry"] == "yes",
                rx.button(
                    rx.icon("refresh-cw", size=16),
                    "Retry",
                    size="2",
                    on_click=AgentOutboxState.retry(m["id"]),
                    class_name="outbox-retry",
                ),
                muted("A sign-in code is never resent; the customer asks for a new one."),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        class_name="failed-message",
    )


def outbox_page() -> rx.Component:
    s = AgentOutboxState
    return agent_shell(
        page_title(
            "Undelivered messages",
            "Emails and texts the relay gave up on after "
            "retrying. Fix the address if needed, then retry.",
        ),
        error_callout(s.error, "outbox-error", icon="circle-alert"),
        notice_callout(s.notice, "outbox-notice"),
        rx.cond(
            s.rows.length() > 0,
            rx.vstack(rx.foreach(s.rows, _failed), spacing="3", width="100%"),
            empty("Every message went out."),
        ),
        active="/agent/outbox",
    )


# --- more ----------------------------------------------------------------------------------


def _tick(value: rx.Var) -> rx.Component:
    return rx.cond(
        value == "yes",
        rx.icon("check", size=16, color=rx.color("green", 11)),
        rx.text("–", color_scheme="gray", size="1"),
    )


def _matrix_section(section: dict) -> rx.Component:
    def row(r: dict) -> rx.Component:
        return rx.cond(
            r["section"] == section["title"],
            rx.table.row(
                rx.table.row_header_cell(r["label"], style={"white_space": "normal"}),
                rx.table.cell(_tick(r["agent_email"])),
                rx.table.cell(_tick(r["customer_email"])),
                rx.table.cell(_tick(r["primary_email"])),
                rx.table.cell(_tick(r["task"])),
                rx.table.cell(_tick(r["log"])),
            ),
        )

    return rx.vstack(
        rx.heading(section["title"], size="2", as_="h3"),
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("Action"),
                        *[
                            rx.table.column_header_cell(h, title=t)
                            for h, t in (
                                ("AE", "Agent Email"),
                                ("CE", "Customer Email"),
                                ("PA", "Primary Applicant Email"),
                                ("T", "Task/Note Created"),
                                ("L", "Activity/System Log"),
                            )
                        ],
                    )
                ),
                rx.table.body(rx.foreach(AgentMoreState.matrix, row)),
                size="1",
                width="100%",
            ),
            overflow_x="auto",
            width="100%",
        ),
        spacing="2",
        width="100%",
    )


def more_page() -> rx.Component:
    from clientcenter.components.agency.extras import embed_card, sign_out_button

    s = AgentMoreState
    return agent_shell(
        page_title("More", s.agent_name),
        muted(s.agent_email),
        embed_card(),
        section(
            "Notification matrix in force",
            muted(
                "AE agent email · CE customer email · PA primary applicant email · "
                "T task/note · L activity log. The agency changes cells in its "
                "configuration."
            ),
            rx.foreach(s.sections, _matrix_section),
            id_="matrix",
        ),
        sign_out_button(),
        active="/agent/more",
    )
