"""Agent work queues: tasks/notes, an account's activity log, undelivered messages, and the
More page (matrix in force, the login embed snippet, sign out)."""

from __future__ import annotations

import reflex as rx

from clientcenter import routes
from clientcenter.components.agency.ui import (
    SELECT_STYLE,
    agent_shell,
    entries,
    if_allowed,
    log_entry_row,
    messages,
    muted,
    page_title,
    pager,
    section,
)
from clientcenter.components.tables import screen_reader_text, scroll_table
from clientcenter.services.agency.roles import Permission
from clientcenter.state.agency.queues import (
    AgentActivityState,
    AgentMoreState,
    AgentOutboxState,
    AgentTasksState,
    Colleague,
    FilterOption,
    MatrixEntry,
    MatrixSection,
    QueuedTask,
    UndeliveredMessage,
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


def _colleague(a: Colleague) -> rx.Component:
    return rx.el.option(a.name, value=a.id)


def _task(t: QueuedTask) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(t.title, weight="bold", size="2"),
            rx.cond(t.body != "", rx.text(t.body, size="2", white_space="pre-line")),
            muted("For ", t.assigned, " · ", t.created),
            rx.cond(
                t.account_href != "",
                rx.link("Open ", t.account, href=t.account_href, size="2"),
            ),
            rx.cond(
                AgentTasksState.status == "open",
                rx.vstack(
                    rx.cond(
                        t.payment_id != 0,
                        rx.button(
                            rx.icon("banknote", size=16),
                            "Confirm received",
                            size="2",
                            on_click=AgentTasksState.confirm_received(t.payment_id),
                            class_name="task-confirm-received",
                        ),
                    ),
                    rx.button(
                        rx.icon("check", size=16),
                        "Mark done",
                        size="2",
                        on_click=AgentTasksState.complete(t.id),
                        class_name="task-done",
                    ),
                    rx.form(
                        rx.hstack(
                            rx.el.input(type="hidden", name="task_id", value=t.id),
                            rx.el.select(
                                rx.foreach(AgentTasksState.colleagues, _colleague),
                                name="agent_id",
                                default_value=t.assigned_id.to_string(),
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
                    on_click=AgentTasksState.reopen(t.id),
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
        rx.flex(  # stacked on a phone, side by side on a desk
            _segmented(s.status, [("open", "Open"), ("done", "Done")], s.show, "task-status"),
            _segmented(
                s.scope, [("mine", "Mine"), ("all", "Everyone's")], s.show_scope, "task-scope"
            ),
            direction={"initial": "column", "md": "row"},
            gap="4",
            width="100%",
        ),
        messages("tasks", s.error, s.notice),
        rx.text(
            s.total.to_string(),
            rx.cond(s.total == 1, " task", " tasks"),
            size="2",
            color_scheme="gray",
            id="task-count",
        ),
        entries(s.rows, _task, "Nothing here.", spacing="3", id="task-list"),
        pager(s.page, s.pages, s.previous_page, s.next_page, "task-pager"),
        active=routes.AGENT_TASKS,
    )


# --- activity log --------------------------------------------------------------------------


def _option(o: FilterOption) -> rx.Component:
    return rx.el.option(o.label, value=o.value)


def activity_page() -> rx.Component:
    s = AgentActivityState
    return agent_shell(
        page_title("Activity log", back=(s.account_name, routes.agent_account_path(s.account_id))),
        messages("activity", s.error),
        rx.form(
            rx.vstack(
                rx.el.label("Action", html_for="activity-action", style={"font_size": "14px"}),
                rx.el.select(
                    rx.el.option("All actions", value=""),
                    rx.foreach(s.action_options, _option),
                    name="action",
                    id="activity-action",
                    style=SELECT_STYLE,
                ),
                rx.el.label("Who acted", html_for="activity-actor", style={"font_size": "14px"}),
                rx.el.select(
                    rx.el.option("Anyone", value=""),
                    rx.foreach(s.actor_options, _option),
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
            entries(
                s.rows,
                lambda r: log_entry_row(r, channel=True, class_name="activity-row"),
                "No entries.",
            ),
            width="100%",
        ),
        pager(s.page, s.pages, s.previous_page, s.next_page, "activity-pager"),
        active=routes.AGENT_HOME,
    )


# --- outbox --------------------------------------------------------------------------------


def _failed(m: UndeliveredMessage) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.badge(m.channel, variant="soft"),
                rx.text(m.subject, weight="medium", size="2", min_width="0"),
                align="center",
                spacing="2",
                wrap="wrap",
            ),
            muted("To ", m.recipient, word_break="break-all"),
            rx.cond(
                m.account_href != "",
                rx.link(m.account, size="2", href=m.account_href),
            ),
            muted(m.when, " · ", m.attempts, " attempts"),
            rx.text(m.error, size="1", color=rx.color("red", 11), word_break="break-word"),
            rx.cond(
                m.can_retry,
                rx.button(
                    rx.icon("refresh-cw", size=16),
                    "Retry",
                    size="2",
                    on_click=AgentOutboxState.retry(m.id),
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
            "Emails, texts and webhook deliveries the relay gave up on after "
            "retrying. Fix the address (or the receiving system) if needed, then retry.",
        ),
        messages("outbox", s.error, s.notice),
        entries(s.rows, _failed, "Every message went out.", spacing="3"),
        active=routes.AGENT_OUTBOX,
    )


# --- more ----------------------------------------------------------------------------------


def _tick(value: rx.Var) -> rx.Component:
    """A tick or a dash to the eye; "yes" or "no" to a screen reader."""
    return rx.cond(
        value,
        rx.fragment(
            rx.icon("check", size=16, color=rx.color("green", 11), aria_hidden="true"),
            screen_reader_text("yes"),
        ),
        rx.fragment(
            rx.text("–", color_scheme="gray", size="1", aria_hidden="true"),
            screen_reader_text("no"),
        ),
    )


def _matrix_row(r: MatrixEntry) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(r.label, style={"white_space": "normal"}),
        rx.table.cell(_tick(r.agent_email)),
        rx.table.cell(_tick(r.customer_email)),
        rx.table.cell(_tick(r.primary_email)),
        rx.table.cell(_tick(r.task)),
        rx.table.cell(_tick(r.log)),
    )


def _matrix_section(section: MatrixSection) -> rx.Component:
    return rx.vstack(
        rx.heading(section.title, size="2", as_="h3"),
        scroll_table(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell("Action"),
                    *[
                        rx.table.column_header_cell(
                            rx.el.span(h, aria_hidden="true"), screen_reader_text(t), title=t
                        )
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
            rx.table.body(rx.foreach(section.rows, _matrix_row)),
            label=section.title,
        ),
        spacing="2",
        width="100%",
    )


def more_page() -> rx.Component:
    from clientcenter.components.agency.extras import embed_card, sign_out_button
    from clientcenter.components.agency.second_factor import second_factor_card

    s = AgentMoreState
    return agent_shell(
        page_title("More", s.agent_name),
        muted(s.agent_email, " · ", s.role_label, id="agent-role"),
        rx.link(
            "Roles and permissions: what your role allows",
            href=routes.AGENT_ROLES,
            size="2",
            id="roles-link",
        ),
        second_factor_card(),  # passkeys instead of the authenticator app
        embed_card(),
        if_allowed(
            Permission.AUDIT_TRAIL,
            section(
                "Audit trail",
                muted("Who read or changed customers' data, and the CSV export."),
                rx.link("Open the audit trail", href=routes.AGENT_AUDIT, id="audit-link"),
                id_="audit-card",
            ),
        ),
        if_allowed(
            Permission.MANAGE_STAFF,
            section(
                "Administration",
                rx.link(
                    "Staff: invite, roles, deactivate", href=routes.AGENT_ADMIN, id="more-staff"
                ),
                if_allowed(
                    Permission.MANAGE_WEBHOOKS,
                    rx.link(
                        "Webhooks: endpoints, events, signing secrets",
                        href=routes.AGENT_WEBHOOKS,
                        id="more-webhooks",
                    ),
                ),
                id_="administration",
            ),
        ),
        if_allowed(
            Permission.MANAGE_API_KEYS,
            section(
                "REST API",
                muted(
                    f"Keys for the systems that read and write the book at {routes.API_PREFIX}."
                ),
                rx.link(
                    "API keys: create, list, revoke",
                    href=routes.AGENT_API_KEYS,
                    id="more-api-keys",
                ),
                id_="api-card",
            ),
        ),
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
        active=routes.AGENT_MORE,
    )
