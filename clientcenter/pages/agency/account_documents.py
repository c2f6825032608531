"""The Documents section of the agency account page: upload a file to the account or one of
its policies (as a draft for the customer, or internal), see every document with where it
stands, and publish a draft (the Policies/Invoices action)."""

from __future__ import annotations

import reflex as rx

from clientcenter.components.agency.ui import (
    SELECT_STYLE,
    allowed,
    entries,
    field_label,
    list_row,
    messages,
    muted,
    section,
)
from clientcenter.components.common import upload_zone
from clientcenter.services.agency.roles import Permission
from clientcenter.services.portal.documents import ALLOWED_UPLOADS
from clientcenter.settings import get_settings
from clientcenter.state.agency.documents import (
    NO_POLICY,
    UPLOAD_ID,
    AgentDocumentRow,
    AgentDocumentsState,
    DocumentChoice,
)

S = AgentDocumentsState
TITLE_ID = "agent-document-title"
KIND_ID = "agent-document-kind"
POLICY_ID = "agent-document-policy"
VISIBILITY = "agent-document-visibility"
ACCEPT = {
    "application/pdf": [".pdf"],
    "image/jpeg": [".jpg", ".jpeg"],
    "image/png": [".png"],
    "image/heic": [".heic"],
    "image/heif": [".heif"],
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": [".docx"],
}
assert set(ACCEPT) == set(ALLOWED_UPLOADS)


def _typed(js: str) -> rx.Var:
    """A field's value as the browser has it when the file is picked (sent with the file)."""
    return rx.Var(_js_expr=js, _var_type=str)


TYPED_TITLE = _typed(f"(document.getElementById('{TITLE_ID}')?.value ?? '')")
TYPED_KIND = _typed(f"(document.getElementById('{KIND_ID}')?.value ?? '')")
TYPED_POLICY = _typed(f"(document.getElementById('{POLICY_ID}')?.value ?? '{NO_POLICY}')")
TYPED_VISIBILITY = _typed(
    f"(document.querySelector('input[name={VISIBILITY}]:checked')?.value ?? 'shared')"
)

STATUS_COLOURS = {
    "draft": "amber",
    "published": "green",
    "internal": "purple",
    "checking": "gray",
    "from_customer": "blue",
}


def _rejection_codes(rejected) -> rx.Var:
    """Only react-dropzone's error codes go to the server, never the refused file."""
    return rx.Var(
        _js_expr=f"{rejected}.flatMap(r => (r.errors || []).map(e => e.code))",
        _var_type=list[str],
    )


def _option(c: DocumentChoice) -> rx.Component:
    return rx.el.option(c.label, value=c.value)


def _visibility() -> rx.Component:
    def choice(value: str, label: str, hint: str) -> rx.Component:
        return rx.el.label(
            rx.hstack(
                rx.el.input(
                    type="radio",
                    name=VISIBILITY,
                    value=value,
                    id=f"{VISIBILITY}-{value}",
                    default_checked=value == "shared",
                ),
                rx.vstack(
                    rx.text(label, size="2", weight="medium"),
                    muted(hint),
                    spacing="0",
                ),
                align="start",
                spacing="2",
            ),
            cursor="pointer",
        )

    return rx.el.fieldset(
        rx.el.legend("Who sees it", style={"font_weight": "500", "font_size": "14px"}),
        rx.flex(
            choice("shared", "The customer, once published", "Uploaded as a draft"),
            choice("internal", "Agency only", "Internal: never shown to the customer"),
            spacing="4",
            wrap="wrap",
        ),
        style={"border": "none", "padding": "0", "margin": "0"},
    )


def _upload_form() -> rx.Component:
    picker = upload_zone(
        rx.button(
            rx.icon("upload", size=18),
            rx.cond(S.uploading, "Uploading…", "Choose a file and upload"),
            size="3",
            type="button",
            disabled=S.uploading,
            id="agent-document-upload",
        ),
        label="Choose a file and upload",
        id=UPLOAD_ID,
        accept=ACCEPT,
        multiple=False,
        max_files=1,
        max_size=get_settings().security.upload_max_bytes,
        on_drop=[
            S.upload_started,
            S.handle_upload(
                rx.upload_files(upload_id=UPLOAD_ID),
                TYPED_TITLE,
                TYPED_KIND,
                TYPED_POLICY,
                TYPED_VISIBILITY,
            ),
        ],
        on_drop_rejected=lambda rejected: S.upload_rejected(_rejection_codes(rejected)),
        border="none",
        padding="0",
    )
    return rx.vstack(
        rx.vstack(
            field_label("Title the customer reads", TITLE_ID),
            rx.input(
                id=TITLE_ID,
                default_value="",
                placeholder="e.g. 2026 Auto Declarations",
                max_length=120,
                size="3",
                width="100%",
            ),
            spacing="1",
            width="100%",
        ),
        rx.grid(
            rx.vstack(
                field_label("Kind", KIND_ID),
                rx.el.select(rx.foreach(S.kinds, _option), id=KIND_ID, style=SELECT_STYLE),
                spacing="1",
                width="100%",
            ),
            rx.vstack(
                field_label("Policy", POLICY_ID),
                rx.el.select(
                    rx.el.option("The whole account", value=NO_POLICY),
                    rx.foreach(S.policies, _option),
                    id=POLICY_ID,
                    style=SELECT_STYLE,
                ),
                spacing="1",
                width="100%",
            ),
            columns=rx.breakpoints(initial="1", sm="2"),
            spacing="3",
            width="100%",
        ),
        _visibility(),
        rx.flex(
            picker,
            muted("PDF, JPEG, PNG, HEIC or Word, up to ", S.upload_limit_label, "."),
            spacing="3",
            align="center",
            wrap="wrap",
        ),
        spacing="3",
        width="100%",
        id="agent-document-form",
    )


def _document(d: AgentDocumentRow) -> rx.Component:
    return list_row(
        rx.hstack(
            rx.text(d.title, weight="medium", size="2", flex="1", min_width="0"),
            rx.match(
                d.status,
                *[
                    (status, rx.badge(d.status_label, color_scheme=colour, variant="soft"))
                    for status, colour in STATUS_COLOURS.items()
                ],
                rx.badge(d.status_label, variant="soft"),
            ),
            rx.cond(
                d.may_publish & allowed(Permission.PUBLISH),
                rx.button(
                    "Publish",
                    on_click=S.publish(d.id),
                    size="1",
                    id="publish-document-" + d.id.to_string(),
                ),
            ),
            align="center",
            spacing="2",
            width="100%",
        ),
        muted(d.kind, rx.cond(d.policy != "", " · " + d.policy, ""), " · ", d.created),
        class_name="agent-document",
    )


def documents_section() -> rx.Component:
    return section(
        "Documents",
        messages("documents", S.docs_error, S.docs_notice),
        _upload_form(),
        entries(S.documents, _document, "No documents yet."),
        rx.cond(S.more_documents, muted("Showing the newest documents only.")),
        id_="documents",
    )
