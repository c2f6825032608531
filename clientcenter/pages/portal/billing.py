"""/billing (open invoices, paying, history with receipts) and /pay/<token> (a payment
request's link)."""

from __future__ import annotations

import reflex as rx

from clientcenter import routes
from clientcenter.components.common import loading_spinner, section_heading
from clientcenter.components.icons import icon_match
from clientcenter.components.layout import page_shell
from clientcenter.components.portal.billing_cards import (
    billing_callout,
    confirm_dialog,
    invoice_card,
    pay_all_card,
    payment_row,
    pending_row,
    read_only_banner,
)
from clientcenter.components.portal.passkeys import step_up_prompt
from clientcenter.state.portal.billing import BillingState, InvoiceRow
from clientcenter.state.portal.pay_link import PayLinkState


def _pending_line(sentence) -> rx.Component:
    return rx.hstack(
        rx.icon("hourglass", size=18, color=rx.color("amber", 11), flex_shrink="0"),
        rx.text(sentence, size="2", class_name="pending-payment"),
        align="start",
        spacing="2",
        width="100%",
    )


def _summary() -> rx.Component:
    """services/billing/summary.py decides: due, pending (a check on its way) or paid up."""
    return rx.card(
        rx.vstack(
            rx.match(
                BillingState.summary_state,
                (
                    "due",
                    rx.vstack(
                        rx.text("Total due", size="2", color_scheme="gray"),
                        rx.text(
                            BillingState.total_due, size="7", weight="bold", id="billing-total"
                        ),
                        rx.text("Next due ", BillingState.next_due, size="2", color_scheme="gray"),
                        spacing="1",
                    ),
                ),
                (
                    "pending",
                    rx.text("Nothing else to pay for now", size="3", weight="medium"),
                ),
                rx.hstack(
                    rx.icon("circle-check", size=22, color=rx.color("green", 10)),
                    rx.text("You're all paid up. Thank you!", size="3", weight="medium"),
                    align="center",
                    spacing="2",
                ),
            ),
            rx.foreach(BillingState.pending_lines, _pending_line),
            spacing="2",
            width="100%",
        ),
        width="100%",
        id="billing-summary",
    )


def _closed_row(row: InvoiceRow) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(row.heading, size="2", weight="medium"),
            rx.text(row.number, " · ", row.when, size="1", color_scheme="gray"),
            spacing="0",
            min_width="0",
        ),
        rx.spacer(),
        rx.text(row.amount, size="2"),
        rx.badge(row.status_label, color_scheme=row.badge),
        align="center",
        spacing="2",
        width="100%",
        padding_y="6px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
    )


def billing_page() -> rx.Component:
    return page_shell(
        read_only_banner(BillingState.read_only),
        confirm_dialog(),
        step_up_prompt(),  # a payment the agency wants confirmed first
        rx.vstack(
            rx.heading("Billing", size="6", as_="h1", id="billing-heading"),
            rx.text("Your invoices, payments and receipts.", size="2", color_scheme="gray"),
            spacing="0",
            width="100%",
        ),
        billing_callout(BillingState.notice, BillingState.notice_kind, "billing-notice"),
        billing_callout(BillingState.error, "error", "billing-error"),
        rx.cond(
            BillingState.loaded,
            rx.vstack(
                _summary(),
                rx.cond(
                    BillingState.pending.length() > 0,
                    rx.vstack(
                        section_heading("Waiting for your confirmation", "hourglass"),
                        rx.foreach(BillingState.pending, pending_row),
                        spacing="3",
                        width="100%",
                        id="pending-confirmations",
                    ),
                ),
                rx.cond(
                    BillingState.invoices.length() > 0,
                    rx.vstack(
                        section_heading("Open invoices", "receipt"),
                        pay_all_card(),
                        rx.foreach(BillingState.invoices, invoice_card),
                        spacing="3",
                        width="100%",
                        id="open-invoices",
                    ),
                ),
                section_heading("Payment history", "history"),
                rx.cond(
                    BillingState.history.length() > 0,
                    rx.vstack(
                        rx.foreach(BillingState.history, payment_row),
                        spacing="2",
                        width="100%",
                        id="payment-history",
                    ),
                    rx.text("No payments yet.", size="2", color_scheme="gray"),
                ),
                rx.cond(
                    BillingState.closed.length() > 0,
                    rx.vstack(
                        section_heading("Paid and closed invoices", "archive"),
                        rx.card(
                            rx.vstack(
                                rx.foreach(BillingState.closed, _closed_row),
                                spacing="0",
                                width="100%",
                            ),
                            width="100%",
                        ),
                        spacing="3",
                        width="100%",
                        id="closed-invoices",
                    ),
                ),
                spacing="4",
                width="100%",
            ),
            loading_spinner(),
        ),
        nav_active=routes.BILLING,
    )


_LINK_ICONS = {
    "paid": "circle-check",
    "cancelled": "circle-x",
    "expired": "clock",
    "login": "log-in",
    "other_account": "users",
    "invalid": "link-2-off",
}


def pay_link_page() -> rx.Component:
    return page_shell(
        rx.cond(
            PayLinkState.loaded,
            rx.card(
                rx.vstack(
                    icon_match(
                        PayLinkState.state,
                        _LINK_ICONS,
                        "receipt",
                        size=32,
                        color=rx.color("accent", 11),
                    ),
                    rx.heading(
                        rx.match(
                            PayLinkState.state,
                            ("paid", "Already paid"),
                            ("cancelled", "Invoice cancelled"),
                            ("expired", "Link expired"),
                            ("login", "Log in to pay"),
                            ("other_account", "Another account"),
                            "Link not valid",
                        ),
                        size="5",
                        as_="h1",
                        id="pay-link-heading",
                    ),
                    rx.text(PayLinkState.message, size="3", id="pay-link-message"),
                    rx.cond(
                        PayLinkState.state == "login",
                        rx.link(
                            rx.button("Log in", size="3", width="100%"),
                            href=PayLinkState.login_href,
                            width="100%",
                            id="pay-link-login",
                        ),
                        rx.link(
                            rx.button("Go to billing", size="3", width="100%", variant="soft"),
                            href=routes.BILLING,
                            width="100%",
                        ),
                    ),
                    spacing="3",
                    align="center",
                    text_align="center",
                    width="100%",
                ),
                width="100%",
            ),
            loading_spinner(),
        ),
    )
