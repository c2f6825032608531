"""The agency's branding as components. Everything here is read from settings at build time,
so a different clientcenter.toml builds a differently branded portal with no code change."""

from __future__ import annotations

import reflex as rx

from clientcenter import palette
from clientcenter.settings import Branding, Settings

# What every page needs beyond the theme: a focus ring on native inputs too, room under the
# sticky header and over the fixed tab bar when focus scrolls, and 44 px targets on a phone.
_PAGE_CSS = (
    "input:focus-visible,select:focus-visible,textarea:focus-visible,button:focus-visible,"
    "a:focus-visible,[tabindex]:focus-visible{outline:2px solid var(--accent-9);"
    "outline-offset:2px}"
    "html{scroll-padding-top:112px;scroll-padding-bottom:96px}"
    # Reflex gives every rx.link a hover colour of accent-8 (2.3:1 on white); the AA shade
    # instead, lifted by ":root" over that generated ".css-…:hover" rule.
    ":root a.rt-Link:hover{color:var(--accent-11)}"
    # ":root" lifts these over Radix's own ".rt-reset:where(button…){min-height:unset}": the
    # same specificity otherwise, and Radix's stylesheet comes after this <style> in the head.
    "@media (pointer:coarse),(max-width:640px){"
    ":root .rt-Button,:root .rt-IconButton,:root select{min-height:44px}"
    ":root .rt-Button.rt-r-size-1,:root .rt-IconButton{min-width:44px}"
    # Links on their own (not inside a sentence) get a 44 px tall row to tap.
    ":root a.rt-Link:not(p a){display:inline-flex;align-items:center;min-height:44px}}"
)


def global_styles() -> rx.Component:
    """The <style> in every page's head: the AA-passing colour shades (palette.py) and the
    rules above."""
    return rx.el.style(palette.stylesheet() + _PAGE_CSS)


def build_theme(settings: Settings) -> rx.Component:
    b = settings.branding
    return rx.theme(
        accent_color=b.accent_color,
        gray_color=b.gray_color,
        radius=b.radius,
        appearance="light",
        has_background=True,
    )


def brand_mark(branding: Branding, size: str = "36px") -> rx.Component:
    return rx.hstack(
        rx.image(
            src=branding.logo_url,
            alt=f"{branding.agency_name} logo",
            width=size,
            height=size,
            border_radius="8px",
            id="brand-logo",
        ),
        rx.vstack(
            rx.text(
                branding.agency_name, weight="bold", size="3", id="brand-name", line_height="1.1"
            ),
            rx.text("Client Center", size="1", color_scheme="gray", line_height="1.1"),
            spacing="0",
        ),
        align="center",
        spacing="2",
    )


def _tel(phone: str) -> str:
    return "tel:" + "".join(ch for ch in phone if ch.isdigit() or ch == "+")


def contact_card(branding: Branding) -> rx.Component:
    """Who to call: the agency's phone, email, address and hours."""
    row = lambda icon, child: rx.hstack(  # noqa: E731
        rx.icon(icon, size=16, color=rx.color("accent", 11), flex_shrink="0"),
        child,
        align="center",
        spacing="2",
        width="100%",
    )
    return rx.card(
        rx.vstack(
            rx.text("Questions? We're here to help.", weight="bold", size="3"),
            row("phone", rx.link(branding.phone, href=_tel(branding.phone), size="2")),
            row(
                "mail",
                rx.link(
                    branding.email,
                    href=f"mailto:{branding.email}",
                    size="2",
                    word_break="break-all",
                ),
            ),
            row("map-pin", rx.text(branding.address, size="2")),
            row("clock", rx.text(branding.office_hours, size="2")),
            spacing="2",
            width="100%",
        ),
        width="100%",
        id="contact-card",
    )


def help_links(branding: Branding) -> rx.Component:
    return rx.vstack(
        *[
            rx.link(
                rx.hstack(
                    rx.icon("circle-help", size=16),
                    rx.text(link.label, size="2"),
                    align="center",
                    spacing="2",
                ),
                href=str(link.url),
                is_external=True,
            )
            for link in branding.help_links
        ],
        spacing="2",
        width="100%",
    )
