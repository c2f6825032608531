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
                as_="h2",
                id="welcome-heading",
            ),
            rx.text(b.tagline, size="3", color_scheme="gray"),
            spacing="1",
            width="100%",
        ),
        customer_login_card(),
        contact_card(b),
        rx.card(
            rx.vstack(rx.text("Help center", weight="bold", size="3"), help_links(b), spacing="2"),
            width="100%",
        ),
    )
