"""The profile's edit sections: personal information, contact preferences and the
co-applicant. The profile page includes `profile_sections()`; it loads itself."""

from __future__ import annotations

import reflex as rx

from clientcenter.components.common import error_callout, notice_callout
from clientcenter.components.forms import INPUT_STYLE, form_field
from clientcenter.services.portal.request_forms import FormField
from clientcenter.state.portal.profile_edit import ContactRow, ProfileEditState

S = ProfileEditState
NAME_FIELDS = (
    FormField("first_name", "First name", max_len=80),
    FormField("last_name", "Last name", max_len=80),
)
EMAIL = FormField(
    "email",
    "Email address",
    "email",
    hint="Used to log in. A new address is confirmed with a code sent to it.",
)
MOBILE = FormField(
    "mobile",
    "Mobile number",
    "phone",
    required=False,
    hint="For text messages and login codes. A new number is confirmed by text.",
)


def _value_row(label: str, value) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray"),
        rx.text(rx.cond(value != "", value, "—"), size="2", word_break="break-all"),
        spacing="0",
        width="100%",
    )


def _header(title: str, section: str, can_edit) -> rx.Component:
    return rx.hstack(
        rx.heading(title, size="4", as_="h2"),
        rx.spacer(),
        rx.cond(
            can_edit & (S.editing != section),
            rx.button(
                rx.icon("pencil", size=14),
                "Edit",
                size="2",
                variant="soft",
                on_click=S.edit(section),
                id=f"edit-{section}",
            ),
        ),
        align="center",
        width="100%",
    )


def _buttons(prefix: str) -> rx.Component:
    return rx.hstack(
        rx.button("Save", type="submit", size="3", flex="1", id=f"{prefix}-save"),
        rx.button(
            "Cancel",
            type="button",
            size="3",
            variant="soft",
            color_scheme="gray",
            on_click=S.edit(""),
            flex="1",
            id=f"{prefix}-cancel",
        ),
        width="100%",
        spacing="2",
    )


def _contact_form(prefix: str, who: ContactRow, on_submit) -> rx.Component:
    values = {
        "first_name": who.first_name,
        "last_name": who.last_name,
        "email": who.email,
        "mobile": who.mobile_display,
    }
    return rx.form(
        rx.vstack(
            *[
                form_field(f, S.field_errors, prefix, default_value=values[f.key])
                for f in (*NAME_FIELDS, EMAIL, MOBILE)
            ],
            error_callout(S.form_error),
            _buttons(prefix),
            spacing="3",
            width="100%",
        ),
        on_submit=on_submit,
        id=f"{prefix}-form",
        width="100%",
    )


def _contact_summary(who: ContactRow) -> rx.Component:
    return rx.vstack(
        _value_row("Name", who.first_name + " " + who.last_name),
        _value_row("Email", who.email),
        _value_row("Mobile", who.mobile_display),
        spacing="2",
        width="100%",
    )


def _checkbox(name: str, label: str, checked) -> rx.Component:
    return rx.el.label(
        rx.el.input(
            type="checkbox",
            name=name,
            id=f"pref-{name}",
            default_checked=checked,
            style={
                "width": "22px",
                "height": "22px",
                "accent_color": "var(--accent-9)",
                "flex_shrink": "0",
            },
        ),
        rx.text(label, size="3"),
        html_for=f"pref-{name}",
        style={
            "display": "flex",
            "gap": "10px",
            "align_items": "center",
            "min_height": "44px",
            "cursor": "pointer",
        },
    )


def _section(
    title: str, key: str, can_edit, view: rx.Component, edit: rx.Component, *above, id: str
) -> rx.Component:
    """A profile card: its heading with Edit, and ``view``, or ``edit`` while editing ``key``."""
    return rx.card(
        rx.vstack(
            _header(title, key, can_edit),
            *above,
            rx.cond(S.editing == key, edit, view),
            spacing="2",
            width="100%",
        ),
        width="100%",
        id=id,
    )


def personal_section() -> rx.Component:
    return _section(
        "Personal information",
        "personal",
        S.is_customer & ~S.read_only,
        _contact_summary(S.me),
        _contact_form("personal", S.me, S.save_personal),
        rx.text(S.me.role_label, size="1", color_scheme="gray"),
        id="personal-info",
    )


def preferences_section() -> rx.Component:
    ways = rx.cond(
        S.me.notify_by_email & S.me.notify_by_sms,
        "By email and text message",
        rx.cond(S.me.notify_by_sms, "By text message", "By email"),
    )
    form = rx.form(
        rx.vstack(
            rx.text("How should we send you notices about your policies?", size="2"),
            _checkbox("notify_by_email", "Email", S.me.notify_by_email),
            _checkbox("notify_by_sms", "Text message", S.me.notify_by_sms),
            rx.cond(
                S.me.mobile == "",
                rx.text(
                    "Add a mobile number to get text messages.", size="1", color_scheme="gray"
                ),
            ),
            error_callout(S.form_error),
            _buttons("preferences"),
            spacing="2",
            width="100%",
        ),
        on_submit=S.save_preferences,
        id="preferences-form",
        width="100%",
    )
    return _section(
        "Contact preferences",
        "preferences",
        S.is_customer & ~S.read_only,
        _value_row("Notices", ways),
        form,
        id="contact-preferences",
    )


def co_applicant_section() -> rx.Component:
    return rx.cond(
        S.has_co_applicant,
        _section(
            "Co-applicant",
            "co",
            S.can_edit_co,
            _contact_summary(S.co),
            _contact_form("co", S.co, S.save_co_applicant),
            id="co-applicant",
        ),
    )


def verify_card() -> rx.Component:
    """Enter the code sent to the new email or mobile (or, for the co-applicant's, the code
    the co-applicant received at their current address and agreed to share)."""
    return rx.cond(
        S.verify_field != "",
        rx.card(
            rx.form(
                rx.vstack(
                    rx.heading(
                        rx.cond(
                            S.verify_field == "email",
                            "Confirm the new email",
                            "Confirm the new mobile number",
                        ),
                        size="4",
                        as_="h2",
                    ),
                    rx.text(S.verify_message, size="2", id="verify-message"),
                    rx.el.label(
                        "6-digit code",
                        html_for="verify-code",
                        style={"font_weight": "500", "font_size": "14px"},
                    ),
                    rx.el.input(
                        name="code",
                        id="verify-code",
                        input_mode="numeric",
                        auto_complete="one-time-code",
                        max_length=12,
                        pattern="[0-9 ]*",
                        required=True,
                        style={
                            **INPUT_STYLE,
                            "letter_spacing": "0.3em",
                            "font_size": "20px",
                            "max_width": "220px",
                        },
                    ),
                    rx.cond(
                        S.verify_error != "",
                        rx.text(
                            S.verify_error,
                            size="2",
                            color_scheme="red",
                            id="verify-error",
                            role="alert",
                        ),
                    ),
                    rx.button(
                        "Confirm", type="submit", size="3", width="100%", id="verify-submit"
                    ),
                    rx.hstack(
                        rx.button(
                            "Send a new code",
                            type="button",
                            variant="ghost",
                            size="2",
                            on_click=S.resend_code,
                            id="verify-resend",
                        ),
                        rx.spacer(),
                        rx.button(
                            "Cancel",
                            type="button",
                            variant="ghost",
                            size="2",
                            color_scheme="gray",
                            on_click=S.cancel_code,
                            id="verify-cancel",
                        ),
                        width="100%",
                    ),
                    spacing="3",
                    width="100%",
                ),
                on_submit=S.confirm_code,
                reset_on_submit=True,
                id="verify-form",
            ),
            width="100%",
            id="verify-card",
        ),
    )


def profile_sections() -> rx.Component:
    return rx.vstack(
        notice_callout(S.saved_message, id="profile-saved"),
        error_callout(S.profile_error),
        rx.cond(S.editing == "", error_callout(S.form_error)),
        verify_card(),
        rx.cond(
            S.profile_loaded & (S.profile_error == ""),
            rx.vstack(
                rx.cond(
                    S.is_customer | S.read_only,
                    rx.vstack(
                        personal_section(), preferences_section(), spacing="4", width="100%"
                    ),
                ),
                co_applicant_section(),
                spacing="4",
                width="100%",
            ),
        ),
        on_mount=S.load,
        spacing="4",
        width="100%",
        id="profile-sections",
    )
