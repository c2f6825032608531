"""One policy (/policies/[policy_id]): coverages, vehicles, drivers and ID cards."""

from __future__ import annotations

import reflex as rx

from clientcenter import routes
from clientcenter.components.common import (
    POLICY_STATUS_COLOURS,
    once_loaded,
    section_heading,
    status_badge,
)
from clientcenter.components.layout import page_shell
from clientcenter.state.portal.policy import PolicyState


def _fact(label: str, value) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray"),
        rx.text(value, size="2", weight="medium", word_break="break-word"),
        spacing="0",
        min_width="0",
    )


def _summary() -> rx.Component:
    p = PolicyState.policy
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(p.line_label, size="5", as_="h1", id="policy-heading"),
                rx.spacer(),
                status_badge(p.status, p.status_label, POLICY_STATUS_COLOURS),
                align="center",
                width="100%",
            ),
            rx.grid(
                _fact("Policy number", p.number),
                _fact("Carrier", p.carrier),
                _fact("Term", p.term),
                _fact("Premium", p.premium),
                columns="2",
                spacing="3",
                width="100%",
            ),
            rx.link(
                rx.hstack(
                    rx.icon("file-text", size=16),
                    rx.text("Documents for this policy", size="2"),
                    align="center",
                    spacing="1",
                ),
                href=routes.policy_documents_path(p.id),
                id="policy-documents-link",
            ),
            rx.cond(
                PolicyState.as_of != "",
                rx.text(PolicyState.as_of, size="1", color_scheme="gray", id="policy-as-of"),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _coverage(row) -> rx.Component:
    return rx.box(
        rx.text(row.name, weight="medium", size="2"),
        rx.cond(row.applies_to != "", rx.text(row.applies_to, size="1", color_scheme="gray")),
        rx.hstack(
            rx.text("Limit ", rx.text.strong(row.limit), size="2", min_width="0"),
            rx.text("Deductible ", rx.text.strong(row.deductible), size="2"),
            wrap="wrap",
            spacing="3",
            row_gap="0",
        ),
        padding_y="10px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        width="100%",
        class_name="coverage-row",
    )


def _vehicle(row) -> rx.Component:
    return rx.hstack(
        rx.icon("car", size=20, color=rx.color("accent", 11), flex_shrink="0"),
        rx.vstack(
            rx.text(row.label, weight="medium", size="2"),
            rx.text(
                "VIN ",
                rx.code(row.vin, variant="ghost"),
                size="1",
                color_scheme="gray",
                word_break="break-all",
            ),
            rx.text(row.usage, size="1", color_scheme="gray"),
            spacing="0",
            min_width="0",
        ),
        align="start",
        spacing="3",
        width="100%",
        class_name="vehicle-row",
    )


def _driver(row) -> rx.Component:
    return rx.hstack(
        rx.icon("user", size=18, color=rx.color("gray", 10), flex_shrink="0"),
        rx.vstack(
            rx.text(row.name, weight="medium", size="2"),
            rx.text(
                row.relationship,
                " · Licensed in ",
                row.license_state,
                size="1",
                color_scheme="gray",
            ),
            spacing="0",
        ),
        align="center",
        spacing="3",
        class_name="driver-row",
    )


def _id_cards() -> rx.Component:
    p = PolicyState.policy
    return rx.cond(
        p.has_id_cards & (PolicyState.vehicles.length() > 0),
        rx.card(
            rx.vstack(
                section_heading("ID cards", icon="id-card", id="id-cards"),
                rx.text(
                    "Proof of insurance for each vehicle, as a PDF you can show or save "
                    "on your phone. Choose vehicles, or download them all.",
                    size="2",
                    color_scheme="gray",
                ),
                rx.foreach(
                    PolicyState.vehicles,
                    lambda v: rx.el.label(
                        rx.hstack(
                            rx.checkbox(
                                checked=PolicyState.selected_vehicles.contains(v.id),
                                on_change=lambda checked: PolicyState.toggle_vehicle(
                                    v.id, checked
                                ),
                                size="3",
                                aria_label=v.label,  # a Radix checkbox is a button
                            ),
                            rx.text(v.label, size="2"),
                            align="center",
                            spacing="2",
                        ),
                        class_name="card-choice",
                    ),
                ),
                rx.cond(
                    PolicyState.card_error != "",
                    rx.text(PolicyState.card_error, color_scheme="red", size="2", role="alert"),
                ),
                rx.button(
                    rx.icon("download", size=16),
                    "Download all cards",
                    on_click=PolicyState.download_cards(p.id, False),
                    size="3",
                    width="100%",
                    id="download-all-cards",
                ),
                rx.button(
                    rx.icon("download", size=16),
                    "Download selected cards",
                    on_click=PolicyState.download_cards(p.id, True),
                    disabled=PolicyState.selected_vehicles.length() == 0,
                    variant="soft",
                    size="3",
                    width="100%",
                    id="download-selected-cards",
                ),
                spacing="3",
                width="100%",
            ),
            width="100%",
        ),
    )


def _section_card(title: str, icon: str, *children, spacing: str = "3") -> rx.Component:
    return rx.card(
        rx.vstack(section_heading(title, icon=icon), *children, spacing=spacing, width="100%"),
        width="100%",
    )


def _rows_card(title: str, icon: str, rows, row) -> rx.Component:
    """A card listing ``rows`` (one ``row`` each), shown only when there is any."""
    return rx.cond(rows.length() > 0, _section_card(title, icon, rx.foreach(rows, row)))


def _body() -> rx.Component:
    return rx.vstack(
        _summary(),
        _id_cards(),
        _section_card(
            "Coverages",
            "shield-check",
            rx.vstack(rx.foreach(PolicyState.coverages, _coverage), spacing="0", width="100%"),
            spacing="2",
        ),
        _rows_card("Vehicles", "car", PolicyState.vehicles, _vehicle),
        _rows_card("Drivers", "users", PolicyState.drivers, _driver),
        spacing="4",
        width="100%",
    )


def policy_page() -> rx.Component:
    return page_shell(
        rx.link(
            rx.hstack(
                rx.icon("chevron-left", size=16),
                rx.text("All policies", size="2"),
                align="center",
                spacing="1",
            ),
            href=routes.POLICIES,
        ),
        once_loaded(PolicyState.loaded, PolicyState.error, _body(), "Policy not available"),
        nav_active=routes.POLICIES,
    )
