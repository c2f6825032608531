"""How a row names its policy, the way policies.csv keys policies: by the management system's
policy id, or by carrier + policy number. The policies this import's policies.csv named come
from the Book (a dry run's new ones among them); the rest are looked up a chunk at a time."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from functools import partial

from sqlmodel import Session, or_, select

from clientcenter.models import Account, Policy
from clientcenter.services.imports import values as v
from clientcenter.services.imports.columns import Column
from clientcenter.services.imports.entities.base import Book, ParsedRow, PolicyRef, one_of

POLICY_ID_SYNONYMS = ("Policy ID", "PolicyId", "Policy Key", "Policy Code")
# Not the bare "Number" policies.csv also takes: a child file has numbers of its own.
POLICY_NUMBER_SYNONYMS = ("Policy Number", "PolicyNo", "Policy No", "Pol #", "Pol No", "Policy #")
CARRIER_SYNONYMS = ("Carrier", "Company", "Insurer", "Carrier Name", "Writing Company")


def policy_ref_columns() -> tuple[Column, ...]:
    return (
        Column(
            "policy_id",
            False,
            partial(v.text, max_len=64),
            POLICY_ID_SYNONYMS,
            "the management system's policy id (else carrier + policy number name the policy)",
        ),
        Column(
            "policy_number",
            False,
            partial(v.text, max_len=40),
            POLICY_NUMBER_SYNONYMS,
            "the policy's number, with `carrier`, when there is no policy id",
        ),
        Column(
            "carrier",
            False,
            partial(v.text, max_len=120),
            CARRIER_SYNONYMS,
            "the policy's carrier",
        ),
    )


def policy_keys(policy_id: str | None, carrier: str, number: str) -> list[Hashable]:
    """The keys a policy is found by (policies.csv's own key is the first)."""
    by_number = ("number", v.fold(carrier), number)
    return [("id", policy_id), by_number] if policy_id else [by_number]


def policy_key(values: dict) -> Hashable | None:
    """The key a row names its policy by, or None when it names none."""
    if values.get("policy_id"):
        return ("id", values["policy_id"])
    if values.get("policy_number") and values.get("carrier"):
        return ("number", v.fold(values["carrier"]), values["policy_number"])
    return None


def find_policies(
    session: Session, rows: Iterable[ParsedRow], book: Book
) -> dict[Hashable, PolicyRef]:
    """The policies the rows name, by key: the Book's first, then the database's."""
    wanted = {k for r in rows if (k := policy_key(r.values)) is not None}
    found = {k: book.policies[k] for k in wanted if k in book.policies}
    missing = wanted - found.keys()
    ids = [k[1] for k in missing if k[0] == "id"]
    numbers = [k[2] for k in missing if k[0] == "number"]
    if ids or numbers:
        for policy_id, external_id, carrier, number, account_id, customer_id in session.exec(
            select(
                Policy.id,
                Policy.external_id,
                Policy.carrier,
                Policy.number,
                Policy.account_id,
                Account.external_id,
            )
            .join(Account, Account.id == Policy.account_id)
            .where(
                or_(
                    *([one_of(session, Policy.external_id, ids)] if ids else []),
                    *([one_of(session, Policy.number, numbers)] if numbers else []),
                )
            )
        ):
            ref = PolicyRef(policy_id, account_id, customer_id, number)
            for key in policy_keys(external_id, carrier, number):
                if key in missing:
                    found[key] = ref
    return found


def refuse_unnamed_or_unknown(row: ParsedRow, refs: dict[Hashable, PolicyRef]) -> PolicyRef | None:
    """The row's policy, or None with the row refused saying which column is wrong."""
    key = policy_key(row.values)
    if key is None:
        row.refuse(
            "policy_number",
            "name the policy: its policy_id, or its carrier and policy_number",
        )
        return None
    ref = refs.get(key)
    if ref is None:
        if key[0] == "id":
            row.refuse("policy_id", "no policy has this policy id")
        else:
            row.refuse("policy_number", "no policy of this carrier has this number")
    return ref
