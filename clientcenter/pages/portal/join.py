"""/join/<token> — a household invitation: who invited you to which account, what you will
see, and one button to accept. Opening the link changes nothing."""

from __future__ import annotations

import reflex as rx

from clientcenter.components.layout import page_shell
from clientcenter.state.portal.household import JoinState as S


def join_page() -> rx.Component:
    return page_shell(
        rx.card(
            rx.vstack(
                rx.icon("user-plus", size=28, color=rx.color("accent", 11)),
                rx.heading(
                    rx.match(
                        S.state,
                        ("open", "Accept your invitation"),
                        ("done", "You're in"),
                        "Invitation",
                    ),
                    size="5",
                    as_="h1",
                    id="join-title",
                ),
                rx.cond(S.state == "invalid", rx.text(S.message, size="2", id="join-message")),
                rx.cond(
                    S.state == "open",
                    rx.vstack(
                        rx.text(
                            "Hi ",
                            S.first_name,
                            ", you were invited to Client Center for ",
                            rx.text.strong(S.account_name),
                            ".",
                            size="3",
                        ),
                        rx.text("You will see: ", S.sees_label, ".", size="2"),
                        rx.text(
                            "You'll log in with ",
                            rx.text.strong(S.email),
                            ". There's no password: we send a one-time code.",
                            size="2",
                            color_scheme="gray",
                            word_break="break-word",
                        ),
                        rx.button(
                            "Accept and continue",
                            size="3",
                            width="100%",
                            on_click=S.confirm,
                            id="join-confirm",
                        ),
                        spacing="3",
                        width="100%",
                    ),
                ),
                rx.cond(
                    S.state == "done",
                    rx.vstack(
                        rx.text(
                            "You can now log in to ",
                            rx.text.strong(S.account_name),
                            " with ",
                            rx.text.strong(S.email),
                            ".",
                            size="3",
                            id="join-done",
                        ),
                        rx.link(
                            rx.button("Log in", size="3", width="100%"),
                            href=S.login_url,
                            id="join-login",
                            width="100%",
                        ),
                        spacing="3",
                        width="100%",
                    ),
                ),
                rx.cond(
                    S.state == "invalid",
                    rx.link("Go to the login page", href=S.login_url, size="2"),
                ),
                spacing="3",
                width="100%",
                align="start",
            ),
            width="100%",
            id="join-card",
        ),
    )
