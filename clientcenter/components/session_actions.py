"""Profile's session controls: Switch accounts and Log out (reusable by whoever owns Profile)."""

from __future__ import annotations

import reflex as rx

from clientcenter import routes
from clientcenter.state.base import post_navigation_script


def logout_button(**props) -> rx.Component:
    """POSTs to /auth/logout (the session ends on the server, the cookie is cleared)."""
    return rx.button(
        rx.icon("log-out", size=18),
        "Log out",
        variant="soft",
        color_scheme="red",
        size="3",
        width="100%",
        id="logout-button",
        type="button",
        on_click=rx.call_script(post_navigation_script(routes.LOGOUT_ROUTE)),
        **props,
    )


def switch_accounts_button(**props) -> rx.Component:
    return rx.link(
        rx.button(
            rx.icon("arrow-left-right", size=18),
            "Switch accounts",
            variant="surface",
            size="3",
            width="100%",
            type="button",
        ),
        href=routes.ACCOUNT_CHOICE,
        id="switch-accounts",
        width="100%",
        **props,
    )
