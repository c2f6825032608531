"""Accounts and who may enter them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, func
from sqlmodel import Session, select

from clientcenter.models import Account, Contact, Policy
from clientcenter.models.accounts import ContactRole
from clientcenter.models.policies import PolicyStatus
from clientcenter.services.dates import time_text
from clientcenter.services.errors import NotFound
from clientcenter.services.principal import Principal

LOGIN_ROLES = (ContactRole.PRIMARY, ContactRole.CO_APPLICANT)


def active_policy_exists(account_id_column):
    """SQL clause: the account has at least one active policy, which makes it active
    (docs/login.md, "Who may log in")."""
    return exists().where(
        Policy.account_id == account_id_column, Policy.status == PolicyStatus.ACTIVE
    )


def is_account_active(session: Session, account_id: int) -> bool:
    """The one rule: an account is active if and only if it has an active policy."""
    return bool(session.exec(select(active_policy_exists(account_id))).one())


def when(moment: datetime | None) -> str:
    """A moment as people read it: the one format, on the agency's clock (services/dates)."""
    return time_text(moment)


def information_as_of(account: Account) -> str:
    """When the agency's system last sent this account's data ("" before any import): shown to
    customers on their policies and to agents on the info pane, so a stale feed is visible."""
    return "Information as of " + when(account.data_as_of) if account.data_as_of else ""


def normalize_email(email: str) -> str:
    return email.strip().lower()


def loginable_contacts(session: Session, email: str) -> list[tuple[Contact, Account]]:
    """Contacts with this primary email who may log in, on active accounts only, by name."""
    stmt = (
        select(Contact, Account)
        .join(Account, Account.id == Contact.account_id)
        .where(func.lower(Contact.email) == normalize_email(email))
        .where(Contact.may_log_in == True)  # noqa: E712
        .where(active_policy_exists(Account.id))
        .order_by(Account.name, Account.id)
    )
    return list(session.exec(stmt).all())


def account_for(session: Session, principal: Principal) -> Account:
    """The account the principal is looking at; refuses if it is no longer active. Services
    reach it through services/access.py (``account_in_view`` and the others), which first
    check that the acting contact's view includes what they read."""
    if principal.account_id is None:
        raise NotFound("No customer account is selected.")
    account = session.get(Account, principal.account_id)
    if account is None or not is_account_active(session, account.id):
        raise NotFound("This account has no active policy, so its Client Center is closed.")
    return account


def primary_contact(session: Session, account_id: int) -> Contact | None:
    return session.exec(
        select(Contact).where(
            Contact.account_id == account_id, Contact.role == ContactRole.PRIMARY
        )
    ).first()
