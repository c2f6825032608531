"""Pieces of the agents' More page: the website embed snippet and signing out."""

from __future__ import annotations

import reflex as rx

from clientcenter import routes
from clientcenter.services.agency.embed import embed_snippet
from clientcenter.state.base import post_navigation_script


def embed_card() -> rx.Component:
    """The agency-website embed snippet (services/agency/embed.py) with a copy button."""
    snippet = embed_snippet()
    return rx.card(
        rx.vstack(
            rx.text("Put Client Center on your website", weight="bold", size="3"),
            rx.text(
                "Login address: ", rx.code(routes.login_url(), word_break="break-all"), size="2"
            ),
            # A plain <pre>: no syntax-highlighting bundle for one snippet.
            rx.el.pre(
                snippet,
                id="embed-snippet",
                style={
                    "white_space": "pre-wrap",
                    "word_break": "break-all",
                    "font_size": "12px",
                    "line_height": "1.5",
                    "margin": "0",
                    "padding": "12px",
                    "border_radius": "8px",
                    "width": "100%",
                    "background": rx.color("gray", 3),
                },
            ),
            rx.button(
                rx.icon("copy", size=16),
                "Copy snippet",
                id="copy-embed-snippet",
                on_click=[rx.set_clipboard(snippet), rx.toast.success("Snippet copied")],
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def sign_out_button() -> rx.Component:
    return rx.button(
        rx.icon("log-out", size=18),
        "Sign out",
        variant="soft",
        color_scheme="red",
        size="3",
        width="100%",
        id="agent-sign-out",
        type="button",
        on_click=rx.call_script(post_navigation_script(routes.LOGOUT_ROUTE)),
    )
