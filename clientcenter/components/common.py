"""The primitives both sides' pages share, each written once: the section heading, the error
and notice callouts, the status badge and its colours, the loading indicators and the body
shown once loaded, the in-page link."""

from __future__ import annotations

import reflex as rx
from reflex.components.el.elements.inline import A as HtmlAnchor

# Status → Radix colour. A status missing from its map gets the badge's default colour.
POLICY_STATUS_COLOURS = {"active": "green", "pending": "blue", "cancelled": "red"}
REQUEST_STATUS_COLOURS = {
    "submitted": "blue",
    "in_review": "amber",
    "done": "green",
    "declined": "red",
}
PROPOSAL_STATUS_COLOURS = {"accepted": "green", "declined": "red"}


def in_page_link(*children: rx.Component | str, target: str, **props) -> rx.Component:
    """A link to ``#target`` on this page, as a plain ``<a href="#target">``. ``rx.el.a`` and
    ``rx.link`` are React Router's Link, which serves a fragment as ``/path#target`` once the
    router has rendered the page: a skip link is then no longer known as one (assistive
    technology and axe go by an href that starts with ``#``). The browser's own fragment
    jump scrolls to the target, and moves the focus there when it is focusable."""
    return HtmlAnchor.create(*children, href=f"#{target}", **props)


def section_heading(text: str, icon: str | None = None, *, id: str | None = None) -> rx.Component:
    """An h2 with an optional accent icon before it."""
    return rx.hstack(
        rx.icon(icon, size=18, color=rx.color("accent", 11)) if icon else rx.fragment(),
        rx.heading(text, size="4", as_="h2"),
        align="center",
        spacing="2",
        padding_top="8px",
        id=id,
    )


def step_heading(text, *, id: str, size: str = "5", level: str = "h2") -> rx.Component:
    """The heading of a flow's step that has no field to type in (an account choice, a sent
    request's confirmation): it takes the focus when the step appears, so a keyboard or
    screen-reader user is not dropped to <body> when the old step's button goes away
    (WCAG 2.4.3). Steps with a field give that field ``auto_focus`` instead."""
    return rx.heading(text, size=size, as_=level, id=id, tab_index=-1, on_mount=rx.set_focus(id))


def error_callout(message, id: str | None = None, *, icon: str = "triangle-alert") -> rx.Component:
    """A red callout (role="alert") shown while `message` is not empty."""
    return rx.cond(
        message != "",
        rx.callout(
            message,
            icon=icon,
            color_scheme="red",
            size="1",
            width="100%",
            id=id,
            role="alert",
        ),
    )


def notice_callout(message, id: str) -> rx.Component:
    """A green callout (role="status") shown while `message` is not empty."""
    return rx.cond(
        message != "",
        rx.callout(
            message,
            icon="circle-check",
            color_scheme="green",
            size="1",
            width="100%",
            role="status",
            id=id,
        ),
    )


def status_badge(
    status, label, colours: dict[str, str], *, default: str = "gray", **props
) -> rx.Component:
    """A soft badge coloured by `status` through one of the maps above."""
    return rx.badge(
        label,
        color_scheme=rx.match(status, *colours.items(), default),
        variant="soft",
        size="1",
        flex_shrink="0",
        **props,
    )


def loading_note(loaded) -> rx.Component:
    """A small spinner and "Loading…" until `loaded` turns true."""
    return rx.cond(
        ~loaded,
        rx.hstack(
            rx.spinner(size="2"),
            rx.text("Loading…", size="2"),
            align="center",
            spacing="2",
            padding_y="12px",
        ),
    )


def once_loaded(loaded, error, body: rx.Component, error_title: str = "") -> rx.Component:
    """A page's body once its state has loaded without an error; until then "Loading…", and
    the error instead of the body when loading failed (under ``error_title`` as the page's
    h1, when the body holds the page's only heading)."""
    return rx.fragment(
        rx.cond(error != "", rx.heading(error_title, size="6", as_="h1"))
        if error_title
        else rx.fragment(),
        error_callout(error),
        loading_note(loaded),
        rx.cond(loaded & (error == ""), body),
    )


def loading_spinner() -> rx.Component:
    """A centred spinner alone, for a page whose whole body is still loading."""
    return rx.center(rx.spinner(size="3"), width="100%", padding_y="32px")


def upload_zone(*children: rx.Component, label: str, **props) -> rx.Component:
    """``rx.upload`` whose hidden file input has a name (``label``: what the button inside
    says) and whose drop zone is no extra tab stop: the button inside is the one."""
    zone = rx.upload(*children, no_keyboard=True, **props)
    stack = [zone]
    while stack:
        component = stack.pop()
        if getattr(component, "tag", None) == "input":
            component.custom_attrs["aria-label"] = label
        stack.extend(getattr(component, "children", []))
    return zone
