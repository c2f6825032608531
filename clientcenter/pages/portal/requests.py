"""Requests: the chooser and My requests (/requests), the guided change-request forms
(/requests/personal, /requests/commercial), the general request (/requests/general) and
Contact Us / Help Center (/contact)."""

from __future__ import annotations

import reflex as rx

from clientcenter import routes
from clientcenter.components.brand import contact_card, help_links
from clientcenter.components.common import (
    REQUEST_STATUS_COLOURS,
    error_callout,
    once_loaded,
    section_heading,
    status_badge,
    step_heading,
    upload_zone,
)
from clientcenter.components.forms import (
    choice_card,
    form_card,
    form_field,
    page_title,
    submit_button,
)
from clientcenter.components.layout import page_shell
from clientcenter.components.portal.integrations import integrations_card
from clientcenter.pages.portal.documents import FILE_ACCEPT
from clientcenter.services.portal.request_forms import (
    COMMERCIAL_FORMS,
    CONTACT_FORM,
    GENERAL_FORM,
    PERSONAL_FORMS,
    RequestForm,
)
from clientcenter.services.portal.requests import NO_COVERAGE_CHANGE_NOTICE
from clientcenter.settings import get_settings
from clientcenter.state.portal.requests import RequestRow, RequestsState

S = RequestsState
CHOICES = {
    "policy": S.policies,
    "auto_policy": S.auto_policies,
    "vehicle": S.vehicles,
    "driver": S.drivers,
}
FORM_ICONS = {
    "address": "house",
    "vehicle_add": "car",
    "vehicle_replace": "repeat",
    "vehicle_remove": "circle-minus",
    "driver_add": "user-plus",
    "driver_remove": "user-minus",
    "coverage": "shield",
    "location": "building-2",
    "equipment": "wrench",
    "vehicle": "truck",
    "payroll": "users",
    "additional_insured": "badge-plus",
    "other": "pencil",
}


def request_card(row: RequestRow) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(row.title, weight="bold", size="3", min_width="0"),
                rx.spacer(),
                status_badge(row.status, row.status_label, REQUEST_STATUS_COLOURS),
                align="start",
                width="100%",
                spacing="2",
            ),
            rx.text(row.summary, size="2", word_break="break-word"),
            rx.cond(
                row.status_note != "",
                rx.box(
                    rx.text(
                        "From your agency",
                        rx.cond(row.updated_on != "", " · " + row.updated_on, ""),
                        size="1",
                        weight="medium",
                        color_scheme="gray",
                    ),
                    rx.text(
                        row.status_note,
                        size="2",
                        white_space="pre-wrap",
                        word_break="break-word",
                    ),
                    padding="8px 10px",
                    border_radius="var(--radius-2)",
                    background_color=rx.color("gray", 3),
                    width="100%",
                    class_name="request-note",
                ),
            ),
            rx.hstack(
                rx.code(row.reference, variant="ghost", size="2", class_name="request-ref"),
                rx.text("·", size="1", color_scheme="gray"),
                rx.text(row.kind_label, size="1", color_scheme="gray"),
                rx.text("·", size="1", color_scheme="gray"),
                rx.text(row.sent_on, size="1", color_scheme="gray"),
                spacing="1",
                align="center",
                wrap="wrap",
            ),
            spacing="1",
            width="100%",
        ),
        width="100%",
        class_name="request-card",
        data_status=row.status,
    )


def my_requests() -> rx.Component:
    return rx.vstack(
        section_heading("My requests", "list-checks", id="my-requests-heading"),
        rx.cond(
            S.requests.length() > 0,
            rx.vstack(
                rx.foreach(S.requests, request_card), spacing="3", width="100%", id="my-requests"
            ),
            rx.cond(
                S.loaded,
                rx.text(
                    "No requests yet. When you send one, you can follow it here.",
                    size="2",
                    color_scheme="gray",
                    id="no-requests",
                ),
            ),
        ),
        spacing="3",
        width="100%",
    )


def confirmation(page_heading: str) -> rx.Component:
    """What the customer sees after sending: the reference and the no-change notice.
    ``page_heading``: the id of the page's h1, which takes the focus on "Send another"."""
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon("circle-check", size=28, color=rx.color("green", 10)),
                # The form's Send button is gone: the focus moves here, not to <body>.
                step_heading("Request sent", id="request-sent-heading"),
                align="center",
                spacing="2",
            ),
            rx.text(S.sent_title, size="2", color_scheme="gray"),
            rx.text("Your reference number", size="2"),
            rx.text(
                S.sent_reference,
                size="7",
                weight="bold",
                id="sent-reference",
                font_family="var(--code-font-family)",
                letter_spacing="0.06em",
            ),
            rx.callout(
                NO_COVERAGE_CHANGE_NOTICE,
                icon="info",
                size="1",
                width="100%",
                id="no-change-notice",
            ),
            rx.text(
                "Your agent will be in touch. You can follow this request under My requests.",
                size="2",
            ),
            rx.link(
                rx.button("See My requests", size="3", width="100%", variant="soft"),
                href=routes.REQUESTS,
                width="100%",
                id="see-my-requests",
            ),
            rx.button(
                "Send another request",
                size="3",
                width="100%",
                variant="ghost",
                on_click=[S.another, rx.set_focus(page_heading)],
                id="another-request",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        id="request-confirmation",
    )


ATTACH_ID = "request-attachment"


def attachment_picker() -> rx.Component:
    """Optional file for a general request: picked, checked and stored at once."""
    chosen = rx.hstack(
        rx.icon("paperclip", size=16, flex_shrink="0"),
        rx.text(
            S.attachment_name,
            size="2",
            flex="1",
            min_width="0",
            word_break="break-all",
            id="attachment-name",
        ),
        rx.button(
            "Remove",
            type="button",
            size="1",
            variant="ghost",
            color_scheme="gray",
            on_click=S.remove_attachment,
            id="attachment-remove",
        ),
        align="center",
        width="100%",
    )
    picker = upload_zone(
        rx.button(
            rx.icon("paperclip", size=16),
            "Attach a file (optional)",
            type="button",
            variant="soft",
            size="3",
            width="100%",
            disabled=S.read_only,
        ),
        label="Attach a file",
        id=ATTACH_ID,
        accept=FILE_ACCEPT,
        multiple=False,
        max_files=1,
        max_size=get_settings().security.upload_max_bytes,
        on_drop=S.attach(rx.upload_files(upload_id=ATTACH_ID)),
        on_drop_rejected=lambda _rejected: S.attach_rejected(),
        border="none",
        padding="0",
        width="100%",
    )
    return rx.vstack(
        rx.cond(S.attachment_id > 0, chosen, picker),
        rx.cond(
            S.attachment_error != "",
            rx.text(
                S.attachment_error,
                size="2",
                color_scheme="red",
                id="attachment-error",
                role="alert",
            ),
        ),
        spacing="1",
        width="100%",
    )


def request_form(
    form: RequestForm, heading: str | None = None, *, takes_focus: bool = False
) -> rx.Component:
    """A guided form; ``heading`` replaces the form's title ("" for none, when the page title
    already says it). ``takes_focus``: the form replaced the chooser the customer just used,
    so its heading takes the focus (not on a page the form is part of from the start)."""
    prefix = f"rq-{form.subtype}"
    title = form.title if heading is None else heading
    if takes_focus:
        title_heading = step_heading(title, id=f"{prefix}-heading", size="4")
    else:
        title_heading = rx.heading(title, size="4", as_="h2")
    return form_card(
        title_heading if title else rx.fragment(),
        rx.text(form.blurb, size="2", color_scheme="gray") if title else rx.fragment(),
        *[form_field(f, S.field_errors, prefix, CHOICES) for f in form.fields],
        attachment_picker() if form.kind == "general" else rx.fragment(),
        # A change's caveat; a message to the agency changes nothing, so it has none.
        rx.text(NO_COVERAGE_CHANGE_NOTICE, size="1", color_scheme="gray")
        if form.kind != "contact_us"
        else rx.fragment(),
        error_callout(S.form_error),
        submit_button("Send request", f"{prefix}-submit", disabled=S.read_only),
        on_submit=S.submit,
        id=f"{prefix}-form",
    )


FORM_PAGE_HEADING = "requests-form-heading"


def _form_page(
    kind: str, forms: tuple[RequestForm, ...], title: str, subtitle: str
) -> rx.Component:
    chooser = rx.vstack(
        *[
            choice_card(
                FORM_ICONS.get(f.subtype, "pencil"),
                f.title,
                f.blurb,
                on_click=S.choose(f.subtype),
                id=f"choose-{f.subtype}",
            )
            for f in forms
        ],
        spacing="2",
        width="100%",
        id="form-chooser",
    )
    back = rx.button(
        rx.icon("chevron-left", size=16),
        "Choose a different change",
        variant="ghost",
        size="2",
        # This button goes with the form: the page's heading takes the focus.
        on_click=[S.choose(""), rx.set_focus(FORM_PAGE_HEADING)],
        id="back-to-chooser",
    )
    forms_view = rx.vstack(
        back,
        rx.match(
            S.subtype,
            *[(f.subtype, request_form(f, takes_focus=True)) for f in forms],
            rx.fragment(),
        ),
        spacing="2",
        width="100%",
    )
    wrong_kind = rx.callout(
        f"This account is not a {kind} account. Use the requests page to pick the right form.",
        icon="info",
        size="1",
        width="100%",
    )
    return _form_page_shell(
        title,
        subtitle,
        rx.cond(
            S.account_kind != kind,
            wrong_kind,
            _confirmation_or(rx.cond(S.subtype == "", chooser, forms_view), FORM_PAGE_HEADING),
        ),
    )


def _confirmation_or(form: rx.Component, page_heading: str) -> rx.Component:
    """The form, or once it is sent, its confirmation."""
    return rx.cond(S.sent_reference != "", confirmation(page_heading), form)


def _form_page_shell(title: str, subtitle: str, body: rx.Component) -> rx.Component:
    """A request form's page: back to Requests, and ``body`` once the account has loaded."""
    return page_shell(
        page_title(
            title,
            subtitle,
            back=("Requests", routes.REQUESTS),
            id=FORM_PAGE_HEADING,
            anchor="page-top",
        ),
        once_loaded(S.loaded, S.error, body),
        nav_active=routes.REQUESTS,
    )


def personal_requests_page() -> rx.Component:
    return _form_page(
        "personal", PERSONAL_FORMS, "Personal change request", "What would you like to change?"
    )


def commercial_requests_page() -> rx.Component:
    return _form_page(
        "commercial",
        COMMERCIAL_FORMS,
        "Commercial change request",
        "What would you like to change for your business?",
    )


def general_request_page() -> rx.Component:
    return _form_page_shell(
        "General request",
        "Ask us for anything that isn't a listed change.",
        _confirmation_or(request_form(GENERAL_FORM, ""), FORM_PAGE_HEADING),
    )


def contact_page() -> rx.Component:
    b = get_settings().branding
    return page_shell(
        page_title(
            "Contact us",
            "Send us a message, call, or find a quick answer.",
            id="contact-heading",
            anchor="page-top",
        ),
        error_callout(S.error),
        contact_card(b),
        rx.cond(
            S.loaded & (S.error == ""),
            _confirmation_or(request_form(CONTACT_FORM, "Send us a message"), "contact-heading"),
        ),
        rx.card(
            rx.vstack(rx.text("Help center", weight="bold", size="3"), help_links(b), spacing="2"),
            width="100%",
            id="help-center",
        ),
        integrations_card(),
        nav_active=routes.REQUESTS,
    )


def requests_page() -> rx.Component:
    is_personal = S.account_kind == "personal"
    return page_shell(
        page_title(
            "Requests",
            "Ask for a change or send us a message. Your agent confirms every change with you.",
            id="requests-heading",
        ),
        once_loaded(
            S.loaded,
            S.error,
            rx.vstack(
                section_heading("New request", "circle-plus"),
                rx.cond(
                    is_personal,
                    choice_card(
                        "user-round-pen",
                        "Personal change",
                        "Address, vehicles, drivers or coverage.",
                        href=routes.REQUESTS_PERSONAL,
                        id="new-personal",
                    ),
                    choice_card(
                        "briefcase",
                        "Business change",
                        "Locations, equipment, payroll, additional insureds.",
                        href=routes.REQUESTS_COMMERCIAL,
                        id="new-commercial",
                    ),
                ),
                rx.cond(
                    ~is_personal,
                    choice_card(
                        "file-badge",
                        "Certificate of insurance",
                        "Ask for a certificate or add a holder.",
                        href=routes.CERTIFICATES,
                        id="new-certificate",
                    ),
                )
                if get_settings().features.certificates
                else rx.fragment(),
                choice_card(
                    "message-square-text",
                    "General request",
                    "Anything else you need from us.",
                    href=routes.REQUESTS_GENERAL,
                    id="new-general",
                ),
                choice_card(
                    "life-buoy",
                    "Contact us / Help center",
                    "A question for your agency, or quick answers.",
                    href=routes.CONTACT,
                    id="new-contact",
                ),
                spacing="2",
                width="100%",
            ),
        ),
        my_requests(),
        nav_active=routes.REQUESTS,
    )
