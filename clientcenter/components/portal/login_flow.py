"""The login card: email → email or text → 6-digit code → (account) — one card whose
content follows LoginState.step. Used by the landing page and the embeddable login page.

Every email sees the same channel step (security.login_channel_choice = "always"), so its
words promise nothing about a mobile on file; a text that went nowhere has a way back to
email on the code step."""

from __future__ import annotations

import reflex as rx

from clientcenter.components.common import error_callout
from clientcenter.components.icons import icon_if
from clientcenter.state.portal.login import LoginState

LABEL_STYLE = {"font_weight": "500", "font_size": "14px"}


def _error() -> rx.Component:
    return error_callout(LoginState.error, "login-error", icon="circle-alert")


def _info() -> rx.Component:
    return rx.cond(
        LoginState.info != "",
        rx.text(LoginState.info, size="2", color_scheme="gray", id="login-info"),
    )


def _link_button(label: str, on_click, id_: str) -> rx.Component:
    return rx.button(label, on_click=on_click, variant="ghost", size="2", id=id_, type="button")


def email_step() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading("Log in", size="5", as_="h1"),
            rx.text(
                "Enter the email address your agency has on file. We'll send you a "
                "one-time code — no password needed.",
                size="2",
                color_scheme="gray",
            ),
            rx.el.label("Email address", html_for="login-email", style=LABEL_STYLE),
            rx.input(
                id="login-email",
                name="email",
                type="email",
                placeholder="you@example.com",
                auto_complete="email",
                input_mode="email",
                size="3",
                width="100%",
                default_value=LoginState.email,
                required=True,
                auto_focus=True,
            ),
            _error(),
            rx.button(
                "Continue",
                size="3",
                width="100%",
                id="login-continue",
                type="submit",
                loading=LoginState.busy,
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=LoginState.submit_email,
        width="100%",
    )


def channel_step() -> rx.Component:
    return rx.vstack(
        rx.heading("Get your code", size="5", as_="h1"),
        _info(),
        rx.button(
            rx.icon("mail", size=18),
            "Email me a code",
            size="3",
            width="100%",
            id="login-by-email",
            on_click=LoginState.choose_channel("email"),
        ),
        rx.text(
            LoginState.email,
            size="1",
            color_scheme="gray",
            align="center",
            width="100%",
            word_break="break-all",
        ),
        rx.button(
            rx.icon("message-square", size=18),
            "Text me a code",
            size="3",
            width="100%",
            variant="soft",
            id="login-by-text",
            on_click=LoginState.choose_channel("sms"),
        ),
        rx.text(
            "to the mobile number we have on file for you, if any",
            size="1",
            color_scheme="gray",
            align="center",
            width="100%",
        ),
        _error(),
        _link_button("Use a different email", LoginState.start_over, "login-start-over"),
        spacing="3",
        width="100%",
    )


def code_step() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading("Enter your code", size="5", as_="h1"),
            _info(),
            rx.el.label("6-digit code", html_for="login-code", style=LABEL_STYLE),
            rx.input(
                id="login-code",
                name="code",
                type="text",
                input_mode="numeric",
                auto_complete="one-time-code",
                placeholder="123456",
                size="3",
                width="100%",
                required=True,
                auto_focus=True,
                style={"letter_spacing": "0.3em", "font_size": "20px"},
            ),
            _error(),
            rx.button(
                "Log in",
                size="3",
                width="100%",
                id="login-submit-code",
                type="submit",
                loading=LoginState.busy,
            ),
            # No text? (Perhaps no mobile on file: the answer above is the same either way.)
            rx.cond(
                LoginState.channel == "sms",
                rx.button(
                    rx.icon("mail", size=16),
                    "Email me a code instead",
                    size="2",
                    variant="soft",
                    width="100%",
                    id="login-use-email",
                    type="button",
                    on_click=LoginState.choose_channel("email"),
                ),
            ),
            rx.hstack(
                _link_button("Send a new code", LoginState.resend, "login-resend"),
                rx.spacer(),
                _link_button("Use a different email", LoginState.start_over, "login-start-over"),
                width="100%",
                wrap="wrap",
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=LoginState.submit_code,
        reset_on_submit=False,
        width="100%",
    )


def _account_button(account: dict) -> rx.Component:
    return rx.button(
        rx.hstack(
            icon_if(account["kind"] == "Commercial", "building-2", "house", size=18),
            rx.text(account["name"], weight="medium", text_align="left", flex="1"),
            rx.badge(account["kind"], variant="soft"),
            align="center",
            width="100%",
            spacing="3",
        ),
        on_click=LoginState.choose_account(account["id"]),
        variant="surface",
        size="3",
        width="100%",
        height="auto",
        padding_y="12px",
        class_name="login-account",
    )


def account_step() -> rx.Component:
    return rx.vstack(
        rx.heading("Choose an account", size="5", as_="h1"),
        _info(),
        rx.foreach(LoginState.accounts, _account_button),
        _error(),
        spacing="3",
        width="100%",
    )


def login_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.cond(
                LoginState.notice != "",
                rx.callout(
                    LoginState.notice, icon="info", size="1", width="100%", id="login-notice"
                ),
            ),
            rx.match(
                LoginState.step,
                ("channel", channel_step()),
                ("code", code_step()),
                ("account", account_step()),
                email_step(),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        id="login-card",
    )
