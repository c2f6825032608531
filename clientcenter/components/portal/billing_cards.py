"""Billing building blocks: an invoice card with its pay form, payment history rows, the
agent's confirmations. Phone first: one column, full-width buttons, nothing wider than 320px."""

from __future__ import annotations

import reflex as rx

from clientcenter.components.icons import icon_match
from clientcenter.state.portal.billing import BillingState, InvoiceRow, PaymentRow, PendingRow


def billing_callout(message, kind, id: str) -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout.root(
            rx.callout.icon(
                icon_match(kind, {"error": "triangle-alert", "info": "info"}, "circle-check")
            ),
            rx.callout.text(message),
            color_scheme=rx.match(kind, ("error", "red"), ("info", "blue"), "green"),
            role="status",
            width="100%",
            id=id,
        ),
    )


def read_only_banner(read_only) -> rx.Component:
    return rx.cond(
        read_only,
        rx.callout(
            "Read-only view: you see what the customer sees and change nothing, except "
            "payments — the one thing you can record here. Each asks you to confirm "
            "first and is recorded in your name.",
            icon="eye",
            color_scheme="amber",
            width="100%",
            id="billing-read-only-note",
        ),
    )


def confirm_dialog() -> rx.Component:
    """The read-only view's confirmation step before its one write (BillingState._ask)."""
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(BillingState.confirm_title),
            rx.alert_dialog.description(BillingState.confirm_body, size="2"),
            rx.flex(
                rx.button(
                    "Cancel",
                    variant="soft",
                    color_scheme="gray",
                    size="3",
                    flex="1",
                    on_click=BillingState.cancel_confirm,
                    id="confirm-cancel",
                ),
                rx.button(
                    BillingState.confirm_label,
                    size="3",
                    flex="1",
                    on_click=BillingState.confirm_action,
                    id="confirm-yes",
                ),
                gap="3",
                margin_top="16px",
                wrap="wrap",
            ),
            max_width="min(420px, calc(100vw - 32px))",
            id="confirm-dialog",
        ),
        open=BillingState.confirm_open,
        on_open_change=BillingState.set_confirm_open,
    )


def _label_value(label: str, value, **props) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray"),
        rx.text(value, size="3", weight="bold", **props),
        spacing="0",
        min_width="0",
    )


def _method_button(choice) -> rx.Component:
    chosen = BillingState.method == choice.value
    return rx.button(
        choice.label,
        type="button",
        variant=rx.cond(chosen, "solid", "outline"),
        aria_pressed=rx.cond(chosen, "true", "false"),
        on_click=BillingState.set_method(choice.value),
        size="3",
        flex="1 1 40%",
        id="pay-method-" + choice.value,
    )


def _detail(label: str, value, id: str) -> rx.Component:
    return rx.cond(
        value != "",
        rx.vstack(
            rx.text(label, size="1", color_scheme="gray"),
            rx.text(value, size="2", weight="medium", word_break="break-word", id=id),
            spacing="0",
            width="100%",
        ),
    )


def payee_details() -> rx.Component:
    """Where to send a check or a transfer ([payments.offline]); nothing when not set."""
    payee = BillingState.payee
    return rx.cond(
        payee.name != "",
        rx.box(
            rx.vstack(
                _detail("Make checks payable to", payee.name, "payee-name"),
                rx.cond(
                    payee.address_lines.length() > 0,
                    rx.vstack(
                        rx.text("Mail to", size="1", color_scheme="gray"),
                        rx.el.address(
                            rx.foreach(payee.address_lines, lambda line: rx.text(line, size="2")),
                            style={"font_style": "normal"},
                            id="payee-address",
                        ),
                        spacing="0",
                        width="100%",
                    ),
                ),
                rx.cond(
                    payee.routing_number != "",
                    rx.vstack(
                        rx.text("Or send a bank transfer", size="2", weight="medium"),
                        _detail("Bank", payee.bank_name, "payee-bank"),
                        rx.grid(
                            _detail("Routing number", payee.routing_number, "payee-routing"),
                            _detail("Account number", payee.account_number, "payee-account"),
                            columns="2",
                            spacing="3",
                            width="100%",
                        ),
                        rx.text(
                            "Quote your invoice number as the reference.",
                            size="1",
                            color_scheme="gray",
                        ),
                        spacing="1",
                        width="100%",
                    ),
                ),
                spacing="2",
                width="100%",
            ),
            padding="12px",
            border_radius="var(--radius-3)",
            background=rx.color("gray", 2),
            border=f"1px solid {rx.color('gray', 5)}",
            width="100%",
            id="payee-details",
        ),
    )


def pay_all_card() -> rx.Component:
    """Pay every open bill at once: shown with two or more of them."""
    return rx.cond(
        BillingState.pay_all_count > 1,
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.vstack(
                        rx.text("All open bills", size="2", color_scheme="gray"),
                        rx.text(
                            BillingState.pay_all_total, size="5", weight="bold", id="pay-all-total"
                        ),
                        spacing="0",
                    ),
                    rx.spacer(),
                    rx.badge(BillingState.pay_all_count.to_string() + " bills", size="2"),
                    align="center",
                    width="100%",
                ),
                rx.cond(
                    BillingState.paying_all,
                    pay_form(),
                    rx.button(
                        "Pay all " + BillingState.pay_all_total,
                        size="3",
                        width="100%",
                        on_click=BillingState.start_pay_all,
                        id="pay-all-start",
                    ),
                ),
                spacing="2",
                width="100%",
            ),
            width="100%",
            id="pay-all",
        ),
    )


def pay_form() -> rx.Component:
    """The form for the invoice in BillingState.paying_id, or for all (paying_all)."""
    amount_field = rx.cond(
        BillingState.allow_partial & ~BillingState.paying_all,
        rx.vstack(
            rx.el.label(
                "Amount to pay (up to " + BillingState.paying_balance + ")",
                html_for="pay-amount",
                style={"font_size": "14px", "font_weight": "500"},
            ),
            rx.input(
                id="pay-amount",
                value=BillingState.amount_text,
                on_change=BillingState.set_amount_text,
                input_mode="decimal",
                size="3",
                width="100%",
            ),
            spacing="1",
            width="100%",
        ),
    )
    offline_fields = rx.vstack(
        rx.text("How did you pay?", size="2", weight="medium"),
        rx.flex(
            rx.foreach(BillingState.methods, _method_button),
            wrap="wrap",
            gap="2",
            width="100%",
            role="group",
            aria_label="Payment method",
        ),
        rx.cond(
            ~BillingState.read_only,
            rx.vstack(
                rx.text(BillingState.instructions, size="2", color_scheme="gray"),
                payee_details(),
                spacing="2",
                width="100%",
            ),
        ),
        rx.el.label(
            "Check number or transfer reference (optional)",
            html_for="pay-reference",
            style={"font_size": "14px", "font_weight": "500"},
        ),
        rx.input(
            id="pay-reference",
            value=BillingState.reference,
            on_change=BillingState.set_reference,
            placeholder="e.g. Check 1042",
            max_length=60,
            size="3",
            width="100%",
            auto_complete="off",
        ),
        rx.text("Never type a card number here.", size="1", color_scheme="gray"),
        spacing="2",
        width="100%",
    )
    card_fields = rx.hstack(
        rx.icon("lock", size=16, color=rx.color("gray", 11), flex_shrink="0"),
        rx.text(
            "You'll enter your card on our payment processor's secure page. We never see "
            "or store card numbers.",
            size="2",
            color_scheme="gray",
        ),
        align="start",
        spacing="2",
        width="100%",
    )
    submit_label = rx.cond(
        BillingState.card_flow,
        "Continue to secure payment",
        rx.cond(BillingState.read_only, "Record this payment", "I've sent this payment"),
    )
    return rx.vstack(
        rx.divider(),
        rx.cond(BillingState.card_flow, card_fields, offline_fields),
        amount_field,
        rx.cond(
            BillingState.form_error != "",
            rx.text(
                BillingState.form_error, color_scheme="red", size="2", role="alert", id="pay-error"
            ),
        ),
        rx.button(
            submit_label,
            size="3",
            width="100%",
            id="pay-submit",
            on_click=BillingState.review_payment,
        ),
        rx.button(
            "Cancel",
            size="3",
            width="100%",
            variant="ghost",
            type="button",
            on_click=BillingState.cancel_pay,
            id="pay-cancel",
        ),
        spacing="3",
        width="100%",
        id="pay-form",
    )


def invoice_card(row: InvoiceRow) -> rx.Component:
    open_form = BillingState.paying_id == row.id
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(row.heading, size="3", as_="h3", class_name="invoice-heading"),
                rx.spacer(),
                rx.badge(
                    row.status_label, color_scheme=row.badge, size="2", class_name="invoice-status"
                ),
                align="start",
                width="100%",
            ),
            rx.text(
                "Invoice ",
                row.number,
                rx.cond(row.policy != "", " · " + row.policy, ""),
                size="1",
                color_scheme="gray",
            ),
            rx.cond(row.description != "", rx.text(row.description, size="2")),
            rx.grid(
                _label_value("Amount due", row.balance, class_name="invoice-balance"),
                _label_value("Due date", row.due_date),
                columns="2",
                spacing="3",
                width="100%",
            ),
            rx.cond(
                row.paid != "",
                rx.text(
                    "Paid so far: ", row.paid, " of ", row.amount, size="2", color_scheme="gray"
                ),
            ),
            rx.cond(
                row.note != "",
                rx.callout(row.note, icon="clock", color_scheme="amber", size="1", width="100%"),
            ),
            rx.cond(
                open_form,
                pay_form(),
                rx.cond(
                    row.can_pay,
                    rx.button(
                        "Pay " + row.balance,
                        size="3",
                        width="100%",
                        on_click=BillingState.start_pay(row.id),
                        id="pay-" + row.number,
                    ),
                ),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        id="invoice-" + row.id.to_string(),
        class_name="invoice-card",
    )


def payment_row(row: PaymentRow) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.vstack(
                rx.text(row.amount, weight="bold", size="3"),
                rx.text(row.paid_on, " · ", row.method, size="1", color_scheme="gray"),
                rx.text(row.reference, size="2", word_break="break-word"),
                rx.cond(~row.has_receipt, rx.badge(row.status_label, color_scheme="amber")),
                spacing="1",
                min_width="0",
                flex="1",
            ),
            rx.cond(
                row.has_receipt,
                rx.button(
                    rx.icon("download", size=16),
                    "Receipt",
                    variant="soft",
                    size="2",
                    on_click=BillingState.download_receipt(row.id),
                    aria_label="Download receipt " + row.receipt_number,
                    id="receipt-" + row.receipt_number,
                    flex_shrink="0",
                ),
            ),
            align="center",
            spacing="3",
            width="100%",
        ),
        width="100%",
        class_name="payment-row",
    )


def pending_row(row: PendingRow) -> rx.Component:
    """For an agent in read-only mode: a transfer or check the customer reported."""
    return rx.card(
        rx.vstack(
            rx.text(row.method, " of ", row.amount, " for ", row.invoice, weight="bold", size="2"),
            rx.text(
                "Reported ",
                row.reported_on,
                rx.cond(row.reference != "", " · " + row.reference, ""),
                size="1",
                color_scheme="gray",
            ),
            rx.flex(
                rx.button(
                    "Confirm received",
                    size="2",
                    flex="1",
                    on_click=BillingState.ask_received(row.payment_id),
                    id="confirm-" + row.payment_id.to_string(),
                ),
                rx.button(
                    "Not received",
                    size="2",
                    variant="soft",
                    color_scheme="red",
                    flex="1",
                    on_click=BillingState.ask_not_received(row.payment_id),
                    id="not-received-" + row.payment_id.to_string(),
                ),
                gap="2",
                width="100%",
                wrap="wrap",
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )
