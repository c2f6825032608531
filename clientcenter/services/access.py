"""The checks every self-service write makes before it touches anything.

Requests, profile, certificates, proposals, integrations and engagement services share these so
that each one refuses the same way: a customer acts only on the account in view, a read-only
agent changes nothing (and the attempt is logged), and a feature switched off in settings is
refused on the server, not merely hidden.
"""

from __future__ import annotations

import logging

from sqlmodel import Session

from clientcenter.models import Account, Contact
from clientcenter.services.accounts import account_for
from clientcenter.services.errors import NotAllowed, NotFound, ReadOnlyRefused
from clientcenter.services.principal import Principal
from clientcenter.settings import get_settings

security_log = logging.getLogger("clientcenter.security")

FEATURE_OFF_MESSAGES = {
    "certificates": "Certificates are not offered in Client Center by your agency.",
    "proposals": "Proposals are not offered in Client Center by your agency.",
    "referrals": "Referrals are not offered in Client Center by your agency.",
    "feedback": "Feedback is not collected in Client Center by your agency.",
    "surveys": "Claim experience surveys are not offered in Client Center by your agency.",
}


def viewable_account(session: Session, principal: Principal) -> Account:
    """The account in view, for reading: its customer, or an agent in read-only mode."""
    if principal.is_agent and not principal.read_only:
        # The agency side has its own pages; customer services only serve a portal view.
        raise NotAllowed("Open the customer's Client Center to see this.")
    return account_for(session, principal)


def writable_account(session: Session, principal: Principal, action_key: str) -> Account:
    """The account in view, for a customer's change. Refuses (and logs) anyone else."""
    refuse_read_only(principal, action_key)
    account = account_for(session, principal)
    acting_contact(session, principal)  # the contact must still be on this account
    return account


def refuse_read_only(principal: Principal, action_key: str) -> None:
    """Read-only mode forbids every change to the customer's data, enforced here."""
    if principal.is_customer and not principal.read_only:
        return
    security_log.warning(
        "refused write in read-only mode: action=%s agent_id=%s account_id=%s session_id=%s",
        action_key,
        principal.agent_id,
        principal.account_id,
        principal.session_id,
    )
    if principal.read_only:
        raise ReadOnlyRefused()
    raise NotAllowed("Only the customer can do this from their Client Center.")


def acting_contact(session: Session, principal: Principal) -> Contact:
    """The customer contact who is acting, re-read and checked against the account."""
    if not principal.is_customer or principal.contact_id is None:
        raise NotAllowed("Only the customer can do this from their Client Center.")
    contact = session.get(Contact, principal.contact_id)
    if contact is None or contact.account_id != principal.account_id:
        raise NotFound("Your contact details are no longer on this account.")
    return contact


def feature_enabled(name: str) -> bool:
    return bool(getattr(get_settings().features, name))


def require_feature(name: str) -> None:
    if not feature_enabled(name):
        raise NotAllowed(
            FEATURE_OFF_MESSAGES.get(
                name, "This feature is not offered in Client Center by your agency."
            )
        )
