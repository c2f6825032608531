"""/agent/account/requests?id=N — the account's change requests, general requests and Contact
Us messages, each moved to in review, completed or declined with a note the customer reads on
My requests."""

from __future__ import annotations

import reflex as rx

from clientcenter import routes
from clientcenter.components.agency.ui import (
    SELECT_STYLE,
    agent_shell,
    entries,
    field_label,
    list_row,
    messages,
    muted,
    page_title,
    section,
)
from clientcenter.components.common import REQUEST_STATUS_COLOURS, status_badge
from clientcenter.services.agency.change_requests import NOTE_MAX
from clientcenter.state.agency.requests import AgentRequestsState, RequestLine

S = AgentRequestsState


def _option(when: rx.Var, value: str, label: str) -> rx.Component:
    return rx.cond(when, rx.el.option(label, value=value))


def _status_form(r: RequestLine) -> rx.Component:
    select_id = "status-" + r.id.to_string()
    note_id = "note-" + r.id.to_string()
    return rx.form(
        rx.vstack(
            rx.el.input(type="hidden", name="request_id", value=r.id.to_string()),
            field_label("New status", select_id),
            rx.el.select(
                rx.el.option("Choose a status", value=""),
                _option(
                    r.can_review,
                    "in_review",
                    rx.cond(r.reopens, "Reopen (in review)", "In review"),
                ),
                _option(r.can_complete, "done", "Completed"),
                _option(r.can_decline, "declined", "Declined"),
                name="status",
                id=select_id,
                required=True,
                style=SELECT_STYLE,
                class_name="request-status-select",
            ),
            field_label("Note for the customer (required to decline or reopen)", note_id),
            rx.text_area(
                name="note",
                id=note_id,
                max_length=NOTE_MAX,
                rows="3",
                width="100%",
                placeholder="What happens next, or why.",
                class_name="request-note-input",
            ),
            rx.button("Update request", type="submit", size="2", class_name="request-update"),
            spacing="2",
            width="100%",
        ),
        on_submit=S.set_status,
        reset_on_submit=True,
        width="100%",
    )


def _request(r: RequestLine) -> rx.Component:
    return list_row(
        rx.hstack(
            rx.text(r.title, weight="bold", size="2", min_width="0"),
            rx.spacer(),
            status_badge(r.status, r.status_label, REQUEST_STATUS_COLOURS),
            align="start",
            width="100%",
        ),
        rx.text(r.summary, size="2", word_break="break-word"),
        muted(r.reference, " · ", r.kind_label, " · sent ", r.sent_on),
        rx.cond(
            r.status_note != "",
            muted("Note to the customer: ", r.status_note, white_space="pre-wrap"),
        ),
        _status_form(r),
        class_name="agency-request",
        data_status=r.status,
        data_reference=r.reference,
    )


def requests_page() -> rx.Component:
    back = (S.account_name, routes.agent_account_path(S.account_id))
    return agent_shell(
        page_title(
            "Requests",
            "The customer sees each status and your note on My requests, and is told by "
            "message as the matrix says.",
            back=back,
        ),
        messages("requests", S.error, S.notice),
        rx.cond(
            S.account_id != "",
            section(
                "Requests from this account",
                entries(S.requests, _request, "No requests from this account yet.", spacing="3"),
                id_="agency-requests",
            ),
        ),
        active=routes.AGENT_HOME,
    )
