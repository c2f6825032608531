"""What the customer's and the agent's login cards share, written once: the card with its
notice, the email step, the code form, the info line, the error and the small buttons under
a code. Each piece takes the page's login state (state/login_steps.py: email, step, info,
error, notice, busy, submit_email, resend, start_over) and the page's ``LoginIds``."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from clientcenter.components.common import error_callout

LABEL_STYLE = {"font_weight": "500", "font_size": "14px"}


@dataclass(frozen=True)
class LoginIds:
    """The prefixes of a login card's element ids (tests and the page's scripts use them)."""

    card: str  # the card and its notice, info and error: "<card>-card", "<card>-error", …
    field: str  # the email box and the buttons: "<field>-email", "<field>-continue", …


def step_info(state, ids: LoginIds) -> rx.Component:
    return rx.cond(
        state.info != "", rx.text(state.info, size="2", color_scheme="gray", id=f"{ids.card}-info")
    )


def step_error(state, ids: LoginIds) -> rx.Component:
    return error_callout(state.error, f"{ids.card}-error", icon="circle-alert")


def link_button(label: str, on_click, id_: str | None = None) -> rx.Component:
    return rx.button(label, on_click=on_click, variant="ghost", size="2", id=id_, type="button")


def email_step(
    state,
    ids: LoginIds,
    *,
    heading: str,
    intro: str,
    label: str,
    placeholder: str,
    level: str = "h1",
) -> rx.Component:
    """The first step: an email address, and Continue (``state.submit_email``)."""
    return rx.form(
        rx.vstack(
            rx.heading(heading, size="5", as_=level),
            rx.text(intro, size="2", color_scheme="gray"),
            rx.el.label(label, html_for=f"{ids.field}-email", style=LABEL_STYLE),
            rx.input(
                id=f"{ids.field}-email",
                name="email",
                type="email",
                placeholder=placeholder,
                auto_complete="email",
                input_mode="email",
                size="3",
                width="100%",
                default_value=state.email,
                required=True,
                auto_focus=True,
            ),
            step_error(state, ids),
            rx.button(
                "Continue",
                size="3",
                width="100%",
                id=f"{ids.field}-continue",
                type="submit",
                loading=state.busy,
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=state.submit_email,
        width="100%",
    )


def code_form(
    state,
    ids: LoginIds,
    *,
    input_id: str,
    label: str,
    button: str,
    button_id: str,
    on_submit,
    hint: str = "",
    recovery: bool = False,
) -> rx.Component:
    """A one-time code (emailed, texted or from an authenticator app; ``recovery`` also takes
    the letters of a recovery code) and its submit button."""
    return rx.form(
        rx.vstack(
            rx.el.label(label, html_for=input_id, style=LABEL_STYLE),
            rx.input(
                id=input_id,
                name="code",
                type="text",
                input_mode="text" if recovery else "numeric",
                auto_complete="one-time-code",
                # Not digits: a placeholder that looks like a code reads as one already typed.
                placeholder="Type the code" if not recovery else "Code or recovery code",
                size="3",
                width="100%",
                required=True,
                auto_focus=True,
                style={"letter_spacing": "0.3em", "font_size": "20px"},
            ),
            rx.text(hint, size="1", color_scheme="gray") if hint else rx.fragment(),
            step_error(state, ids),
            rx.button(
                button, size="3", width="100%", id=button_id, type="submit", loading=state.busy
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=on_submit,
        reset_on_submit=False,
        width="100%",
    )


def resend_button(state, ids: LoginIds) -> rx.Component:
    """ "Send a new code", disabled and counting down while the cooldown runs
    (``state.resend_in``); the login service refuses an early resend all the same."""
    return rx.button(
        rx.cond(
            state.resend_in > 0,
            "Resend in " + state.resend_in.to_string() + " s",
            "Send a new code",
        ),
        on_click=state.resend,
        variant="ghost",
        size="2",
        id=f"{ids.field}-resend",
        type="button",
        disabled=state.resend_in > 0,
    )


def code_links(state, ids: LoginIds, start_over: str) -> rx.Component:
    """Under a sent code: ask for a new one, or start again with another email."""
    return rx.hstack(
        resend_button(state, ids),
        rx.spacer(),
        link_button(start_over, state.start_over, f"{ids.field}-start-over"),
        width="100%",
        wrap="wrap",
    )


def login_card(state, ids: LoginIds, *steps: tuple[str, rx.Component], first) -> rx.Component:
    """One card whose content follows ``state.step`` (``first`` for the email step), under
    the notice saying why the visitor is here (``?signed_out=…``)."""
    return rx.card(
        rx.vstack(
            rx.cond(
                state.notice != "",
                rx.callout(
                    state.notice, icon="info", size="1", width="100%", id=f"{ids.card}-notice"
                ),
            ),
            rx.match(state.step, *steps, first),
            spacing="3",
            width="100%",
        ),
        width="100%",
        id=f"{ids.card}-card",
    )
