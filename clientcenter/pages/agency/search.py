"""/agent — Super Search: one box for name, email, phone, policy number or business name."""

from __future__ import annotations

import reflex as rx

from clientcenter import routes
from clientcenter.components.agency.ui import (
    agent_shell,
    field_label,
    messages,
    muted,
    page_title,
    pager,
)
from clientcenter.components.icons import icon_if
from clientcenter.state.agency.desk import AgentSearchState, FoundCustomer


def _result(r: FoundCustomer) -> rx.Component:
    return rx.link(
        rx.card(
            rx.vstack(
                rx.hstack(
                    icon_if(r.commercial, "building-2", "house", size=18, flex_shrink="0"),
                    rx.text(r.name, weight="bold", size="3", flex="1", min_width="0"),
                    rx.cond(
                        r.active,
                        rx.badge("Active", color_scheme="green", variant="soft"),
                        rx.badge("No active policy", color_scheme="gray", variant="soft"),
                    ),
                    align="center",
                    width="100%",
                    spacing="2",
                ),
                rx.cond(
                    r.matched != "",
                    rx.text(
                        r.matched,
                        size="2",
                        color=rx.color("accent", 11),
                        class_name="search-match",
                    ),
                ),
                rx.text(r.primary, size="2"),
                rx.cond(r.email != "", muted(r.email, word_break="break-all")),
                rx.cond(r.phone != "", muted(r.phone)),
                muted("Producer: ", r.producer),
                spacing="1",
                width="100%",
            ),
            width="100%",
        ),
        href=r.href,
        underline="none",
        color="inherit",
        width="100%",
        class_name="search-result",
    )


def search_page() -> rx.Component:
    return agent_shell(
        page_title(
            "Super Search",
            "Find a customer by name, email, phone, policy number or business name.",
        ),
        rx.form(
            rx.vstack(
                field_label("Search customers", "agent-search-input"),
                rx.hstack(
                    rx.input(
                        id="agent-search-input",
                        name="query",
                        type="search",
                        placeholder="e.g. O'Brien, 207-555-0101, PA-1234567",
                        size="3",
                        default_value=AgentSearchState.query,
                        flex="1",
                        min_width="0",
                        auto_focus=True,
                        enter_key_hint="search",
                        max_length=120,
                    ),
                    rx.button(
                        rx.icon("search", size=18),
                        size="3",
                        type="submit",
                        aria_label="Search",
                        id="agent-search-submit",
                    ),
                    width="100%",
                    spacing="2",
                ),
                spacing="2",
                width="100%",
            ),
            on_submit=AgentSearchState.submit,
            reset_on_submit=False,
            width="100%",
        ),
        messages("search", AgentSearchState.error),
        rx.cond(
            AgentSearchState.searched,
            rx.text(
                rx.cond(
                    AgentSearchState.total == 1,
                    "1 customer",
                    AgentSearchState.total.to_string() + " customers",
                ),
                " found",
                size="2",
                color_scheme="gray",
                id="search-count",
            ),
        ),
        rx.vstack(
            rx.foreach(AgentSearchState.results, _result),
            spacing="3",
            width="100%",
            id="search-results",
        ),
        pager(
            AgentSearchState.page,
            AgentSearchState.pages,
            AgentSearchState.previous_page,
            AgentSearchState.next_page,
            "search-pager",
        ),
        active=routes.AGENT_HOME,
    )
