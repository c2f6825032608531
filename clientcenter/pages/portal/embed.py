"""Reaching the portal (seed 002): the stable login URL, and what the agency pastes into its
website — a branded button, or the login card in a frame (only origins listed in
``security.frame_ancestors`` may frame it; see http/middleware/security_headers.py)."""

from __future__ import annotations

import html

import reflex as rx

from clientcenter import paths
from clientcenter.components.brand import brand_mark
from clientcenter.components.portal.login_flow import login_card
from clientcenter.settings import get_settings
from clientcenter.services.notify.templates import ACCENT_HEX, LIGHT_ACCENTS


def login_url() -> str:
    """The stable address to send customers to (emails, the agency's website)."""
    return str(get_settings().public_url).rstrip("/") + paths.CUSTOMER_LOGIN


def embed_snippet() -> str:
    """HTML for the agency's website: a button in the agency's colour that opens the login
    page, and (optional) the login card itself in a frame."""
    settings = get_settings()
    b = settings.branding
    accent = ACCENT_HEX.get(b.accent_color, "#12a594")
    text = "#111111" if b.accent_color in LIGHT_ACCENTS else "#ffffff"
    base = str(settings.public_url).rstrip("/")
    label = html.escape(f"Log in to {b.short_name} Client Center", quote=True)
    title = html.escape(f"{b.agency_name} Client Center login", quote=True)
    return (
        f'<!-- {html.escape(b.agency_name)} Client Center: a login button -->\n'
        f'<a href="{base}{paths.CUSTOMER_LOGIN}" style="display:inline-block;padding:12px 20px;border-radius:8px;background:{accent};'
        f'color:{text};font:600 16px/1.2 system-ui,sans-serif;text-decoration:none">'
        f'{label}</a>\n\n'
        f'<!-- or the login card on your page (this site must be listed in '
        f'security.frame_ancestors) -->\n'
        f'<iframe src="{base}{paths.EMBED_LOGIN}" title="{title}" '
        f'style="width:100%;max-width:440px;height:560px;border:0" loading="lazy"></iframe>'
    )


def embed_snippet_card() -> rx.Component:
    """For the agent side: the snippet with a copy button."""
    snippet = embed_snippet()
    return rx.card(
        rx.vstack(
            rx.text("Put Client Center on your website", weight="bold", size="3"),
            rx.text("Login address: ", rx.code(login_url(), word_break="break-all"), size="2"),
            # A plain <pre>: no syntax-highlighting bundle for one snippet.
            rx.el.pre(snippet, id="embed-snippet",
                      style={"white_space": "pre-wrap", "word_break": "break-all",
                             "font_size": "12px", "line_height": "1.5", "margin": "0",
                             "padding": "12px", "border_radius": "8px", "width": "100%",
                             "background": rx.color("gray", 3)}),
            rx.button(rx.icon("copy", size=16), "Copy snippet", id="copy-embed-snippet",
                      on_click=[rx.set_clipboard(snippet),
                                rx.toast.success("Snippet copied")]),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def embed_login() -> rx.Component:
    """The login card alone, for a frame on the agency's website."""
    b = get_settings().branding
    return rx.box(
        rx.vstack(brand_mark(b), login_card(), spacing="3", width="100%", max_width="440px",
                  margin_x="auto"),
        padding="12px",
        background_color=rx.color("gray", 2),
        min_height="100vh",
    )
