"""/shared/<token> — the landing page of a document the agency shared by email or text."""

from __future__ import annotations

import reflex as rx

from clientcenter import routes
from clientcenter.components.layout import page_shell
from clientcenter.state.portal.shared import SharedDocumentState as S


def shared_document_page() -> rx.Component:
    return page_shell(
        rx.card(
            rx.vstack(
                rx.icon("file-text", size=28, color=rx.color("accent", 11)),
                rx.heading(
                    rx.cond(S.state == "open", S.title, "A document for you"),
                    size="5",
                    as_="h1",
                    id="shared-title",
                ),
                rx.cond(S.state != "open", rx.text(S.message, size="2", id="shared-message")),
                rx.cond(
                    S.state == "open",
                    rx.vstack(
                        rx.text(
                            "Your agency shared this document with you. It is also in "
                            "your Documents.",
                            size="2",
                            color_scheme="gray",
                        ),
                        rx.link(
                            rx.button(
                                rx.icon("download", size=18), "Download", size="3", width="100%"
                            ),
                            href=S.download_url,
                            id="shared-download",
                            width="100%",
                        ),
                        rx.link("See all your documents", href=routes.DOCUMENTS, size="2"),
                        spacing="3",
                        width="100%",
                    ),
                ),
                rx.cond(
                    S.state == "login",
                    rx.link(
                        rx.button("Log in", size="3", width="100%"),
                        href=S.login_url,
                        id="shared-login",
                        width="100%",
                    ),
                ),
                rx.cond(
                    (S.state == "invalid") | (S.state == "other_account"),
                    rx.link("Go to your documents", href=routes.DOCUMENTS, size="2"),
                ),
                spacing="3",
                width="100%",
                align="start",
            ),
            width="100%",
            id="shared-card",
        ),
    )
