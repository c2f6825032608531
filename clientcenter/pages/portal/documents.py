"""Documents (/documents): find and download documents, send one from the phone, ID cards."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars import ArrayVar, ObjectVar

from clientcenter import routes
from clientcenter.components.common import (
    error_callout,
    in_page_link,
    loading_note,
    notice_callout,
    section_heading,
    upload_zone,
)
from clientcenter.components.forms import native_select
from clientcenter.components.layout import page_shell
from clientcenter.services.portal.documents import ALLOWED_UPLOADS
from clientcenter.settings import get_settings
from clientcenter.state.portal.documents import (
    ALL,
    NO_POLICY,
    UPLOAD_FILE_ID,
    UPLOAD_PHOTO_ID,
    UPLOAD_TITLE_ID,
    DocumentsState,
)

S = DocumentsState

# What the phone's picker offers (a convenience: the server decides by the file's content).
FILE_ACCEPT = {
    "application/pdf": [".pdf"],
    "image/jpeg": [".jpg", ".jpeg"],
    "image/png": [".png"],
    "image/heic": [".heic"],
    "image/heif": [".heif"],
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": [".docx"],
}
assert set(FILE_ACCEPT) == set(ALLOWED_UPLOADS)
PHOTO_ACCEPT = {"image/*": []}
# The description as typed at the moment the file is picked (sent along with the file).
TYPED_TITLE = rx.Var(
    _js_expr=f"(document.getElementById('{UPLOAD_TITLE_ID}')?.value ?? '')", _var_type=str
)


def _rejection_codes(rejected) -> rx.Var:
    """Only react-dropzone's error codes go to the server: sending its File objects would
    push the refused file itself through the websocket."""

    def codes(record):
        errors = record.to(ObjectVar, dict[str, Any])["errors"].to(ArrayVar, list[dict[str, Any]])
        return errors.map(lambda e: e.to(ObjectVar, dict[str, Any])["code"].to(str)).join(",")

    return rejected.to(ArrayVar, list[dict[str, Any]]).map(codes)


# --- the list ------------------------------------------------------------------------------


def _doc_icon(kind) -> rx.Component:
    return rx.match(
        kind,
        ("Photo", rx.icon("image", size=20)),
        ("Word", rx.icon("file-type", size=20)),
        rx.icon("file-text", size=20),
    )


def _document(row) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.box(
                _doc_icon(row.kind),
                color=rx.color("accent", 11),
                flex_shrink="0",
                padding_top="2px",
            ),
            rx.vstack(
                rx.text(row.title, weight="medium", size="2", word_break="break-word"),
                rx.text(
                    row.category_label,
                    rx.cond(
                        row.policy_line != "",
                        rx.fragment(
                            " · ",
                            row.policy_line,
                            " · ",
                            # A policy number never breaks at its hyphen.
                            rx.el.span(row.policy_number, white_space="nowrap"),
                        ),
                    ),
                    size="1",
                    color_scheme="gray",
                ),
                rx.text(row.date, " · ", row.kind, " · ", row.size, size="1", color_scheme="gray"),
                spacing="1",
                min_width="0",
                flex="1",
            ),
            rx.icon_button(
                rx.icon("download", size=18),
                on_click=S.download(row.id),
                variant="soft",
                size="3",
                aria_label="Download " + row.title,
                class_name="download-document",
                flex_shrink="0",
            ),
            align="start",
            spacing="3",
            width="100%",
        ),
        width="100%",
        class_name="document-row",
        data_title=row.title,
    )


def _choice_select(id_: str, label: str, first: tuple[str, str], choices, value, on_change):
    return native_select(
        None,
        id_,
        choices,
        placeholder=first[1],
        placeholder_value=first[0],
        dynamic=True,
        pair=lambda c: (c.value, c.label),
        value=value,
        on_change=on_change,
        aria_label=label,
    )


def _filters() -> rx.Component:
    return rx.vstack(
        rx.form(
            rx.hstack(
                rx.input(
                    rx.input.slot(rx.icon("search", size=16)),
                    name="q",
                    placeholder="Search documents",
                    default_value=S.query,
                    type="search",
                    size="3",
                    width="100%",
                    id="document-search",
                    max_length=100,
                    aria_label="Search documents",
                ),
                rx.button("Search", type="submit", size="3", variant="soft"),
                width="100%",
                spacing="2",
            ),
            on_submit=S.search_form,
            reset_on_submit=False,
            width="100%",
        ),
        rx.grid(
            _choice_select(
                "filter-policy",
                "Policy",
                (ALL, "All policies"),
                S.policy_choices,
                S.filter_policy,
                S.set_filter_policy,
            ),
            _choice_select(
                "filter-category",
                "Kind of document",
                (ALL, "All kinds"),
                S.category_choices,
                S.filter_category,
                S.set_filter_category,
            ),
            columns="2",
            spacing="2",
            width="100%",
        ),
        spacing="2",
        width="100%",
    )


def _list() -> rx.Component:
    filtered = (S.filter_policy != ALL) | (S.filter_category != ALL) | (S.query != "")
    return rx.vstack(
        rx.cond(
            S.items.length() > 0,
            rx.vstack(
                rx.foreach(S.items, _document), spacing="2", width="100%", id="document-list"
            ),
            rx.cond(
                S.loaded,
                rx.card(
                    rx.vstack(
                        rx.text(
                            rx.cond(filtered, "No documents match.", "No documents yet."), size="2"
                        ),
                        rx.cond(
                            filtered,
                            rx.button(
                                "Show all documents",
                                variant="ghost",
                                on_click=S.clear_filters,
                                size="2",
                            ),
                        ),
                        spacing="2",
                        align="start",
                    ),
                    width="100%",
                    id="no-documents",
                ),
            ),
        ),
        width="100%",
    )


# --- ID cards ------------------------------------------------------------------------------


def _card_vehicle(policy_id, v) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(v.label, size="2", weight="medium"),
            rx.text("VIN ", v.vin, size="1", color_scheme="gray", word_break="break-all"),
            spacing="0",
            min_width="0",
            flex="1",
        ),
        rx.button(
            rx.icon("download", size=16),
            "Card",
            variant="soft",
            size="2",
            on_click=S.download_cards(policy_id, v.id),
            flex_shrink="0",
            aria_label="ID card for " + v.label,
            class_name="download-card",
        ),
        align="center",
        spacing="2",
        width="100%",
    )


def _card_policy(p) -> rx.Component:
    return rx.vstack(
        rx.text(p.title, weight="bold", size="2"),
        rx.text(p.carrier, size="1", color_scheme="gray"),
        rx.foreach(p.vehicles, lambda v: _card_vehicle(p.policy_id, v)),
        rx.button(
            rx.icon("download", size=16),
            "Download all cards",
            size="3",
            width="100%",
            on_click=S.download_cards(p.policy_id, 0),
            class_name="download-all-cards",
        ),
        spacing="2",
        width="100%",
        padding_bottom="8px",
    )


def _id_cards() -> rx.Component:
    return rx.cond(
        S.card_policies.length() > 0,
        rx.card(
            rx.vstack(
                section_heading("ID cards", icon="id-card", id="id-cards"),
                rx.text(
                    "Proof of insurance for your vehicles, as a PDF to show or save.",
                    size="2",
                    color_scheme="gray",
                ),
                rx.cond(
                    S.card_error != "",
                    rx.text(S.card_error, color_scheme="red", size="2", role="alert"),
                ),
                rx.foreach(S.card_policies, _card_policy),
                spacing="3",
                width="100%",
            ),
            width="100%",
        ),
    )


# --- upload --------------------------------------------------------------------------------


def _picker(
    upload_id: str, label: str, icon: str, accept: dict, *, camera: bool, primary: bool
) -> rx.Component:
    """A button that opens the phone's camera or file picker and uploads at once."""
    zone = upload_zone(
        rx.button(
            rx.icon(icon, size=18),
            label,
            size="3",
            width="100%",
            type="button",
            variant="solid" if primary else "soft",
            disabled=S.uploading,
            class_name="upload-trigger",
        ),
        label=label,
        id=upload_id,
        accept=accept,
        multiple=False,
        max_files=1,
        max_size=get_settings().security.upload_max_bytes,
        no_drag=camera,
        on_drop=[
            S.upload_started,
            S.handle_upload(
                rx.upload_files(upload_id=upload_id, on_upload_progress=S.upload_progress),
                TYPED_TITLE,
                S.upload_policy,
            ),
        ],
        on_drop_rejected=lambda rejected: S.upload_rejected(_rejection_codes(rejected)),
        border="none",
        padding="0",
        width="100%",
    )
    if camera:
        # capture: phones open the rear camera straight away (desktop browsers ignore it).
        file_input = zone.children[0].children[0]
        file_input.custom_attrs["capture"] = "environment"
    return zone


# Whether this visitor may send documents is known once the page's data is in (read_only
# comes with it): until then the upload card and its "Send" link are not shown, rather than
# shown to an agent's read-only view and then taken away. It also keeps the card's two
# pickers out of the page's first render, which the websocket's first update waits for.
CAN_UPLOAD = S.loaded & ~S.read_only


def _upload() -> rx.Component:
    return rx.cond(
        CAN_UPLOAD,
        rx.card(
            rx.vstack(
                section_heading("Send us a document", icon="upload"),
                rx.text(
                    "A photo of a document, a PDF or a Word file, up to ",
                    S.upload_limit_label,
                    ". It goes straight to your agency.",
                    size="2",
                    color_scheme="gray",
                ),
                rx.el.label(
                    "What is it? (optional)",
                    html_for=UPLOAD_TITLE_ID,
                    style={"font_size": "14px", "font_weight": "500"},
                ),
                # Uncontrolled: its text is read when a file is picked (TYPED_TITLE).
                rx.input(
                    id=UPLOAD_TITLE_ID,
                    default_value="",
                    placeholder="e.g. New car window sticker",
                    max_length=120,
                    size="3",
                    width="100%",
                ),
                _choice_select(
                    "upload-policy",
                    "Which policy is it about?",
                    (NO_POLICY, "Not about one policy"),
                    S.policy_choices,
                    S.upload_policy,
                    S.set_upload_policy,
                ),
                _picker(
                    UPLOAD_PHOTO_ID,
                    "Take a photo",
                    "camera",
                    PHOTO_ACCEPT,
                    camera=True,
                    primary=True,
                ),
                _picker(
                    UPLOAD_FILE_ID,
                    "Choose a file",
                    "paperclip",
                    FILE_ACCEPT,
                    camera=False,
                    primary=False,
                ),
                rx.cond(
                    S.uploading,
                    rx.vstack(
                        rx.progress(
                            value=S.upload_percent,
                            max=100,
                            width="100%",
                            id="upload-progress",
                            aria_label="Upload progress",
                        ),
                        rx.text(
                            "Uploading… ", S.upload_percent, "%", size="1", color_scheme="gray"
                        ),
                        width="100%",
                        spacing="1",
                    ),
                ),
                error_callout(S.upload_error, "upload-error", icon="circle-x"),
                notice_callout(S.upload_notice, "upload-notice"),
                spacing="3",
                width="100%",
            ),
            width="100%",
            id="upload-card",
        ),
    )


def documents_page() -> rx.Component:
    return page_shell(
        rx.hstack(
            rx.heading("Documents", size="6", as_="h1"),
            rx.spacer(),
            rx.cond(
                CAN_UPLOAD,
                # The link drawn as a button (Radix asChild): one tab stop, not a button
                # inside a link.
                rx.button(
                    in_page_link(
                        rx.icon("upload", size=16),
                        "Send",
                        target="upload-card",
                        id="jump-to-upload",
                        aria_label="Send us a document",
                    ),
                    as_child=True,
                    variant="soft",
                    size="2",
                ),
            ),
            align="center",
            width="100%",
        ),
        error_callout(S.error),
        loading_note(S.loaded),
        _filters(),
        _list(),
        _id_cards(),
        _upload(),
        nav_active=routes.DOCUMENTS,
    )
