"""Super Search: one box that finds customer accounts by name, business name, contact email,
phone (any format) or policy number.

Matching is partial, case-, accent- and apostrophe-insensitive; `%` and `_` are plain
characters. Results are ranked by match class (exact > prefix > word start > substring), then
by how telling the field is (policy number > email > phone > names), and paginated.
The work is done in SQL over `search_term` (services.search_index keeps it current): a trigram
index serves substring matches (pg_trgm on PostgreSQL, FTS5 on SQLite), a b-tree serves
short prefixes.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import phonenumbers
from sqlalchemy import and_, case, column, func, literal_column, table, union_all
from sqlalchemy import text as sql_text
from sqlmodel import Session, select

from clientcenter.models import Account, Agent, Contact, Policy
from clientcenter.models.accounts import ContactRole
from clientcenter.models.policies import PolicyStatus
from clientcenter.models.search import SQLITE_FTS_TABLE, SearchTerm
from clientcenter.models.search_index import (
    DEFAULT_REGION,
    FIELD_LABELS,
    compact,
    display_phone,
    normalize_text,
)
from clientcenter.services.access import require_permission
from clientcenter.services.agency import audit
from clientcenter.services.agency.roles import Permission
from clientcenter.services.errors import InvalidInput
from clientcenter.services.principal import Principal

PER_PAGE = 20
MAX_PER_PAGE = 50
MAX_QUERY_LENGTH = 120
# Shorter needles match only at the start of a value: "jo" finds "Jordan", not "Major".
MIN_SUBSTRING_LENGTH = 3
MIN_PHONE_DIGITS = 3

EXACT, PREFIX, WORD, SUBSTRING = 300, 200, 150, 100
# Accounts found only because every word matched somewhere rank below whole-phrase matches.
ALL_WORDS_PENALTY = 60

_PHONE_LIKE = re.compile(r"^\+?[\d\s().\-/]+$")


@dataclass(frozen=True)
class ParsedQuery:
    text: str  # normalised phrase, for names and emails
    compact: str  # letters and digits only, for policy numbers
    digits: str  # phone digits (E.164 when the number is complete), or "" if not phone-like
    words: tuple[str, ...]  # for "rivera pat": every word must match somewhere


@dataclass(frozen=True)
class SearchResult:
    account_id: int
    name: str
    kind: str  # personal | commercial
    business_name: str
    active: bool
    producer: str
    primary_name: str
    primary_email: str
    primary_phone: str
    matched_label: str  # "Policy", "Email", …
    matched_value: str  # the value as stored, e.g. "PA-1234567"


@dataclass(frozen=True)
class SearchPage:
    query: str
    results: list[SearchResult]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def parse_query(raw: str) -> ParsedQuery:
    raw = (raw or "").strip()
    if len(raw) > MAX_QUERY_LENGTH:
        raise InvalidInput(f"Search for at most {MAX_QUERY_LENGTH} characters.", field="query")
    text = normalize_text(raw)
    if not text:
        raise InvalidInput("Type a name, email, phone or policy number to search.", field="query")
    digits = ""
    if _PHONE_LIKE.match(raw):
        digits = "".join(ch for ch in raw if ch.isdigit())
        try:
            number = phonenumbers.parse(raw, DEFAULT_REGION)
            if phonenumbers.is_valid_number(number):
                digits = phonenumbers.format_number(
                    number, phonenumbers.PhoneNumberFormat.E164
                ).lstrip("+")
        except phonenumbers.NumberParseException:
            pass
        if len(digits) < MIN_PHONE_DIGITS:
            digits = ""
    words = tuple(w for w in text.split(" ") if any(ch.isalnum() for ch in w))
    if digits or len(words) < 2:
        words = ()
    return ParsedQuery(text=text, compact=compact(raw), digits=digits, words=words)


# --- SQL ---------------------------------------------------------------------------------


def _next_string(prefix: str) -> str:
    """The smallest string above every string that starts with `prefix`."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


_FTS = table(SQLITE_FTS_TABLE, column("rowid"))


def _fts_rowids(needle: str):
    """SQLite: ids of the rows whose `norm` contains `needle`, from the FTS5 trigram index
    (a quoted phrase is a literal substring there; `"` is doubled inside it)."""
    phrase = '"' + needle.replace('"', '""') + '"'
    return select(_FTS.c.rowid).where(literal_column(SQLITE_FTS_TABLE).op("MATCH")(phrase))


def _where(needle: str, dialect: str):
    t = SearchTerm.norm
    if len(needle) >= MIN_SUBSTRING_LENGTH:
        if dialect == "sqlite":
            return and_(
                SearchTerm.id.in_(_fts_rowids(needle)), t.contains(needle, autoescape=True)
            )
        return t.contains(needle, autoescape=True)  # served by the pg_trgm GIN index
    # A b-tree range does the work; LIKE re-checks it under any collation.
    return and_(t >= needle, t < _next_string(needle), t.startswith(needle, autoescape=True))


def _score(needle: str):
    t = SearchTerm.norm
    return (
        case(
            (t == needle, EXACT),
            (t.startswith(needle, autoescape=True), PREFIX),
            (t.contains(" " + needle, autoescape=True), WORD),
            else_=SUBSTRING,
        )
        + SearchTerm.weight
    )


def _matches(kind: str, needle: str, dialect: str):
    return select(SearchTerm.account_id.label("account_id"), _score(needle).label("score")).where(
        SearchTerm.kind == kind, _where(needle, dialect)
    )


def _all_words(words: tuple[str, ...], dialect: str):
    """Accounts where each word matches some name or email, scored by their weakest word."""
    per_word = union_all(
        *[
            select(SearchTerm.account_id.label("account_id"), func.max(_score(w)).label("score"))
            .where(SearchTerm.kind == "text", _where(w, dialect))
            .group_by(SearchTerm.account_id)
            for w in words
        ]
    ).subquery("per_word")
    return (
        select(
            per_word.c.account_id, (func.min(per_word.c.score) - ALL_WORDS_PENALTY).label("score")
        )
        .group_by(per_word.c.account_id)
        .having(func.count() == len(words))
    )


def _ranked(q: ParsedQuery, dialect: str, *, by_words: bool = False):
    """Matching accounts with their best score: the whole query (as text, phone digits and
    policy number), or — by_words — every word somewhere, in any order."""
    if by_words:
        parts = [_all_words(q.words, dialect)]
    else:
        parts = []
        if q.digits:  # a phone number (or digits of a policy number), not a name
            parts.append(_matches("digits", q.digits, dialect))
        else:
            parts.append(_matches("text", q.text, dialect))
        if any(ch.isdigit() for ch in q.compact):  # policy numbers always carry digits
            parts.append(_matches("compact", q.compact, dialect))
    matches = union_all(*parts).subquery("matches")
    return (
        select(matches.c.account_id, func.max(matches.c.score).label("score"))
        .group_by(matches.c.account_id)
        .subquery("ranked")
    )


def _page(session: Session, ranked, page: int, per_page: int) -> tuple[list[int], int]:
    """One page of account ids, best first, and the number of matches (through a window)."""
    rows = session.exec(
        select(Account.id, func.count().over().label("total"))
        .join(ranked, ranked.c.account_id == Account.id)
        .order_by(ranked.c.score.desc(), Account.name, Account.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    if rows:
        return [r[0] for r in rows], rows[0][1]
    # Past the last page, or no match: count apart.
    return [], session.exec(select(func.count()).select_from(ranked)).one()


# --- the service -------------------------------------------------------------------------


def super_search(
    session: Session, principal: Principal, query: str, page: int = 1, per_page: int = PER_PAGE
) -> SearchPage:
    """Accounts matching `query`, best first. Agents on the agency side only.
    Several words that match nowhere as a phrase ("rivera pat") match as words, in any order."""
    require_permission(session, principal, Permission.SEARCH)
    q = parse_query(query)
    per_page = max(1, min(int(per_page), MAX_PER_PAGE))
    page = max(1, int(page))
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        # Small, index-driven queries: parallel workers cost more to start than they save.
        session.exec(sql_text("SET LOCAL max_parallel_workers_per_gather = 0"))
    ids, total = _page(session, _ranked(q, dialect), page, per_page)
    if total == 0 and q.words:
        ids, total = _page(session, _ranked(q, dialect, by_words=True), page, per_page)
    audit.record_read(
        session, principal, "search.run", None, f"Searched: {total} found.", query=query
    )
    return SearchPage(
        query=query.strip(),
        results=_describe(session, ids, q),
        total=total,
        page=page,
        per_page=per_page,
    )


def _best_term(terms: list, q: ParsedQuery):
    """Which stored value explains the match (same rules as the SQL, for display only)."""
    needles = {
        "text": "" if q.digits else q.text,
        "digits": q.digits,
        "compact": q.compact if any(ch.isdigit() for ch in q.compact) else "",
    }

    def score(t) -> int:
        needle = needles.get(t.kind) or ""
        if not needle:
            return -1
        if t.norm == needle:
            return EXACT + t.weight
        if t.norm.startswith(needle):
            return PREFIX + t.weight
        if len(needle) >= MIN_SUBSTRING_LENGTH and needle in t.norm:
            return (WORD if " " + needle in t.norm else SUBSTRING) + t.weight
        if q.words and t.kind == "text" and any(w in t.norm for w in q.words):
            return SUBSTRING - ALL_WORDS_PENALTY + t.weight
        return -1

    best = max(terms, key=score, default=None)
    return best if best is not None and score(best) >= 0 else None


def _describe(session: Session, ids: list[int], q: ParsedQuery) -> list[SearchResult]:
    """The result rows for one page of account ids (plain column reads, no ORM objects)."""
    if not ids:
        return []
    accounts = {
        r.id: r
        for r in session.exec(
            select(
                Account.id,
                Account.name,
                Account.kind,
                Account.business_name,
                Agent.first_name,
                Agent.last_name,
            )
            .join(Agent, Agent.id == Account.producer_id)
            .where(Account.id.in_(ids))
        ).all()
    }
    primaries: dict[int, tuple] = {}  # the primary applicant, else the first contact
    for c in session.exec(
        select(
            Contact.account_id,
            Contact.first_name,
            Contact.last_name,
            Contact.email,
            Contact.mobile,
        )
        .where(Contact.account_id.in_(ids))
        .order_by(Contact.role != ContactRole.PRIMARY, Contact.id)
    ).all():
        primaries.setdefault(c.account_id, c)
    # Filtered in Python: with `status = 'active'` in SQL, SQLite (without ANALYZE figures)
    # walks the status index, i.e. most policies of the agency.
    active = {
        aid
        for aid, status in session.exec(
            select(Policy.account_id, Policy.status).where(Policy.account_id.in_(ids))
        ).all()
        if status == PolicyStatus.ACTIVE
    }
    terms: dict[int, list] = {}
    for t in session.exec(
        select(
            SearchTerm.account_id,
            SearchTerm.field,
            SearchTerm.kind,
            SearchTerm.weight,
            SearchTerm.norm,
            SearchTerm.display,
        ).where(SearchTerm.account_id.in_(ids))
    ).all():
        terms.setdefault(t.account_id, []).append(t)
    out = []
    for aid in ids:
        a = accounts[aid]
        c = primaries.get(aid)
        best = _best_term(terms.get(aid, []), q)
        out.append(
            SearchResult(
                account_id=aid,
                name=a.name,
                kind=a.kind,
                business_name=a.business_name or "",
                active=aid in active,
                producer=f"{a.first_name} {a.last_name}",
                primary_name=f"{c.first_name} {c.last_name}" if c else "",
                primary_email=(c.email or "") if c else "",
                primary_phone=display_phone(c.mobile) if c and c.mobile else "",
                matched_label=FIELD_LABELS[best.field] if best else "",
                matched_value=best.display if best else "",
            )
        )
    return out
