"""The login card: email → email or text → 6-digit code → (account) — one card whose
content follows LoginState.step. Used by the landing page and the embeddable login page.

Every email sees the same channel step (security.login_channel_choice = "always"), so its
words promise nothing about a mobile on file; a text that went nowhere has a way back to
email on the code step."""

from __future__ import annotations

import reflex as rx

from clientcenter.components.common import step_heading
from clientcenter.components.login import (
    LoginIds,
    code_form,
    code_links,
    email_step,
    link_button,
    login_card,
    step_error,
    step_info,
)
from clientcenter.components.portal.account_button import account_button
from clientcenter.components.portal.passkeys import (
    passkey_login_button,
    remember_browser_checkbox,
)
from clientcenter.state.portal.login import LoginState

IDS = LoginIds(card="login", field="login")


def channel_step(level: str) -> rx.Component:
    return rx.vstack(
        rx.heading("Get your code", size="5", as_=level),
        step_info(LoginState, IDS),
        rx.button(
            rx.icon("mail", size=18),
            "Email me a code",
            size="3",
            width="100%",
            id="login-by-email",
            on_click=LoginState.choose_channel("email"),
            auto_focus=True,  # the step's first choice takes the focus the email form had
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
        step_error(LoginState, IDS),
        link_button("Use a different email", LoginState.start_over, "login-start-over"),
        spacing="3",
        width="100%",
    )


def code_step(level: str) -> rx.Component:
    return rx.vstack(
        rx.heading("Enter your code", size="5", as_=level),
        step_info(LoginState, IDS),
        code_form(
            LoginState,
            IDS,
            input_id="login-code",
            label="6-digit code",
            button="Log in",
            button_id="login-submit-code",
            on_submit=LoginState.submit_code,
        ),
        remember_browser_checkbox(),
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
        code_links(LoginState, IDS, "Use a different email"),
        spacing="3",
        width="100%",
    )


def _account_button(account: dict) -> rx.Component:
    return account_button(
        account,
        rx.badge(account["kind"], variant="soft"),
        on_click=LoginState.choose_account(account["id"]),
        class_name="login-account",
    )


def account_step(level: str) -> rx.Component:
    return rx.vstack(
        # No field on this step: its heading takes the focus the code box had.
        step_heading("Choose an account", id="login-account-heading", level=level),
        step_info(LoginState, IDS),
        rx.foreach(LoginState.accounts, _account_button),
        step_error(LoginState, IDS),
        spacing="3",
        width="100%",
    )


def customer_login_card(level: str = "h1") -> rx.Component:
    """``level``: the steps' heading level (h2 under a page's own h1)."""
    return login_card(
        LoginState,
        IDS,
        ("channel", channel_step(level)),
        ("code", code_step(level)),
        ("account", account_step(level)),
        first=rx.vstack(
            email_step(
                LoginState,
                IDS,
                heading="Log in",
                intro="Enter the email address your agency has on file. We'll send you a "
                "one-time code — no password needed.",
                label="Email address",
                placeholder="you@example.com",
                level=level,
            ),
            passkey_login_button(),
            spacing="3",
            width="100%",
        ),
    )
