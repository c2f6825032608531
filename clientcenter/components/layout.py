"""The mobile-first page shell: branded header, content column, bottom navigation, footer."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from clientcenter import routes
from clientcenter.components.brand import brand_mark
from clientcenter.components.common import in_page_link
from clientcenter.settings import get_settings

CONTENT_MAX_WIDTH = "640px"

# From this width on the agency side is a desk: side navigation instead of the tab bar, the
# header across the window, wider content. Radix's "md" breakpoint, so a Radix prop written
# {"initial": ..., "md": ...} switches at the same width (Reflex's own "md" is 992 px).
DESK_MIN_WIDTH = "1024px"
DESK_MEDIA = f"@media (min-width: {DESK_MIN_WIDTH})"
SIDE_NAV_WIDTH = "232px"
HEADER_HEIGHT = "57px"  # the brand mark (36 px), its padding and the border


def on_desk(**css) -> dict:
    """Style that applies from the desk breakpoint on (pass as ``style=``)."""
    return {DESK_MEDIA: css}


# The customer's sections, shown as a bottom tab bar on a phone.
CUSTOMER_NAV = [
    ("Home", "house", routes.CUSTOMER_HOME),
    ("Policies", "shield-check", routes.POLICIES),
    ("Documents", "file-text", routes.DOCUMENTS),
    ("Billing", "receipt", routes.BILLING),
    ("Profile", "circle-user", routes.PROFILE),
]


def _band(
    *children: rx.Component,
    padding_y: str,
    row: dict | None = None,
    element=rx.box,
    wide: bool = False,
    **box,
) -> rx.Component:
    """A full-width bar over the page, its content in the page's column (``wide``: across
    the whole window from the desk breakpoint on): the header, and the read-only banner
    under it. ``row`` styles the content's hstack, ``box`` the bar; ``element`` is
    rx.el.header for the header (rx.box's ``as_`` still renders a div)."""
    return element(
        rx.hstack(
            *children,
            align="center",
            width="100%",
            max_width=CONTENT_MAX_WIDTH,
            margin_x="auto",
            padding_x="16px",
            padding_y=padding_y,
            style=on_desk(max_width="none", padding_x="24px") if wide else {},
            **(row or {}),
        ),
        width="100%",
        **box,
    )


def header(
    *right: rx.Component, home: str = routes.CUSTOMER_LOGIN, wide: bool = False
) -> rx.Component:
    branding = get_settings().branding
    return _band(
        rx.link(brand_mark(branding), href=home, underline="none", color="inherit"),
        rx.spacer(),
        *right,
        padding_y="10px",
        element=rx.el.header,
        wide=wide,
        background_color=rx.color("gray", 1),
        border_bottom=f"1px solid {rx.color('gray', 5)}",
    )


def read_only_banner() -> rx.Component:
    """ "Read-only — viewing as <customer>" while an agent looks at a customer's portal.
    Driven by PortalState.viewing_as, which every page load sets from the session."""
    from clientcenter.state.base import PortalState, post_navigation_script

    return rx.cond(
        PortalState.viewing_as != "",
        _band(
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
            padding_y="8px",
            row={"spacing": "2"},
            id="read-only-banner",
            role="status",
            background_color=rx.color("amber", 4),
            color=rx.color("amber", 12),
            border_bottom=f"1px solid {rx.color('amber', 7)}",
        ),
    )


def _top(*bands: rx.Component) -> rx.Component:
    """The header and the read-only banner in one sticky block: the banner stays under the
    header while the page scrolls, whatever height the header takes."""
    return rx.box(*bands, position="sticky", top="0", z_index="10", width="100%")


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


def _nav_links(
    active: str,
    items_spec: list[NavItem] | None,
    item: Callable[[str, str, bool], rx.Component],
    **link_props,
) -> list[rx.Component]:
    """One link per destination, ``item`` drawing its inside; the agency's hidden by role."""
    links = []
    for label, icon, href, *shown in items_spec or _customer_nav():
        link = rx.link(
            item(label, icon, href == active),
            href=href,
            underline="none",
            aria_current="page" if href == active else None,
            **link_props,
        )
        links.append(rx.cond(shown[0], link) if shown else link)
    return links


def _tab(label: str, icon: str, is_active: bool) -> rx.Component:
    return rx.vstack(
        rx.icon(icon, size=20),
        rx.text(label, size="1", weight="medium" if is_active else "regular"),
        align="center",
        spacing="1",
        width="100%",
        color=rx.color("accent", 11) if is_active else rx.color("gray", 11),
    )


def _side_item(label: str, icon: str, is_active: bool) -> rx.Component:
    return rx.hstack(
        rx.icon(icon, size=18, flex_shrink="0"),
        rx.text(label, size="2", weight="medium"),
        align="center",
        spacing="3",
        padding_x="12px",
        min_height="40px",
        border_radius="var(--radius-2)",
        color=rx.color("accent", 11) if is_active else rx.color("gray", 12),
        background_color=rx.color("accent", 3) if is_active else "transparent",
        _hover={"background_color": rx.color("accent", 3) if is_active else rx.color("gray", 3)},
        width="100%",
    )


def bottom_nav(
    active: str, items_spec: list[NavItem] | None = None, *, desk: bool = False
) -> rx.Component:
    """The tab bar fixed to the bottom of a phone's screen (``desk``: only below the desk
    breakpoint, the side navigation takes over from there)."""
    return rx.el.nav(
        rx.hstack(
            # Equal shares of the bar, each label centred in its own.
            *_nav_links(active, items_spec, _tab, flex="1 1 0", min_width="0", padding_y="8px"),
            width="100%",
            max_width=CONTENT_MAX_WIDTH,
            margin_x="auto",
            spacing="0",
        ),
        aria_label="Sections",
        id="bottom-nav",
        position="fixed",
        bottom="0",
        left="0",
        right="0",
        z_index="10",
        background_color=rx.color("gray", 1),
        border_top=f"1px solid {rx.color('gray', 5)}",
        padding_bottom="env(safe-area-inset-bottom)",
        style=on_desk(display="none") if desk else {},
    )


def side_nav(active: str, items_spec: list[NavItem]) -> rx.Component:
    """The desk's navigation: the tab bar's destinations down the left edge, from the desk
    breakpoint on (display none below it, so a phone's screen reader meets one nav). The
    column runs the page's height; the links in it stay in view under the sticky header."""
    return rx.box(
        rx.el.nav(
            rx.vstack(
                *_nav_links(active, items_spec, _side_item, width="100%", color="inherit"),
                spacing="1",
                width="100%",
            ),
            aria_label="Sections",
            id="side-nav",
            padding="16px 12px",
            position="sticky",
            top=HEADER_HEIGHT,
        ),
        display="none",
        flex_shrink="0",
        width=SIDE_NAV_WIDTH,
        border_right=f"1px solid {rx.color('gray', 5)}",
        background_color=rx.color("gray", 1),
        style=on_desk(display="block"),
    )


def footer(padding_bottom: str = "24px", *, desk: bool = False) -> rx.Component:
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
        # No tab bar to keep clear of on a desk.
        style=on_desk(padding_bottom="24px") if desk else {},
    )


def skip_link() -> rx.Component:
    """The first tab stop: "Skip to content", out of sight until it has the focus; Enter
    moves the focus into ``main`` (tabindex -1)."""
    return in_page_link(
        "Skip to content",
        target="main",
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
    desk_width: str | None = None,
    home: str = routes.CUSTOMER_LOGIN,
) -> rx.Component:
    """Every page: header, the read-only banner when an agent views a customer's portal, a
    single readable column, and the tab bar (the customer's, or ``nav`` for agents).

    With ``desk_width`` (the agency side) one render serves both: below the desk breakpoint
    the same phone layout, from it on the header across the window, the side navigation
    instead of the tab bar, and the content up to ``desk_width`` wide."""
    desk = desk_width is not None
    content = rx.box(
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
            style=on_desk(max_width=desk_width, padding_x="32px", padding_top="24px")
            if desk
            else {},
        ),
        footer("96px" if nav_active else "16px", desk=desk),
        flex="1",
        min_width="0",
    )
    return rx.box(
        skip_link(),
        _top(header(*header_right, home=home, wide=desk), read_only_banner()),
        rx.box(
            side_nav(nav_active or "", nav or []),
            content,
            style=on_desk(display="flex", min_height=f"calc(100vh - {HEADER_HEIGHT})"),
        )
        if desk
        else content,
        bottom_nav(nav_active, nav, desk=desk) if nav_active else rx.fragment(),
        min_height="100vh",
        background_color=rx.color("gray", 2),
        # clip, not hidden: hidden makes this box a scroll container, and the sticky header
        # and read-only banner would then scroll away with the page.
        overflow_x="clip",
    )
