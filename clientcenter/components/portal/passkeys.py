"""Passkeys and remembered browsers in the customer's pages (docs/login.md): the login
page's "Log in with a passkey" and "Remember this browser", Home's offer after a code login,
and Profile's "Sign-in and security" card. Kept apart from the login flow's own components."""

from __future__ import annotations

import reflex as rx

from clientcenter.components.common import error_callout
from clientcenter.settings import get_settings
from clientcenter.state.portal.account import AccountState
from clientcenter.state.portal.login import LoginState
from clientcenter.state.portal.passkeys import PasskeysState


def passkey_login_button() -> rx.Component:
    """Under the email step: a login with no email typed (a discoverable passkey)."""
    return rx.vstack(
        rx.hstack(
            rx.separator(size="4"),
            rx.text("or", size="1", color_scheme="gray"),
            rx.separator(size="4"),
            align="center",
            width="100%",
        ),
        rx.button(
            rx.icon("fingerprint", size=18),
            "Log in with a passkey",
            size="3",
            variant="outline",
            width="100%",
            id="login-passkey",
            type="button",
            loading=LoginState.busy,
            on_click=LoginState.start_passkey,
        ),
        spacing="3",
        width="100%",
    )


def remember_browser_checkbox() -> rx.Component:
    days = get_settings().security.trusted_browser_days
    return rx.el.label(
        rx.hstack(
            rx.checkbox(
                id="login-remember",
                checked=LoginState.remember_browser,
                on_change=LoginState.set_remember_browser,
            ),
            rx.text(f"Remember this browser for {days} days", size="2"),
            rx.text("(skips “email or text?” next time)", size="1", color_scheme="gray"),
            align="center",
            wrap="wrap",
            spacing="2",
        ),
        html_for="login-remember",
        width="100%",
    )


def passkey_offer() -> rx.Component:
    """Home, after a code login with no passkey yet."""
    return rx.cond(
        PasskeysState.offer,
        rx.callout.root(
            rx.callout.icon(rx.icon("fingerprint")),
            rx.vstack(
                rx.text("Skip the code next time", weight="bold", size="2"),
                rx.text(
                    "Save a passkey on this device and log in with your face, fingerprint "
                    "or screen lock — no email, no code.",
                    size="2",
                ),
                rx.button(
                    "Use Face ID or your fingerprint next time",
                    size="2",
                    id="passkey-offer",
                    on_click=PasskeysState.add_passkey,
                ),
                rx.cond(PasskeysState.info != "", rx.text(PasskeysState.info, size="2")),
                error_callout(PasskeysState.error, "passkey-offer-error", icon="circle-alert"),
                spacing="2",
                align="start",
            ),
            width="100%",
            id="passkey-offer-card",
        ),
    )


def _passkey_row(key: dict) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(key["label"], weight="medium", size="2"),
            rx.text(
                f"Added {key['added']} · last used {key['used']}", size="1", color_scheme="gray"
            ),
            spacing="0",
        ),
        rx.spacer(),
        rx.button(
            "Remove",
            size="1",
            variant="soft",
            color_scheme="red",
            class_name="passkey-remove",
            on_click=PasskeysState.remove_passkey(key["id"]),
        ),
        width="100%",
        align="center",
        class_name="passkey-row",
    )


def _browser_row(browser: dict) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.hstack(
                rx.text(browser["label"], weight="medium", size="2"),
                rx.cond(browser["here"] == "1", rx.badge("This browser", variant="soft")),
            ),
            rx.text(
                f"Last used {browser['last_used']} · remembered until {browser['until']}",
                size="1",
                color_scheme="gray",
            ),
            spacing="0",
        ),
        rx.spacer(),
        rx.button(
            "Forget",
            size="1",
            variant="soft",
            class_name="browser-forget",
            on_click=PasskeysState.forget_browser(browser["id"]),
        ),
        width="100%",
        align="center",
        class_name="browser-row",
    )


def _step_up() -> rx.Component:
    minutes = get_settings().security.step_up_minutes
    return rx.vstack(
        rx.heading("Confirm it's you", size="3", as_="h3"),
        rx.text(
            "Some changes (your login email or mobile, payments, certificate holders) may ask "
            f"you to confirm it's you first. A confirmation lasts {minutes} minutes.",
            size="2",
            color_scheme="gray",
        ),
        rx.cond(
            PasskeysState.confirmed,
            rx.badge("Confirmed", color_scheme="green", id="step-up-confirmed"),
        ),
        rx.hstack(
            rx.cond(
                PasskeysState.may_step_up_by_passkey,
                rx.button(
                    rx.icon("fingerprint", size=16),
                    "Confirm with my passkey",
                    size="2",
                    id="step-up-passkey",
                    on_click=PasskeysState.step_up_with_passkey,
                ),
            ),
            rx.button(
                "Email me a code",
                size="2",
                variant="soft",
                id="step-up-send-code",
                on_click=PasskeysState.step_up_send_code,
            ),
            wrap="wrap",
        ),
        rx.cond(
            PasskeysState.step_up_open,
            rx.form(
                rx.hstack(
                    rx.input(
                        name="code",
                        id="step-up-code",
                        input_mode="numeric",
                        auto_complete="one-time-code",
                        placeholder="6-digit code",
                        aria_label="6-digit code",
                    ),
                    rx.button("Confirm", size="2", id="step-up-confirm", type="submit"),
                ),
                on_submit=PasskeysState.step_up_confirm_code,
                reset_on_submit=True,
            ),
        ),
        spacing="2",
        width="100%",
    )


def _log_out_everywhere() -> rx.Component:
    """A lost phone, a shared computer left signed in: end every session of this login,
    after a confirmation that says what happens."""
    return rx.vstack(
        rx.heading("Log out everywhere", size="3", as_="h3"),
        rx.text(
            "Ends your sessions on every browser and device, this one included, and forgets "
            "remembered browsers.",
            size="2",
            color_scheme="gray",
        ),
        rx.alert_dialog.root(
            rx.alert_dialog.trigger(
                rx.button(
                    rx.icon("log-out", size=16),
                    "Log out everywhere",
                    size="2",
                    variant="soft",
                    color_scheme="red",
                    id="logout-everywhere",
                    type="button",
                ),
            ),
            rx.alert_dialog.content(
                rx.alert_dialog.title("Log out on every browser?"),
                rx.alert_dialog.description(
                    "You will be logged out here and on every other phone, tablet or "
                    "computer where you are logged in. Remembered browsers will ask "
                    "“email or text?” again. Your passkeys keep working.",
                    size="2",
                ),
                rx.flex(
                    rx.alert_dialog.cancel(
                        rx.button(
                            "Cancel",
                            variant="soft",
                            color_scheme="gray",
                            size="3",
                            id="logout-everywhere-cancel",
                        ),
                    ),
                    rx.alert_dialog.action(
                        rx.button(
                            "Log out everywhere",
                            color_scheme="red",
                            size="3",
                            id="logout-everywhere-confirm",
                            on_click=PasskeysState.log_out_everywhere,
                        ),
                    ),
                    gap="3",
                    margin_top="16px",
                    justify="end",
                    wrap="wrap",
                ),
                max_width="min(420px, calc(100vw - 32px))",
                id="logout-everywhere-dialog",
            ),
        ),
        spacing="2",
        width="100%",
        align="start",
    )


def security_card() -> rx.Component:
    """Profile → Sign-in and security."""
    return rx.card(
        rx.vstack(
            rx.heading("Sign-in and security", size="4", as_="h2"),
            rx.heading("Passkeys", size="3", as_="h3"),
            rx.cond(
                PasskeysState.passkeys.length() > 0,
                rx.vstack(rx.foreach(PasskeysState.passkeys, _passkey_row), width="100%"),
                rx.text("No passkey yet.", size="2", color_scheme="gray"),
            ),
            rx.button(
                rx.icon("fingerprint", size=16),
                "Add a passkey on this device",
                size="2",
                variant="soft",
                id="passkey-add",
                on_click=PasskeysState.add_passkey,
            ),
            rx.separator(size="4"),
            rx.heading("Remembered browsers", size="3", as_="h3"),
            rx.cond(
                PasskeysState.browsers.length() > 0,
                rx.vstack(rx.foreach(PasskeysState.browsers, _browser_row), width="100%"),
                rx.text(
                    "None. Tick “Remember this browser” when you enter a code.",
                    size="2",
                    color_scheme="gray",
                ),
            ),
            rx.separator(size="4"),
            _step_up(),
            rx.cond(~AccountState.read_only, rx.separator(size="4")),
            rx.cond(~AccountState.read_only, _log_out_everywhere()),
            rx.cond(
                PasskeysState.info != "",
                rx.callout(PasskeysState.info, icon="check", size="1", id="security-info"),
            ),
            error_callout(PasskeysState.error, "security-error", icon="circle-alert"),
            spacing="3",
            width="100%",
        ),
        width="100%",
        id="security-card",
        on_mount=PasskeysState.load,
    )


def step_up_prompt() -> rx.Component:
    """The dialog a refused risky action opens (PasskeysState.ask_step_up): confirm with the
    passkey or a fresh emailed code, and the refused button is pressed again."""
    minutes = get_settings().security.step_up_minutes
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Confirm it's you"),
            rx.dialog.description(
                "Your agency asks for this before changes like this one. It lasts "
                f"{minutes} minutes, then we carry on with what you asked.",
                size="2",
            ),
            rx.vstack(
                rx.cond(
                    PasskeysState.may_step_up_by_passkey,
                    rx.button(
                        rx.icon("fingerprint", size=18),
                        "Confirm with my passkey",
                        size="3",
                        width="100%",
                        id="prompt-passkey",
                        type="button",
                        on_click=PasskeysState.step_up_with_passkey,
                    ),
                ),
                rx.button(
                    "Email me a code",
                    size="3",
                    width="100%",
                    variant="soft",
                    id="prompt-send-code",
                    type="button",
                    on_click=PasskeysState.step_up_send_code,
                ),
                rx.cond(
                    PasskeysState.step_up_open,
                    rx.form(
                        rx.hstack(
                            rx.input(
                                name="code",
                                id="prompt-code",
                                input_mode="numeric",
                                auto_complete="one-time-code",
                                placeholder="6-digit code",
                                aria_label="6-digit code",
                                size="3",
                                flex="1",
                            ),
                            rx.button("Confirm", size="3", id="prompt-confirm", type="submit"),
                            width="100%",
                        ),
                        on_submit=PasskeysState.step_up_confirm_code,
                        reset_on_submit=True,
                        width="100%",
                    ),
                ),
                rx.cond(
                    PasskeysState.info != "",
                    rx.text(PasskeysState.info, size="2", id="prompt-info"),
                ),
                error_callout(PasskeysState.error, "prompt-error", icon="circle-alert"),
                rx.dialog.close(
                    rx.button(
                        "Cancel",
                        variant="soft",
                        color_scheme="gray",
                        size="3",
                        width="100%",
                        id="prompt-cancel",
                        type="button",
                    ),
                ),
                spacing="3",
                width="100%",
                margin_top="16px",
            ),
            max_width="min(420px, calc(100vw - 32px))",
            id="step-up-prompt",
        ),
        open=PasskeysState.prompt_open,
        on_open_change=PasskeysState.set_prompt_open,
    )
