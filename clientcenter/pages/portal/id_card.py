"""ID cards (routes.ID_CARD): each insured vehicle's proof of insurance as a card, big enough to
hand to an officer; its PDF and wallet passes; the carrier's card where only it may issue one.
The service worker keeps what this page showed for offline use (http/routes/wallet.py)."""

from __future__ import annotations

import reflex as rx

from clientcenter import routes
from clientcenter.components.common import error_callout, once_loaded
from clientcenter.components.layout import page_shell
from clientcenter.state.portal.id_card import CardRow, CarrierCardRow, IdCardState

S = IdCardState
_LABEL = {
    "size": "1",
    "weight": "medium",
    "color_scheme": "gray",
    "text_transform": "uppercase",
    "letter_spacing": "0.06em",
}


def _fact(label: str, value, *, mono: bool = False, size: str = "5") -> rx.Component:
    return rx.vstack(
        rx.text(label, **_LABEL),
        rx.text(
            value,
            size=size,
            weight="bold",
            font_family="ui-monospace, SFMono-Regular, Menlo, monospace" if mono else None,
            letter_spacing="0.04em" if mono else None,
            word_break="break-all" if mono else None,
            line_height="1.2",
        ),
        spacing="0",
        min_width="0",
        width="100%",
    )


def _card_face(card: CardRow) -> rx.Component:
    """The card itself: the issuer band, the facts an officer checks, the agency's phone."""
    return rx.box(
        rx.box(
            rx.text(
                "Insurance identification card",
                size="1",
                weight="bold",
                text_transform="uppercase",
                letter_spacing="0.08em",
            ),
            rx.text(
                card.carrier, size="6", weight="bold", line_height="1.15", class_name="carrier"
            ),
            rx.text(
                rx.cond(card.naic != "", "NAIC " + card.naic, "NAIC number not on file"),
                size="3",
                weight="medium",
                class_name="naic",
            ),
            background="var(--accent-9)",
            color="var(--accent-contrast)",
            padding="14px 18px 12px",
        ),
        rx.vstack(
            _fact("Policy number", card.policy_number, size="6"),
            rx.grid(
                _fact("Effective", card.effective),
                _fact("Expires", card.expires),
                columns="2",
                spacing="3",
                width="100%",
            ),
            _fact("Named insured", card.named_insureds, size="4"),
            _fact("Vehicle", card.vehicle),
            _fact("VIN", card.vin, mono=True),
            spacing="3",
            padding="14px 18px",
            width="100%",
        ),
        rx.box(
            rx.text(card.agency_name, size="2", weight="bold"),
            rx.link(card.agency_phone, href="tel:" + card.agency_phone, size="3", weight="bold"),
            background="var(--gray-3)",
            padding="10px 18px",
            display="flex",
            justify_content="space-between",
            align_items="center",
            gap="8px",
            flex_wrap="wrap",
        ),
        class_name="id-card",
        border="2px solid var(--accent-9)",
        border_radius="16px",
        overflow="hidden",
        background="var(--color-panel-solid)",
        box_shadow="0 2px 10px rgba(0,0,0,0.12)",
        width="100%",
        max_width="440px",
        role="group",
        aria_label="Insurance ID card for " + card.vehicle,
    )


def _card_actions(card: CardRow) -> rx.Component:
    return rx.flex(
        rx.button(
            rx.icon("download", size=16),
            "PDF to print",
            variant="soft",
            on_click=S.download_pdf(card.policy_id, card.vehicle_id),
        ),
        rx.cond(
            S.apple_wallet,
            rx.button(
                rx.icon("wallet", size=16),
                "Add to Apple Wallet",
                variant="solid",
                color_scheme="gray",
                high_contrast=True,
                on_click=S.download_pass(card.vehicle_id),
                class_name="apple-wallet",
            ),
        ),
        rx.cond(
            card.google_url != "",
            rx.link(
                rx.button(
                    rx.icon("wallet", size=16),
                    "Save to Google Wallet",
                    variant="solid",
                    color_scheme="gray",
                    high_contrast=True,
                ),
                href=card.google_url,
                is_external=True,
                class_name="google-wallet",
            ),
        ),
        gap="8px",
        wrap="wrap",
    )


def _carrier_document(doc: CarrierCardRow) -> rx.Component:
    return rx.button(
        rx.icon("file-text", size=16),
        doc.title,
        on_click=S.download_carrier_card(doc.document_id),
        size="3",
        class_name="carrier-card",
    )


def _carrier_only(card: CardRow) -> rx.Component:
    """A vehicle garaged where only the insurer may issue the card: its PDF, nothing made."""
    return rx.card(
        rx.vstack(
            rx.text(card.vehicle, size="4", weight="bold"),
            rx.text(
                "Vehicles garaged in ",
                card.garaging_state,
                " get their ID card from the insurance company, ",
                card.carrier,
                ".",
                size="2",
            ),
            rx.cond(
                card.carrier_cards.length() > 0,
                rx.flex(rx.foreach(card.carrier_cards, _carrier_document), gap="8px", wrap="wrap"),
                rx.text(
                    "Your agency has not added the carrier's card yet. Call ",
                    rx.link(card.agency_phone, href="tel:" + card.agency_phone),
                    " and we will send it.",
                    size="2",
                    color_scheme="gray",
                ),
            ),
            spacing="2",
            width="100%",
        ),
        class_name="carrier-only",
        width="100%",
        max_width="440px",
    )


def _card(card: CardRow) -> rx.Component:
    return rx.cond(
        card.carrier_only,
        _carrier_only(card),
        rx.vstack(_card_face(card), _card_actions(card), spacing="3", width="100%"),
    )


def _body() -> rx.Component:
    return rx.cond(
        S.cards.length() > 0,
        rx.vstack(
            rx.text(
                "Show this screen to law enforcement on request and after an accident. "
                "Once opened here, your cards also show without a signal.",
                size="2",
                color_scheme="gray",
            ),
            error_callout(S.action_error),
            rx.foreach(S.cards, _card),
            spacing="5",
            width="100%",
        ),
        rx.callout(
            "No ID card to show: cards are available while an auto policy is in force. "
            "Questions? Call your agency.",
            icon="info",
            id="no-id-cards",
        ),
    )


def id_card_page() -> rx.Component:
    return page_shell(
        rx.heading("ID cards", size="6", as_="h1"),
        once_loaded(S.loaded, S.error, _body()),
        nav_active=routes.CUSTOMER_HOME,
    )
