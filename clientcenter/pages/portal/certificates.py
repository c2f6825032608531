"""Certificates (/certificates), for business accounts: your certificates, your holders, add a
holder, request a new certificate."""

from __future__ import annotations

import reflex as rx

from clientcenter import routes
from clientcenter.components.common import (
    error_callout,
    notice_callout,
    once_loaded,
    section_heading,
)
from clientcenter.components.forms import (
    field_error,
    form_card,
    form_field,
    native_select,
    page_title,
    submit_button,
)
from clientcenter.components.layout import page_shell
from clientcenter.components.portal.passkeys import step_up_prompt
from clientcenter.services.portal.request_forms import ADDRESS, FormField
from clientcenter.services.portal.requests import NO_COVERAGE_CHANGE_NOTICE
from clientcenter.state.portal.certificates import CertificateRow, CertificatesState, HolderRow

S = CertificatesState
HOLDER_FIELDS = (
    FormField("name", "Holder name", max_len=160),
    *ADDRESS,
    FormField("email", "Holder email", "email", required=False),
)
OPERATIONS = FormField(
    "operations",
    "Description of operations",
    "textarea",
    max_len=500,
    hint="What the certificate should say you do for this holder, e.g. "
    "“Interior design services at 5 Fore Street”.",
)
DUE = FormField("due_date", "Date needed by", "date")


def certificate_card(row: CertificateRow) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.vstack(
                rx.text(row.holder, weight="bold", size="3"),
                rx.text(row.description, size="2", color_scheme="gray"),
                rx.text("Issued ", row.issued_on, size="1", color_scheme="gray"),
                spacing="0",
                min_width="0",
                flex="1",
            ),
            rx.button(
                rx.icon("download", size=16),
                "Download",
                variant="soft",
                size="2",
                on_click=S.download(row.id),
                flex_shrink="0",
                class_name="certificate-download",
            ),
            align="center",
            spacing="3",
            width="100%",
            wrap="wrap",
        ),
        width="100%",
        class_name="certificate-card",
    )


def holder_row(row: HolderRow) -> rx.Component:
    return rx.vstack(
        rx.text(row.name, weight="medium", size="2"),
        rx.text(row.address, size="1", color_scheme="gray"),
        spacing="0",
        width="100%",
        padding_y="4px",
        class_name="holder-row",
    )


def add_holder_form() -> rx.Component:
    return form_card(
        rx.heading("Add a certificate holder", size="4", as_="h2"),
        rx.text(
            "A landlord, client or town that needs proof of your insurance.",
            size="2",
            color_scheme="gray",
        ),
        *[form_field(f, S.field_errors, "holder") for f in HOLDER_FIELDS],
        error_callout(S.holder_error),
        notice_callout(S.holder_done, id="holder-added"),
        submit_button("Add holder", "holder-submit", disabled=S.read_only),
        on_submit=S.add_holder,
        id="holder-form",
        reset_on_submit=False,
    )


def request_form() -> rx.Component:
    holder_choice = rx.vstack(
        rx.el.label(
            "Certificate holder",
            html_for="cert-holder_id",
            style={"font_weight": "500", "font_size": "14px"},
        ),
        native_select(
            "holder_id",
            "cert-holder_id",
            S.holder_options,
            placeholder="Choose…",
            required=True,
            dynamic=True,
        ),
        rx.text("Not listed? Add the holder first.", size="1", color_scheme="gray"),
        field_error(S.field_errors, "holder_id"),
        spacing="1",
        width="100%",
    )
    sent = rx.callout(
        rx.text(
            "Request sent. Your reference number is ",
            rx.text.strong(S.sent_reference, id="certificate-reference"),
            ". ",
            NO_COVERAGE_CHANGE_NOTICE,
        ),
        icon="circle-check",
        color_scheme="green",
        size="1",
        width="100%",
        id="certificate-request-sent",
    )
    return form_card(
        rx.heading("Request a new certificate", size="4", as_="h2"),
        holder_choice,
        form_field(OPERATIONS, S.field_errors, "cert"),
        form_field(DUE, S.field_errors, "cert"),
        error_callout(S.request_error),
        rx.cond(S.sent_reference != "", sent),
        submit_button("Request certificate", "certificate-submit", disabled=S.read_only),
        on_submit=S.request_certificate,
        id="certificate-request-form",
    )


def certificates_page() -> rx.Component:
    return page_shell(
        step_up_prompt(),  # a certificate holder the agency wants confirmed first
        page_title(
            "Certificates",
            "Proof of insurance for the people you work with.",
            id="certificates-heading",
        ),
        once_loaded(
            S.loaded,
            S.error,
            rx.vstack(
                section_heading("Your certificates", "file-badge"),
                error_callout(S.download_error),
                rx.cond(
                    S.certificates.length() > 0,
                    rx.vstack(
                        rx.foreach(S.certificates, certificate_card),
                        spacing="3",
                        width="100%",
                        id="certificate-list",
                    ),
                    rx.text("No certificates yet.", size="2", color_scheme="gray"),
                ),
                request_form(),
                section_heading("Your certificate holders", "users"),
                rx.card(
                    rx.vstack(rx.foreach(S.holders, holder_row), spacing="1", width="100%"),
                    width="100%",
                    id="holder-list",
                ),
                add_holder_form(),
                spacing="4",
                width="100%",
            ),
        ),
        nav_active=routes.CERTIFICATES,
    )
