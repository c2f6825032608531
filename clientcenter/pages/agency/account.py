"""/agent/account?id=N — the customer info pane: contacts, policies, open invoices, recent
activity, open tasks; the Client Center icon (read-only view), Invite to Client Center, and
the agency-side actions."""

from __future__ import annotations

import reflex as rx

from clientcenter import routes
from clientcenter.components.agency.ui import (
    agent_shell,
    back_link,
    contact_heading,
    entries,
    if_allowed,
    list_row,
    log_entry_row,
    messages,
    muted,
    section,
)
from clientcenter.components.common import POLICY_STATUS_COLOURS, status_badge
from clientcenter.components.forms import plain_button
from clientcenter.components.icons import icon_if
from clientcenter.components.layout import on_desk
from clientcenter.pages.agency.account_documents import documents_section
from clientcenter.services.agency.roles import Permission
from clientcenter.state.agency.desk import (
    AgentAccountState,
    InviteCandidate,
    LogEntry,
    PaneContactRow,
    PaneInvoiceRow,
    PanePolicyRow,
    PaneTask,
)


def _action(
    icon: str, label: str, *, href: rx.Var | str | None = None, on_click=None, id_: str
) -> rx.Component:
    tile = rx.vstack(
        rx.icon(icon, size=22),
        rx.text(label, size="1", align="center", weight="medium"),
        align="center",
        spacing="1",
        padding="10px 4px",
        border_radius="var(--radius-3)",
        background_color=rx.color("accent", 3),
        color=rx.color("accent", 11),
        width="100%",
        height="100%",
    )
    if href is not None:
        return rx.link(tile, href=href, underline="none", id=id_, width="100%")
    return plain_button(tile, on_click=on_click, id=id_)


def _href(page: str) -> str:
    """One of this account's pages (the id is filled in the browser)."""
    return routes.agent_account_path(AgentAccountState.account_id, page)


def _actions() -> rx.Component:
    """The actions the agent's role allows (each page's service refuses the others)."""
    P = Permission
    invite = _action("send", "Invite", on_click=AgentAccountState.show_invite, id_="invite-button")
    return rx.grid(
        if_allowed(P.MANAGE_ACCOUNTS, invite),
        *[
            if_allowed(needs, _action(icon, label, href=_href(page), id_=id_))
            for icon, label, page, id_, needs in [
                (
                    "file-up",
                    "Share document",
                    routes.AGENT_SHARE,
                    "share-document-link",
                    P.SHARE_DOCUMENTS,
                ),
                (
                    "credit-card",
                    "Payments",
                    routes.AGENT_PAYMENTS,
                    "payments-link",
                    P.TAKE_PAYMENTS,
                ),
                ("upload", "Publish", routes.AGENT_PUBLISH, "publish-link", P.PUBLISH),
                (
                    "award",
                    "Certificates",
                    routes.AGENT_CERTIFICATES,
                    "certificates-link",
                    P.SHARE_DOCUMENTS,
                ),
                (
                    "list-checks",
                    "Requests",
                    routes.AGENT_REQUESTS,
                    "requests-link",
                    P.TASK_QUEUE,
                ),
                ("history", "Activity log", routes.AGENT_ACTIVITY, "activity-link", P.ACTIVITY),
                ("user-cog", "Manage", routes.AGENT_MANAGE, "manage-link", P.MANAGE_ACCOUNTS),
            ]
        ],
        columns={"initial": "3", "md": "4"},
        spacing="2",
        width="100%",
    )


def _client_center_button() -> rx.Component:
    """The Client Center icon: the customer's portal, exactly as they see it (not for an
    auditor)."""
    return if_allowed(
        Permission.READ_ONLY_VIEW,
        rx.button(
            rx.icon("monitor-smartphone", size=18),
            "Open Client Center (read-only)",
            on_click=AgentAccountState.open_client_center,
            size="3",
            width="100%",
            id="open-client-center",
            disabled=~AgentAccountState.active,
        ),
    )


def _header() -> rx.Component:
    return rx.card(
        # Who the account is on the left, what to do on the right (stacked on a phone).
        rx.flex(
            rx.vstack(
                back_link("Search", routes.AGENT_HOME),
                rx.hstack(
                    icon_if(
                        AgentAccountState.kind == "commercial",
                        "building-2",
                        "house",
                        size=22,
                        flex_shrink="0",
                    ),
                    rx.heading(
                        AgentAccountState.name,
                        size="5",
                        as_="h1",
                        id="account-name",
                        flex="1",
                        min_width="0",
                    ),
                    align="center",
                    width="100%",
                ),
                rx.hstack(
                    rx.badge(
                        rx.cond(AgentAccountState.kind == "commercial", "Commercial", "Personal"),
                        variant="soft",
                    ),
                    rx.cond(
                        AgentAccountState.active,
                        rx.badge("Active", color_scheme="green", variant="soft"),
                        rx.badge(
                            "No active policy: Client Center closed",
                            color_scheme="red",
                            variant="soft",
                        ),
                    ),
                    wrap="wrap",
                    spacing="2",
                ),
                rx.cond(AgentAccountState.address != "", muted(AgentAccountState.address)),
                muted("Producer: ", AgentAccountState.producer),
                rx.cond(AgentAccountState.as_of != "", muted(AgentAccountState.as_of, id="as-of")),
                rx.cond(
                    AgentAccountState.last_invited != "",
                    muted("Last invited to Client Center: ", AgentAccountState.last_invited),
                ),
                spacing="2",
                width="100%",
                min_width="0",
            ),
            rx.vstack(
                _client_center_button(),
                _actions(),
                spacing="2",
                width="100%",
                style=on_desk(width="50%", max_width="560px", flex_shrink="0"),
            ),
            direction={"initial": "column", "md": "row"},
            gap="3",
            width="100%",
        ),
        width="100%",
    )


def _invite_panel() -> rx.Component:
    def person(p: InviteCandidate) -> rx.Component:
        return list_row(
            rx.text(p.name, weight="medium", size="2"),
            rx.cond(p.email != "", muted(p.email, word_break="break-all")),
            rx.cond(
                p.reason == "",
                rx.badge("Will be invited", color_scheme="green", variant="soft"),
                rx.text("Not invited: ", p.reason, size="1", color=rx.color("red", 11)),
            ),
        )

    return rx.cond(
        AgentAccountState.invite_open,
        section(
            "Invite to Client Center",
            rx.text(
                "We email the login link to every contact who may log in. There is no "
                "password: they log in with a one-time code.",
                size="2",
            ),
            entries(AgentAccountState.invitees, person),
            rx.hstack(
                rx.button(
                    "Send invitation",
                    on_click=AgentAccountState.send_invite,
                    size="3",
                    id="send-invite",
                ),
                rx.button(
                    "Cancel",
                    on_click=AgentAccountState.close_invite,
                    variant="soft",
                    size="3",
                    color_scheme="gray",
                ),
                spacing="2",
                wrap="wrap",
            ),
            id_="invite-panel",
        ),
    )


def _contact(c: PaneContactRow) -> rx.Component:
    return list_row(
        contact_heading(c.name, c.role_label, c.may_log_in),
        rx.cond(
            c.email != "",
            rx.link(c.email, href="mailto:" + c.email, size="2", word_break="break-all"),
        ),
        rx.cond(c.phone != "", muted(c.phone)),
    )


def _policy(p: PanePolicyRow) -> rx.Component:
    return list_row(
        rx.hstack(
            rx.text(p.line, weight="medium", size="2"),
            status_badge(p.status, p.status_label, POLICY_STATUS_COLOURS),
            wrap="wrap",
            spacing="2",
            align="center",
        ),
        muted(p.number, " · ", p.carrier),
        muted(p.term, " · ", p.premium),
    )


def _invoice(i: PaneInvoiceRow) -> rx.Component:
    return list_row(
        rx.hstack(
            rx.text(i.number, weight="medium", size="2"),
            rx.spacer(),
            rx.text(i.amount, weight="medium", size="2"),
            width="100%",
        ),
        muted(i.description),
        rx.hstack(
            muted("Due ", i.due),
            rx.cond(
                i.status == "pending",
                rx.badge("Payment pending", color_scheme="amber", size="1"),
            ),
            rx.cond(~i.published, rx.badge("Not published", size="1", color_scheme="gray")),
            spacing="2",
            wrap="wrap",
        ),
        _confirm_received(i.pending_payment_id, i.number),
    )


def _confirm_received(payment_id: rx.Var, what: rx.Var) -> rx.Component:
    """A bank transfer or check the customer reported: the agent confirms it arrived."""
    return rx.cond(
        payment_id != 0,
        rx.button(
            rx.icon("banknote", size=16),
            "Confirm received",
            size="2",
            variant="soft",
            aria_label="Confirm received: " + what.to_string(),
            on_click=AgentAccountState.confirm_received(payment_id),
            class_name="confirm-received",
        ),
    )


def _activity(entry: LogEntry) -> rx.Component:
    return log_entry_row(entry)  # rx.foreach calls with the item alone, no keyword arguments


def _task(t: PaneTask) -> rx.Component:
    return list_row(
        rx.text(t.title, weight="medium", size="2"),
        muted("For ", t.assigned, " · ", t.created),
        _confirm_received(t.payment_id, t.title),
    )


# Radix's "lg": the pane's three columns (the side navigation takes its share of the width).
WIDE_MEDIA = "@media (min-width: 1280px)"


def _column(*sections: rx.Component, **props) -> rx.Component:
    return rx.vstack(*sections, spacing="4", width="100%", min_width="0", **props)


def account_page() -> rx.Component:
    s = AgentAccountState
    return agent_shell(
        messages("account", s.error, s.notice),
        rx.cond(
            s.account_id != "",
            rx.vstack(
                _header(),
                _invite_panel(),
                # One column on a phone. On a desk side by side, so every heading is in view:
                # who and what on the left, what is open beside it, the documents under that.
                rx.grid(
                    _column(
                        section("Contacts", entries(s.contacts, _contact), id_="contacts"),
                        section("Policies", entries(s.policies, _policy), id_="policies"),
                    ),
                    _column(
                        rx.grid(
                            _column(
                                section(
                                    "Open invoices",
                                    entries(s.invoices, _invoice, "Nothing due."),
                                    id_="open-invoices",
                                ),
                            ),
                            _column(
                                section(
                                    "Open tasks",
                                    entries(s.tasks, _task, "No open tasks."),
                                    id_="open-tasks",
                                    right=if_allowed(
                                        Permission.TASK_QUEUE,
                                        rx.link("Queue", href=routes.AGENT_TASKS, size="2"),
                                    ),
                                ),
                                section(
                                    "Recent activity",
                                    entries(s.activity, _activity, "Nothing yet."),
                                    id_="recent-activity",
                                    right=if_allowed(
                                        Permission.ACTIVITY,
                                        rx.link(
                                            "All", href=_href(routes.AGENT_ACTIVITY), size="2"
                                        ),
                                    ),
                                ),
                            ),
                            columns={"initial": "1", "lg": "2"},
                            spacing="4",
                            width="100%",
                            align="start",
                        ),
                        if_allowed(Permission.SHARE_DOCUMENTS, documents_section()),
                        style={WIDE_MEDIA: {"grid_column": "span 2"}},
                    ),
                    columns={"initial": "1", "md": "2", "lg": "3"},
                    spacing="4",
                    width="100%",
                    align="start",
                    id="pane-columns",
                ),
                spacing="4",
                width="100%",
            ),
        ),
        active=routes.AGENT_HOME,
        wide=True,
    )
