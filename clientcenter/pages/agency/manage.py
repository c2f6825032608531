"""/agent/account/manage?id=N — correct an account from the agency side: its producer (or every
account of that producer), and each contact's login: allowed or not, its email or mobile, and
who the primary applicant is."""

from __future__ import annotations

import reflex as rx

from clientcenter import routes
from clientcenter.components.agency.ui import (
    SELECT_STYLE,
    agent_shell,
    contact_heading,
    entries,
    field_label,
    list_row,
    messages,
    muted,
    page_title,
    section,
)
from clientcenter.state.agency.account_admin import (
    AgentManageState,
    ManagedContactRow,
    ProducerOption,
)

S = AgentManageState


def _producer_option(p: ProducerOption) -> rx.Component:
    return rx.el.option(p.label, value=p.id)


def _producer_select(name: str, id_: str, *, current: bool) -> rx.Component:
    """The producers an account may go to; preselected on the current one (when they may
    still hold accounts), or on a prompt."""
    prompt = rx.el.option("Choose a producer", value="")
    return rx.el.select(
        rx.cond(S.producer_listed, rx.fragment(), prompt) if current else prompt,
        rx.foreach(S.producers, _producer_option),
        name=name,
        id=id_,
        default_value=rx.cond(S.producer_listed, S.producer_id, "") if current else "",
        key=S.producer_id,  # a new producer remounts the select on it
        required=True,
        style=SELECT_STYLE,
    )


def _producer_section() -> rx.Component:
    return section(
        "Producer",
        muted("Open tasks waiting for the producer move with the account."),
        rx.form(
            rx.vstack(
                field_label("Producer of this account", "producer-select"),
                _producer_select("producer_id", "producer-select", current=True),
                rx.button("Reassign", type="submit", size="2", id="reassign-submit"),
                spacing="2",
                width="100%",
            ),
            on_submit=S.reassign,
            reset_on_submit=False,
            width="100%",
        ),
        id_="producer",
    )


def _move_all_section() -> rx.Component:
    return section(
        "Move a whole book",
        rx.text(
            "Move all of ",
            rx.el.strong(S.producer),
            "'s accounts (",
            S.producer_accounts.to_string(),
            ") to another producer, for example when they leave the agency.",
            size="2",
        ),
        rx.form(
            rx.vstack(
                field_label("Move them to", "move-all-select"),
                _producer_select("to_agent_id", "move-all-select", current=False),
                rx.button(
                    "Move all ",
                    S.producer_accounts.to_string(),
                    " accounts",
                    type="submit",
                    size="2",
                    variant="soft",
                    id="move-all-submit",
                ),
                spacing="2",
                width="100%",
            ),
            on_submit=S.move_all,
            reset_on_submit=False,
            width="100%",
        ),
        id_="move-all",
    )


def _correct_form(c: ManagedContactRow) -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.el.input(type="hidden", name="contact_id", value=c.id),
            rx.el.select(
                rx.el.option("Email", value="email"),
                rx.el.option("Mobile", value="mobile"),
                name="field",
                aria_label="What to correct",
                style={**SELECT_STYLE, "width": "auto", "flex": "0 0 auto"},
            ),
            rx.input(
                name="value",
                placeholder="New address",
                aria_label="New email or mobile",
                size="3",
                flex="1",
                min_width="0",
                required=True,
                max_length=254,
            ),
            rx.button("Correct", type="submit", size="3", variant="soft", class_name="correct"),
            spacing="2",
            width="100%",
            align="center",
        ),
        on_submit=S.correct_address,
        reset_on_submit=True,
        width="100%",
    )


def _contact(c: ManagedContactRow) -> rx.Component:
    return list_row(
        contact_heading(c.name, c.role_label, c.may_log_in, say_no_login=True),
        muted(
            rx.cond(c.email != "", c.email, "No email"),
            " · ",
            rx.cond(c.mobile != "", c.mobile, "No mobile"),
        ),
        rx.hstack(
            rx.cond(
                c.may_log_in,
                rx.button(
                    "Stop login",
                    size="2",
                    variant="soft",
                    color_scheme="red",
                    on_click=S.switch_login(c.id, False),
                    class_name="switch-login",
                ),
                rx.button(
                    "Allow login",
                    size="2",
                    variant="soft",
                    on_click=S.switch_login(c.id, True),
                    class_name="switch-login",
                ),
            ),
            rx.cond(
                c.may_be_manager,
                rx.cond(
                    c.account_manager,
                    rx.button(
                        "Not account manager",
                        size="2",
                        variant="soft",
                        color_scheme="gray",
                        on_click=S.mark_account_manager(c.id, False),
                        class_name="account-manager",
                    ),
                    rx.button(
                        "Make account manager",
                        size="2",
                        variant="soft",
                        on_click=S.mark_account_manager(c.id, True),
                        class_name="account-manager",
                    ),
                ),
            ),
            rx.cond(
                c.role != "primary",
                rx.button(
                    "Make primary",
                    size="2",
                    variant="soft",
                    on_click=S.mark_primary(c.id),
                    class_name="make-primary",
                ),
            ),
            rx.button(
                "Clear passkeys",
                size="2",
                variant="soft",
                on_click=S.clear_passkeys(c.id),
                class_name="clear-passkeys",
            ),
            spacing="2",
            wrap="wrap",
        ),
        _correct_form(c),
        class_name="managed-contact",
    )


def manage_page() -> rx.Component:
    back = (S.account_name, routes.agent_account_path(S.account_id))
    return agent_shell(
        page_title(
            "Manage account",
            "Every change here is recorded in the account's activity log with your name.",
            back=back,
        ),
        messages("manage", S.error, S.notice),
        rx.cond(
            S.account_id != "",
            rx.vstack(
                _producer_section(),
                _move_all_section(),
                section(
                    "Contacts",
                    muted(
                        "Stopping a login ends that person's open sessions. A corrected "
                        "email or mobile is told to the old one."
                    ),
                    entries(S.contacts, _contact),
                    id_="manage-contacts",
                ),
                spacing="4",
                width="100%",
            ),
        ),
        active=routes.AGENT_HOME,
    )
