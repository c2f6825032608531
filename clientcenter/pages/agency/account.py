"""/agent/account?id=N — the customer info pane: contacts, policies, open invoices, recent
activity, open tasks; the Client Center icon (read-only view), Invite to Client Center, and
the agency-side actions."""

from __future__ import annotations

import reflex as rx

from clientcenter.components.agency.ui import agent_shell, empty, list_row, muted, section
from clientcenter.components.common import error_callout, notice_callout
from clientcenter.components.icons import icon_if
from clientcenter.state.agency.desk import AgentAccountState


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
    return rx.box(
        tile, on_click=on_click, cursor="pointer", id=id_, role="button", tab_index=0, width="100%"
    )


def _actions() -> rx.Component:
    aid = AgentAccountState.account_id
    return rx.grid(
        _action("send", "Invite", on_click=AgentAccountState.show_invite, id_="invite-button"),
        _action(
            "file-up",
            "Share document",
            href="/agent/account/share?id=" + aid,
            id_="share-document-link",
        ),
        _action(
            "credit-card",
            "Payments",
            href="/agent/account/payments?id=" + aid,
            id_="payments-link",
        ),
        _action("upload", "Publish", href="/agent/account/publish?id=" + aid, id_="publish-link"),
        _action(
            "award",
            "Certificates",
            href="/agent/account/certificates?id=" + aid,
            id_="certificates-link",
        ),
        _action(
            "history",
            "Activity log",
            href="/agent/account/activity?id=" + aid,
            id_="activity-link",
        ),
        columns="3",
        spacing="2",
        width="100%",
    )


def _client_center_button() -> rx.Component:
    """The seed's Client Center icon: the customer's portal, exactly as they see it."""
    return rx.button(
        rx.icon("monitor-smartphone", size=18),
        "Open Client Center (read-only)",
        on_click=AgentAccountState.open_client_center,
        size="3",
        width="100%",
        id="open-client-center",
        disabled=~AgentAccountState.active,
    )


def _header() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.link(
                rx.hstack(
                    rx.icon("chevron-left", size=16),
                    rx.text("Search", size="2"),
                    spacing="1",
                    align="center",
                ),
                href="/agent",
                underline="none",
                id="back-link",
            ),
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
            rx.cond(
                AgentAccountState.last_invited != "",
                muted("Last invited to Client Center: ", AgentAccountState.last_invited),
            ),
            _client_center_button(),
            _actions(),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def _invite_panel() -> rx.Component:
    def person(p: dict) -> rx.Component:
        return list_row(
            rx.text(p["name"], weight="medium", size="2"),
            rx.cond(p["email"] != "", muted(p["email"], word_break="break-all")),
            rx.cond(
                p["reason"] == "",
                rx.badge("Will be invited", color_scheme="green", variant="soft"),
                rx.text("Not invited: ", p["reason"], size="1", color=rx.color("red", 11)),
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
            rx.vstack(rx.foreach(AgentAccountState.invitees, person), spacing="0", width="100%"),
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


def _contact(c: dict) -> rx.Component:
    return list_row(
        rx.hstack(
            rx.text(c["name"], weight="medium", size="2"),
            rx.badge(c["role"], variant="outline", size="1"),
            rx.cond(
                c["login"] == "yes",
                rx.badge("Can log in", color_scheme="green", variant="soft", size="1"),
            ),
            wrap="wrap",
            spacing="2",
            align="center",
        ),
        rx.cond(
            c["email"] != "",
            rx.link(c["email"], href="mailto:" + c["email"], size="2", word_break="break-all"),
        ),
        rx.cond(c["phone"] != "", muted(c["phone"])),
    )


def _policy(p: dict) -> rx.Component:
    return list_row(
        rx.hstack(
            rx.text(p["line"], weight="medium", size="2"),
            rx.badge(
                p["status_label"],
                color_scheme=rx.match(
                    p["status"], ("active", "green"), ("pending", "blue"), "gray"
                ),
                variant="soft",
                size="1",
            ),
            wrap="wrap",
            spacing="2",
            align="center",
        ),
        muted(p["number"], " · ", p["carrier"]),
        muted(p["term"], " · ", p["premium"]),
    )


def _invoice(i: dict) -> rx.Component:
    return list_row(
        rx.hstack(
            rx.text(i["number"], weight="medium", size="2"),
            rx.spacer(),
            rx.text(i["amount"], weight="medium", size="2"),
            width="100%",
        ),
        muted(i["description"]),
        rx.hstack(
            muted("Due ", i["due"]),
            rx.cond(
                i["status"] == "pending",
                rx.badge("Payment pending", color_scheme="amber", size="1"),
            ),
            rx.cond(
                i["published"] == "", rx.badge("Not published", size="1", color_scheme="gray")
            ),
            spacing="2",
            wrap="wrap",
        ),
    )


def _activity(a: dict) -> rx.Component:
    return list_row(
        rx.text(a["label"], weight="medium", size="2"),
        muted(a["actor"], " · ", a["when"]),
        rx.cond(a["summary"] != "", rx.text(a["summary"], size="2")),
    )


def _task(t: dict) -> rx.Component:
    return list_row(
        rx.text(t["title"], weight="medium", size="2"),
        muted("For ", t["assigned"], " · ", t["created"]),
    )


def account_page() -> rx.Component:
    return agent_shell(
        error_callout(AgentAccountState.error, "account-error", icon="circle-alert"),
        notice_callout(AgentAccountState.notice, "account-notice"),
        rx.cond(
            AgentAccountState.account_id != "",
            rx.vstack(
                _header(),
                _invite_panel(),
                section(
                    "Contacts",
                    rx.vstack(
                        rx.foreach(AgentAccountState.contacts, _contact), spacing="0", width="100%"
                    ),
                    id_="contacts",
                ),
                section(
                    "Policies",
                    rx.vstack(
                        rx.foreach(AgentAccountState.policies, _policy), spacing="0", width="100%"
                    ),
                    id_="policies",
                ),
                section(
                    "Open invoices",
                    rx.cond(
                        AgentAccountState.invoices.length() > 0,
                        rx.vstack(
                            rx.foreach(AgentAccountState.invoices, _invoice),
                            spacing="0",
                            width="100%",
                        ),
                        empty("Nothing due."),
                    ),
                    id_="open-invoices",
                ),
                section(
                    "Open tasks",
                    rx.cond(
                        AgentAccountState.tasks.length() > 0,
                        rx.vstack(
                            rx.foreach(AgentAccountState.tasks, _task), spacing="0", width="100%"
                        ),
                        empty("No open tasks."),
                    ),
                    id_="open-tasks",
                    right=rx.link("Queue", href="/agent/tasks", size="2"),
                ),
                section(
                    "Recent activity",
                    rx.cond(
                        AgentAccountState.activity.length() > 0,
                        rx.vstack(
                            rx.foreach(AgentAccountState.activity, _activity),
                            spacing="0",
                            width="100%",
                        ),
                        empty("Nothing yet."),
                    ),
                    id_="recent-activity",
                    right=rx.link(
                        "All",
                        href="/agent/account/activity?id=" + AgentAccountState.account_id,
                        size="2",
                    ),
                ),
                spacing="4",
                width="100%",
            ),
        ),
        active="/agent",
    )
