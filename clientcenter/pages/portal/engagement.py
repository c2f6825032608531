"""Refer a friend (/refer), feedback (/feedback) and the claim experience survey
(/claims/[claim_id]/survey)."""

from __future__ import annotations

import reflex as rx

from clientcenter import routes
from clientcenter.components.common import error_callout, notice_callout, once_loaded
from clientcenter.components.forms import (
    field_error,
    form_card,
    form_field,
    page_title,
    submit_button,
)
from clientcenter.components.layout import page_shell
from clientcenter.services.portal.engagement import RATING_WORDS, SURVEY_QUESTIONS
from clientcenter.services.portal.request_forms import FormField
from clientcenter.state.portal.engagement import EngagementState

S = EngagementState
REFERRAL_FIELDS = (
    FormField("friend_name", "Your friend's name", max_len=80),
    FormField("friend_email", "Their email", "email", required=False),
    FormField(
        "friend_phone",
        "Their phone",
        "phone",
        required=False,
        hint="An email or a phone number, so we can reach them.",
    ),
    FormField(
        "note",
        "Anything we should know",
        "textarea",
        required=False,
        max_len=1000,
        hint="For example: just bought a house, looking for business insurance.",
    ),
)
COMMENT = FormField("comment", "Comment", "textarea", required=False, max_len=2000)


def star_rating(name: str, legend: str, *, required: bool = True) -> rx.Component:
    """Five radio buttons drawn as numbered chips: works with a thumb, a keyboard and a form."""
    chips = []
    for value in range(1, 6):
        rid = f"{name}-{value}"
        chips.append(
            rx.el.label(
                rx.el.input(
                    type="radio",
                    name=name,
                    value=str(value),
                    id=rid,
                    required=required and value == 1,
                    style={
                        "position": "absolute",
                        "opacity": "0",
                        "width": "1px",
                        "height": "1px",
                    },
                ),
                rx.el.span(f"{value}★", class_name="star-chip-face"),
                html_for=rid,
                title=RATING_WORDS[value],
                class_name="star-chip",
            )
        )
    return rx.el.fieldset(
        rx.el.legend(
            legend,
            style={
                "font_weight": "500",
                "font_size": "14px",
                "margin_bottom": "6px",
                "padding": "0",
            },
        ),
        rx.hstack(*chips, spacing="2", wrap="wrap"),
        rx.text("1 = very poor, 5 = excellent", size="1", color_scheme="gray"),
        field_error(S.field_errors, name),
        style={"border": "none", "padding": "0", "margin": "0", "width": "100%", "min_width": "0"},
    )


STAR_CSS = rx.el.style("""
.star-chip { position: relative; }
.star-chip-face { display: inline-flex; align-items: center; justify-content: center;
  min-width: 48px; min-height: 44px; border-radius: var(--radius-3); font-size: 16px;
  border: 1px solid var(--gray-7); background: var(--gray-1); cursor: pointer; }
.star-chip input:checked + .star-chip-face { background: var(--accent-9);
  color: var(--accent-contrast); border-color: var(--accent-9); }
.star-chip input:focus-visible + .star-chip-face { outline: 2px solid var(--accent-8);
  outline-offset: 2px; }
""")


def referral_page() -> rx.Component:
    return page_shell(
        page_title(
            "Refer a friend",
            "Know someone who'd like the same care? We'll take it from here.",
            id="referral-heading",
        ),
        error_callout(S.error),
        form_card(
            *[form_field(f, S.field_errors, "referral") for f in REFERRAL_FIELDS],
            error_callout(S.form_error),
            notice_callout(S.done_message, id="referral-done"),
            submit_button("Send referral", "referral-submit", disabled=S.read_only),
            on_submit=S.refer,
            id="referral-form",
        ),
        nav_active=routes.REFER,
    )


def feedback_page() -> rx.Component:
    return page_shell(
        STAR_CSS,
        page_title(
            "Feedback", "How are we doing? Your agency reads every answer.", id="feedback-heading"
        ),
        error_callout(S.error),
        form_card(
            star_rating("rating", "Your rating"),
            form_field(COMMENT, S.field_errors, "feedback"),
            error_callout(S.form_error),
            notice_callout(S.done_message, id="feedback-done"),
            submit_button("Send feedback", "feedback-submit", disabled=S.read_only),
            on_submit=S.feedback,
            id="feedback-form",
        ),
        nav_active=routes.FEEDBACK,
    )


def survey_page() -> rx.Component:
    c = S.claim
    form = form_card(
        star_rating("rating", "Overall, how was your claim experience?"),
        *[star_rating(key, question, required=False) for key, question in SURVEY_QUESTIONS],
        form_field(COMMENT, S.field_errors, "survey"),
        error_callout(S.form_error),
        submit_button("Send answers", "survey-submit", disabled=S.read_only),
        on_submit=S.survey,
        id="survey-form",
        spacing="4",
    )
    return page_shell(
        STAR_CSS,
        page_title(
            "Claim experience survey", back=("Home", routes.CUSTOMER_HOME), id="survey-heading"
        ),
        once_loaded(
            S.loaded,
            S.error,
            rx.vstack(
                rx.card(
                    rx.vstack(
                        rx.text("Claim ", c.number, weight="bold", size="3", id="survey-claim"),
                        rx.text(c.description, size="2"),
                        rx.text(
                            c.policy, " · loss on ", c.loss_date, size="1", color_scheme="gray"
                        ),
                        spacing="1",
                    ),
                    width="100%",
                ),
                rx.cond(
                    S.done_message != "", notice_callout(S.done_message, id="survey-done"), form
                ),
                spacing="4",
                width="100%",
            ),
        ),
        nav_active=routes.CLAIM_SURVEY,
    )
