"""Who may do what: every "who may" check the services make, each written once, with one
message per rule.

- **The account in view.** A customer reads and changes only their own account; an agent in
  read-only view only reads the account open in it (``viewable_account``,
  ``billing_account_id``, ``writable_account``, ``customer_account``).
- **The read-only refusal.** A read-only agent changes nothing, and the attempt goes to the
  security log with agent, account and action (``refuse_read_only``).
- **A feature switched off** in settings is refused on the server, not merely hidden
  (``require_feature``).
- **An active agent.** The agent acting is re-read and must still be active
  (``is_active_agent``, ``active_agent``); on the agency side, outside any read-only view
  (``require_agency_agent``).
- **The role's permission** (``require_permission``): the agent on the agency side, still
  active, whose role's row in the permission table (services/agency/roles.py) holds it.
  Every refusal is a clear message and a security log line.
- **An API key's scope** (``require_scope``): a REST API call acts for the administrator who
  created the key, and reaches a permission only through the scope the table gives it
  (``roles.API_SCOPES``); the refusal names the scope (``ScopeMissing``).
- **A contact still on this account and allowed to log in** (``contact_may_log_in``, checked
  where a session becomes a principal; ``acting_contact`` re-reads the acting contact and
  refuses one no longer on the account).
- **What a limited contact sees** (``require_view``): a household member the primary gave
  "ID cards and documents only" or "certificates only" reaches those parts and nothing else;
  every account read names its part (``area``), and one that names none is "everything".
  Refusals are logged. Who may manage the household: ``require_household_manager``.
- **The payment methods an agent may record** (``AGENT_RECEIVED_METHODS``,
  ``payment_methods``, ``require_payment_method``).

Plain Python: no Reflex, and nothing from the billing package (which imports this module).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Protocol

from sqlmodel import Session

from clientcenter.models import Account, Agent, Contact
from clientcenter.services.accounts import account_for
from clientcenter.services.agency.roles import (
    API_SCOPES,
    Permission,
    api_refusal,
    may,
    refusal,
    scope_refusal,
)
from clientcenter.services.errors import InvalidInput, NotAllowed, NotFound, ReadOnlyRefused
from clientcenter.services.principal import Principal
from clientcenter.settings import Settings, get_settings

security_log = logging.getLogger("clientcenter.security")

# One message per rule.
PORTAL_VIEW_ONLY = "Open the customer's Client Center to see this."
NO_ACCOUNT = "No customer account is selected."
CUSTOMER_ONLY = "Only the customer can do this from their Client Center."
CONTACT_GONE = "Your contact details are no longer on this account."
AGENT_NOT_ACTIVE = "This agent is not active."
AGENCY_ONLY = "Only agency staff can do this."
LEAVE_READ_ONLY = "Leave the read-only Client Center view to work on the agency side."
FEATURE_OFF_MESSAGES = {
    "certificates": "Certificates are not offered in Client Center by your agency.",
    "proposals": "Proposals are not offered in Client Center by your agency.",
    "referrals": "Referrals are not offered in Client Center by your agency.",
    "feedback": "Feedback is not collected in Client Center by your agency.",
    "surveys": "Claim experience surveys are not offered in Client Center by your agency.",
    "payments": "Payments are turned off for this agency.",
}
FEATURE_OFF_DEFAULT = "This feature is not offered in Client Center by your agency."

# What an agent may record as received in hand (a check in the mail, cash at the counter).
AGENT_RECEIVED_METHODS = ("check", "bank_transfer", "cash")


# --------------------------------------------------------------------------- account in view


def account_in_view(
    session: Session, principal: Principal, *, area: str = "everything"
) -> Account:
    """The account the principal is looking at (still active), if their view includes
    ``area``. Every account read of the services starts here or in the functions below, so
    one that names no area is closed to a limited contact by default."""
    require_view(principal, area)
    return account_for(session, principal)


def viewable_account(
    session: Session, principal: Principal, *, area: str = "everything"
) -> Account:
    """The account in view, for reading a portal page: its customer, or an agent in
    read-only mode. The account must still be active, and ``area`` in the contact's view."""
    if principal.is_agent and not principal.read_only:
        # The agency side has its own pages; customer services only serve a portal view.
        raise NotAllowed(PORTAL_VIEW_ONLY)
    return account_in_view(session, principal, area=area)


def customer_account(
    session: Session, principal: Principal, *, area: str = "everything"
) -> Account:
    """A customer's own account: the acting contact still on it, and the account still
    active."""
    acting_contact(session, principal)
    return account_in_view(session, principal, area=area)


def billing_account_id(session: Session, principal: Principal) -> int:
    """The account whose billing this principal may see: a customer's own (still active), or
    the one an agent has open in read-only mode (the agent still active). The agency side has
    no account in view here."""
    if principal.account_id is None:
        raise NotFound(NO_ACCOUNT)
    if principal.is_customer:
        customer_account(session, principal)
    else:
        active_agent(session, principal)
    return principal.account_id


def writable_account(
    session: Session, principal: Principal, action_key: str, *, area: str = "everything"
) -> Account:
    """The account in view, for a customer's change. Refuses (and logs) anyone else."""
    refuse_read_only(principal, action_key)
    return customer_account(session, principal, area=area)


# --------------------------------------------------------------------------- read-only


def refuse_read_only(principal: Principal, action_key: str) -> None:
    """Only the customer changes their data: read-only mode forbids every change, enforced
    here, and the attempt is logged with agent and account."""
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
    raise NotAllowed(CUSTOMER_ONLY)


# --------------------------------------------------------------------------- features


def feature_enabled(name: str, settings: Settings | None = None) -> bool:
    return bool(getattr((settings or get_settings()).features, name))


def require_feature(name: str, settings: Settings | None = None) -> None:
    if not feature_enabled(name, settings):
        raise NotAllowed(FEATURE_OFF_MESSAGES.get(name, FEATURE_OFF_DEFAULT))


# --------------------------------------------------------------------------- agents


def is_active_agent(agent: Agent | None) -> bool:
    """The rule itself, for the login steps that answer in their own way."""
    return agent is not None and agent.is_active


def active_agent(session: Session, principal: Principal) -> Agent:
    """The acting agent, re-read from the database: in a read-only view or on the agency side,
    but still active."""
    agent = session.get(Agent, principal.agent_id) if principal.agent_id else None
    if not is_active_agent(agent):
        raise NotAllowed(AGENT_NOT_ACTIVE)
    return agent


def require_agency_agent(session: Session, principal: Principal | None) -> Agent:
    """The acting agent on the agency side. A customer, a read-only Client Center session or a
    deactivated agent is refused."""
    if principal is None or not principal.is_agent or principal.agent_id is None:
        raise NotAllowed(AGENCY_ONLY)
    if principal.read_only:
        raise ReadOnlyRefused(LEAVE_READ_ONLY)
    return active_agent(session, principal)


def require_permission(
    session: Session, principal: Principal | None, permission: Permission
) -> Agent:
    """The acting agent on the agency side, if their role may do this (the permission table
    in services/agency/roles.py). A refusal is logged with agent and permission."""
    agent = require_agency_agent(session, principal)
    if not may(agent.role, permission):
        security_log.warning(
            "refused by role: permission=%s agent_id=%s role=%s session_id=%s",
            permission,
            agent.id,
            agent.role,
            principal.session_id,
        )
        raise NotAllowed(refusal(permission))
    if principal.is_api_key:
        scope = API_SCOPES.get(permission)
        if scope is None:
            security_log.warning(
                "refused for an API key: permission=%s api_key_id=%s",
                permission,
                principal.api_key_id,
            )
            raise NotAllowed(api_refusal(permission))
        require_scope(principal, scope)
    return agent


class ScopeMissing(NotAllowed):
    """An API key without the scope an operation needs (the API answers 403 naming it)."""

    def __init__(self, scope: str):
        super().__init__(scope_refusal(scope))
        self.scope = scope


def require_scope(principal: Principal, scope: str) -> None:
    """A REST API call: the key holds ``scope``. Sessions of people have no scopes and pass."""
    if principal.is_api_key and scope not in principal.api_scopes:
        security_log.warning(
            "refused by scope: scope=%s api_key_id=%s", scope, principal.api_key_id
        )
        raise ScopeMissing(scope)


def agent_may(agent: Agent | None, permission: Permission) -> bool:
    """For the UI: whether to show what a permission opens (the server checks again)."""
    return is_active_agent(agent) and may(agent.role, permission)


# --------------------------------------------------------------------------- contacts


def contact_on_account(contact: Contact | None, account_id: int | None) -> bool:
    """The contact still exists and is still on this account."""
    return contact is not None and account_id is not None and contact.account_id == account_id


def contact_may_log_in(contact: Contact | None, account_id: int | None) -> bool:
    """Still on this account and allowed to log in: checked on every request, where the
    session becomes a principal (services/auth/sessions.py)."""
    return contact_on_account(contact, account_id) and contact.may_log_in


def acting_contact(session: Session, principal: Principal) -> Contact:
    """The customer contact who is acting, re-read now: still on the account in view. (Their
    login switch was checked when the session became this principal; a payment the provider
    settles later is recorded for the contact who paid, whether or not they may still log
    in.)"""
    if not principal.is_customer or principal.contact_id is None:
        raise NotAllowed(CUSTOMER_ONLY)
    contact = session.get(Contact, principal.contact_id)
    if not contact_on_account(contact, principal.account_id):
        raise NotFound(CONTACT_GONE)
    return contact


# --------------------------------------------------------------------------- household views

# The parts of the portal each view opens (models.accounts.ContactSees). "everything" opens
# every area; an account read that names no area asks for "everything".
VIEW_AREAS: dict[str, frozenset[str]] = {
    "everything": frozenset({"everything", "documents", "certificates", "own"}),
    "documents": frozenset({"documents", "own"}),
    "certificates": frozenset({"certificates", "own"}),
}
VIEW_REFUSED = (
    "Your access to this account does not include this. Ask the account's primary "
    "applicant if you need it."
)
NOT_HOUSEHOLD_MANAGER = (
    "Only the primary applicant (or an account manager the agency named) can change who "
    "may log in."
)


def sees(principal: Principal, area: str) -> bool:
    """Whether this principal's view includes ``area`` (agents in read-only view see all)."""
    if not principal.is_customer:
        return True
    return area in VIEW_AREAS.get(principal.view, frozenset())


def require_view(principal: Principal, area: str) -> None:
    """Refuse (and log) a limited contact outside their view, whatever the page showed."""
    if sees(principal, area):
        return
    security_log.warning(
        "refused outside the contact's view: area=%s view=%s contact_id=%s account_id=%s "
        "session_id=%s",
        area,
        principal.view,
        principal.contact_id,
        principal.account_id,
        principal.session_id,
    )
    raise NotAllowed(VIEW_REFUSED)


def manages_household(contact: Contact | None) -> bool:
    """The rule itself (for the UI): the primary applicant, or a contact the agency marked
    account manager, seeing everything."""
    from clientcenter.models.accounts import ContactRole

    return (
        contact is not None
        and contact.sees == "everything"
        and (contact.role == ContactRole.PRIMARY or contact.account_manager)
    )


def require_household_manager(session: Session, principal: Principal, action_key: str) -> Contact:
    """The acting contact, if they may manage who logs in on this account; anyone else is
    refused and logged (a read-only agent, a co-applicant calling the handler directly)."""
    writable_account(session, principal, action_key)
    contact = acting_contact(session, principal)
    if not manages_household(contact):
        security_log.warning(
            "refused household change by a non-manager: action=%s contact_id=%s "
            "account_id=%s session_id=%s",
            action_key,
            contact.id,
            principal.account_id,
            principal.session_id,
        )
        raise NotAllowed(NOT_HOUSEHOLD_MANAGER)
    return contact


# --------------------------------------------------------------------------- payment methods


class MethodsOffered(Protocol):
    """What a payment provider offers (services/billing/providers/interface.py)."""

    customer_methods: tuple[str, ...]
    redirects: bool  # a card is paid on the provider's own page


def payment_methods(principal: Principal, provider: MethodsOffered) -> tuple[str, ...]:
    """How this principal may pay: a customer as the provider offers; an agent by card on the
    provider's page (when it has one) or by recording money received in hand."""
    if principal.is_customer:
        return tuple(provider.customer_methods)
    cards = ("card",) if provider.redirects else ()
    return cards + AGENT_RECEIVED_METHODS


def require_payment_method(
    principal: Principal, provider: MethodsOffered, method: str, labels: Mapping[str, str]
) -> str:
    """The method, if this principal may pay with it; ``labels`` are the words people read
    for each method."""
    allowed = payment_methods(principal, provider)
    if method not in allowed:
        names = " or ".join(labels[m].lower() for m in allowed)
        raise InvalidInput(f"Choose how you are paying: {names}.", "method")
    return method
