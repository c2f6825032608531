"""Pages behind login owned by the login issue: Profile with Switch accounts and Log out, and
the Switch accounts list. (Home is pages/portal/home.py.)"""

from __future__ import annotations

import reflex as rx

from clientcenter import routes
from clientcenter.components.common import error_callout
from clientcenter.components.layout import page_shell
from clientcenter.components.portal.account_button import account_button
from clientcenter.components.portal.household_section import household_mount
from clientcenter.components.portal.passkeys import security_card, step_up_prompt
from clientcenter.components.portal.profile_sections import profile_sections
from clientcenter.components.session_actions import logout_button, switch_accounts_button
from clientcenter.state.portal.account import AccountState


def _account_summary() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(
                rx.cond(AccountState.read_only, "Customer", "Signed in as"),
                size="1",
                color_scheme="gray",
            ),
            rx.text(AccountState.full_name, weight="bold", size="4", id="profile-name"),
            rx.text(AccountState.email, size="2", color_scheme="gray", word_break="break-all"),
            rx.separator(size="4"),
            rx.hstack(
                rx.text(
                    AccountState.account_name, weight="medium", size="3", id="current-account"
                ),
                rx.badge(AccountState.account_kind, variant="soft"),
                align="center",
                wrap="wrap",
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def profile() -> rx.Component:
    return page_shell(
        rx.heading("Profile", size="6", as_="h1"),
        step_up_prompt(),  # a new login address or a household change confirmed first
        rx.cond(
            AccountState.read_only,
            rx.callout(
                "Read-only view: this is the customer's profile as they see it. Nothing "
                "can be changed here; changes go through the customer or the agency side.",
                icon="eye",
                color_scheme="amber",
                width="100%",
                id="profile-read-only-note",
            ),
        ),
        _account_summary(),
        rx.cond(
            AccountState.contact_view == "everything",
            rx.vstack(
                profile_sections(),  # edit personal info, contact preferences, co-applicant
                household_mount(),  # who can log in (services/portal/household.py)
                spacing="4",
                width="100%",
            ),
            rx.callout(
                "You see only part of this account in Client Center. To change your details "
                "or see more, ask the account's primary applicant or call us.",
                icon="info",
                width="100%",
                id="limited-view-note",
            ),
        ),
        security_card(),  # passkeys, remembered browsers, confirm it's you
        rx.cond(AccountState.accounts.length() > 1, switch_accounts_button()),
        rx.cond(~AccountState.read_only, logout_button()),
        nav_active=routes.PROFILE,
    )


def _account_row(account: dict) -> rx.Component:
    current = account["current"] == "1"
    return account_button(
        account,
        rx.cond(
            current,
            rx.badge("Open now", color_scheme="green"),
            rx.badge(account["kind"], variant="soft"),
        ),
        on_click=AccountState.switch_to(account["id"]),
        disabled=current,
        class_name="switch-account",
    )


def switch_accounts() -> rx.Component:
    return page_shell(
        rx.heading("Switch accounts", size="6", as_="h1"),
        rx.text(
            "Your email opens these accounts. Pick the one you want to see.",
            size="2",
            color_scheme="gray",
        ),
        error_callout(AccountState.error, "switch-error", icon="circle-alert"),
        rx.vstack(rx.foreach(AccountState.accounts, _account_row), spacing="3", width="100%"),
        rx.link("Back to Profile", href=routes.PROFILE, size="2"),
        nav_active=routes.PROFILE,
    )
