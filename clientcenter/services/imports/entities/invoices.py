"""invoices.csv: the bills of each customer, keyed on the management system's invoice id, or
on the invoice number (unique in our model) when the export has no invoice ids.

Money the portal took is the portal's: an import never undoes a payment. An invoice paid (in
part or whole) in the portal is not reopened or cancelled and its amount never drops below
what was paid; an invoice with a payment waiting for confirmation keeps its amount and status
until that payment settles; an invoice with payments does not move to another account. Such a
row is refused with the reason, like any bad row (docs/import.md, "Invoices and payments")."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

from sqlalchemy import exists, update
from sqlmodel import Session, or_, select

from clientcenter.models import Invoice, Payment, PaymentRequest
from clientcenter.models.billing import InvoiceStatus, PaymentRequestStatus, PaymentStatus
from clientcenter.services.billing.money import format_money
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
from clientcenter.services.imports.entities.policy_refs import (
    find_policies,
    policy_key,
    policy_ref_columns,
    refuse_unnamed_or_unknown,
)
from clientcenter.settings import get_settings

_STATUSES = {
    **{
        v.fold(k): InvoiceStatus.OPEN
        for k in ("open", "due", "unpaid", "outstanding", "billed", "open item", "O")
    },
    **{v.fold(k): InvoiceStatus.PAID for k in ("paid", "paid in full", "closed", "settled", "P")},
    **{
        v.fold(k): InvoiceStatus.CANCELLED
        for k in ("cancelled", "canceled", "void", "voided", "reversed", "C", "V", "X")
    },
}
_OPEN_REQUESTS = (PaymentRequestStatus.SENT, PaymentRequestStatus.OPENED)


def _number(value: str) -> str:
    return v.text(" ".join(value.split()), max_len=40)


def _amount(value: str) -> int:
    cents = v.amount_cents(value)
    if cents <= 0:
        raise v.CellRefused(
            "an invoice's amount must be more than zero (credits are not imported)"
        )
    return cents


@dataclass(frozen=True)
class _Money:
    """What payments have done to an invoice already on file."""

    succeeded: bool = False  # a payment settled (some or all of it)
    pending: bool = False  # a payment is waiting for confirmation
    any: bool = False  # any payment or payment request at all


class Invoices(Entity):
    name = "invoices"
    file = "invoices.csv"
    model = Invoice
    publishes = True  # a new or changed invoice is what the asked-for notice tells of
    columns = (
        customer_id_column(),
        Column(
            "invoice_id",
            False,
            partial(v.text, max_len=64),
            ("Invoice ID", "InvoiceId", "Invoice Key", "Bill ID", "Transaction ID"),
            "the management system's invoice id (else the invoice number is the key)",
        ),
        Column(
            "invoice_number",
            True,
            _number,
            (
                "Invoice Number",
                "Invoice No",
                "Invoice #",
                "Inv #",
                "Inv No",
                "Bill Number",
                "Statement Number",
            ),
            "text, unique across the agency",
        ),
        *policy_ref_columns(),
        Column(
            "description",
            False,
            partial(v.text, max_len=200),
            ("Description", "Memo", "Invoice Description", "Transaction Description"),
        ),
        Column(
            "amount",
            True,
            _amount,
            ("Amount", "Invoice Amount", "Amount Due", "Total", "Total Due", "Billed Amount"),
            "an amount above zero, e.g. $412.00",
        ),
        Column(
            "due_date",
            True,
            v.a_date,
            ("Due", "Due Date", "Date Due", "Payment Due Date"),
            "a date",
        ),
        Column(
            "status",
            False,
            partial(v.choice, synonyms=_STATUSES, what="invoice status (open, paid, cancelled)"),
            ("Status", "Invoice Status", "Bill Status"),
            "open, paid or cancelled (Due, Unpaid, Outstanding, Paid in Full, Closed, Void… "
            "too; default open)",
        ),
        Column(
            "published",
            False,
            v.flag,
            ("Published", "Show in Portal", "Visible in Portal", "Portal"),
            "yes or no: shown in the customer's portal (default yes for a new invoice)",
        ),
    )

    def start(self) -> None:
        self._numbers_in_file = Claims()  # number -> first line
        self._policy_of: dict[int, int | None] = {}  # row line -> policy id (if named)

    def end_chunk(self) -> None:
        self._numbers_in_file.end_chunk()
        self._policy_of.clear()

    def stamp_columns(self) -> tuple:
        # Payments move an invoice's status and paid amount with bulk UPDATEs, which leave
        # updated_at as it was: its digest holds them too.
        return (Invoice.updated_at, Invoice.status, Invoice.paid_cents)

    def key(self, row: ParsedRow):
        if row.values.get("invoice_id"):
            return ("id", row.values["invoice_id"])
        return ("number", row.values["invoice_number"])

    def resolve(self, session: Session, rows: list[ParsedRow], book: Book) -> None:
        ids = [r.values["invoice_id"] for r in rows if r.values.get("invoice_id")]
        numbers = [r.values["invoice_number"] for r in rows]
        self._numbers_in_file.prefetch(numbers)
        # Locked (on PostgreSQL) until the import commits: a portal payment on one of these
        # waits, so what is checked below is what the import writes over.
        found = stored(
            session,
            Invoice,
            or_(
                one_of(session, Invoice.external_id, ids), one_of(session, Invoice.number, numbers)
            ),
            for_update=True,
        )
        by_id = {i.external_id: i for i in found if i.external_id}
        by_number = {i.number: i for i in found}
        money = _money_of(session, [i.id for i in found])
        refs = find_policies(session, [r for r in rows if _names_policy(r)], book)
        for row in rows:
            self._resolve_one(row, book, by_id, by_number, refs)
            if row.refusal is None and row.existing is not None:
                reason = _money_rule(
                    row.existing, self._intended(row, book), money.get(row.existing.id, _Money())
                )
                if reason:
                    row.refuse(*reason)

    def _resolve_one(self, row: ParsedRow, book: Book, by_id, by_number, refs) -> None:
        values = row.values
        customer_id = values["customer_id"]
        if customer_id not in book.accounts:
            row.refuse("customer_id", "no account has this customer id")
            return
        number = values["invoice_number"]
        first_line = self._numbers_in_file.setdefault(number, row.line)
        if first_line != row.line:
            row.refuse("invoice_number", f"line {first_line} has the same invoice number")
            return
        if _names_policy(row):
            ref = refuse_unnamed_or_unknown(row, refs)
            if ref is None:
                return
            if ref.customer_id != customer_id:
                row.refuse("policy_number", "this policy is on another customer's account")
                return
            self._policy_of[row.line] = ref.id
        existing = by_id.get(values.get("invoice_id"))
        holder = by_number.get(number)
        if existing is None and holder is not None:
            if holder.external_id and values.get("invoice_id"):
                row.refuse("invoice_number", "this number is another invoice id's")
                return
            existing = holder
        elif existing is not None and holder is not None and holder is not existing:
            row.refuse("invoice_number", "this number belongs to another invoice")
            return
        row.existing = existing

    def _intended(self, row: ParsedRow, book: Book) -> dict:
        """What the row asks of an invoice's money: its account, amount, status, visibility."""
        values = row.values
        return {
            "account_id": book.accounts[values["customer_id"]],
            "amount_cents": values["amount"],
            "status": values.get("status"),
            "published": values.get("published"),
        }

    def target(self, row: ParsedRow, book: Book) -> dict:
        values = row.values
        attrs = {
            "account_id": book.accounts[values["customer_id"]],
            "number": values["invoice_number"],
            "amount_cents": values["amount"],
            "due_date": values["due_date"],
            "imported": True,
        }
        if values.get("invoice_id"):
            attrs["external_id"] = values["invoice_id"]
        if any(row.has(name) for name in ("policy_id", "policy_number", "carrier")):
            attrs["policy_id"] = self._policy_of.get(row.line)  # an emptied policy is none
        if row.has("description"):
            attrs["description"] = values["description"] or ""
        status = values.get("status")
        # "open" in an export that does not know of a payment in flight leaves it pending.
        existing = row.existing
        if status and not (
            existing is not None
            and existing.status == InvoiceStatus.PENDING
            and status == InvoiceStatus.OPEN
        ):
            attrs["status"] = status
        if values.get("published") is not None:
            attrs["published"] = values["published"]
        return attrs

    def new(self, attrs: dict, book: Book) -> Invoice:
        return Invoice(**_new_values(attrs))

    def new_record(self, attrs: dict, book: Book) -> NewRecord:
        return NewRecord(Invoice, _new_values(attrs))

    def open_imported(self, session: Session) -> set[int]:
        """Imported invoices still open with nothing paid and no payment under way."""
        return set(session.exec(select(Invoice.id).where(*_cancellable())))

    def retire(self, session: Session, ids: Iterable[int]) -> None:
        """An open, unpaid invoice absent from a full export is cancelled, with its payment
        requests; the guard is repeated in the UPDATE, so a payment begun since the count
        keeps its invoice. A paid or partly paid invoice is never touched."""
        for batch in chunked(ids):
            session.execute(
                update(Invoice)
                .where(Invoice.id.in_(batch), *_cancellable())
                .values(status=InvoiceStatus.CANCELLED)
                .execution_options(synchronize_session="fetch")
            )
            session.execute(
                update(PaymentRequest)
                .where(
                    PaymentRequest.invoice_id.in_(
                        select(Invoice.id).where(
                            Invoice.id.in_(batch), Invoice.status == InvoiceStatus.CANCELLED
                        )
                    ),
                    PaymentRequest.status.in_(_OPEN_REQUESTS),
                )
                .values(status=PaymentRequestStatus.CANCELLED)
                .execution_options(synchronize_session="fetch")
            )
        session.flush()


def _new_values(attrs: dict) -> dict:
    # Published unless the file says not: an imported invoice is a bill of record, like
    # an imported policy; imports tell no customer (ImportOptions.notify asks for that).
    return {
        "status": InvoiceStatus.OPEN,
        "published": True,
        "currency": get_settings().payments.currency,
        **attrs,
    }


def _names_policy(row: ParsedRow) -> bool:
    values = row.values
    return policy_key(values) is not None or bool(
        values.get("policy_number") or values.get("carrier")
    )


def _cancellable() -> tuple:
    return (
        Invoice.imported == True,  # noqa: E712
        Invoice.status == InvoiceStatus.OPEN,
        Invoice.paid_cents == 0,
        ~exists().where(
            Payment.invoice_id == Invoice.id,
            Payment.status.in_((PaymentStatus.PENDING, PaymentStatus.SUCCEEDED)),
        ),
    )


def _money_of(session: Session, invoice_ids: list[int]) -> dict[int, _Money]:
    if not invoice_ids:
        return {}
    statuses: dict[int, set[str]] = {}
    for invoice_id, status in session.exec(
        select(Payment.invoice_id, Payment.status).where(
            one_of(session, Payment.invoice_id, invoice_ids)
        )
    ):
        statuses.setdefault(invoice_id, set()).add(status)
    requested = set(
        session.exec(
            select(PaymentRequest.invoice_id).where(
                one_of(session, PaymentRequest.invoice_id, invoice_ids)
            )
        )
    )
    return {
        invoice_id: _Money(
            succeeded=PaymentStatus.SUCCEEDED in statuses.get(invoice_id, ()),
            pending=PaymentStatus.PENDING in statuses.get(invoice_id, ()),
            any=invoice_id in statuses or invoice_id in requested,
        )
        for invoice_id in invoice_ids
    }


def _money_rule(invoice: Invoice, intended: dict, money: _Money) -> tuple[str, str] | None:
    """(column, reason) when the row would undo what a portal payment did, else None."""
    status, amount = intended["status"], intended["amount_cents"]
    paid = format_money(invoice.paid_cents, invoice.currency)
    settled = invoice.paid_cents > 0 or money.succeeded
    in_flight = invoice.status == InvoiceStatus.PENDING or money.pending
    if intended["account_id"] != invoice.account_id and (settled or in_flight or money.any):
        return (
            "customer_id",
            f"invoice {invoice.number} has payments or payment requests on another account; "
            "an import does not move it",
        )
    if in_flight and (
        amount != invoice.amount_cents or status not in (None, InvoiceStatus.OPEN, invoice.status)
    ):
        return (
            "amount" if amount != invoice.amount_cents else "status",
            "a payment on this invoice is waiting to be confirmed; its amount and status "
            "change only after it settles",
        )
    if not settled:
        return None
    if status == InvoiceStatus.CANCELLED:
        return ("status", f"{paid} was paid on it in the portal; an import does not cancel it")
    if status == InvoiceStatus.OPEN and invoice.status == InvoiceStatus.PAID:
        return ("status", f"it was paid in the portal ({paid}); an import does not reopen it")
    if amount < invoice.paid_cents:
        return ("amount", f"{paid} was paid on it in the portal; the amount cannot go below that")
    if invoice.status == InvoiceStatus.PAID and amount != invoice.amount_cents:
        return (
            "amount",
            "it was paid in full in the portal; an import does not change its amount",
        )
    if amount == invoice.paid_cents and (status or invoice.status) != InvoiceStatus.PAID:
        return (
            "amount",
            f"{paid} was paid on it in the portal: at exactly that it would stay open with "
            "nothing to pay (mark it paid)",
        )
    if intended["published"] is False:
        return ("published", "it was paid in the portal; an import does not hide it")
    return None
