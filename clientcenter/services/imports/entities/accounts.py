"""accounts.csv: one row per customer, keyed on the management system's customer id."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from sqlmodel import Session, select

from clientcenter.models import Account, Policy
from clientcenter.models.accounts import AccountKind
from clientcenter.models.policies import PolicyStatus
from clientcenter.services.accounts import normalize_email
from clientcenter.services.imports import values as v
from clientcenter.services.imports.bulk import NewRecord
from clientcenter.services.imports.columns import Column
from clientcenter.services.imports.entities.base import (
    Book,
    Entity,
    ParsedRow,
    chunked,
    one_of,
    stored,
)

OPEN_STATUSES = (PolicyStatus.ACTIVE, PolicyStatus.PENDING)
CUSTOMER_ID_SYNONYMS = (
    "Customer ID",
    "Customer Number",
    "Customer No",
    "Client ID",
    "Client Code",
    "Client Number",
    "LookupCode",
    "Lookup Code",
    "Account Number",
    "Account ID",
    "Insured ID",
)
_KINDS = {
    **{v.fold(k): AccountKind.PERSONAL for k in ("personal", "individual", "P", "PL")},
    **{v.fold(k): AccountKind.COMMERCIAL for k in ("commercial", "business", "C", "CL")},
}


def customer_id_column() -> Column:
    return Column(
        "customer_id",
        True,
        partial(v.text, max_len=64),
        CUSTOMER_ID_SYNONYMS,
        "the management system's customer id",
    )


def _with_defaults(attrs: dict, book: Book) -> dict:
    return {"kind": AccountKind.PERSONAL, "producer_id": book.default_producer_id, **attrs}


class Accounts(Entity):
    name = "accounts"
    file = "accounts.csv"
    model = Account
    remember_in_apply = True
    columns = (
        customer_id_column(),
        Column(
            "name",
            True,
            partial(v.text, max_len=160),
            ("Account Name", "Customer Name", "Client Name", "Insured Name", "Named Insured"),
            'display name, e.g. "Pat & Sam Rivera"',
        ),
        Column(
            "kind",
            False,
            partial(v.choice, synonyms=_KINDS, what="account type (personal or commercial)"),
            ("Type", "Account Type", "Customer Type", "Client Type"),
            "personal or commercial (default personal)",
        ),
        Column(
            "business_name",
            False,
            partial(v.text, max_len=160),
            ("Business", "Company", "Company Name", "DBA"),
        ),
        Column(
            "producer_email",
            False,
            v.email,
            ("Producer", "Producer Email", "Agent Email", "Account Executive"),
            "an agent's email (default: the importing agent)",
        ),
        Column(
            "street",
            False,
            partial(v.text, max_len=160),
            ("Address", "Address 1", "Address Line 1", "Mailing Address", "Street Address"),
        ),
        Column("city", False, partial(v.text, max_len=80), ("Town",)),
        Column("state", False, v.us_state, ("ST", "State Code", "Province"), "two letters"),
        Column(
            "postal_code",
            False,
            v.postal_code,
            ("ZIP", "ZIP Code", "Zipcode", "Postal", "Postcode"),
            "5 digits or ZIP+4",
        ),
    )

    def key(self, row: ParsedRow):
        return row.values["customer_id"]

    def resolve(self, session: Session, rows: list[ParsedRow], book: Book) -> None:
        found = {
            a.external_id: a
            for a in stored(
                session, Account, one_of(session, Account.external_id, (r.key for r in rows))
            )
        }
        for row in rows:
            row.existing = found.get(row.key)
            email = row.values.get("producer_email")
            if email and normalize_email(email) not in book.producers:
                row.refuse("producer_email", "no agent has this email")

    def target(self, row: ParsedRow, book: Book) -> dict:
        attrs = {"external_id": row.key, "name": row.values["name"]}
        for name in ("kind", "business_name", "street", "city", "state", "postal_code"):
            if row.has(name):
                default = None if name in ("kind", "business_name") else ""
                attrs[name] = row.values[name] or default
        if row.has("producer_email") and row.values["producer_email"]:
            attrs["producer_id"] = book.producers[normalize_email(row.values["producer_email"])]
        if attrs.get("kind") is None:
            attrs.pop("kind", None)  # an empty type leaves the account's as it is
        return attrs

    def new(self, attrs: dict, book: Book) -> Account:
        return Account(**_with_defaults(attrs, book))

    def new_record(self, attrs: dict, book: Book) -> NewRecord:
        return NewRecord(Account, _with_defaults(attrs, book))

    def account_id(self, record: Account) -> int:
        return record.id

    def found_columns(self) -> tuple:
        return (Account.id,)

    def remember(self, key, record_id: int | None, memo, book: Book) -> None:
        book.accounts[key] = record_id

    def open_imported(self, session: Session) -> set[int]:
        """Imported accounts with a policy in force or pending (retiring closes them)."""
        return set(
            session.exec(
                select(Policy.account_id)
                .join(Account, Account.id == Policy.account_id)
                .where(Account.external_id.is_not(None), Policy.status.in_(OPEN_STATUSES))
                .distinct()
            )
        )

    def retire(self, session: Session, ids: Iterable[int]) -> None:
        """An account absent from a full export closes: its open policies are cancelled."""
        for batch in chunked(ids):
            for policy in session.exec(
                select(Policy).where(
                    Policy.account_id.in_(batch), Policy.status.in_(OPEN_STATUSES)
                )
            ):
                policy.status = PolicyStatus.CANCELLED
            session.flush()
