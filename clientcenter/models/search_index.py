"""Keeps `search_term` in step with accounts, contacts and policies (the index is part of the
models: it depends on nothing but them, and every flush maintains it).

Every ORM flush that touches an Account, Contact or Policy rebuilds the search rows of the
accounts concerned, in the same transaction (a rollback takes the rows with it). Bulk loads
that bypass the ORM call `reindex_accounts` for the accounts they wrote (the import does, once
at its end) or `rebuild_all`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import phonenumbers
from sqlalchemy import delete, event, func, inspect, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from clientcenter.models.accounts import Account, Contact
from clientcenter.models.bulk_write import insert_rows, one_of
from clientcenter.models.policies import Policy
from clientcenter.models.search import SearchTerm

TRIGRAM_INDEX = "ix_search_term_norm_trgm"
DEFAULT_REGION = "US"  # how a phone number typed without a country code is read

# How much a match in each field counts; the match class (exact > prefix > substring) counts
# first, the field breaks ties within a class.
FIELD_WEIGHTS = {
    "policy": 9,
    "email": 8,
    "phone": 7,
    "name": 6,
    "business": 6,
    "contact": 5,
}
FIELD_LABELS = {
    "policy": "Policy",
    "email": "Email",
    "phone": "Phone",
    "name": "Account",
    "business": "Business",
    "contact": "Contact",
}

# Apostrophes in every form people type them: "O'Brien", "O’Brien" and "OBrien" are one name.
_APOSTROPHES = dict.fromkeys(map(ord, "'\u2019\u2018\u02bc`\u00b4"), None)


def normalize_text(value: str) -> str:
    """Case-, accent- and apostrophe-insensitive form, single-spaced: "José  O'Brien" ->
    "jose obrien"."""
    decomposed = unicodedata.normalize("NFKD", value)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().translate(_APOSTROPHES).split())


def compact(value: str) -> str:
    """Letters and digits only: "PA-123 4567" -> "pa1234567" (policy numbers)."""
    return "".join(ch for ch in normalize_text(value) if ch.isalnum())


def phone_digits(value: str) -> str:
    """A stored phone as the digits of its E.164 form ("+12075550101" -> "12075550101")."""
    return _phone_forms(value)[0]


def display_phone(e164: str) -> str:
    return _phone_forms(e164)[1]


def _phone_forms(value: str) -> tuple[str, str]:
    """(digits, display) of a phone, parsed once: reindexing 100,000 accounts parses every
    contact's mobile, and parsing is most of the cost. A stored North American mobile
    (E.164, "+1" and ten digits) is formatted directly, as phonenumbers formats it."""
    if len(value) == 12 and value[:2] == "+1" and value[2:].isdigit() and _nanp(value[2:]):
        d = value[2:]
        return value[1:], f"({d[:3]}) {d[3:6]}-{d[6:]}"
    try:
        number = phonenumbers.parse(value, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return "".join(ch for ch in value if ch.isdigit()), value
    digits = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164).lstrip("+")
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 1
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return digits, phonenumbers.format_number(number, style)


def _nanp(d: str) -> bool:
    """Ten digits shaped like a North American number (area code and exchange from 2)."""
    return d[0] in "23456789" and d[3] in "23456789"


def _row(account_id: int, field: str, kind: str, norm: str, display: str) -> dict:
    return {
        "account_id": account_id,
        "field": field,
        "kind": kind,
        "weight": FIELD_WEIGHTS[field],
        "norm": norm[:254],
        "display": display[:254],
    }


def terms_for(account: dict, contacts: Iterable[dict], policies: Iterable[dict]) -> list[dict]:
    """The search rows of one account (plain dicts of column values in, rows out)."""
    aid = account["id"]
    rows = [_row(aid, "name", "text", normalize_text(account["name"]), account["name"])]
    if account.get("business_name"):
        rows.append(
            _row(
                aid,
                "business",
                "text",
                normalize_text(account["business_name"]),
                account["business_name"],
            )
        )
    for c in contacts:
        full = f"{c['first_name']} {c['last_name']}"
        rows.append(_row(aid, "contact", "text", normalize_text(full), full))
        # The last name alone, so that "rivera" is an exact match, not a word inside a name.
        rows.append(_row(aid, "contact", "text", normalize_text(c["last_name"]), full))
        if c.get("email"):
            rows.append(_row(aid, "email", "text", normalize_text(c["email"]), c["email"]))
        if c.get("mobile"):
            rows.append(_row(aid, "phone", "digits", *_phone_forms(c["mobile"])))
    for p in policies:
        rows.append(_row(aid, "policy", "compact", compact(p["number"]), p["number"]))
    # One row per distinct value: "Jordan Lee" as name and as contact would only add noise.
    seen, unique = set(), []
    for r in rows:
        key = (r["field"], r["norm"])
        if r["norm"] and key not in seen:
            seen.add(key)
            unique.append(r)
    return unique


# Reindexing this many accounts, and at least half of all of them (a first import, a
# rebuild), drops PostgreSQL's indexes on the search text and builds them again after: the
# GIN index takes rows one by one at some 50 µs each (fastupdate is off for search speed,
# migration 0004), a fresh build takes them in bulk. Until the transaction ends, searches
# wait for it.
BULK_REINDEX_ACCOUNTS = 5000
_REBUILT_IN_BULK = (TRIGRAM_INDEX, "ix_search_term_norm")


def reindex_accounts(conn: Connection, account_ids: Iterable[int]) -> int:
    """Rebuild the search rows of these accounts from their current data. Returns how many
    search rows they now have."""
    ids = sorted({int(i) for i in account_ids if i is not None})
    # PostgreSQL takes each chunk's ids as one array: 2,000 bound values of an IN list cost
    # more to render and parse than the look-ups they make.
    size = 2000 if conn.dialect.name == "postgresql" else 500
    written = 0
    with _text_indexes_rebuilt_if_bulk(conn, len(ids)):
        for start in range(0, len(ids), size):
            written += _reindex_chunk(conn, ids[start : start + size])
    return written


def _existing_text_indexes(conn: Connection) -> list:
    return [
        i
        for i in SearchTerm.__table__.indexes
        if i.name in _REBUILT_IN_BULK
        and conn.execute(text("SELECT to_regclass(:n)"), {"n": i.name}).scalar() is not None
    ]


@contextmanager
def _text_indexes_rebuilt_if_bulk(conn: Connection, n_accounts: int) -> Iterator[None]:
    bulk = (
        conn.dialect.name == "postgresql"
        and n_accounts >= BULK_REINDEX_ACCOUNTS
        and n_accounts * 2 >= conn.execute(select(func.count()).select_from(Account)).scalar_one()
    )
    indexes = _existing_text_indexes(conn) if bulk else []
    for index in indexes:
        index.drop(conn)
    yield
    if indexes:  # the server's memory for the build, this transaction only
        conn.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
    for index in indexes:
        index.create(conn)


def _reindex_chunk(conn: Connection, ids: list[int]) -> int:
    if not ids:
        return 0
    accounts = (
        conn.execute(
            select(Account.id, Account.name, Account.business_name).where(
                one_of(conn.dialect.name, Account.id, ids)
            )
        )
        .mappings()
        .all()
    )
    contacts: dict[int, list] = {}
    for c in conn.execute(
        select(
            Contact.account_id,
            Contact.first_name,
            Contact.last_name,
            Contact.email,
            Contact.mobile,
        ).where(one_of(conn.dialect.name, Contact.account_id, ids))
    ).mappings():
        contacts.setdefault(c["account_id"], []).append(c)
    policies: dict[int, list] = {}
    for p in conn.execute(
        select(Policy.account_id, Policy.number).where(
            one_of(conn.dialect.name, Policy.account_id, ids)
        )
    ).mappings():
        policies.setdefault(p["account_id"], []).append(p)
    conn.execute(delete(SearchTerm).where(one_of(conn.dialect.name, SearchTerm.account_id, ids)))
    rows = []
    for a in accounts:
        rows.extend(terms_for(a, contacts.get(a["id"], []), policies.get(a["id"], [])))
    insert_rows(conn, SearchTerm.__table__, rows)
    return len(rows)


def rebuild_all(conn: Connection) -> int:
    """Rebuild the whole index (after a bulk load or a migration). Returns the account count."""
    conn.execute(delete(SearchTerm))
    ids = list(conn.execute(select(Account.id).order_by(Account.id)).scalars())
    reindex_accounts(conn, ids)
    return len(ids)


def _touched_accounts(session: Session) -> set[int]:
    ids: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Account):
            ids.add(obj.id)
        elif isinstance(obj, (Contact, Policy)):
            ids.add(obj.account_id)
            # A contact or policy moved to another account leaves its old account stale.
            ids.update(inspect(obj).attrs.account_id.history.deleted or ())
    ids.discard(None)
    return ids


def reindex_after_flush(session: Session) -> None:
    """Called by the flush hook below for every ORM flush."""
    ids = _touched_accounts(session)
    if ids:
        reindex_accounts(session.connection(), ids)


# Registered when clientcenter.models is imported (its __init__ imports this module), so
# every session of the application keeps the index.
@event.listens_for(Session, "after_flush")
def _keep_search_index(session: Session, _flush_context) -> None:
    reindex_after_flush(session)
