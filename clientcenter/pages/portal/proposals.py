"""Proposals (/proposals and /proposals/[proposal_id]): coverages and premium, then accept or
decline with a comment."""

from __future__ import annotations

import reflex as rx

from clientcenter import routes
from clientcenter.components.common import (
    PROPOSAL_STATUS_COLOURS,
    error_callout,
    loading_note,
    notice_callout,
    once_loaded,
    status_badge,
)
from clientcenter.components.forms import (
    INPUT_STYLE,
    field_error,
    form_card,
    page_title,
    submit_button,
)
from clientcenter.components.layout import page_shell
from clientcenter.state.portal.proposals import ProposalRow, ProposalsState, ProposedCoverageRow

S = ProposalsState


def proposal_card(row: ProposalRow) -> rx.Component:
    return rx.link(
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.text(row.title, weight="bold", size="3", min_width="0"),
                    rx.spacer(),
                    status_badge(
                        row.status,
                        row.status_label,
                        PROPOSAL_STATUS_COLOURS,
                        default="blue",
                        id="proposal-status",
                    ),
                    width="100%",
                    align="start",
                    spacing="2",
                ),
                rx.text(row.carrier, " · ", row.premium, " a year", size="2", color_scheme="gray"),
                spacing="1",
                width="100%",
            ),
            width="100%",
        ),
        href=row.href,
        underline="none",
        color="inherit",
        width="100%",
        class_name="proposal-card",
    )


def proposals_page() -> rx.Component:
    return page_shell(
        page_title("Proposals", "Quotes your agency prepared for you.", id="proposals-heading"),
        error_callout(S.error),
        loading_note(S.loaded),
        rx.cond(
            S.proposals.length() > 0,
            rx.vstack(rx.foreach(S.proposals, proposal_card), spacing="3", width="100%"),
            rx.cond(
                S.loaded & (S.error == ""),
                rx.text("No proposals right now.", size="2", color_scheme="gray"),
            ),
        ),
        nav_active=routes.PROPOSALS,
    )


def coverage_row(row: ProposedCoverageRow) -> rx.Component:
    return rx.hstack(
        rx.text(row.name, size="2", flex="1", min_width="0"),
        rx.vstack(
            rx.text(row.limit, size="2", weight="medium", text_align="right"),
            rx.text(
                "Deductible ", row.deductible, size="1", color_scheme="gray", text_align="right"
            ),
            spacing="0",
            align="end",
            max_width="50%",
        ),
        width="100%",
        align="start",
        padding_y="6px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        class_name="coverage-row",
    )


def decision_form() -> rx.Component:
    choice = lambda value, label, icon: rx.el.label(  # noqa: E731
        rx.el.input(
            type="radio",
            name="decision",
            value=value,
            id=f"decision-{value}",
            style={"width": "20px", "height": "20px", "accent_color": "var(--accent-9)"},
        ),
        rx.icon(icon, size=18),
        rx.text(label, size="3", weight="medium"),
        html_for=f"decision-{value}",
        style={
            "display": "flex",
            "align_items": "center",
            "gap": "8px",
            "padding": "10px 12px",
            "border": f"1px solid {rx.color('gray', 6)}",
            "border_radius": "var(--radius-3)",
            "flex": "1",
            "cursor": "pointer",
            "min_width": "140px",
        },
    )
    return form_card(
        rx.heading("Your answer", size="4", as_="h2"),
        rx.hstack(
            choice("accept", "Accept", "thumbs-up"),
            choice("decline", "Decline", "thumbs-down"),
            spacing="2",
            width="100%",
            wrap="wrap",
        ),
        field_error(S.field_errors, "decision"),
        rx.el.label(
            "Comment (optional)",
            html_for="decision-comment",
            style={"font_weight": "500", "font_size": "14px"},
        ),
        rx.el.textarea(
            name="comment",
            id="decision-comment",
            rows=3,
            max_length=1000,
            placeholder="Anything your agent should know",
            style={**INPUT_STYLE, "resize": "vertical"},
        ),
        error_callout(S.form_error),
        submit_button("Send my answer", "decision-submit", disabled=S.read_only),
        on_submit=S.decide,
        id="decision-form",
    )


def proposal_page() -> rx.Component:
    p = S.proposal
    return page_shell(
        page_title("Proposal", back=("Proposals", routes.PROPOSALS)),
        once_loaded(
            S.loaded,
            S.error,
            rx.vstack(
                rx.card(
                    rx.vstack(
                        rx.hstack(
                            rx.heading(p.title, size="5", as_="h2", id="proposal-title"),
                            rx.spacer(),
                            status_badge(
                                p.status,
                                p.status_label,
                                PROPOSAL_STATUS_COLOURS,
                                default="blue",
                                id="proposal-status",
                            ),
                            width="100%",
                            align="start",
                            wrap="wrap",
                            spacing="2",
                        ),
                        rx.text(p.line_label, " · ", p.carrier, size="2", color_scheme="gray"),
                        rx.hstack(
                            rx.vstack(
                                rx.text("Premium", size="1", color_scheme="gray"),
                                rx.text(p.premium, size="6", weight="bold", id="proposal-premium"),
                                spacing="0",
                            ),
                            rx.spacer(),
                            rx.cond(
                                p.valid_until != "",
                                rx.vstack(
                                    rx.text("Valid until", size="1", color_scheme="gray"),
                                    rx.text(p.valid_until, size="2"),
                                    spacing="0",
                                    align="end",
                                ),
                            ),
                            width="100%",
                            align="end",
                        ),
                        spacing="2",
                        width="100%",
                    ),
                    width="100%",
                ),
                rx.card(
                    rx.vstack(
                        rx.heading("Coverages", size="4", as_="h2"),
                        rx.foreach(S.coverages, coverage_row),
                        spacing="1",
                        width="100%",
                    ),
                    width="100%",
                    id="proposal-coverages",
                ),
                notice_callout(S.decided_message, id="decision-done"),
                rx.cond(
                    p.open_for_decision,
                    decision_form(),
                    rx.cond(
                        p.decision_comment != "",
                        rx.text(
                            "Your comment: “",
                            p.decision_comment,
                            "”",
                            size="2",
                            color_scheme="gray",
                        ),
                    ),
                ),
                spacing="4",
                width="100%",
            ),
        ),
        nav_active=routes.PROPOSALS,
    )
