"""/agent/login — agents sign in with an emailed code and their authenticator app."""

from __future__ import annotations

import reflex as rx

from clientcenter.components.common import error_callout
from clientcenter.components.layout import page_shell
from clientcenter.state.agency.login import AgentLoginState as S

LABEL = {"font_weight": "500", "font_size": "14px"}


def _error() -> rx.Component:
    return error_callout(S.error, "agent-login-error", icon="circle-alert")


def _info() -> rx.Component:
    return rx.cond(
        S.info != "", rx.text(S.info, size="2", color_scheme="gray", id="agent-login-info")
    )


def _code_form(
    label: str, on_submit, button: str, id_: str, hint: str = "", recovery: bool = False
) -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.el.label(label, html_for=id_, style=LABEL),
            rx.input(
                id=id_,
                name="code",
                type="text",
                input_mode="text" if recovery else "numeric",
                auto_complete="one-time-code",
                placeholder="123456",
                size="3",
                width="100%",
                required=True,
                auto_focus=True,
                style={"letter_spacing": "0.2em", "font_size": "20px"},
            ),
            rx.cond(hint != "", rx.text(hint, size="1", color_scheme="gray")),
            _error(),
            rx.button(
                button, size="3", width="100%", type="submit", loading=S.busy, id=f"{id_}-submit"
            ),
            spacing="2",
            width="100%",
        ),
        on_submit=on_submit,
        reset_on_submit=False,
        width="100%",
    )


def _email_step() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading("Agent sign-in", size="5", as_="h1"),
            rx.text(
                "Enter your agency email. We'll email you a one-time code; then your "
                "authenticator app confirms it's you.",
                size="2",
                color_scheme="gray",
            ),
            rx.el.label("Work email", html_for="agent-email", style=LABEL),
            rx.input(
                id="agent-email",
                name="email",
                type="email",
                auto_complete="email",
                input_mode="email",
                placeholder="you@agency.com",
                size="3",
                width="100%",
                default_value=S.email,
                required=True,
                auto_focus=True,
            ),
            _error(),
            rx.button(
                "Continue",
                size="3",
                width="100%",
                type="submit",
                id="agent-continue",
                loading=S.busy,
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=S.submit_email,
        width="100%",
    )


def _links() -> rx.Component:
    return rx.hstack(
        rx.button(
            "Send a new code",
            variant="ghost",
            size="2",
            on_click=S.resend,
            id="agent-resend",
            type="button",
        ),
        rx.spacer(),
        rx.button(
            "Start over",
            variant="ghost",
            size="2",
            on_click=S.start_over,
            id="agent-start-over",
            type="button",
        ),
        width="100%",
        wrap="wrap",
    )


def _code_step() -> rx.Component:
    return rx.vstack(
        rx.heading("Check your email", size="5", as_="h1"),
        _info(),
        _code_form("6-digit code from the email", S.submit_code, "Continue", "agent-code"),
        _links(),
        spacing="3",
        width="100%",
    )


def _totp_step() -> rx.Component:
    return rx.vstack(
        rx.heading("Authenticator code", size="5", as_="h1"),
        _info(),
        _code_form(
            "Code from your app (or a recovery code)",
            S.submit_totp,
            "Sign in",
            "agent-totp",
            hint="Lost your phone? Type one of your recovery codes.",
            recovery=True,
        ),
        rx.button("Start over", variant="ghost", size="2", on_click=S.start_over, type="button"),
        spacing="3",
        width="100%",
    )


_BLANK_IMAGE = "data:image/gif;base64,R0lGODlhAQABAAAAACH5BAEKAAEALAAAAAABAAEAAAICTAEAOw=="
_COPY_CODES = (
    "navigator.clipboard.writeText([...document.querySelectorAll("
    "'#recovery-codes .recovery-code')].map((c) => c.textContent).join('\\n'))"
)


def _enrol_step() -> rx.Component:
    return rx.vstack(
        rx.heading("Set up your authenticator", size="5", as_="h1"),
        _info(),
        # The secret and its QR code are written in by the state's reveal script, never
        # held in a state var (state/agency/login.py).
        rx.center(
            rx.el.img(
                src=_BLANK_IMAGE,
                alt="QR code for your authenticator app",
                width="200",
                height="200",
                id="totp-qr",
                style={"background": "white", "border_radius": "8px"},
            ),
            width="100%",
        ),
        rx.text("Can't scan? Type this key:", size="1", color_scheme="gray"),
        rx.code("", id="totp-secret", word_break="break-all", size="2"),
        _code_form(
            "Code the app shows", S.submit_enrolment, "Confirm and continue", "agent-enrol"
        ),
        spacing="3",
        width="100%",
    )


def _codes_step() -> rx.Component:
    return rx.vstack(
        rx.heading("Save your recovery codes", size="5", as_="h1"),
        _info(),
        rx.grid(
            columns="2",
            spacing="2",
            width="100%",
            id="recovery-codes",
            style={
                "& code": {
                    "font_family": "var(--code-font-family)",
                    "font_size": "var(--font-size-3)",
                    "background": "var(--accent-a3)",
                    "color": "var(--accent-a11)",
                    "padding": "0.1em 0.35em",
                    "border_radius": "4px",
                }
            },
        ),
        rx.button(
            rx.icon("copy", size=16),
            "Copy codes",
            variant="soft",
            size="2",
            type="button",
            on_click=rx.call_script(_COPY_CODES),
        ),
        _error(),
        rx.button(
            "I saved them — continue",
            size="3",
            width="100%",
            on_click=S.finish,
            id="agent-finish",
            loading=S.busy,
        ),
        spacing="3",
        width="100%",
    )


def agent_login_page() -> rx.Component:
    return page_shell(
        rx.card(
            rx.vstack(
                rx.cond(
                    S.notice != "",
                    rx.callout(
                        S.notice, icon="info", size="1", width="100%", id="agent-login-notice"
                    ),
                ),
                rx.match(
                    S.step,
                    ("code", _code_step()),
                    ("totp", _totp_step()),
                    ("enrol", _enrol_step()),
                    ("recovery_codes", _codes_step()),
                    _email_step(),
                ),
                spacing="3",
                width="100%",
            ),
            width="100%",
            id="agent-login-card",
        ),
        rx.text(
            "Customers log in at ",
            rx.link("the Client Center login", href="/"),
            ".",
            size="2",
            color_scheme="gray",
        ),
    )
