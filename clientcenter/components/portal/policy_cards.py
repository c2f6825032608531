"""The self-service pages' policy card."""

from __future__ import annotations

import reflex as rx

from clientcenter.components.common import POLICY_STATUS_COLOURS, status_badge


def policy_card(row, *, muted: bool = False) -> rx.Component:
    """A policy in a list: line, status, carrier and number, term, premium; taps through."""
    return rx.link(
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.text(row.line_label, weight="bold", size="3", min_width="0"),
                    rx.spacer(),
                    status_badge(row.status, row.status_label, POLICY_STATUS_COLOURS),
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
            # Past policies sit under their own heading, not faded: faded text fails contrast.
            variant="surface",
        ),
        href=row.href,
        underline="none",
        color="inherit",
        width="100%",
        class_name="policy-card",
        data_status=row.status,
    )
