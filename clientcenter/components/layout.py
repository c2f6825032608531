"""The mobile-first page shell: branded header, content column, bottom navigation, footer."""

from __future__ import annotations

import reflex as rx

from clientcenter import routes
from clientcenter.components.brand import brand_mark
from clientcenter.settings import get_settings

CONTENT_MAX_WIDTH = "640px"

# The customer's sections, shown as a bottom tab bar on a phone.
CUSTOMER_NAV = [
    ("Home", "house", routes.CUSTOMER_HOME),
    ("Policies", "shield-check", routes.POLICIES),
    ("Documents", "file-text", routes.DOCUMENTS),
    ("Billing", "receipt", routes.BILLING),
    ("Profile", "circle-user", routes.PROFILE),
]


def _sticky_band(
    *children: rx.Component,
    top: str,
    padding_y: str,
    row: dict | None = None,
    element=rx.box,
    **box,
) -> rx.Component:
    """A full-width bar that stays on top while the page scrolls, its content in the page's
    column: the header, and the read-only banner under it. ``row`` styles the content's
    hstack, ``box`` the bar; ``element`` is rx.el.header for the header (rx.box's ``as_``
    still renders a div)."""
    return element(
        rx.hstack(
            *children,
            align="center",
            width="100%",
            max_width=CONTENT_MAX_WIDTH,
            margin_x="auto",
            padding_x="16px",
            padding_y=padding_y,
            **(row or {}),
        ),
        position="sticky",
        top=top,
        width="100%",
        **box,
    )


def header(*right: rx.Component) -> rx.Component:
    branding = get_settings().branding
    return _sticky_band(
        rx.link(
            brand_mark(branding), href=routes.CUSTOMER_LOGIN, underline="none", color="inherit"
        ),
        rx.spacer(),
        *right,
        top="0",
        padding_y="10px",
        element=rx.el.header,
        z_index="10",
        background_color=rx.color("gray", 1),
        border_bottom=f"1px solid {rx.color('gray', 5)}",
    )


def read_only_banner() -> rx.Component:
    """ "Read-only — viewing as <customer>" while an agent looks at a customer's portal.
    Driven by PortalState.viewing_as, which every page load sets from the session."""
    from clientcenter.state.base import PortalState, post_navigation_script

    return rx.cond(
        PortalState.viewing_as != "",
        _sticky_band(
            rx.icon("eye", size=16, flex_shrink="0"),
            rx.text(
                "Read-only — viewing as ",
                rx.text.strong(PortalState.viewing_as),
                size="2",
                flex="1",
                min_width="0",
            ),
            rx.button(
                "Leave",
                size="1",
                variant="solid",
                color_scheme="amber",
                type="button",
                id="leave-read-only",
                high_contrast=True,
                on_click=rx.call_script(post_navigation_script(routes.EXIT_READ_ONLY_ROUTE)),
            ),
            top="57px",
            padding_y="8px",
            row={"spacing": "2"},
            id="read-only-banner",
            role="status",
            z_index="9",
            background_color=rx.color("amber", 4),
            color=rx.color("amber", 12),
            border_bottom=f"1px solid {rx.color('amber', 7)}",
        ),
    )


# A tab: (label, icon, href), or with a fourth item, a Var saying whether to show it (the
# agency side hides what the agent's role may not use).
NavItem = tuple[str, str, str] | tuple[str, str, str, rx.Var]


def _customer_nav() -> list[NavItem]:
    """The customer's tabs; a household member with a limited view sees only theirs (the
    services refuse the rest anyway: services/access.py, ``require_view``)."""
    from clientcenter.state.base import PortalState

    view = PortalState.contact_view
    everything = view == "everything"
    shown = {
        routes.CUSTOMER_HOME: everything,
        routes.POLICIES: everything,
        routes.DOCUMENTS: view != "certificates",
        routes.BILLING: everything,
    }
    items: list[NavItem] = []
    for label, icon, href in CUSTOMER_NAV:
        if href == routes.PROFILE:
            items.append(("Certificates", "award", routes.CERTIFICATES, view == "certificates"))
        items.append((label, icon, href, shown[href]) if href in shown else (label, icon, href))
    return items


def bottom_nav(active: str, items_spec: list[NavItem] | None = None) -> rx.Component:
    items = []
    for label, icon, href, *shown in items_spec or _customer_nav():
        is_active = href == active
        link = rx.link(
            rx.vstack(
                rx.icon(icon, size=20),
                rx.text(label, size="1", weight="medium" if is_active else "regular"),
                align="center",
                spacing="1",
            ),
            href=href,
            underline="none",
            color=rx.color("accent", 11) if is_active else rx.color("gray", 11),
            flex="1",
            padding_y="8px",
            aria_current="page" if is_active else None,
        )
        items.append(rx.cond(shown[0], link) if shown else link)
    return rx.el.nav(
        rx.hstack(*items, width="100%", max_width=CONTENT_MAX_WIDTH, margin_x="auto", spacing="0"),
        aria_label="Sections",
        position="fixed",
        bottom="0",
        left="0",
        right="0",
        z_index="10",
        background_color=rx.color("gray", 1),
        border_top=f"1px solid {rx.color('gray', 5)}",
        padding_bottom="env(safe-area-inset-bottom)",
    )


def footer(padding_bottom: str = "24px") -> rx.Component:
    branding = get_settings().branding
    return rx.el.footer(
        rx.text(
            f"© {branding.agency_name} · ",
            rx.link("Website", href=str(branding.website), is_external=True),
            size="1",
            color_scheme="gray",
            align="center",
        ),
        padding_top="24px",
        padding_bottom=padding_bottom,
        width="100%",
    )


def skip_link() -> rx.Component:
    """The first tab stop: "Skip to content", out of sight until it has the focus."""
    return rx.el.a(
        "Skip to content",
        href="#main",
        id="skip-link",
        style={
            "position": "absolute",
            "left": "-10000px",
            "top": "8px",
            "z_index": "20",
            "padding": "12px 16px",
            "background_color": "var(--gray-1)",
            "color": "var(--accent-11)",
            "border_radius": "var(--radius-2)",
            "&:focus": {"left": "8px"},
        },
    )


def page_shell(
    *children: rx.Component,
    nav_active: str | None = None,
    header_right: tuple[rx.Component, ...] = (),
    nav: list[NavItem] | None = None,
) -> rx.Component:
    """Every page: header, the read-only banner when an agent views a customer's portal, a
    single readable column, and the tab bar (the customer's, or ``nav`` for agents)."""
    return rx.box(
        skip_link(),
        header(*header_right),
        read_only_banner(),
        rx.el.main(
            rx.vstack(*children, spacing="4", width="100%"),
            id="main",
            tab_index=-1,
            width="100%",
            max_width=CONTENT_MAX_WIDTH,
            margin_x="auto",
            padding_x="16px",
            padding_top="16px",
            outline="none",
        ),
        footer("96px" if nav_active else "16px"),
        bottom_nav(nav_active, nav) if nav_active else rx.fragment(),
        min_height="100vh",
        background_color=rx.color("gray", 2),
        # clip, not hidden: hidden makes this box a scroll container, and the sticky header
        # and read-only banner would then scroll away with the page.
        overflow_x="clip",
    )
