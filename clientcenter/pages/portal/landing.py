"""The public front door: what the agency's customers see before they log in."""

from __future__ import annotations

import reflex as rx

from clientcenter.components.brand import contact_card, help_links
from clientcenter.components.layout import page_shell
from clientcenter.components.portal.login_flow import customer_login_card
from clientcenter.settings import get_settings


def landing() -> rx.Component:
    settings = get_settings()
    b = settings.branding
    return page_shell(
        rx.vstack(
            rx.heading(
                f"Welcome to {b.short_name} Client Center",
                size="6",
                as_="h1",
                id="welcome-heading",
            ),
            rx.text(b.tagline, size="3", color_scheme="gray"),
            spacing="1",
            width="100%",
        ),
        customer_login_card(level="h2"),
        contact_card(b),
        rx.card(
            rx.vstack(rx.text("Help center", weight="bold", size="3"), help_links(b), spacing="2"),
            width="100%",
        ),
    )


def not_found() -> rx.Component:
    """The 404 page: says so in its one heading, and the way back."""
    return page_shell(
        rx.heading("Page not found", size="6", as_="h1", id="not-found-heading"),
        rx.text("There is no page at this address.", size="3", color_scheme="gray"),
        rx.link("Go to the Client Center", href="/", id="not-found-home", size="3"),
    )
