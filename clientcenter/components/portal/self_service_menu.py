"""The self-service menu: requests, contact, certificates, proposals, surveys, referral and
feedback. A page includes `self_service_menu()` (the home page does); it loads itself."""

from __future__ import annotations

import reflex as rx

from clientcenter import routes
from clientcenter.components.common import section_heading
from clientcenter.components.forms import choice_card
from clientcenter.components.portal.integrations import integrations_card
from clientcenter.state.portal.menu import MenuState

S = MenuState


def self_service_menu(*, with_links: bool = True) -> rx.Component:
    return rx.vstack(
        rx.cond(
            S.menu_loaded,
            rx.vstack(
                section_heading("How can we help?", "hand-helping"),
                rx.foreach(
                    S.claims_to_rate,
                    lambda row: choice_card(
                        "star",
                        "Rate your claim experience",
                        row.description,
                        href=row.href,
                        id="rate-claim",
                    ),
                ),
                rx.cond(
                    S.open_proposals > 0,
                    choice_card(
                        "signature",
                        "A proposal is waiting for you",
                        "Review the coverages and premium, then answer.",
                        href=S.proposal_href,
                        id="menu-proposal",
                    ),
                    rx.cond(
                        S.proposals,
                        choice_card(
                            "signature",
                            "Proposals",
                            "Quotes your agency prepared for you.",
                            href=routes.PROPOSALS,
                            id="menu-proposals",
                        ),
                    ),
                ),
                choice_card(
                    "clipboard-pen",
                    "Request a change",
                    # A business hears about its own kinds of change, not a household's.
                    rx.cond(
                        S.account_kind == "commercial",
                        "Locations, equipment, payroll, business vehicles — or anything else.",
                        "Vehicles, drivers, address, coverage — or anything else.",
                    ),
                    href=routes.REQUESTS,
                    id="menu-requests",
                ),
                rx.cond(
                    S.certificates,
                    choice_card(
                        "file-badge",
                        "Certificates",
                        "Download certificates, add a holder, ask for a new one.",
                        href=routes.CERTIFICATES,
                        id="menu-certificates",
                    ),
                ),
                choice_card(
                    "life-buoy",
                    "Contact us",
                    "Questions, help and quick answers.",
                    href=routes.CONTACT,
                    id="menu-contact",
                ),
                rx.cond(
                    S.referrals,
                    choice_card(
                        "gift",
                        "Refer a friend",
                        "Share the care you get.",
                        href=routes.REFER,
                        id="menu-refer",
                    ),
                ),
                rx.cond(
                    S.feedback,
                    choice_card(
                        "message-circle-heart",
                        "Give feedback",
                        "Tell us how we're doing.",
                        href=routes.FEEDBACK,
                        id="menu-feedback",
                    ),
                ),
                spacing="2",
                width="100%",
            ),
        ),
        integrations_card() if with_links else rx.fragment(),
        on_mount=S.load,
        spacing="3",
        width="100%",
        id="self-service-menu",
    )
