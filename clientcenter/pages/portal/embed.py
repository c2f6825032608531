"""The login card alone, for a frame on the agency's website (the snippet that frames it:
services/agency/embed.py)."""

from __future__ import annotations

import reflex as rx

from clientcenter.components.brand import brand_mark
from clientcenter.components.portal.login_flow import customer_login_card
from clientcenter.settings import get_settings


def embed_login() -> rx.Component:
    """The login card alone, for a frame on the agency's website."""
    b = get_settings().branding
    return rx.el.main(
        rx.vstack(
            brand_mark(b),
            customer_login_card(),
            spacing="3",
            width="100%",
            max_width="440px",
            margin_x="auto",
        ),
        padding="12px",
        background_color=rx.color("gray", 2),
        min_height="100vh",
    )
