"""Home (/home) and the policy list (/policies). Home reads top down: what needs the customer
now, the ID card when there is an auto policy, the usual places, the policies in force (past
ones folded away), then the customer's own agent."""

from __future__ import annotations

import reflex as rx

from clientcenter import routes
from clientcenter.components.common import error_callout, loading_note, section_heading
from clientcenter.components.layout import page_shell
from clientcenter.components.portal.home_blocks import (
    attention_block,
    past_policies_disclosure,
    producer_card,
)
from clientcenter.components.portal.passkeys import passkey_offer
from clientcenter.components.portal.policy_cards import policy_card
from clientcenter.components.portal.self_service_menu import self_service_menu
from clientcenter.state.portal.home import HomeState
from clientcenter.state.portal.passkeys import PasskeysState


def _policy_lists(*, past_open: bool = True) -> rx.Component:
    return rx.vstack(
        section_heading("Your policies", icon="shield-check"),
        rx.cond(
            HomeState.current.length() > 0,
            rx.vstack(
                rx.foreach(HomeState.current, policy_card),
                spacing="3",
                width="100%",
                id="current-policies",
            ),
            rx.cond(
                HomeState.loaded,
                rx.text("No policies are in force right now.", size="2", color_scheme="gray"),
            ),
        ),
        rx.cond(
            HomeState.past.length() > 0,
            past_policies_disclosure(
                HomeState.past.length(),
                rx.vstack(
                    rx.foreach(HomeState.past, lambda row: policy_card(row, muted=True)),
                    spacing="3",
                    width="100%",
                    id="past-policies",
                ),
                open_=past_open,
            ),
        ),
        spacing="3",
        width="100%",
    )


def _quick_card(icon: str, title, detail, href: str, id: str, **props) -> rx.Component:
    return rx.link(
        rx.card(
            rx.hstack(
                rx.icon(icon, size=22, color=rx.color("accent", 11), flex_shrink="0"),
                rx.vstack(
                    rx.text(title, weight="bold", size="2"),
                    rx.text(detail, size="1", color_scheme="gray"),
                    spacing="0",
                    min_width="0",
                ),
                align="center",
                spacing="3",
            ),
            width="100%",
            height="100%",
        ),
        href=href,
        underline="none",
        color="inherit",
        id=id,
        min_width="0",
        **props,
    )


def _quick_actions() -> rx.Component:
    # "Nothing due" only when nothing is owed and no payment is still on its way.
    billing_detail = rx.cond(
        HomeState.open_invoice_count > 0,
        rx.text.span(HomeState.open_invoice_total, " due ", HomeState.next_due),
        rx.cond(
            HomeState.payment_pending,
            rx.text.span("Payment on its way"),
            rx.text.span("Nothing due"),
        ),
    )
    return rx.grid(
        _quick_card(
            "file-text", "Documents", "Download or upload", routes.DOCUMENTS, "quick-documents"
        ),
        _quick_card("receipt", "Billing", billing_detail, routes.BILLING, "quick-billing"),
        columns="2",
        spacing="3",
        width="100%",
    )


def _id_card_action() -> rx.Component:
    """One tap to the ID card when the account has an auto policy in force."""
    return rx.cond(
        HomeState.id_card_policy_count > 0,
        # A link drawn as a button (Radix asChild): one tab stop, announced as a link.
        rx.button(
            rx.link(
                rx.icon("id-card", size=18),
                "Show ID card",
                href=routes.ID_CARD,
                id="show-id-card",
                underline="none",
            ),
            as_child=True,
            size="3",
            width="100%",
            min_height="48px",
        ),
    )


def home() -> rx.Component:
    return page_shell(
        rx.vstack(
            rx.heading(
                rx.cond(
                    HomeState.greeting_name != "",
                    "Hi, " + HomeState.greeting_name,
                    HomeState.account_name,
                ),
                size="6",
                as_="h1",
                id="home-heading",
            ),
            rx.text(HomeState.account_name, size="2", color_scheme="gray", id="current-account"),
            spacing="0",
            width="100%",
        ),
        error_callout(HomeState.error),
        loading_note(HomeState.loaded),
        # With the account's data: before it, the billing card said "Nothing due" and the
        # grid changed shape when the ID-card card arrived. (Also ~70 fewer components for
        # the page's first render, which the websocket's first update waits for.)
        attention_block(HomeState.attention, HomeState.loaded),
        # After a code login: "Use Face ID or your fingerprint next time" (passkeys).
        rx.box(passkey_offer(), on_mount=PasskeysState.load, width="100%"),
        rx.cond(HomeState.loaded, rx.vstack(_id_card_action(), _quick_actions(), width="100%")),
        _policy_lists(past_open=False),
        rx.cond(
            HomeState.producer_name != "",
            producer_card(
                HomeState.producer_name,
                HomeState.producer_title,
                HomeState.producer_phone,
                HomeState.producer_phone_href,
                HomeState.producer_email,
            ),
        ),
        self_service_menu(),  # requests, contact, certificates, proposals, surveys, links
        nav_active=routes.CUSTOMER_HOME,
    )


def policies_list() -> rx.Component:
    return page_shell(
        rx.heading("Policies", size="6", as_="h1"),
        error_callout(HomeState.error),
        loading_note(HomeState.loaded),
        _policy_lists(),
        nav_active=routes.POLICIES,
    )
