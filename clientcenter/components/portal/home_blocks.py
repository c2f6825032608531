"""Home's blocks: "Needs your attention" (services/portal/attention.py decides what is in it),
the customer's producer with a tap-to-call line, and past policies folded away."""

from __future__ import annotations

import reflex as rx

from clientcenter.components.common import section_heading

_KIND_ICONS = {
    "bill_due": "receipt",
    "payment_pending": "hourglass",
    "proposal": "file-pen-line",  # a proposal to sign (lucide has no file-signature)
    "renewal": "calendar-clock",
    "request_answered": "message-square-reply",
}


def _attention_item(row) -> rx.Component:
    return rx.link(
        rx.card(
            rx.hstack(
                rx.match(
                    row.kind,
                    *[
                        (kind, rx.icon(icon, size=22, color=rx.color("accent", 11)))
                        for kind, icon in _KIND_ICONS.items()
                    ],
                    rx.icon("bell", size=22, color=rx.color("accent", 11)),
                ),
                rx.vstack(
                    rx.text(row.title, weight="bold", size="2"),
                    rx.text(row.detail, size="2", color_scheme="gray", word_break="break-word"),
                    spacing="0",
                    min_width="0",
                    flex="1",
                ),
                rx.hstack(
                    rx.text(row.action, size="2", weight="medium", color=rx.color("accent", 11)),
                    rx.icon("chevron-right", size=16, color=rx.color("accent", 11)),
                    spacing="1",
                    align="center",
                    flex_shrink="0",
                ),
                align="center",
                spacing="3",
                width="100%",
            ),
            width="100%",
        ),
        href=row.href,
        underline="none",
        color="inherit",
        width="100%",
        class_name="attention-item",
        data_kind=row.kind,
    )


def attention_block(items, loaded) -> rx.Component:
    """First on Home: what needs the customer now, or a calm "all set"."""
    return rx.cond(
        loaded,
        # A labelled <section>: a region a screen reader can jump to.
        rx.el.section(
            rx.vstack(
                section_heading("Needs your attention", icon="bell", id="attention-heading"),
                rx.cond(
                    items.length() > 0,
                    rx.vstack(rx.foreach(items, _attention_item), spacing="2", width="100%"),
                    rx.text(
                        "You're all set: no bills due, nothing waiting for you.",
                        size="2",
                        color_scheme="gray",
                        id="attention-none",
                    ),
                ),
                spacing="2",
                width="100%",
            ),
            id="attention",
            aria_labelledby="attention-heading",
            style={"width": "100%"},
        ),
    )


def producer_card(name, title, phone, phone_href, email) -> rx.Component:
    """The customer's own producer: a name, a tap-to-call line and an email link."""
    return rx.vstack(
        section_heading("Your agent", icon="user-round"),
        rx.card(
            rx.vstack(
                rx.vstack(
                    rx.text(name, weight="bold", size="3", id="producer-name"),
                    rx.text(title, size="2", color_scheme="gray"),
                    spacing="0",
                ),
                rx.link(
                    rx.hstack(
                        rx.icon("phone", size=18),
                        rx.text("Call ", phone),
                        align="center",
                        spacing="2",
                    ),
                    href=phone_href,
                    id="producer-call",
                    min_height="44px",
                    display="flex",
                    align_items="center",
                    weight="medium",
                ),
                rx.link(
                    rx.hstack(
                        rx.icon("mail", size=18),
                        rx.text(email, word_break="break-all"),
                        align="center",
                        spacing="2",
                    ),
                    href="mailto:" + email,
                    id="producer-email",
                    min_height="44px",
                    display="flex",
                    align_items="center",
                ),
                spacing="1",
                width="100%",
            ),
            width="100%",
        ),
        spacing="2",
        width="100%",
        id="producer",
    )


def past_policies_disclosure(count, body: rx.Component, *, open_: bool = False) -> rx.Component:
    """Expired and cancelled policies behind a native disclosure (keyboard and screen reader
    ready), collapsed on Home."""
    return rx.el.details(
        rx.el.summary(
            rx.hstack(
                rx.icon("history", size=18, color=rx.color("accent", 11)),
                rx.text("Past policies (", count, ")", weight="bold", size="3"),
                align="center",
                spacing="2",
                display="inline-flex",
            ),
            cursor="pointer",
            min_height="44px",
            display="flex",
            align_items="center",
            id="past-policies-toggle",
        ),
        rx.vstack(
            rx.text(
                "Expired and cancelled policies, for your records.",
                size="2",
                color_scheme="gray",
            ),
            body,
            spacing="3",
            width="100%",
            padding_top="8px",
        ),
        open=open_,
        width="100%",
        id="past-policies-disclosure",
    )
