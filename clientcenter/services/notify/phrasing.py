"""What an action reads as in people's words: "Pat Rivera uploaded 2 documents".

The catalog's labels stay the source documents' names (the matrix's keys and rows); this is
the sentence the task queue and the activity log show. Each action has a past-tense phrase for
one occurrence and, when a task gathers several, one for many ("{n}" is the count)."""

from __future__ import annotations

from typing import Any

from clientcenter.services.notify.catalog import CATALOG

# key -> (one, many). many is None when repeating it reads the same.
PHRASES: dict[str, tuple[str, str | None]] = {
    "customer.login_email": ("signed in with a code by email", None),
    "customer.login_text": ("signed in with a code by text", None),
    "customer.download_documents": ("downloaded a document", "downloaded {n} documents"),
    "customer.upload_documents": ("uploaded a document", "uploaded {n} documents"),
    "customer.id_card_download": ("downloaded ID cards", None),
    "customer.contact_us": ("sent the agency a message", "sent the agency {n} messages"),
    "customer.personal_change_request": ("asked for a policy change", None),
    "customer.commercial_change_request": ("asked for a policy change", None),
    "customer.general_request": ("sent a request", "sent {n} requests"),
    "customer.edit_personal_info": ("updated their personal information", None),
    "customer.edit_contact_preferences": ("changed how they get notices", None),
    "customer.edit_coapplicant_info": ("updated a co-applicant's information", None),
    "customer.payments": ("made a payment", "made {n} payments"),
    "customer.consumer_integration": ("opened a carrier link", None),
    "customer.non_consumer_integration": ("opened an agency link", None),
    "customer.cross_sell_integration": ("opened a quote link", None),
    "customer.proposal": ("answered a proposal", "answered {n} proposals"),
    "customer.add_certificate_holder": (
        "added a certificate holder",
        "added {n} certificate holders",
    ),
    "customer.certificates_download": ("downloaded a certificate", "downloaded {n} certificates"),
    "customer.request_certificate": (
        "asked for a new certificate",
        "asked for {n} new certificates",
    ),
    "customer.referral": ("referred a friend", "referred {n} friends"),
    "customer.feedback": ("left feedback", None),
    "customer.claim_survey": ("rated their claim experience", None),
    "agent.login": ("opened the customer's Client Center read-only", None),
    "agent.download_documents": ("downloaded a document in the read-only view", None),
    "agent.download_id_cards": ("downloaded ID cards in the read-only view", None),
    "agent.payments": ("recorded a payment", "recorded {n} payments"),
    "agent.consumer_integration": ("opened a carrier link in the read-only view", None),
    "agent.non_consumer_integration": ("opened an agency link in the read-only view", None),
    "agent.cross_sell_integration": ("opened a quote link in the read-only view", None),
    "agent.logoff": ("left the read-only view", None),
    "agency.share_document_email": ("shared a document by email", None),
    "agency.share_document_text": ("shared a document by text", None),
    "agency.payment_request_email": ("sent a payment request by email", None),
    "agency.payment_request_text": ("sent a payment request by text", None),
    "agency.one_time_payment": ("took a one-time payment", None),
    "agency.publish_policies_invoices": ("published policies or invoices", None),
    "agency.share_certificate": ("sent a certificate of insurance", None),
    "agency.revoke_certificate_link": ("revoked a certificate link", None),
    "agency.reassign_producer": ("assigned the account to another producer", None),
    "agency.switch_login": ("switched a contact's login", None),
    "agency.correct_login_address": ("corrected a login email or mobile", None),
    "agency.mark_primary": ("made a contact the primary applicant", None),
    "agency.upload_document": ("uploaded a document", "uploaded {n} documents"),
    "agency.update_request": ("moved a change request along", None),
    "holder.certificate_download": ("downloaded the certificate of insurance", None),
    "customer.login_passkey": ("signed in with a passkey", None),
    "customer.passkey_added": ("added a passkey", "added {n} passkeys"),
    "customer.passkey_removed": ("removed a passkey", "removed {n} passkeys"),
    "customer.logout_everywhere": ("logged out on every browser", None),
    "customer.household_invite": ("invited someone to the account", None),
    "customer.household_joined": ("accepted an invitation to the account", None),
    "customer.household_access": ("changed what a household member sees", None),
    "customer.household_revoke": ("ended a household member's login", None),
    "agency.mark_account_manager": ("changed who manages the account's logins", None),
    "agency.clear_passkeys": ("cleared a contact's passkeys", None),
}

_REQUESTS = ("customer.personal_change_request", "customer.commercial_change_request")
_VERBS = ("Add ", "Replace ", "Remove ", "Change ", "Update ")


def _request_phrase(form: str) -> str:
    """A change request names what it asks: "asked to add a vehicle"."""
    if form.startswith("Change of "):
        return "asked for a " + form[0].lower() + form[1:]
    if form.startswith(_VERBS):
        return "asked to " + form[0].lower() + form[1:]
    return f"asked for a change: {form}"


def phrase(action_key: str, details: dict[str, Any] | None = None, count: int = 1) -> str:
    """The past-tense phrase for ``count`` occurrences of the action."""
    one, many = PHRASES.get(action_key) or (
        CATALOG[action_key].label if action_key in CATALOG else action_key,
        None,
    )
    form = (details or {}).get("form")
    if action_key in _REQUESTS and isinstance(form, str) and form:
        one = _request_phrase(form)
    if count > 1 and many:
        return many.format(n=count)
    return one


def sentence(
    actor: str, action_key: str, details: dict[str, Any] | None = None, count: int = 1
) -> str:
    """ "Pat Rivera uploaded 2 documents"."""
    return f"{actor} {phrase(action_key, details, count)}"
