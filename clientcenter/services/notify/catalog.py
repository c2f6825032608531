"""The action catalog: every action of docs/actions-and-matrix.md, by section, with a stable
key and the label an agency admin recognises in the matrix."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Section = Literal["customer", "agent", "agency", "holder"]

SECTION_TITLES: dict[str, str] = {
    "customer": "Customer Section",
    "agent": "Agent Section",
    "agency": "Portal Section",
    "holder": "Certificate Holders",
}
SECTION_NOTES: dict[str, str] = {
    "customer": "Triggered when a customer/insured takes the action in Client Center.",
    "agent": "Triggered when an agent takes the action in a customer's Client Center "
    "(read-only mode).",
    "agency": "Triggered when an agent takes the action on the agency side.",
    # The project's own section: a holder is a third party who opens the certificate link
    # Share Certificate sent.
    "holder": "Triggered when a certificate holder opens the link the agency sent (no login).",
}


@dataclass(frozen=True)
class Action:
    key: str
    label: str  # the wording of docs/actions-and-matrix.md
    section: Section
    # "through Text": the customer's message goes by SMS, whatever the preferences.
    by_text: bool = False

    @property
    def name(self) -> str:
        return self.key.split(".", 1)[1]


def _rows(section: Section, rows: list[tuple[str, str]]) -> list[Action]:
    return [
        Action(
            f"{section}.{name}",
            label,
            section,
            by_text=name.endswith("_text") and section == "agency",
        )
        for name, label in rows
    ]


ACTIONS: tuple[Action, ...] = tuple(
    _rows(
        "customer",
        [
            ("login_email", "Logs in via Email"),
            ("login_text", "Logs in via Text"),
            # The project's own (issue 18): passkeys.
            ("login_passkey", "Logs in with a Passkey"),
            ("passkey_added", "Adds a Passkey"),
            ("passkey_removed", "Removes a Passkey"),
            ("logout_everywhere", "Logs out Everywhere"),
            ("download_documents", "Downloads document(s)"),
            ("upload_documents", "Uploads document(s)"),
            ("id_card_download", "ID Card(s) Download"),
            ("contact_us", "Contact Us/Help Center"),
            ("personal_change_request", "Personal Change Request"),
            ("commercial_change_request", "Commercial Change Request"),
            ("general_request", "General Request"),
            ("edit_personal_info", "Edit Personal Information"),
            ("edit_contact_preferences", "Edit Contact Preferences"),
            ("edit_coapplicant_info", "Edit Co-applicant information"),
            ("payments", "Payments"),
            ("consumer_integration", "Consumer Facing Integrations"),
            ("non_consumer_integration", "Non-consumer Facing Integrations"),
            ("cross_sell_integration", "Cross-sell Integration"),
            ("proposal", "Proposal"),
            ("add_certificate_holder", "Add Certificate Holder"),
            ("certificates_download", "Your Certificates (Download)"),
            ("request_certificate", "Request New Certificate"),
            ("referral", "Referral"),
            ("feedback", "Feedback"),
            ("claim_survey", "Claim Experience Survey"),
            # The project's own (issue 18): the household manages who may log in.
            ("household_invite", "Invite a Household Member"),
            ("household_joined", "Household Member Confirms"),
            ("household_access", "Change a Household Member's Access"),
            ("household_revoke", "Revoke a Household Member's Login"),
        ],
    )
    + _rows(
        "agent",
        [
            ("login", "Logs in"),
            ("download_documents", "Download Document(s)"),
            ("download_id_cards", "Download ID Card(s)"),
            ("payments", "Payments"),
            ("consumer_integration", "Consumer Facing Integration"),
            ("non_consumer_integration", "Non-Consumer Facing Integration"),
            ("cross_sell_integration", "Cross-sell Integration"),
            ("logoff", "Log off"),
        ],
    )
    + _rows(
        "agency",
        [
            ("share_document_email", "Share Document through Email"),
            ("share_document_text", "Share Document through Text"),
            ("payment_request_email", "Payment Request through Email"),
            ("payment_request_text", "Payment Request through Text"),
            ("one_time_payment", "One-time Payment"),
            ("publish_policies_invoices", "Policies/Invoices"),
            ("share_certificate", "Share Certificate"),
            # The project's own: taking back a certificate link sent by Share Certificate.
            ("revoke_certificate_link", "Revoke Certificate Link"),
            # The project's own: correcting an account from the agency side (issue 13).
            ("reassign_producer", "Reassign Producer"),
            ("switch_login", "Switch a Contact's Login"),
            ("correct_login_address", "Correct a Login Email or Mobile"),
            ("mark_primary", "Mark a Contact Primary"),
            # The project's own: a document put on an account as a draft or internal (issue 14).
            ("upload_document", "Upload Document"),
            # The project's own (issue 15): an agent moves a customer's change request along.
            ("update_request", "Change Request Status"),
            # The project's own (issue 18): who on a business account manages its logins.
            ("mark_account_manager", "Mark a Contact Account Manager"),
            # The project's own (issue 18): a lost phone, a contact locked out of a passkey.
            ("clear_passkeys", "Clear a Contact's Passkeys"),
        ],
    )
    + _rows(
        "holder",
        [
            ("certificate_download", "Certificate Holder Download"),
        ],
    )
)

CATALOG: dict[str, Action] = {a.key: a for a in ACTIONS}


def get_action(key: str) -> Action:
    try:
        return CATALOG[key]
    except KeyError:
        raise KeyError(f"unknown action {key!r}: not in the catalog") from None


def actions_in(section: Section) -> list[Action]:
    return [a for a in ACTIONS if a.section == section]
