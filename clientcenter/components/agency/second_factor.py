"""More → Your second factor: the agent's passkeys, beside the authenticator app and the
recovery codes they keep (state/agency/second_factor.py)."""

from __future__ import annotations

import reflex as rx

from clientcenter.components.agency.ui import muted, section
from clientcenter.components.common import error_callout
from clientcenter.state.agency.second_factor import AgentPasskeysState as S


def _row(key: dict) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(key["label"], weight="medium", size="2"),
            muted(f"Added {key['added']} · last used {key['used']}"),
            spacing="0",
        ),
        rx.spacer(),
        rx.button(
            "Remove",
            size="1",
            variant="soft",
            color_scheme="red",
            class_name="agent-passkey-remove",
            on_click=S.remove(key["id"]),
        ),
        width="100%",
        align="center",
        class_name="agent-passkey-row",
    )


def second_factor_card() -> rx.Component:
    return rx.box(
        section(
            "Your second factor",
            muted(
                "After the emailed code, your authenticator app confirms it's you — or a "
                "passkey on this device (face, fingerprint or screen lock). Your recovery "
                "codes keep working either way."
            ),
            rx.cond(
                S.keys.length() > 0,
                rx.vstack(rx.foreach(S.keys, _row), width="100%"),
                muted("No passkey yet."),
            ),
            rx.button(
                rx.icon("fingerprint", size=16),
                "Add a passkey on this device",
                size="2",
                variant="soft",
                id="agent-passkey-add",
                type="button",
                on_click=S.add,
            ),
            rx.cond(S.info != "", rx.text(S.info, size="2", id="agent-passkey-info")),
            error_callout(S.error, "agent-passkey-error", icon="circle-alert"),
            id_="agent-second-factor",
        ),
        width="100%",
        on_mount=S.load,
    )
