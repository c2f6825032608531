"""The webhooks page (/agent/admin/webhooks, administrators): the endpoints with their events
and deliveries; the register form (URL, description, events); the new signing secret, shown
once; per endpoint a test event, disable or enable, and a deletion that asks first."""

from __future__ import annotations

import reflex as rx

from clientcenter import routes
from clientcenter.components.agency.confirm import PanelButton, confirm_panel
from clientcenter.components.agency.ui import (
    agent_shell,
    entries,
    field_label,
    list_row,
    messages,
    muted,
    page_title,
    section,
)
from clientcenter.components.common import error_callout
from clientcenter.services.webhooks.events import EVENT_TYPES
from clientcenter.state.agency.webhooks import (
    EVENT_FIELD,
    SECRET_ID,
    EndpointRow,
    WebhooksState,
)

S = WebhooksState


def _secret_card() -> rx.Component:
    return rx.cond(
        S.secret_for != "",
        rx.callout.root(
            rx.callout.icon(rx.icon("key-round")),
            rx.vstack(
                rx.text("Signing secret for ", rx.el.strong(S.secret_for), size="2"),
                rx.code("", id=SECRET_ID, word_break="break-all", size="3"),
                rx.text(
                    "Copy it into the receiving system now: it is not shown again. "
                    "docs/webhooks.md shows how to check each delivery with it.",
                    size="1",
                ),
                rx.button("I have copied it", size="2", variant="soft", on_click=S.hide_secret),
                spacing="2",
                width="100%",
            ),
            color_scheme="amber",
            width="100%",
            id="webhook-secret-card",
        ),
    )


def _confirm() -> rx.Component:
    return confirm_panel(
        S.confirming != 0,
        "Delete this endpoint? Deliveries still waiting fail, and its secret stops working.",
        confirm=PanelButton("Delete endpoint", S.delete, "webhook-delete-confirm"),
        cancel=PanelButton("Keep it", S.cancel_delete, "webhook-delete-cancel"),
        name="Confirm deleting the endpoint",
        id_="webhook-delete-panel",
    )


def _endpoint(e: EndpointRow) -> rx.Component:
    return list_row(
        rx.hstack(
            rx.text(e.url, weight="bold", size="2", word_break="break-all", min_width="0"),
            rx.spacer(),
            rx.cond(
                e.active,
                rx.badge("Active", color_scheme="green", variant="soft"),
                rx.badge("Disabled", color_scheme="gray", variant="soft"),
            ),
            align="start",
            width="100%",
        ),
        rx.cond(e.description != "", rx.text(e.description, size="2")),
        muted("Events: ", e.events, word_break="break-word"),
        muted(
            "Registered ",
            e.created,
            " · waiting ",
            e.pending.to_string(),
            " · failed ",
            e.failed.to_string(),
            rx.cond(e.failed > 0, " (on Undelivered messages, with Retry)", ""),
        ),
        rx.hstack(
            rx.button(
                rx.icon("send", size=14),
                "Send test event",
                size="2",
                variant="soft",
                on_click=S.send_test(e.id),
                disabled=~e.active,
                class_name="webhook-test",
            ),
            rx.cond(
                e.active,
                rx.button(
                    "Disable",
                    size="2",
                    variant="soft",
                    color_scheme="gray",
                    on_click=S.set_active(e.id, False),
                    class_name="webhook-toggle",
                ),
                rx.button(
                    "Enable",
                    size="2",
                    variant="soft",
                    on_click=S.set_active(e.id, True),
                    class_name="webhook-toggle",
                ),
            ),
            rx.button(
                "Delete",
                size="2",
                variant="soft",
                color_scheme="red",
                on_click=S.ask_delete(e.id),
                class_name="webhook-delete",
            ),
            spacing="2",
            wrap="wrap",
            padding_top="4px",
        ),
        class_name="webhook-endpoint",
    )


def _event_choice(event_type: str, words: str) -> rx.Component:
    fid = f"event-{event_type.replace('.', '-')}"
    return rx.el.label(
        rx.hstack(
            rx.el.input(type="checkbox", name=EVENT_FIELD + event_type, id=fid),
            rx.vstack(
                rx.code(event_type, size="1", variant="ghost"),
                rx.text(words, size="1", color_scheme="gray"),
                spacing="0",
            ),
            align="start",
            spacing="2",
        ),
        html_for=fid,
        width="100%",
    )


def _register_form() -> rx.Component:
    return section(
        "Register an endpoint",
        muted(
            "Each delivery is a signed HTTPS POST, retried with backoff until the receiver "
            "answers 2xx. Redirects are not followed."
        ),
        rx.form(
            rx.vstack(
                field_label("URL (https://)", "webhook-url"),
                rx.input(
                    name="url",
                    id="webhook-url",
                    type="url",
                    required=True,
                    max_length=254,
                    placeholder="https://ams.example.com/client-center/hooks",
                    size="3",
                    width="100%",
                ),
                field_label("Description (optional)", "webhook-description"),
                rx.input(
                    name="description",
                    id="webhook-description",
                    max_length=120,
                    size="3",
                    width="100%",
                ),
                rx.text("Events", size="2", weight="medium"),
                rx.grid(
                    *[_event_choice(t, words) for t, words in EVENT_TYPES.items()],
                    columns={"initial": "1", "sm": "2"},
                    spacing="2",
                    width="100%",
                ),
                rx.button("Register endpoint", type="submit", size="3", id="webhook-submit"),
                spacing="3",
                width="100%",
            ),
            on_submit=S.register,
            reset_on_submit=False,
            id="webhook-form",
            width="100%",
        ),
        id_="webhook-register",
    )


def webhooks_page() -> rx.Component:
    return agent_shell(
        page_title(
            "Webhooks",
            "Tell the agency's other systems what happens in Client Center, as it happens.",
            back=("More", routes.AGENT_MORE),
        ),
        rx.cond(
            S.refused != "",
            error_callout(S.refused, "webhooks-refused", icon="lock"),
            rx.vstack(
                messages("webhooks", S.error, S.notice),
                _secret_card(),
                _confirm(),
                section(
                    "Endpoints",
                    entries(S.endpoints, _endpoint, "No endpoints yet.", id="webhook-list"),
                    id_="webhook-endpoints",
                ),
                _register_form(),
                spacing="4",
                width="100%",
            ),
        ),
        active=routes.AGENT_MORE,
    )
