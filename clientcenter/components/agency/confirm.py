"""The red "are you sure?" panel the admin pages show before an action that cannot be undone
(revoking an API key, deactivating an agent, deleting a webhook endpoint): the question, the
action and a way out, announced to screen readers as an alert dialog."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import reflex as rx


@dataclass(frozen=True)
class PanelButton:
    label: str
    on_click: Any  # an event handler
    id: str


def confirm_panel(
    shown: rx.Var,
    *question: rx.Component | rx.Var | str,
    confirm: PanelButton,
    cancel: PanelButton,
    name: str,
    id_: str,
) -> rx.Component:
    """``question``'s parts make one sentence; ``name`` is the dialog's accessible name."""
    return rx.cond(
        shown,
        rx.callout.root(
            rx.vstack(
                rx.text(*question, size="2"),
                rx.hstack(
                    rx.button(
                        confirm.label,
                        color_scheme="red",
                        on_click=confirm.on_click,
                        id=confirm.id,
                    ),
                    rx.button(
                        cancel.label, variant="soft", on_click=cancel.on_click, id=cancel.id
                    ),
                    spacing="2",
                ),
                spacing="2",
            ),
            color_scheme="red",
            role="alertdialog",
            aria_label=name,
            id=id_,
            width="100%",
        ),
    )
