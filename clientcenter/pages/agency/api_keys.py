"""The API keys page (/agent/admin/api-keys, administrators): a new key's secret, shown once
with a copy button and a warning; the keys with prefix, scopes, creation and last use, each
revocable after a confirmation; the form that creates one (a name and its scopes)."""

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
from clientcenter.components.common import error_callout, status_badge
from clientcenter.state.agency.api_keys import SECRET_ELEMENT, ApiKeysState, KeyItem

COPY_SCRIPT = (
    f"navigator.clipboard.writeText(document.getElementById('{SECRET_ELEMENT}').textContent)"
)


def _shown_once() -> rx.Component:
    s = ApiKeysState
    return rx.cond(
        s.created_name != "",
        rx.callout.root(
            rx.vstack(
                rx.text(
                    "The key ",
                    rx.text.strong(s.created_name),
                    " is made. Copy it now: it is shown only this once, and nobody can "
                    "see it again (we keep only its hash).",
                    size="2",
                ),
                # Filled by a script from the handler: the secret is never in the tab's state.
                rx.code(
                    "",
                    id=SECRET_ELEMENT,
                    size="3",
                    style={"wordBreak": "break-all", "userSelect": "all", "padding": "8px"},
                    width="100%",
                ),
                rx.hstack(
                    rx.button(
                        rx.icon("copy", size=16),
                        "Copy the key",
                        on_click=rx.call_script(COPY_SCRIPT),
                        id="copy-key",
                    ),
                    rx.button(
                        "I have stored it",
                        variant="soft",
                        on_click=ApiKeysState.dismiss_secret,
                        id="dismiss-key",
                    ),
                    spacing="2",
                ),
                spacing="2",
                width="100%",
            ),
            color_scheme="amber",
            role="alert",
            id="new-key",
            width="100%",
        ),
    )


def _confirm() -> rx.Component:
    s = ApiKeysState
    return confirm_panel(
        s.confirming != 0,
        "Revoke ",
        rx.text.strong(s.confirming_name),
        "? Every system using it is refused from its next call.",
        confirm=PanelButton("Revoke", s.revoke, "confirm-revoke"),
        cancel=PanelButton("Cancel", s.cancel_revoke, "cancel-revoke"),
        name="Confirm revoking the key",
        id_="revoke-confirm",
    )


def _key(item: KeyItem) -> rx.Component:
    return list_row(
        rx.hstack(
            rx.text(item.name, weight="bold", size="2"),
            rx.code(item.prefix, "…", size="1"),
            rx.cond(
                item.active,
                status_badge("Active", "Active", {"Active": "green"}),
                status_badge("Revoked", "Revoked", {"Revoked": "gray"}),
            ),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        muted("Scopes: ", item.scopes),
        muted("Created ", item.created),
        muted("Last used: ", item.last_used),
        rx.cond(
            item.active,
            rx.button(
                "Revoke",
                size="2",
                variant="soft",
                color_scheme="red",
                on_click=ApiKeysState.ask_revoke(item.id),
                class_name="key-revoke",
                width="fit-content",
            ),
            muted("Revoked ", item.revoked),
        ),
        class_name="api-key",
    )


def _scope(option: rx.Var) -> rx.Component:
    return rx.el.label(
        rx.hstack(
            rx.el.input(type="checkbox", name="scope_" + option[0], value="on"),
            rx.text(rx.text.strong(option[0]), " — ", option[1], size="2"),
            spacing="2",
            align="center",
        ),
    )


def _create_form() -> rx.Component:
    s = ApiKeysState
    return section(
        "Create a key",
        muted("Name it after what will use it. Give it only the scopes that system needs."),
        rx.form(
            rx.vstack(
                field_label("Name", "key-name"),
                rx.input(
                    name="name",
                    id="key-name",
                    max_length=80,
                    required=True,
                    size="3",
                    width="100%",
                ),
                rx.cond(
                    s.form_errors.contains("name"),
                    rx.text(s.form_errors["name"], color_scheme="red", size="2"),
                ),
                rx.text("Scopes", size="2", weight="medium"),
                rx.vstack(rx.foreach(s.scope_options, _scope), spacing="1", id="key-scopes"),
                rx.cond(
                    s.form_errors.contains("scopes"),
                    rx.text(s.form_errors["scopes"], color_scheme="red", size="2"),
                ),
                error_callout(s.form_error, "key-form-error", icon="circle-alert"),
                rx.button("Create key", type="submit", size="3", id="key-submit"),
                spacing="3",
                width="100%",
            ),
            on_submit=s.create,
            id="api-key-form",
            width="100%",
        ),
        id_="create-key",
    )


def api_keys_page() -> rx.Component:
    s = ApiKeysState
    return agent_shell(
        page_title(
            "API keys",
            "Keys for the systems that read and write the book of business through the REST "
            "API. Each call is in the audit trail under its key's name.",
            back=("More", routes.AGENT_MORE),
        ),
        rx.cond(
            s.refused != "",
            error_callout(s.refused, "api-keys-refused", icon="lock"),
            rx.vstack(
                messages("api-keys", s.error, s.notice),
                _shown_once(),
                _confirm(),
                section("Keys", entries(s.items, _key, "No keys yet.", id="key-list"), id_="keys"),
                _create_form(),
                spacing="4",
                width="100%",
            ),
        ),
        active=routes.AGENT_MORE,
    )
