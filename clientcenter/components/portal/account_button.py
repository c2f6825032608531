"""One account to pick, as a large button: the login's account step and Switch accounts."""

from __future__ import annotations

import reflex as rx

from clientcenter.components.icons import icon_if


def account_button(account, badge: rx.Component, *, on_click, **props) -> rx.Component:
    """``account`` is a row with ``name`` and ``kind`` (Personal or Commercial)."""
    return rx.button(
        rx.hstack(
            icon_if(account["kind"] == "Commercial", "building-2", "house", size=18),
            rx.text(account["name"], weight="medium", text_align="left", flex="1"),
            badge,
            align="center",
            width="100%",
            spacing="3",
        ),
        on_click=on_click,
        variant="surface",
        size="3",
        width="100%",
        height="auto",
        padding_y="12px",
        **props,
    )
