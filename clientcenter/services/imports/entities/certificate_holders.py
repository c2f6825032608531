"""certificate_holders.csv: the people and companies each customer's certificates of insurance
go to, keyed on (customer id, holder id), or on (customer id, name) when the export has no
holder ids."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from sqlalchemy import delete, exists
from sqlmodel import Session, select

from clientcenter.models import Certificate, CertificateHolder
from clientcenter.services.imports import values as v
from clientcenter.services.imports.columns import Column
from clientcenter.services.imports.entities.accounts import customer_id_column
from clientcenter.services.imports.entities.base import (
    Book,
    Entity,
    ParsedRow,
    chunked,
    one_of,
    stored,
)
from clientcenter.services.imports.entities.policy_children import claimable


class CertificateHolders(Entity):
    """Holders a customer added in the portal (not imported) are never removed; one the file
    names by the same name is taken over, and from then on is the import's."""

    name = "certificate_holders"
    file = "certificate_holders.csv"
    model = CertificateHolder
    columns = (
        customer_id_column(),
        Column(
            "holder_id",
            False,
            partial(v.text, max_len=64),
            ("Holder ID", "Certificate Holder ID", "Holder Code", "Holder Number", "Holder Key"),
            "the management system's holder id (else the name is the key)",
        ),
        Column(
            "name",
            True,
            partial(v.text, max_len=160),
            ("Holder Name", "Certificate Holder", "Certificate Holder Name", "Holder", "Name"),
            'the holder\'s name, e.g. "Harbor Property Management LLC"',
        ),
        Column(
            "street",
            False,
            partial(v.text, max_len=160),
            ("Address", "Address 1", "Address Line 1", "Holder Address", "Street Address"),
        ),
        Column("city", False, partial(v.text, max_len=80), ("Town", "Holder City")),
        Column(
            "state",
            False,
            v.us_state,
            ("ST", "State Code", "Holder State", "Province"),
            "a US state's two letters",
        ),
        Column(
            "postal_code",
            False,
            v.postal_code,
            ("ZIP", "ZIP Code", "Zipcode", "Postal", "Postcode", "Holder ZIP"),
            "5 digits or ZIP+4",
        ),
        Column(
            "email",
            False,
            v.email,
            ("Email", "Email Address", "E-mail", "Holder Email"),
            "an email address (certificates are emailed to it)",
        ),
    )

    def repeated_column(self, row: ParsedRow) -> str:
        return "holder_id" if row.values.get("holder_id") else "name"

    def key(self, row: ParsedRow):
        if row.values.get("holder_id"):
            return (row.values["customer_id"], "id", row.values["holder_id"])
        return (row.values["customer_id"], "name", v.fold(row.values["name"]))

    def resolve(self, session: Session, rows: list[ParsedRow], book: Book) -> None:
        account_ids = set()
        for row in rows:
            account_id = book.accounts.get(row.values["customer_id"], -1)
            if account_id == -1:
                row.refuse("customer_id", "no account has this customer id")
            elif account_id is not None:
                account_ids.add(account_id)
        on_accounts: dict[int, list[CertificateHolder]] = {}
        if account_ids:
            for holder in stored(
                session,
                CertificateHolder,
                one_of(session, CertificateHolder.account_id, account_ids),
            ):
                on_accounts.setdefault(holder.account_id, []).append(holder)
        for row in rows:
            if row.refusal is None:
                account_id = book.accounts[row.values["customer_id"]]
                row.existing = _match(on_accounts.get(account_id, []), row)

    def target(self, row: ParsedRow, book: Book) -> dict:
        values = row.values
        attrs = {
            "account_id": book.accounts[values["customer_id"]],
            "name": values["name"],
            "imported": True,
        }
        if values.get("holder_id"):
            attrs["external_id"] = values["holder_id"]
        for name in ("street", "city", "state", "postal_code"):
            if row.has(name):
                attrs[name] = values[name] or ""
        if row.has("email"):
            attrs["email"] = values["email"]
        return attrs

    def new(self, attrs: dict, book: Book) -> CertificateHolder:
        return CertificateHolder(**attrs)

    def open_imported(self, session: Session) -> set[int]:
        """Imported holders no certificate names."""
        return set(
            session.exec(
                select(CertificateHolder.id).where(
                    CertificateHolder.imported == True,  # noqa: E712
                    ~_certified(),
                )
            )
        )

    def retire(self, session: Session, ids: Iterable[int]) -> None:
        """A holder absent from a full export is removed, unless a certificate names it (the
        check is repeated in the DELETE)."""
        for batch in chunked(ids):
            session.execute(
                delete(CertificateHolder)
                .where(CertificateHolder.id.in_(batch), ~_certified())
                .execution_options(synchronize_session=False)
            )
            self.forget_removed(session, batch)
        session.flush()


def _certified():
    return exists().where(Certificate.holder_id == CertificateHolder.id)


def _match(holders: list[CertificateHolder], row: ParsedRow) -> CertificateHolder | None:
    holder_id, name = row.values.get("holder_id"), v.fold(row.values["name"])
    if holder_id:
        by_id = next((h for h in holders if h.external_id == holder_id), None)
        if by_id is not None:
            return by_id
    return next(
        (h for h in holders if v.fold(h.name) == name and claimable(h.external_id, holder_id)),
        None,
    )
