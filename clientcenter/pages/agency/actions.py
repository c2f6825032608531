"""Agency-side action pages for one account: share a document (email / text), publish
policies and invoices, share a certificate, and the payment entry points."""

from __future__ import annotations

import reflex as rx

from clientcenter import routes
from clientcenter.components.agency.ui import (
    SELECT_STYLE,
    agent_shell,
    empty,
    entries,
    field_label,
    list_row,
    messages,
    muted,
    page_title,
    section,
)
from clientcenter.state.agency.actions import (
    AgentAccountActionState,
    AgentCertificatesState,
    AgentPaymentsState,
    AgentPublishState,
    AgentShareState,
    HolderLink,
    PayableInvoice,
    PublishChoice,
    ShareableCertificate,
    ShareableDocument,
)


def _title(title: str, state: type[AgentAccountActionState], subtitle) -> rx.Component:
    """The page's title under a link back to the account it acts on."""
    back = (state.account_name, routes.agent_account_path(state.account_id))
    return page_title(title, subtitle, back=back)


def _channel_choice(
    name: str, email_label: str, text_label: str, text_enabled=True
) -> rx.Component:
    return rx.radio_group.root(
        rx.vstack(
            rx.el.label(
                rx.hstack(
                    rx.radio_group.item(value="email", id=f"{name}-email"),
                    rx.text(email_label, size="2"),
                    align="center",
                    spacing="2",
                )
            ),
            rx.el.label(
                rx.hstack(
                    rx.radio_group.item(
                        value="sms",
                        id=f"{name}-sms",
                        disabled=~text_enabled
                        if isinstance(text_enabled, rx.Var)
                        else not text_enabled,
                    ),
                    rx.text(text_label, size="2"),
                    align="center",
                    spacing="2",
                )
            ),
            spacing="2",
        ),
        name="channel",
        default_value="email",
        required=True,
    )


# --- share document ----------------------------------------------------------------------


def _document_option(d: ShareableDocument) -> rx.Component:
    return rx.el.label(
        rx.hstack(
            rx.radio_group.item(value=d.id.to_string(), class_name="share-document-option"),
            rx.vstack(
                rx.text(d.title, size="2", weight="medium"),
                muted(
                    d.category,
                    " · ",
                    d.created,
                    rx.cond(d.shared, " · visible to the customer", ""),
                ),
                spacing="0",
                min_width="0",
            ),
            align="start",
            spacing="2",
        ),
        width="100%",
    )


def share_document_page() -> rx.Component:
    s = AgentShareState
    return agent_shell(
        _title(
            "Share a document",
            s,
            "The customer gets a secure link by email or text; it opens after they log in.",
        ),
        messages("share", s.error, s.notice),
        rx.cond(
            s.account_id != "",
            rx.form(
                rx.vstack(
                    section(
                        "Document",
                        rx.cond(
                            s.documents.length() > 0,
                            rx.radio_group.root(
                                entries(s.documents, _document_option, spacing="3"),
                                name="document_id",
                                required=True,
                                width="100%",
                            ),
                            empty("No documents on this account yet."),
                        ),
                    ),
                    section(
                        "Send the link by",
                        _channel_choice(
                            "share-channel",
                            "Email (Share Document through Email)",
                            "Text message (Share Document through Text)",
                            s.has_mobile,
                        ),
                        rx.cond(
                            ~s.has_mobile,
                            muted(
                                "No mobile number on file for the primary applicant: email only."
                            ),
                        ),
                    ),
                    rx.button(
                        rx.icon("send", size=18),
                        "Share document",
                        size="3",
                        width="100%",
                        type="submit",
                        id="share-document-submit",
                    ),
                    spacing="4",
                    width="100%",
                ),
                on_submit=s.share,
                reset_on_submit=False,
                width="100%",
            ),
        ),
        active=routes.AGENT_HOME,
    )


# --- publish -----------------------------------------------------------------------------


def _check(prefix: str, item: PublishChoice) -> rx.Component:
    return rx.el.label(
        rx.hstack(
            rx.checkbox(name=prefix + item.id.to_string(), class_name=f"publish-{prefix}box"),
            rx.text(item.label, size="2"),
            align="start",
            spacing="2",
        ),
        width="100%",
    )


def publish_page() -> rx.Component:
    s = AgentPublishState
    return agent_shell(
        _title(
            "Publish to the portal",
            s,
            "Policies/Invoices: make invoices and policy "
            "documents visible in the customer's Client Center. The customer is emailed.",
        ),
        messages("publish", s.error, s.notice),
        rx.cond(
            s.account_id != "",
            rx.form(
                rx.vstack(
                    section(
                        "Invoices not yet published",
                        entries(
                            s.invoices,
                            lambda i: _check("invoice-", i),
                            "Every invoice is published.",
                            spacing="2",
                        ),
                    ),
                    section(
                        "Documents the customer can't see yet",
                        entries(
                            s.documents,
                            lambda d: _check("document-", d),
                            "Every policy document is visible.",
                            spacing="2",
                        ),
                    ),
                    rx.button(
                        rx.icon("upload", size=18),
                        "Publish selected",
                        size="3",
                        width="100%",
                        type="submit",
                        id="publish-submit",
                    ),
                    spacing="4",
                    width="100%",
                ),
                on_submit=s.publish,
                width="100%",
            ),
        ),
        active=routes.AGENT_HOME,
    )


# --- certificates --------------------------------------------------------------------------


def _certificate(c: ShareableCertificate) -> rx.Component:
    email_id = "cert-email-" + c.id.to_string()
    return list_row(
        rx.text(c.holder, weight="medium", size="2"),
        muted(c.description, " · issued ", c.issued),
        rx.form(
            rx.vstack(
                rx.el.input(type="hidden", name="certificate_id", value=c.id),
                field_label("Send to", email_id),
                rx.input(
                    name="email",
                    id=email_id,
                    type="email",
                    default_value=c.email,
                    placeholder="holder@example.com",
                    width="100%",
                    size="2",
                ),
                rx.input(
                    name="note",
                    placeholder="Note for the holder (optional)",
                    width="100%",
                    size="2",
                    max_length=500,
                ),
                rx.button(
                    rx.icon("mail", size=16),
                    "Email certificate",
                    size="2",
                    type="submit",
                    class_name="share-certificate-submit",
                ),
                spacing="2",
                width="100%",
            ),
            on_submit=AgentCertificatesState.share,
            reset_on_submit=False,
            width="100%",
        ),
    )


def _holder_link(link: HolderLink) -> rx.Component:
    active = link.status == "active"
    return list_row(
        rx.hstack(
            rx.text(link.holder, weight="medium", size="2", min_width="0"),
            rx.spacer(),
            rx.badge(
                link.status_label,
                color_scheme=rx.cond(active, "green", "gray"),
                class_name="holder-link-status",
            ),
            align="center",
            width="100%",
            wrap="wrap",
        ),
        muted(link.certificate, " · sent to ", link.sent_to, " on ", link.sent),
        muted(
            link.downloads,
            " download(s)",
            rx.cond(link.last != "", " · last " + link.last, ""),
        ),
        rx.cond(
            active,
            rx.button(
                rx.icon("link-2-off", size=16),
                "Revoke link",
                size="2",
                variant="soft",
                color_scheme="red",
                on_click=AgentCertificatesState.revoke(link.id),
                id="revoke-link-" + link.id.to_string(),
            ),
        ),
        class_name="holder-link",
    )


def certificates_page() -> rx.Component:
    s = AgentCertificatesState
    return agent_shell(
        _title(
            "Share a certificate",
            s,
            "Email a certificate of insurance to its holder. "
            "The holder gets a download link that works for "
            + s.link_days.to_string()
            + " days, until you revoke it; every download is in the activity log.",
        ),
        messages("certificate", s.error, s.notice),
        rx.cond(
            s.account_id != "",
            section(
                "Certificates",
                entries(s.certificates, _certificate, "No certificates on this account."),
            ),
        ),
        rx.cond(
            s.account_id != "",
            section(
                "Links sent to holders",
                entries(
                    s.links, _holder_link, "No certificate has been emailed from this account yet."
                ),
                id_="holder-links",
            ),
        ),
        active=routes.AGENT_HOME,
    )


# --- payments ------------------------------------------------------------------------------


def _invoice_option(i: PayableInvoice) -> rx.Component:
    return rx.el.label(
        rx.hstack(
            rx.radio_group.item(value=i.id.to_string(), disabled=~i.published),
            rx.text(i.label, size="2"),
            rx.cond(~i.published, muted("(publish it first)")),
            align="center",
            spacing="2",
            wrap="wrap",
        ),
        width="100%",
    )


def payments_page() -> rx.Component:
    s = AgentPaymentsState
    return agent_shell(
        _title(
            "Payments",
            s,
            "Send a payment request by email or text, or take a one-time "
            "payment on the customer's behalf.",
        ),
        messages("payments", s.error, s.notice),
        rx.cond(
            ~s.available,
            rx.callout("Payments are turned off for this agency.", icon="info", width="100%"),
        ),
        rx.cond(
            (s.account_id != "") & s.available,
            rx.vstack(
                section(
                    "Payment request",
                    rx.form(
                        rx.vstack(
                            rx.text("Invoice", size="2", weight="medium"),
                            rx.cond(
                                s.invoices.length() > 0,
                                rx.radio_group.root(
                                    entries(s.invoices, _invoice_option, spacing="2"),
                                    name="invoice_id",
                                    required=True,
                                ),
                                empty("No open invoices."),
                            ),
                            rx.text("Send it by", size="2", weight="medium"),
                            _channel_choice("request-channel", "Email", "Text message"),
                            rx.button(
                                rx.icon("send", size=16),
                                "Send payment request",
                                size="3",
                                type="submit",
                                id="payment-request-submit",
                                width="100%",
                            ),
                            spacing="3",
                            width="100%",
                        ),
                        on_submit=s.request_payment,
                        reset_on_submit=False,
                        width="100%",
                    ),
                ),
                section(
                    "One-time payment",
                    rx.form(
                        rx.vstack(
                            field_label("Amount (USD)", "otp-amount"),
                            rx.input(
                                name="amount",
                                id="otp-amount",
                                input_mode="decimal",
                                placeholder="125.00",
                                width="100%",
                                size="3",
                                required=True,
                            ),
                            field_label("What it is for", "otp-memo"),
                            rx.input(
                                name="memo",
                                id="otp-memo",
                                placeholder="Endorsement fee",
                                width="100%",
                                size="3",
                                required=True,
                                max_length=120,
                            ),
                            field_label("How it was paid", "otp-method"),
                            rx.el.select(
                                rx.el.option("Check", value="check"),
                                rx.el.option("Bank transfer", value="bank_transfer"),
                                rx.el.option("Card (secure card page)", value="card"),
                                name="method",
                                id="otp-method",
                                style=SELECT_STYLE,
                            ),
                            rx.input(
                                name="reference",
                                placeholder="Check number or reference (optional)",
                                width="100%",
                                size="3",
                                max_length=60,
                            ),
                            rx.button(
                                rx.icon("receipt", size=16),
                                "Record payment",
                                size="3",
                                type="submit",
                                id="one-time-submit",
                                width="100%",
                            ),
                            spacing="2",
                            width="100%",
                        ),
                        on_submit=s.one_time_payment,
                        reset_on_submit=True,
                        width="100%",
                    ),
                ),
                spacing="4",
                width="100%",
            ),
        ),
        active=routes.AGENT_HOME,
    )
