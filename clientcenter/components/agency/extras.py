"""Pieces of the agents' More page that other issues own: the login embed snippet (login
pages) and signing out (the logout route)."""

from __future__ import annotations

import reflex as rx

from clientcenter.state.base import post_navigation_script


def embed_card() -> rx.Component:
    """The agency-website embed snippet with its copy button, from the login pages."""
    from clientcenter.pages.portal.embed import embed_snippet_card

    return embed_snippet_card()


def sign_out_button() -> rx.Component:
    return rx.button(rx.icon("log-out", size=18), "Sign out", variant="soft", color_scheme="red",
                     size="3", width="100%", id="agent-sign-out", type="button",
                     on_click=rx.call_script(post_navigation_script("/auth/logout")))
