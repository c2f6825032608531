"""The staff page (/agent/admin, administrators): the agents with role, status and last
sign-in; the invite form; per agent a role select, a second-factor reset and a deactivation
that asks first, then lists the open tasks and accounts to hand to someone else."""

from __future__ import annotations

import reflex as rx

from clientcenter import routes
from clientcenter.components.agency.confirm import PanelButton, confirm_panel
from clientcenter.components.agency.ui import (
    SELECT_STYLE,
    agent_shell,
    entries,
    field_label,
    list_row,
    messages,
    muted,
    page_title,
    section,
)
from clientcenter.components.common import error_callout, status_badge
from clientcenter.state.agency.staff import LeftBehind, StaffMember, StaffState

INPUT = {"size": "3", "width": "100%"}


def _role_option(option: rx.Var) -> rx.Component:
    return rx.el.option(option[1], value=option[0])


def _field(label: str, name: str, kind: str = "text", **props) -> rx.Component:
    fid = f"invite-{name}"
    return rx.vstack(
        field_label(label, fid),
        rx.input(name=name, id=fid, type=kind, required=True, **INPUT, **props),
        rx.cond(
            StaffState.invite_errors.contains(name),
            rx.text(StaffState.invite_errors[name], color_scheme="red", size="2"),
        ),
        spacing="1",
        width="100%",
    )


def _invite_form() -> rx.Component:
    return section(
        "Invite an agent",
        muted(
            "They get an email with a setup link: it works once, for 72 hours, in the "
            "browser that opens it."
        ),
        rx.form(
            rx.vstack(
                _field("Email", "email", "email", max_length=254, auto_complete="off"),
                rx.flex(
                    _field("First name", "first_name", max_length=80),
                    _field("Last name", "last_name", max_length=80),
                    direction={"initial": "column", "sm": "row"},
                    spacing="3",
                    width="100%",
                ),
                field_label("Role", "invite-role"),
                rx.el.select(
                    rx.el.option("Choose…", value=""),
                    rx.foreach(StaffState.role_options, _role_option),
                    name="role",
                    id="invite-role",
                    required=True,
                    style=SELECT_STYLE,
                ),
                rx.cond(
                    StaffState.invite_errors.contains("role"),
                    rx.text(StaffState.invite_errors["role"], color_scheme="red", size="2"),
                ),
                error_callout(StaffState.invite_error, "invite-error", icon="circle-alert"),
                rx.button("Send invitation", type="submit", size="3", id="invite-submit"),
                spacing="3",
                width="100%",
            ),
            on_submit=StaffState.invite,
            id="invite-form",
            width="100%",
        ),
        id_="invite",
    )


STATUS_COLOURS = {"Active": "green", "Not set up": "amber", "Deactivated": "gray"}


def _status(m: StaffMember) -> rx.Component:
    return status_badge(m.status, m.status, STATUS_COLOURS)


def _member(m: StaffMember) -> rx.Component:
    return list_row(
        rx.hstack(
            rx.text(m.name, weight="bold", size="2"),
            _status(m),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        muted(m.email),
        muted("Last sign-in: ", m.last_sign_in),
        rx.cond(
            m.active,
            rx.flex(
                rx.el.select(
                    rx.foreach(StaffState.role_options, _role_option),
                    value=m.role,
                    on_change=lambda role: StaffState.change_role(m.id.to_string(), role),
                    aria_label="Role of " + m.name,
                    class_name="member-role",
                    style={**SELECT_STYLE, "flex": "1", "width": "auto"},
                ),
                rx.button(
                    "Reset second factor",
                    size="2",
                    variant="soft",
                    on_click=StaffState.reset_second_factor(m.id),
                    class_name="member-reset",
                ),
                rx.button(
                    "Deactivate",
                    size="2",
                    variant="soft",
                    color_scheme="red",
                    on_click=StaffState.ask_deactivate(m.id),
                    class_name="member-deactivate",
                ),
                direction={"initial": "column", "sm": "row"},
                spacing="2",
                width="100%",
                padding_top="4px",
            ),
            muted(m.role_label),
        ),
        class_name="staff-member",
    )


def _confirm() -> rx.Component:
    s = StaffState
    return confirm_panel(
        s.confirming != 0,
        "Deactivate ",
        rx.text.strong(s.confirming_name),
        "? They are signed out everywhere at once and can no longer sign in.",
        confirm=PanelButton("Deactivate", s.deactivate, "confirm-deactivate"),
        cancel=PanelButton("Cancel", s.cancel_deactivate, "cancel-deactivate"),
        name="Confirm deactivation",
        id_="deactivate-confirm",
    )


def _left_item(item: LeftBehind) -> rx.Component:
    return list_row(
        rx.cond(
            item.href != "",
            rx.link(item.label, href=item.href, size="2"),
            rx.text(item.label, size="2"),
        )
    )


def _reassignment() -> rx.Component:
    left = StaffState.left
    return rx.cond(
        StaffState.has_left,
        section(
            "To hand over",
            muted(
                left.name,
                "'s sessions ended (",
                left.sessions_ended.to_string(),
                "). Reassign what they leave:",
            ),
            rx.text("Open tasks", weight="medium", size="2"),
            entries(left.tasks, _left_item, "No open tasks.", id="left-tasks"),
            rx.text("Accounts they produce", weight="medium", size="2"),
            entries(left.accounts, _left_item, "No accounts.", id="left-accounts"),
            id_="reassignment",
        ),
    )


def staff_page() -> rx.Component:
    s = StaffState
    return agent_shell(
        page_title(
            "Staff",
            "Who works in Client Center for the agency, and what each may do.",
            back=("More", routes.AGENT_MORE),
        ),
        rx.cond(
            s.refused != "",
            error_callout(s.refused, "staff-refused", icon="lock"),
            rx.vstack(
                messages("staff", s.error, s.notice),
                _confirm(),
                _reassignment(),
                section(
                    "Agents",
                    entries(s.members, _member, "No agents yet.", id="staff-list"),
                    id_="staff",
                ),
                _invite_form(),
                spacing="4",
                width="100%",
            ),
        ),
        active=routes.AGENT_MORE,
    )
