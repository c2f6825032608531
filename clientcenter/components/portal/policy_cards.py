"""Small building blocks for the self-service pages: policy cards, badges, notices."""

from __future__ import annotations

import reflex as rx


def status_badge(status, label) -> rx.Component:
    return rx.badge(
        label,
        color_scheme=rx.match(
            status, ("active", "green"), ("pending", "blue"), ("cancelled", "red"), "gray"
        ),
        variant="soft",
        size="1",
        flex_shrink="0",
    )


def section_heading(text: str, *, id: str | None = None, icon: str | None = None) -> rx.Component:
    return rx.hstack(
        rx.icon(icon, size=18, color=rx.color("accent", 11)) if icon else rx.fragment(),
        rx.heading(text, size="4", as_="h2"),
        align="center",
        spacing="2",
        id=id,
        padding_top="8px",
    )


def error_callout(message) -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout(
            message,
            icon="triangle-alert",
            color_scheme="red",
            size="1",
            width="100%",
            role="alert",
        ),
    )


def loading_placeholder(loaded) -> rx.Component:
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


def policy_card(row, *, muted: bool = False) -> rx.Component:
    """A policy in a list: line, status, carrier and number, term, premium; taps through."""
    return rx.link(
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.text(row.line_label, weight="bold", size="3", min_width="0"),
                    rx.spacer(),
                    status_badge(row.status, row.status_label),
                    align="center",
                    width="100%",
                    spacing="2",
                ),
                rx.text(
                    row.carrier,
                    " · ",
                    rx.el.span(row.number, class_name="policy-number"),
                    size="2",
                    color_scheme="gray",
                    word_break="break-word",
                ),
                rx.hstack(
                    rx.vstack(
                        rx.text("Term", size="1", color_scheme="gray"),
                        rx.text(row.term, size="2"),
                        spacing="0",
                        min_width="0",
                        flex="1",
                    ),
                    rx.vstack(
                        rx.text("Premium", size="1", color_scheme="gray"),
                        rx.text(row.premium, size="2", weight="medium"),
                        spacing="0",
                        align="end",
                        flex_shrink="0",
                    ),
                    width="100%",
                    align="end",
                    spacing="3",
                ),
                spacing="2",
                width="100%",
            ),
            width="100%",
            opacity="0.8" if muted else "1",
            variant="surface",
        ),
        href=row.href,
        underline="none",
        color="inherit",
        width="100%",
        class_name="policy-card",
        data_status=row.status,
    )
