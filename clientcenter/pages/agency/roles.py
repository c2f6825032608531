"""/agent/admin/roles — the permission table as it is in code (services/agency/roles.py):
roles as columns, permissions as rows. Every signed-in agent sees it, so they know what their
role allows."""

from __future__ import annotations

import reflex as rx

from clientcenter import routes
from clientcenter.components.agency.ui import agent_shell, muted, page_title, section
from clientcenter.components.tables import screen_reader_text, scroll_table
from clientcenter.services.agency.roles import (
    PERMISSION_LABELS,
    PERMISSIONS,
    ROLE_LABELS,
    Permission,
    Role,
)
from clientcenter.state.agency.desk import AgentState

# The permission column stays in view while a phone scrolls the table sideways.
_STICKY = {"position": "sticky", "left": "0", "background_color": "var(--color-panel-solid)"}


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _cell(role: Role, permission: Permission) -> rx.Component:
    allowed = permission in PERMISSIONS[role]
    return rx.table.cell(
        rx.el.span("✓" if allowed else "—", aria_hidden="true"),
        screen_reader_text("Allowed" if allowed else "Not allowed"),
        text_align="center",
        color=rx.color("green", 11) if allowed else rx.color("gray", 9),
        font_weight="bold" if allowed else "normal",
        id=f"cell-{role.value}-{permission.value}",
        background_color=rx.cond(AgentState.role == role.value, rx.color("accent", 2), ""),
    )


def _table() -> rx.Component:
    return scroll_table(
        rx.el.caption(
            "What each role may do: ✓ allowed, — not allowed.",
            style={
                **_STICKY,
                "caption_side": "top",
                "text_align": "left",
                "padding_bottom": "8px",
                "max_width": "calc(100vw - 80px)",
            },
        ),
        rx.table.header(
            rx.table.row(
                rx.table.column_header_cell("Permission", scope="col", style=_STICKY),
                *[
                    rx.table.column_header_cell(
                        ROLE_LABELS[role], scope="col", text_align="center"
                    )
                    for role in Role
                ],
            )
        ),
        rx.table.body(
            *[
                rx.table.row(
                    rx.table.row_header_cell(
                        _sentence(PERMISSION_LABELS[permission]),
                        scope="row",
                        style={**_STICKY, "white_space": "normal", "min_width": "130px"},
                    ),
                    *[_cell(role, permission) for role in Role],
                )
                for permission in Permission
            ]
        ),
        label="Permission table",
        id="permission-table",
    )


def roles_page() -> rx.Component:
    s = AgentState
    return agent_shell(
        page_title(
            "Roles and permissions",
            "What each role on the agency side may do. Your administrator sets each agent's role.",
            back=("More", routes.AGENT_MORE),
        ),
        rx.cond(
            s.role_label != "",
            rx.text("Your role: ", rx.text.strong(s.role_label), size="2", id="your-role"),
        ),
        section(
            "Permission table",
            rx.mobile_only(muted("Swipe the table sideways to see every role.")),
            _table(),
            id_="roles",
        ),
        muted("The server checks every action against this table, whatever a page shows."),
        active=routes.AGENT_MORE,
    )
