"""Home (/home) and the policy list (/policies): active policies first, past ones set apart."""

from __future__ import annotations

import reflex as rx

from clientcenter import routes
from clientcenter.components.common import error_callout, loading_note, section_heading
from clientcenter.components.layout import page_shell
from clientcenter.components.portal.passkeys import passkey_offer
from clientcenter.components.portal.policy_cards import policy_card
from clientcenter.components.portal.self_service_menu import self_service_menu
from clientcenter.state.portal.home import HomeState
from clientcenter.state.portal.passkeys import PasskeysState


def _policy_lists() -> rx.Component:
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
            rx.vstack(
                section_heading("Past policies", icon="history"),
                rx.text(
                    "Expired and cancelled policies, for your records.",
                    size="2",
                    color_scheme="gray",
                ),
                rx.foreach(HomeState.past, lambda row: policy_card(row, muted=True)),
                spacing="3",
                width="100%",
                id="past-policies",
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
    billing_detail = rx.cond(
        HomeState.open_invoice_count > 0,
        rx.text.span(HomeState.open_invoice_total, " due ", HomeState.next_due),
        rx.text.span("Nothing due"),
    )
    return rx.grid(
        _quick_card(
            "file-text", "Documents", "Download or upload", routes.DOCUMENTS, "quick-documents"
        ),
        rx.cond(
            HomeState.id_card_policy_count > 0,
            _quick_card(
                "id-card",
                "ID cards",
                "Proof of insurance",
                routes.ID_CARDS,
                "quick-id-cards",
            ),
        ),
        # Full width under the other two when ID cards are offered: no hole in the grid.
        _quick_card(
            "receipt",
            "Billing",
            billing_detail,
            routes.BILLING,
            "quick-billing",
            grid_column=rx.cond(HomeState.id_card_policy_count > 0, "span 2", "auto"),
        ),
        columns="2",
        spacing="3",
        width="100%",
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
            rx.box(passkey_offer(), on_mount=PasskeysState.load, width="100%"),
            rx.text(HomeState.account_name, size="2", color_scheme="gray", id="current-account"),
            spacing="0",
            width="100%",
        ),
        error_callout(HomeState.error),
        loading_note(HomeState.loaded),
        # With the account's data: before it, the billing card said "Nothing due" and the
        # grid changed shape when the ID-card card arrived. (Also ~70 fewer components for
        # the page's first render, which the websocket's first update waits for.)
        rx.cond(HomeState.loaded, _quick_actions()),
        _policy_lists(),
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
