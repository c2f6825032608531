"""Message templates: every email (HTML and text) and SMS is rendered here, with the agency's
branding. Values are escaped for HTML; templates are ``string.Template`` text, so a value can
never inject template syntax."""

from __future__ import annotations

import html
from dataclasses import dataclass
from importlib import resources
from string import Template
from urllib.parse import urljoin

from clientcenter.palette import solid_shade
from clientcenter.radix_scales import SCALES
from clientcenter.settings import Settings, get_settings

SMS_MAX_CHARS = 320  # two concatenated segments at most

# Each accent's solid shade (Radix step 9, darkened where white text on it fails WCAG AA:
# clientcenter/palette.py), for emails and the embed snippet's button.
ACCENT_HEX = {name: solid_shade(name) for name in SCALES}
LIGHT_ACCENTS = {"sky", "mint", "lime", "yellow", "amber"}


@dataclass(frozen=True)
class MessageTemplate:
    subject: str
    text: str  # plain-text email body; paragraphs separated by blank lines
    sms: str
    # Values that must never appear in any other template (the login code).
    sensitive: bool = False


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    sms: str


_SIGNATURE = "\n\n${agency_name}\n${agency_phone} · ${agency_email}\n${agency_website}"

TEMPLATES: dict[str, MessageTemplate] = {
    "login_code": MessageTemplate(
        subject="Your ${agency_short} sign-in code",
        text="Your Client Center sign-in code is ${code}.\n\nIt expires in ${minutes} minutes "
        "and works once. If you did not ask for it, you can ignore this message.",
        sms="${agency_short}: your sign-in code is ${code}. It expires in ${minutes} min. "
        "Never share it.",
        sensitive=True,
    ),
    # Profile: a new email or mobile is confirmed by a code sent to the new address.
    "contact_code": MessageTemplate(
        subject="Confirm your new ${what} for ${agency_short} Client Center",
        text="Your code to confirm this ${what} is ${code}.\n\nIt expires in ${minutes} "
        "minutes and works once. If you did not ask to change your contact details, ignore "
        "this message and call us.",
        sms="${agency_short}: your code to confirm this number is ${code}. It expires in "
        "${minutes} min. Never share it.",
        sensitive=True,
    ),
    # Profile: another person (the primary) asked to change this contact's email or mobile;
    # the code goes to this contact's current address, and works only if they hand it over.
    "contact_code_other": MessageTemplate(
        subject="${requester} asked to change your ${what} for ${agency_short} Client Center",
        text="Hi ${first_name},\n\n${requester} asked to ${change} on your Client Center "
        "profile for ${account_name}.\n\nIf you agree, give ${requester_first} this code: "
        "${code}. It works once, for ${minutes} minutes, and only for this change: it cannot "
        "be used to log in.\n\nIf you don't agree, don't share the code and nothing changes. "
        "If this surprises you, call us.",
        sms="${agency_short}: ${requester} asked to ${change} on your Client Center profile. "
        "If you agree, give them code ${code} (${minutes} min; it can't log in). If not, "
        "ignore this.",
        sensitive=True,
    ),
    # Profile: to the email or mobile that a confirmed change replaced (no code, no link).
    "contact_changed": MessageTemplate(
        subject="Your ${what} for ${agency_short} Client Center was ${done}",
        text="Hi ${first_name},\n\nThe ${what} on your Client Center profile for "
        "${account_name} was ${done} ${by_whom}, so this one is no longer on file and gets no "
        "more sign-in codes.\n\nIf you made or agreed to this change, there is nothing to do. "
        "If not, call us at ${agency_phone} right away.",
        sms="${agency_short}: the ${what} on your Client Center profile was ${done} ${by_whom}; "
        "this number is no longer on file. Not you? Call ${agency_phone}.",
    ),
    # To the assigned producer, or the acting agent.
    "action_agent": MessageTemplate(
        subject="${sentence} · ${account_name}",
        text="${sentence} (${account_name}).\n\n${summary}\n\nActivity logged ${when}.",
        sms="${agency_short}: ${sentence} (${account_name}).",
    ),
    # To the customer who acted, or to the customer when an agent acted.
    "action_customer": MessageTemplate(
        subject="${headline}",
        text="Hi ${first_name},\n\n${headline}.\n\n${summary}",
        sms="${agency_short}: ${headline}. ${summary_short}",
    ),
    # To the primary applicant when a co-applicant or additional contact acted.
    "action_primary": MessageTemplate(
        subject="${sentence} in Client Center",
        text="Hi ${first_name},\n\n${sentence} in Client Center for ${account_name}."
        "\n\n${summary}\n\nWe let the primary applicant know about changes made "
        "by others on the account.",
        sms="${agency_short}: ${sentence} in Client Center for ${account_name}.",
    ),
    # Households (services/portal/household.py): the invitation to confirm from one's own
    # address (a signed single-use link), and the notice to the person a change concerns.
    "household_invite": MessageTemplate(
        subject="${inviter} invited you to ${agency_short} Client Center",
        text="Hi ${first_name},\n\n${inviter} invited you to log in to Client Center for "
        "${account_name}, where you will see: ${sees_label}.\n\nTo accept, open the link "
        "below and confirm. It works once, until ${expires}. After that you log in with "
        "${email}: there is no password, we send you a one-time code.\n\nIf you don't know "
        "${inviter} or don't want this, ignore this message and nothing happens.",
        sms="${agency_short}: ${inviter} invited you to Client Center. Check your email to "
        "accept.",
    ),
    "household_notice": MessageTemplate(
        subject="Your ${agency_short} Client Center access changed",
        text="Hi ${first_name},\n\n${change}\n\nThis was done by ${actor_name} for "
        "${account_name}. If this surprises you, call us.",
        sms="${agency_short}: ${change}",
    ),
    # Invite to Client Center (agency side, not a catalog action): the portal link.
    "portal_invite": MessageTemplate(
        subject="Your ${agency_short} Client Center is ready",
        text="Hi ${first_name},\n\n${agent_name} at ${agency_name} invites you to Client "
        "Center for ${account_name}: your policies, documents and ID cards, any time, from "
        "your phone.\n\nThere is no password: enter ${email} on the login page and we "
        "send you a one-time code.",
        sms="${agency_short}: your Client Center is ready. Log in with ${email}:",
    ),
    # Staff (services/agency/staff.py): a new agent's setup link, and a new one after an
    # administrator reset their second factor. The link is not a sign-in by itself: it
    # needs the emailed code too, in the browser that opened it.
    "staff_invite": MessageTemplate(
        subject="Set up your ${agency_short} Client Center sign-in",
        text="Hi ${first_name},\n\n${admin_name} added you to ${agency_name}'s Client Center "
        "as ${role_label}.\n\nOpen the link below in the browser you will work in, then "
        "sign in with ${email}: we email you a one-time code, and you set up an "
        "authenticator app on your phone. The link works once, until ${expires}.",
        sms="${agency_short}: check your email (${email}) to set up your Client Center sign-in.",
    ),
    "staff_reset": MessageTemplate(
        subject="Set up your ${agency_short} authenticator app again",
        text="Hi ${first_name},\n\n${admin_name} reset the authenticator app of your "
        "${agency_name} Client Center sign-in, and your sessions have ended.\n\nOpen the link "
        "below in the browser you work in, then sign in with ${email} and set up the app "
        "again. The link works once, until ${expires}. If you did not ask for this, tell "
        "${admin_name}.",
        sms="${agency_short}: your authenticator app was reset; check your email (${email}).",
    ),
    # Share Certificate: to the certificate holder (not a customer), with a time-limited link.
    "certificate_to_holder": MessageTemplate(
        subject="Certificate of insurance: ${account_name}",
        text="Hello,\n\n${agency_name} sends you the certificate of insurance for "
        "${account_name}, issued to ${holder_name}.\n\n${note}\n\nThe link works until "
        "${expires}.",
        sms="${agency_short}: certificate of insurance for ${account_name}:",
    ),
}

# What the customer reads as the headline, per action; the catalog's label otherwise.
CUSTOMER_HEADLINES: dict[str, str] = {
    "customer.upload_documents": "We received your document",
    "customer.contact_us": "We received your message",
    "customer.personal_change_request": "We received your change request",
    "customer.commercial_change_request": "We received your change request",
    "customer.general_request": "We received your request",
    "customer.edit_personal_info": "Your personal information was updated",
    "customer.edit_contact_preferences": "Your contact preferences were updated",
    "customer.edit_coapplicant_info": "Your co-applicant's information was updated",
    "customer.payments": "We received your payment",
    "customer.proposal": "We received your answer to the proposal",
    "customer.add_certificate_holder": "Your certificate holder was added",
    "customer.request_certificate": "We received your certificate request",
    "customer.referral": "Thank you for your referral",
    "customer.feedback": "Thank you for your feedback",
    "customer.claim_survey": "Thank you for telling us about your claim",
    "agent.payments": "A payment was made on your account",
    "agency.share_document_email": "${agency_short} shared a document with you",
    "agency.share_document_text": "${agency_short} shared a document with you",
    "agency.payment_request_email": "${agency_short} sent you a payment request",
    "agency.payment_request_text": "${agency_short} sent you a payment request",
    "agency.one_time_payment": "A payment was recorded on your account",
    "agency.publish_policies_invoices": "New policy documents are in your Client Center",
    "agency.share_certificate": "${agency_short} shared a certificate with you",
    "agency.update_request": "Your request has a new status",
}


class TemplateError(ValueError):
    pass


def branding_context(settings: Settings | None = None) -> dict[str, str]:
    settings = settings or get_settings()
    b = settings.branding
    public = str(settings.public_url)
    return {
        "agency_name": b.agency_name,
        "agency_short": b.short_name,
        "agency_phone": b.phone,
        "agency_email": str(b.email),
        "agency_address": b.address,
        "agency_website": str(b.website),
        "logo_url": urljoin(public, b.logo_url),
        "accent": ACCENT_HEX.get(b.accent_color, ACCENT_HEX["teal"]),
        "accent_text": "#1c2024" if b.accent_color in LIGHT_ACCENTS else "#ffffff",
        "portal_url": public,
    }


def _fill(text: str, values: dict[str, str]) -> str:
    # One pass: substituted values are never read as template text.
    return Template(text).safe_substitute(values)


def customer_headline(action_key: str, label: str, settings: Settings | None = None) -> str:
    """The customer's headline for an action (it may name the agency)."""
    text = CUSTOMER_HEADLINES.get(action_key)
    if text is None:
        return label
    return _fill(text, branding_context(settings))


def _html_paragraphs(text: str) -> str:
    parts = [p.strip() for p in text.split("\n\n") if p.strip()]
    return "\n".join(
        '<p style="margin:0 0 16px;">' + html.escape(p).replace("\n", "<br>") + "</p>"
        for p in parts
    )


def _button(url: str, label: str, accent: str, accent_text: str) -> str:
    return (
        f'<p style="margin:8px 0 16px;"><a href="{html.escape(url, quote=True)}" '
        f'style="display:inline-block;background:{accent};color:{accent_text};'
        'padding:12px 20px;border-radius:8px;text-decoration:none;font-weight:600;">'
        f"{html.escape(label)}</a></p>"
    )


def render(name: str, context: dict[str, object], settings: Settings | None = None) -> Rendered:
    """Render one template. Raises TemplateError for an unknown template or a missing value."""
    try:
        tpl = TEMPLATES[name]
    except KeyError:
        raise TemplateError(f"unknown message template {name!r}") from None
    values = branding_context(settings)
    values.update({k: "" if v is None else str(v) for k, v in context.items()})
    if not tpl.sensitive and "code" in context:
        raise TemplateError("only the login-code message may carry a code")
    summary = values.get("summary", "")
    values.setdefault("summary_short", summary[:120])
    for needed in _placeholders(tpl):
        if needed not in values:
            raise TemplateError(f"template {name!r} needs a value for {needed!r}")
    subject = " ".join(_fill(tpl.subject, values).split())
    text_body = _fill(tpl.text, values).strip()
    url, url_label = values.get("url", ""), values.get("url_label", "") or "Open Client Center"
    if url:
        text_body += f"\n\n{url_label}: {url}"
    text_body = (text_body + _fill(_SIGNATURE, values)).replace("\n\n\n", "\n\n")
    content = _html_paragraphs(_fill(tpl.text, values))
    if url:
        content += _button(url, url_label, values["accent"], values["accent_text"])
    html_values = {k: html.escape(v, quote=True) for k, v in values.items()}
    html_values["subject"] = html.escape(subject)
    base = (
        resources.files("clientcenter.services.notify.templates")
        .joinpath("email_base.html")
        .read_text()
    )
    # content is already escaped HTML.
    page = Template(base).safe_substitute({**html_values, "content": content})
    sms = " ".join(_fill(tpl.sms, values).split())
    if url:
        sms = f"{sms} {url}"
    if len(sms) > SMS_MAX_CHARS:
        sms = sms[: SMS_MAX_CHARS - 1].rstrip() + "…"
    return Rendered(subject=subject, text=text_body, html=page, sms=sms)


def _placeholders(tpl: MessageTemplate) -> set[str]:
    found: set[str] = set()
    for text in (tpl.subject, tpl.text, tpl.sms):
        for match in Template.pattern.finditer(text):
            name = match.group("named") or match.group("braced")
            if name:
                found.add(name)
    return found
