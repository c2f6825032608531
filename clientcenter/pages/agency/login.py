"""/agent/login — agents sign in with an emailed code and their authenticator app."""

from __future__ import annotations

import reflex as rx

from clientcenter import routes
from clientcenter.components.common import step_heading
from clientcenter.components.layout import page_shell
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
from clientcenter.state.agency.login import AgentLoginState as S

IDS = LoginIds(card="agent-login", field="agent")


def _code_step() -> rx.Component:
    return rx.vstack(
        rx.heading("Check your email", size="5", as_="h1"),
        step_info(S, IDS),
        code_form(
            S,
            IDS,
            input_id="agent-code",
            label="6-digit code from the email",
            button="Continue",
            button_id="agent-code-submit",
            on_submit=S.submit_code,
        ),
        code_links(S, IDS, "Start over"),
        spacing="3",
        width="100%",
    )


def _totp_step() -> rx.Component:
    return rx.vstack(
        rx.heading("Authenticator code", size="5", as_="h1"),
        step_info(S, IDS),
        code_form(
            S,
            IDS,
            input_id="agent-totp",
            label="Code from your app (or a recovery code)",
            button="Sign in",
            button_id="agent-totp-submit",
            on_submit=S.submit_totp,
            hint="Lost your phone? Type one of your recovery codes.",
            recovery=True,
        ),
        rx.cond(
            S.passkey_offered,
            rx.button(
                rx.icon("fingerprint", size=18),
                "Use my passkey instead",
                size="3",
                width="100%",
                variant="outline",
                type="button",
                id="agent-passkey",
                loading=S.busy,
                on_click=S.use_passkey,
            ),
        ),
        link_button("Start over", S.start_over),
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
        step_info(S, IDS),
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
        code_form(
            S,
            IDS,
            input_id="agent-enrol",
            label="Code the app shows",
            button="Confirm and continue",
            button_id="agent-enrol-submit",
            on_submit=S.submit_enrolment,
        ),
        spacing="3",
        width="100%",
    )


def _codes_step() -> rx.Component:
    return rx.vstack(
        step_heading("Save your recovery codes", id="agent-codes-heading", level="h1"),
        step_info(S, IDS),
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
        step_error(S, IDS),
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
        login_card(
            S,
            IDS,
            ("code", _code_step()),
            ("totp", _totp_step()),
            ("enrol", _enrol_step()),
            ("recovery_codes", _codes_step()),
            first=email_step(
                S,
                IDS,
                heading="Agent sign-in",
                intro="Enter your agency email. We'll email you a one-time code; then your "
                "authenticator app confirms it's you.",
                label="Work email",
                placeholder="you@agency.com",
            ),
        ),
        rx.text(
            "Customers log in at ",
            rx.link("the Client Center login", href=routes.CUSTOMER_LOGIN),
            ".",
            size="2",
            color_scheme="gray",
        ),
    )
