"""contacts.csv: the people on each account, keyed on (customer id, contact id), or on
(customer id, email) when the export has no contact ids."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from sqlmodel import Session, select

from clientcenter.models import Account, Contact
from clientcenter.models.accounts import ContactRole
from clientcenter.services.accounts import LOGIN_ROLES
from clientcenter.services.imports import values as v
from clientcenter.services.imports.bulk import NewRecord
from clientcenter.services.imports.claims import Claims
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

_ROLES = {
    **{
        v.fold(k): ContactRole.PRIMARY
        for k in ("primary", "named insured", "insured", "first named insured", "P")
    },
    **{
        v.fold(k): ContactRole.CO_APPLICANT
        for k in ("co_applicant", "co-applicant", "spouse", "co-insured", "secondary", "C")
    },
    **{v.fold(k): ContactRole.ADDITIONAL for k in ("additional", "other", "driver", "A")},
}


def person_name(value: str) -> str:
    value = v.text(value, max_len=80)
    if not any(ch.isalpha() for ch in value):
        raise v.CellRefused("a name must contain letters")
    return value


class Contacts(Entity):
    """Also refuses one email under two names on two accounts, in the file or against the
    database: a person logs in by email, so the email names one person."""

    name = "contacts"
    file = "contacts.csv"
    model = Contact
    columns = (
        customer_id_column(),
        Column(
            "contact_id",
            False,
            partial(v.text, max_len=64),
            ("Contact ID", "Contact Number", "Person ID", "Contact Code", "ContactLookupCode"),
            "the management system's contact id (else the email is the key)",
        ),
        Column("first_name", True, person_name, ("First", "First Name", "Given Name", "FName")),
        Column(
            "last_name",
            True,
            person_name,
            ("Last", "Last Name", "Surname", "Family Name", "LName"),
        ),
        Column(
            "email",
            False,
            v.email,
            ("Email", "Email Address", "E-mail", "Primary Email"),
            "an email address",
        ),
        Column(
            "mobile",
            False,
            v.phone,
            ("Mobile", "Cell", "Cell Phone", "Mobile Phone", "Phone", "Phone Number"),
            "a US phone number, e.g. (207) 555-0100, stored as +12075550100",
        ),
        Column(
            "role",
            False,
            partial(v.choice, synonyms=_ROLES, what="role (primary, co_applicant, additional)"),
            ("Relationship", "Contact Type", "Type"),
            "primary, co_applicant or additional (default primary)",
        ),
        Column(
            "may_log_in",
            False,
            v.flag,
            ("Portal Access", "Can Log In", "Login"),
            "yes or no (default yes for primary and co-applicant)",
        ),
    )

    def start(self) -> None:
        self._emails_in_file = Claims()  # email -> (full name, customer id, first line)

    def end_chunk(self) -> None:
        self._emails_in_file.end_chunk()

    def key(self, row: ParsedRow):
        contact_id, email = row.values.get("contact_id"), row.values.get("email")
        if contact_id:
            return (row.values["customer_id"], "id", contact_id)
        if email:
            return (row.values["customer_id"], "email", email)
        return None  # refused by the caller: nothing identifies the contact

    def resolve(self, session: Session, rows: list[ParsedRow], book: Book) -> None:
        account_ids = set()
        for row in rows:
            account_id = book.accounts.get(row.values["customer_id"], -1)
            if account_id == -1:
                row.refuse("customer_id", "no account has this customer id")
            elif account_id is not None:
                account_ids.add(account_id)
        on_accounts: dict[int, list[Contact]] = {}
        for contact in stored(session, Contact, one_of(session, Contact.account_id, account_ids)):
            on_accounts.setdefault(contact.account_id, []).append(contact)
        elsewhere = self._same_emails_elsewhere(session, rows)
        self._emails_in_file.prefetch(r.values["email"] for r in rows if r.values.get("email"))
        for row in rows:
            if row.refusal:
                continue
            account_id = book.accounts[row.values["customer_id"]]
            row.existing = _match(on_accounts.get(account_id, []), row)
            conflict = next(
                (
                    (name, account)
                    for name, acc_id, account in elsewhere.get(row.values.get("email"), ())
                    if acc_id != account_id and name != _full_name(row)
                ),
                None,
            )
            if conflict:
                row.refuse(
                    "email",
                    f"this email is {conflict[0]}'s on account {conflict[1]}; "
                    "one person cannot have two names",
                )
            else:
                self._check_file_email(row)

    def _check_file_email(self, row: ParsedRow) -> None:
        email = row.values.get("email")
        if not email:
            return
        first = self._emails_in_file.setdefault(
            email, (_full_name(row), row.values["customer_id"], row.line)
        )
        name, customer_id, line = first
        if customer_id != row.values["customer_id"] and name != _full_name(row):
            row.refuse(
                "email",
                f"line {line} gives this email to another name on customer {customer_id}; "
                "one person cannot have two names",
            )

    def _same_emails_elsewhere(self, session: Session, rows: list[ParsedRow]) -> dict:
        emails = {r.values["email"] for r in rows if r.values.get("email")}
        found: dict[str, list] = {}
        for email, first, last, account_id, external_id, name in session.exec(
            select(
                Contact.email,
                Contact.first_name,
                Contact.last_name,
                Contact.account_id,
                Account.external_id,
                Account.name,
            )
            .join(Account, Account.id == Contact.account_id)
            .where(one_of(session, Contact.email, emails))
        ):
            found.setdefault(email, []).append(
                (f"{first} {last}".casefold(), account_id, external_id or name)
            )
        return found

    def target(self, row: ParsedRow, book: Book) -> dict:
        attrs = {
            "account_id": book.accounts[row.values["customer_id"]],
            "first_name": row.values["first_name"],
            "last_name": row.values["last_name"],
        }
        if row.values.get("contact_id"):
            attrs["external_id"] = row.values["contact_id"]
        for name in ("email", "mobile", "role", "may_log_in"):
            if row.has(name) and row.values[name] is not None:
                attrs[name] = row.values[name]
        if row.has("email") and row.values["email"] is None and row.values.get("contact_id"):
            attrs["email"] = None  # an emptied email cell empties the email
        return attrs

    def new(self, attrs: dict, book: Book) -> Contact:
        return Contact(**_with_defaults(attrs))

    def new_record(self, attrs: dict, book: Book) -> NewRecord:
        return NewRecord(Contact, _with_defaults(attrs))

    def open_imported(self, session: Session) -> set[int]:
        """Contacts on imported accounts who may still log in."""
        return set(
            session.exec(
                select(Contact.id)
                .join(Account, Account.id == Contact.account_id)
                .where(Account.external_id.is_not(None), Contact.may_log_in == True)  # noqa: E712
            )
        )

    def retire(self, session: Session, ids: Iterable[int]) -> None:
        """A contact absent from a full export may no longer log in (the record stays)."""
        for batch in chunked(ids):
            for contact in session.exec(select(Contact).where(Contact.id.in_(batch))):
                contact.may_log_in = False
            session.flush()


def _with_defaults(attrs: dict) -> dict:
    role = attrs.get("role", ContactRole.PRIMARY)
    return {"role": role, "may_log_in": role in LOGIN_ROLES, **attrs}


def _full_name(row: ParsedRow) -> str:
    return f"{row.values['first_name']} {row.values['last_name']}".casefold()


def _match(contacts: list[Contact], row: ParsedRow) -> Contact | None:
    """By contact id; else by email, among contacts not yet keyed on another id."""
    contact_id, email = row.values.get("contact_id"), row.values.get("email")
    if contact_id:
        by_id = next((c for c in contacts if c.external_id == contact_id), None)
        if by_id is not None:
            return by_id
    if email:
        return next(
            (
                c
                for c in contacts
                if c.email == email and (c.external_id is None or not contact_id)
            ),
            None,
        )
    return None
