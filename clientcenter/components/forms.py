"""Form building blocks for the self-service pages, phone first: one column, big touch
targets, 16px text (so iOS does not zoom), native pickers for dates and choices, and each
error under the field it is about."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx

from clientcenter.services.portal.request_forms import FormField

INPUT_STYLE = {
    "width": "100%",
    "min_height": "44px",
    "padding": "8px 12px",
    "font_size": "16px",
    "border_radius": "var(--radius-3)",
    "border": f"1px solid {rx.color('gray', 7)}",
    "background_color": rx.color("gray", 1),
    "color": rx.color("gray", 12),
    "box_sizing": "border-box",
}
INPUT_MODES = {
    "zip": "numeric",
    "year": "numeric",
    "integer": "numeric",
    "money": "decimal",
    "phone": "tel",
    "email": "email",
}
AUTOCOMPLETE = {
    "street": "address-line1",
    "city": "address-level2",
    "state": "address-level1",
    "postal_code": "postal-code",
    "first_name": "given-name",
    "last_name": "family-name",
    "email": "email",
    "mobile": "tel",
}
# Field kinds whose choices are the account's own records, loaded into the page's state.
RECORD_KINDS = ("policy", "auto_policy", "vehicle", "driver")


def field_label(text: str, html_for: str, required: bool) -> rx.Component:
    optional = rx.el.span(
        " (optional)", style={"color": rx.color("gray", 11), "font_weight": "400"}
    )
    return rx.el.label(
        text,
        rx.fragment() if required else optional,
        html_for=html_for,
        style={"font_weight": "500", "font_size": "14px", "display": "block"},
    )


def field_error(errors, key: str) -> rx.Component:
    return rx.cond(
        errors.contains(key),
        rx.text(errors[key], size="2", color_scheme="red", id=f"error-{key}", role="alert"),
    )


def _pair(option) -> tuple:
    return option[0], option[1]


def native_select(
    name: str | None,
    id: str,
    options,
    *,
    placeholder: str,
    placeholder_value: str = "",
    required: bool = False,
    dynamic: bool = False,
    pair: Callable[[Any], tuple] = _pair,
    value=None,
    on_change=None,
    aria_label: str | None = None,
    aria: dict | None = None,
    default_value=None,
) -> rx.Component:
    """A native <select>: the phone's own picker, and a value forms always submit. (A Radix
    select renders all its options a second time, into a hidden fragment, right after the page
    hydrates: with three on a page that held up the websocket's first update.)

    `options` are (value, label) pairs, or with `dynamic` a state list var whose items `pair`
    turns into (value, label). `name` and `required` for a form field; `value` and `on_change`
    for a select bound to state, which then needs `aria_label` when it has no <label>."""
    first = rx.el.option(placeholder, value=placeholder_value)
    if dynamic:
        items = rx.foreach(options, lambda o: rx.el.option(pair(o)[1], value=pair(o)[0]))
    else:
        items = rx.fragment(*[rx.el.option(label, value=value) for value, label in options])
    props = {"name": name, "required": required or None, "value": value}
    if default_value is not None:
        props["default_value"] = default_value
    props |= {"on_change": on_change, "aria_label": aria_label}
    return rx.el.select(
        first,
        items,
        id=id,
        style={**INPUT_STYLE, "appearance": "auto"},
        **{key: prop for key, prop in props.items() if prop is not None},
        **(aria or {}),
    )


def form_field(
    field: FormField, errors, prefix: str, choices: dict | None = None, default_value=None
) -> rx.Component:
    """Label, input and error for one described field."""
    fid = f"{prefix}-{field.key}"
    # A refused field says so to a screen reader, and points at its message (field_error).
    bad = errors.contains(field.key)
    aria = {"aria_invalid": bad, "aria_describedby": rx.cond(bad, f"error-{field.key}", None)}
    common = {"name": field.key, "id": fid, **aria}
    kind = field.kind
    if kind == "textarea":
        control = rx.el.textarea(
            **common,
            rows=4,
            max_length=field.max_len,
            required=field.required,
            style={**INPUT_STYLE, "resize": "vertical"},
        )
    elif kind == "select":
        control = native_select(
            field.key,
            fid,
            field.options,
            placeholder="Choose…",
            required=field.required,
            dynamic=False,
            aria=aria,
        )
    elif kind in RECORD_KINDS:
        records = (choices or {})[kind]
        control = native_select(
            field.key,
            fid,
            records,
            placeholder="Choose…",
            required=field.required,
            dynamic=True,
            aria=aria,
            # The only matching record is the one the customer means: chosen for them.
            default_value=rx.cond(records.length() == 1, records[0][0], ""),
        )
    elif kind == "state":
        control = rx.el.input(
            **common,
            max_length=2,
            auto_complete="address-level1",
            auto_capitalize="characters",
            required=field.required,
            placeholder="ME",
            style={**INPUT_STYLE, "max_width": "96px"},
        )
    else:
        input_type = {"date": "date", "email": "email", "phone": "tel"}.get(kind, "text")
        extra = {}
        if kind in INPUT_MODES:
            extra["input_mode"] = INPUT_MODES[kind]
        if field.key in AUTOCOMPLETE:
            extra["auto_complete"] = AUTOCOMPLETE[field.key]
        if kind == "vin":
            extra.update(
                auto_capitalize="characters", max_length=17, spell_check=False, auto_complete="off"
            )
        elif kind not in ("date",):
            extra["max_length"] = {
                "zip": 10,
                "year": 4,
                "integer": 9,
                "money": 16,
                "email": 254,
                "phone": 20,
            }.get(kind, field.max_len)
        if default_value is not None:
            extra["default_value"] = default_value
        control = rx.el.input(
            **common, type=input_type, required=field.required, style=INPUT_STYLE, **extra
        )
    return rx.vstack(
        field_label(field.label, fid, field.required),
        control,
        rx.text(field.hint, size="1", color_scheme="gray") if field.hint else rx.fragment(),
        field_error(errors, field.key),
        spacing="1",
        width="100%",
        class_name="form-field",
    )


def submit_button(label: str, id: str, *, disabled=False) -> rx.Component:
    return rx.button(label, type="submit", size="3", width="100%", id=id, disabled=disabled)


def form_card(
    *children: rx.Component, on_submit, id: str, spacing: str = "3", **form_props
) -> rx.Component:
    """A form in a card, its fields (and its error, notice and submit button) in one column."""
    return rx.card(
        rx.form(
            rx.vstack(*children, spacing=spacing, width="100%"),
            on_submit=on_submit,
            id=id,
            width="100%",
            **form_props,
        ),
        width="100%",
    )


def page_title(
    title: str,
    subtitle: str = "",
    *,
    back: tuple[str, str] | None = None,
    id: str | None = None,
    anchor: str | None = None,
) -> rx.Component:
    return rx.vstack(
        rx.link(
            rx.hstack(
                rx.icon("chevron-left", size=16),
                rx.text(back[0], size="2"),
                align="center",
                spacing="1",
            ),
            href=back[1],
            underline="none",
        )
        if back
        else rx.fragment(),
        # tabindex -1: no tab stop, but a flow that swaps the page's content (back to a
        # chooser) can give it the focus rather than drop it to <body>.
        rx.heading(title, size="6", as_="h1", id=id, tab_index=-1),
        rx.text(subtitle, size="2", color_scheme="gray") if subtitle else rx.fragment(),
        spacing="1",
        width="100%",
        id=anchor,
        scroll_margin_top="72px",  # clear the sticky header when scrolled to
    )


def choice_card(
    icon: str,
    title: str,
    detail: str | rx.Var,
    *,
    href: str | None = None,
    on_click=None,
    id: str | None = None,
) -> rx.Component:
    """A large tappable row: icon, title and one line of explanation, with a chevron."""
    body = rx.card(
        rx.hstack(
            rx.icon(icon, size=22, color=rx.color("accent", 11), flex_shrink="0"),
            rx.vstack(
                rx.text(title, weight="bold", size="3"),
                rx.text(detail, size="2", color_scheme="gray"),
                spacing="0",
                min_width="0",
                flex="1",
            ),
            rx.icon("chevron-right", size=18, color=rx.color("gray", 9), flex_shrink="0"),
            align="center",
            spacing="3",
            width="100%",
        ),
        width="100%",
    )
    if href is not None:
        return rx.link(body, href=href, underline="none", color="inherit", width="100%", id=id)
    return plain_button(body, on_click=on_click, id=id)


# A real <button> (Enter and Space work, it is announced as one) that looks like its content.
PLAIN_BUTTON_STYLE = {
    "all": "unset",
    "box_sizing": "border-box",
    "display": "block",
    "width": "100%",
    "cursor": "pointer",
    "text_align": "left",
    "border_radius": "var(--radius-4)",
    "&:focus-visible": {"outline": "2px solid var(--accent-9)", "outline_offset": "2px"},
}


def plain_button(*children: rx.Component, on_click, id: str | None = None) -> rx.Component:
    return rx.el.button(
        *children, type="button", on_click=on_click, id=id, style=PLAIN_BUTTON_STYLE
    )
