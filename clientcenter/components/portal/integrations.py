"""The integrations card: carrier sites, agency tools and "Get a quote" links. It loads its own
data when it appears, so any page can include it."""

from __future__ import annotations

import reflex as rx

from clientcenter.services.portal.integrations import KIND_TITLES
from clientcenter.state.portal.integrations import IntegrationsState, LinkRow

S = IntegrationsState


def _link(row: LinkRow, kind: str) -> rx.Component:
    # A plain link to the recording redirect route: it works without JavaScript timing and
    # a phone's popup blocker never gets in the way.
    return rx.link(
        rx.hstack(
            rx.icon(
                "sparkles" if kind == "cross_sell" else "external-link", size=16, flex_shrink="0"
            ),
            rx.text(row.label, size="2", min_width="0"),
            align="center",
            spacing="2",
        ),
        href=row.href,
        is_external=True,
        class_name=f"integration-link integration-{kind}",
        padding_y="6px",
        display="block",
    )


def _group(kind: str, rows) -> rx.Component:
    return rx.cond(
        rows.length() > 0,
        rx.vstack(
            rx.text(KIND_TITLES[kind], weight="bold", size="2", color_scheme="gray"),
            rx.foreach(rows, lambda r: _link(r, kind)),
            spacing="0",
            width="100%",
            id=f"integrations-{kind}",
        ),
    )


def integrations_card() -> rx.Component:
    has_any = (S.consumer.length() + S.non_consumer.length() + S.cross_sell.length()) > 0
    return rx.box(
        rx.cond(
            has_any,
            rx.card(
                rx.vstack(
                    rx.text("Useful links", weight="bold", size="3"),
                    _group("consumer", S.consumer),
                    _group("non_consumer", S.non_consumer),
                    _group("cross_sell", S.cross_sell),
                    spacing="3",
                    width="100%",
                ),
                width="100%",
            ),
        ),
        on_mount=S.load,
        width="100%",
        id="integrations-card",
    )
