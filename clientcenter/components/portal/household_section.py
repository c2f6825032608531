"""Profile's "Who can log in": the people on the account, what each sees, and (for the
primary or an account manager) inviting, changing and revoking. Plain words, one column."""

from __future__ import annotations

import reflex as rx

from clientcenter.components.common import error_callout, notice_callout
from clientcenter.components.forms import INPUT_STYLE, field_error, field_label, native_select
from clientcenter.state.portal.household import HouseholdState as S
from clientcenter.state.portal.household import MemberRow

VIEW_CHOICES = [
    ("everything", "Everything"),
    ("documents", "ID cards and documents only"),
    ("certificates", "Certificates only"),
]
VIEW_HINTS = {
    "everything": "Policies, billing, requests, documents — all of it.",
    "documents": "Good for a teen driver or a relative: ID cards and policy documents, no "
    "billing or changes.",
    "certificates": "For a business's office staff: certificates of insurance and holders.",
}
ROLE_CHOICES = [("co_applicant", "Co-applicant"), ("additional", "Additional contact")]


def _status_badge(m: MemberRow) -> rx.Component:
    return rx.badge(
        m.status_label,
        color_scheme=rx.match(m.status, ("active", "green"), ("invited", "amber"), "gray"),
        variant="soft",
        size="1",
    )


def _member(m: MemberRow) -> rx.Component:
    manage = S.can_manage & ~m.is_me & ~m.is_primary & (m.status != "off")
    return rx.box(
        rx.vstack(
            rx.hstack(
                rx.text(m.name, weight="bold", size="3"),
                rx.cond(m.is_me, rx.badge("You", variant="outline", size="1")),
                align="center",
                spacing="2",
                wrap="wrap",
            ),
            rx.text(
                m.role_label, " · ", m.email, size="2", color_scheme="gray", word_break="break-all"
            ),
            rx.hstack(
                _status_badge(m),
                rx.text("Sees: ", m.sees_label, size="2"),
                align="center",
                spacing="2",
                wrap="wrap",
            ),
            rx.cond(
                manage,
                rx.vstack(
                    native_select(
                        None,
                        f"sees-{m.id}",
                        VIEW_CHOICES,
                        placeholder="Change what they see…",
                        value=m.sees,
                        on_change=lambda v: S.change_access(m.id, v),
                        aria_label="What " + m.name + " sees",
                    ),
                    rx.button(
                        rx.cond(m.status == "active", "Remove their login", "Withdraw invitation"),
                        size="3",
                        variant="soft",
                        color_scheme="red",
                        width="100%",
                        on_click=S.revoke(m.id),
                        class_name="household-revoke",
                    ),
                    spacing="2",
                    width="100%",
                ),
            ),
            spacing="1",
            width="100%",
        ),
        padding_y="10px",
        border_top=f"1px solid {rx.color('gray', 4)}",
        width="100%",
        class_name="household-member",
    )


def _field(key: str, label: str, kind: str = "text", autocomplete: str = "off") -> rx.Component:
    fid = f"household-{key}"
    return rx.vstack(
        field_label(label, fid, True),
        rx.el.input(
            name=key,
            id=fid,
            type=kind,
            required=True,
            auto_complete=autocomplete,
            style=INPUT_STYLE,
            aria_invalid=S.field_errors.contains(key),
        ),
        field_error(S.field_errors, key),
        spacing="1",
        width="100%",
    )


def _view_choice(value: str, label: str) -> rx.Component:
    return rx.el.label(
        rx.el.input(
            type="radio",
            name="sees",
            value=value,
            default_checked=value == "documents",
            style={"width": "20px", "height": "20px", "flex_shrink": "0"},
        ),
        rx.vstack(
            rx.text(label, weight="medium", size="2"),
            rx.text(VIEW_HINTS[value], size="1", color_scheme="gray"),
            spacing="0",
        ),
        style={
            "display": "flex",
            "gap": "10px",
            "align_items": "flex-start",
            "min_height": "44px",
            "cursor": "pointer",
        },
    )


def _invite_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading("Invite someone", size="3", as_="h3"),
            rx.text(
                "We email them a link. They can log in once they confirm from that address.",
                size="2",
                color_scheme="gray",
            ),
            _field("first_name", "First name", autocomplete="given-name"),
            _field("last_name", "Last name", autocomplete="family-name"),
            _field("email", "Their email", kind="email", autocomplete="email"),
            rx.vstack(
                field_label("Who they are", "household-role", True),
                native_select(
                    "role", "household-role", ROLE_CHOICES, placeholder="Choose…", required=True
                ),
                field_error(S.field_errors, "role"),
                spacing="1",
                width="100%",
            ),
            rx.el.fieldset(
                rx.el.legend("What they see", style={"font_weight": "500", "font_size": "14px"}),
                rx.vstack(*[_view_choice(v, label) for v, label in VIEW_CHOICES], spacing="2"),
                style={"border": "none", "padding": "0", "margin": "0"},
            ),
            field_error(S.field_errors, "sees"),
            error_callout(S.error),
            rx.hstack(
                rx.button(
                    "Send invitation", type="submit", size="3", id="household-send", flex="1"
                ),
                rx.button(
                    "Cancel",
                    type="button",
                    size="3",
                    variant="soft",
                    color_scheme="gray",
                    on_click=S.cancel_invite,
                ),
                width="100%",
                spacing="2",
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=S.invite,
        reset_on_submit=False,
        id="household-invite-form",
        width="100%",
    )


def household_section() -> rx.Component:
    return rx.cond(
        S.shown,
        rx.card(
            rx.vstack(
                rx.heading("Who can log in", size="4", as_="h2"),
                rx.text(
                    rx.cond(
                        S.can_manage,
                        "Choose who can see this account in Client Center, and what each "
                        "person sees.",
                        "The primary applicant chooses who can log in and what they see.",
                    ),
                    size="2",
                    color_scheme="gray",
                ),
                notice_callout(S.notice, id="household-notice"),
                rx.cond(~S.inviting, error_callout(S.error)),
                rx.foreach(S.members, _member),
                rx.cond(
                    S.can_manage,
                    rx.cond(
                        S.inviting,
                        _invite_form(),
                        rx.button(
                            rx.icon("user-plus", size=18),
                            "Invite someone",
                            size="3",
                            width="100%",
                            on_click=S.start_invite,
                            id="household-invite",
                        ),
                    ),
                ),
                spacing="3",
                width="100%",
            ),
            width="100%",
            id="household",
        ),
    )


def household_mount() -> rx.Component:
    """Loads the section when Profile mounts."""
    return rx.box(household_section(), on_mount=S.load, width="100%")
