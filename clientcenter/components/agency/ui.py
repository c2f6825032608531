"""Building blocks of the agent pages: the shell with the agents' tab bar, titles, section
cards, messages, and the row patterns the lists share."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from clientcenter import routes
from clientcenter.components.common import error_callout, notice_callout
from clientcenter.components.layout import on_desk, page_shell
from clientcenter.services.agency.roles import Permission
from clientcenter.state.agency.desk import AgentState
from clientcenter.state.base import post_navigation_script

# Native selects (phones show their own picker): sized and bordered like the Radix inputs.
SELECT_STYLE = {
    "width": "100%",
    "padding": "8px 10px",
    "font_size": "16px",
    "border_radius": "var(--radius-2)",
    "border": "1px solid var(--gray-7)",
    "background_color": "var(--color-surface)",
    "color": "var(--gray-12)",
    "min_width": "0",
}


def allowed(permission: Permission) -> rx.Var:
    """Whether the signed-in agent's role allows this (set when the page loads). Only what the
    page shows: the services refuse it on the server anyway."""
    return AgentState.permissions.contains(permission.value)


def if_allowed(permission: Permission, component: rx.Component) -> rx.Component:
    return rx.cond(allowed(permission), component)


# The agent's sections (agency side), each with the permission it needs (None: every agent).
AGENT_NAV: list[tuple[str, str, str, Permission | None]] = [
    ("Search", "search", routes.AGENT_HOME, Permission.SEARCH),
    ("Tasks", "list-checks", routes.AGENT_TASKS, Permission.TASK_QUEUE),
    ("Outbox", "send", routes.AGENT_OUTBOX, Permission.FAILED_MESSAGES),
    ("Import", "upload", routes.AGENT_IMPORT, Permission.IMPORT_DATA),
    ("More", "ellipsis", routes.AGENT_MORE, None),
]


# How wide an agent page's content grows on a desk: a readable column for forms and lists,
# the whole desk for the info pane's columns.
DESK_COLUMN = "800px"
DESK_WIDE = "1400px"

# Visually hidden, still read out (a screen reader hears "Signed in as ...").
_SR_ONLY = {
    "position": "absolute",
    "width": "1px",
    "height": "1px",
    "overflow": "hidden",
    "clip": "rect(0 0 0 0)",
    "white_space": "nowrap",
}


def signed_in() -> rx.Component:
    """Who is signed in and Sign out, in the header of a desk (on a phone, More has both)."""
    return rx.hstack(
        rx.icon("circle-user", size=22, color=rx.color("gray", 11), flex_shrink="0"),
        rx.vstack(
            rx.text(
                rx.el.span("Signed in as ", style=_SR_ONLY),
                AgentState.signed_in_name,
                size="2",
                weight="medium",
                id="signed-in-name",
            ),
            rx.text(AgentState.role_label, size="1", color_scheme="gray"),
            spacing="0",
            align="start",
        ),
        rx.button(
            rx.icon("log-out", size=16),
            "Sign out",
            variant="soft",
            color_scheme="gray",
            size="2",
            id="header-sign-out",
            type="button",
            margin_left="8px",
            on_click=rx.call_script(post_navigation_script(routes.LOGOUT_ROUTE)),
        ),
        id="signed-in",
        align="center",
        spacing="2",
        display="none",
        style=on_desk(display="flex"),
    )


def agent_shell(*children: rx.Component, active: str, wide: bool = False) -> rx.Component:
    """An agent page: the phone layout on a phone, the desk (side navigation, who is signed
    in) from the desk breakpoint on; ``wide`` lets the content use the whole desk."""
    nav = [
        (label, icon, href, *([allowed(needs)] if needs else []))
        for label, icon, href, needs in AGENT_NAV
    ]
    return page_shell(
        *children,
        nav_active=active,
        nav=nav,
        header_right=(signed_in(),),
        desk_width=DESK_WIDE if wide else DESK_COLUMN,
        home=routes.AGENT_HOME,
    )


def back_link(label: str | rx.Var, href: str | rx.Var) -> rx.Component:
    """ "‹ label" above a page's title, back to where the agent came from."""
    return rx.link(
        rx.hstack(
            rx.icon("chevron-left", size=16),
            rx.text(label, size="2"),
            spacing="1",
            align="center",
        ),
        href=href,
        underline="none",
        id="back-link",
    )


def page_title(
    title: str,
    subtitle: str | rx.Var = "",
    back: tuple[str | rx.Var, str | rx.Var] | None = None,
    id_: str = "page-title",
) -> rx.Component:
    parts = [] if back is None else [back_link(*back)]
    parts.append(rx.heading(title, size="6", as_="h1", id=id_))
    if isinstance(subtitle, rx.Var) or subtitle:
        parts.append(rx.text(subtitle, size="2", color_scheme="gray"))
    return rx.vstack(*parts, spacing="1", width="100%")


def section(
    title: str, *children: rx.Component, id_: str | None = None, right: rx.Component | None = None
) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(title, size="3", as_="h2"),
                rx.spacer(),
                right if right is not None else rx.fragment(),
                align="center",
                width="100%",
            ),
            *children,
            spacing="3",
            width="100%",
        ),
        width="100%",
        id=id_,
    )


def messages(prefix: str, error: rx.Var, notice: rx.Var | None = None) -> rx.Component:
    """A page's error callout (id ``<prefix>-error``) and notice callout (``<prefix>-notice``)."""
    shown = [error_callout(error, f"{prefix}-error", icon="circle-alert")]
    if notice is not None:
        shown.append(notice_callout(notice, f"{prefix}-notice"))
    return rx.fragment(*shown)


def muted(*parts, **props) -> rx.Component:
    return rx.text(*parts, size="1", color_scheme="gray", **props)


def empty(text: str) -> rx.Component:
    return rx.text(text, size="2", color_scheme="gray", font_style="italic")


def entries(
    items: rx.Var,
    render: Callable[[rx.Var], rx.Component],
    when_empty: str | None = None,
    *,
    spacing: str = "0",
    **props,
) -> rx.Component:
    """One component per item, stacked; with ``when_empty``, that line when there are none."""
    listed = rx.vstack(rx.foreach(items, render), spacing=spacing, width="100%", **props)
    if when_empty is None:
        return listed
    return rx.cond(items.length() > 0, listed, empty(when_empty))


def list_row(*children: rx.Component, **props) -> rx.Component:
    """One entry of a list inside a section: stacked text, a hairline between entries."""
    return rx.box(
        rx.vstack(*children, spacing="1", width="100%"),
        padding_y="8px",
        border_top=f"1px solid {rx.color('gray', 4)}",
        width="100%",
        min_width="0",
        overflow_wrap="anywhere",
        **props,
    )


def contact_heading(
    name: rx.Var, role_label: rx.Var, may_log_in: rx.Var, *, say_no_login: bool = False
) -> rx.Component:
    """A contact's name, role and login badge (with ``say_no_login``, a badge either way)."""
    return rx.hstack(
        rx.text(name, weight="medium", size="2"),
        rx.badge(role_label, variant="outline", size="1"),
        rx.cond(
            may_log_in,
            rx.badge("Can log in", color_scheme="green", variant="soft", size="1"),
            rx.badge("No login", color_scheme="gray", variant="soft", size="1")
            if say_no_login
            else rx.fragment(),
        ),
        wrap="wrap",
        spacing="2",
        align="center",
    )


def field_label(text: str, html_for: str) -> rx.Component:
    return rx.el.label(text, html_for=html_for, style={"font_weight": "500", "font_size": "14px"})


def pager(page: rx.Var, pages: rx.Var, on_previous, on_next, id_: str = "pager") -> rx.Component:
    return rx.cond(
        pages > 1,
        rx.hstack(
            rx.button(
                rx.icon("chevron-left", size=16),
                "Previous",
                variant="soft",
                size="2",
                on_click=on_previous,
                disabled=page <= 1,
                id=f"{id_}-previous",
            ),
            rx.text(
                "Page ", page.to_string(), " of ", pages.to_string(), size="2", color_scheme="gray"
            ),
            rx.button(
                "Next",
                rx.icon("chevron-right", size=16),
                variant="soft",
                size="2",
                on_click=on_next,
                disabled=page >= pages,
                id=f"{id_}-next",
            ),
            justify="between",
            align="center",
            width="100%",
            id=id_,
        ),
    )


def log_entry_row(entry: rx.Var, *, channel: bool = False, **props) -> rx.Component:
    """One activity log entry (state/agency/desk.py LogEntry): what happened, who acted and
    when (and through which channel), and its summary."""
    byline = [entry.actor, " · ", entry.when, *([" · ", entry.channel] if channel else [])]
    return list_row(
        rx.text(entry.label, weight="medium", size="2"),
        muted(*byline),
        rx.cond(entry.summary != "", rx.text(entry.summary, size="2")),
        **props,
    )
