"""Records the import writes in bulk (one statement per chunk and table; COPY on PostgreSQL)
are the records the ORM would have written: the same defaults, ids the tables' own sequences
go on from, search rows for every account written and none for an unchanged re-import."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event, func, text
from sqlmodel import Session, select

from clientcenter.models import (
    Account,
    Agent,
    Contact,
    Policy,
    SearchTerm,
    bulk_write,
    search_index,
)
from clientcenter.services.agency.search import super_search
from clientcenter.services.principal import Principal
from tests.services.imports.conftest import ACCOUNTS, CONTACTS, POLICIES, run, write_export
from tests.services.imports.test_import import _writes


def _search(session: Session, query: str) -> list[str]:
    admin = session.exec(select(Agent).where(Agent.role == "administrator")).first()
    page = super_search(session, Principal.agency(admin.id), query)
    return [r.name for r in page.results]


def test_bulk_written_records_get_the_models_defaults(demo, export):
    run(demo, export)
    dana = demo.exec(select(Contact).where(Contact.email == "dana@example.org")).one()
    assert (dana.notify_by_email, dana.notify_by_sms, dana.may_log_in) == (True, False, True)
    assert dana.created_at is not None and dana.mobile == "+12075550142"
    policy = demo.exec(select(Policy).where(Policy.external_id == "X3")).one()
    assert (policy.currency, policy.status, policy.carrier_naic) == ("USD", "active", None)
    account = demo.exec(select(Account).where(Account.external_id == "C200")).one()
    assert (account.kind, account.street, account.created_at is not None) == (
        "commercial",
        "9 Wharf Rd",
        True,
    )


def test_records_added_after_an_import_take_the_next_ids(demo, export):
    run(demo, export)
    top = demo.exec(select(func.max(Policy.id))).one()
    account = demo.exec(select(Account).where(Account.external_id == "C100")).one()
    later = Policy(
        account_id=account.id,
        number="PA-LATER",
        line="auto",
        carrier="Casco Mutual",
        effective_date=account.created_at.date(),
        expiration_date=account.created_at.date(),
        status="active",
        premium_cents=100,
    )
    demo.add(later)
    demo.commit()
    assert later.id > top


def test_imported_accounts_are_found_by_super_search(demo, export):
    run(demo, export)
    assert "Lobster Pot LLC" in _search(demo, "BOP-9000003")
    assert "Dana Whitfield" in _search(demo, "lee@example.org")
    assert "Dana Whitfield" in _search(demo, "(207) 555-0142")


def test_an_unchanged_reimport_does_no_search_index_work(demo, export):
    run(demo, export)
    with _writes(demo) as seen:
        run(demo, export)
    assert not [s for s in seen if "search_term" in s]


@contextmanager
def _statements_starting(session: Session, word: str):
    """What follows ``word`` in each statement the block sends that starts with it (the
    table an ANALYZE names, the index a DROP INDEX names)."""
    seen: list[str] = []

    def listen(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith(word):
            seen.append(statement.split(None, 1)[1].strip('"'))

    event.listen(session.get_bind(), "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(session.get_bind(), "before_cursor_execute", listen)


def test_a_first_import_rebuilds_the_search_text_indexes_whole(demo, tmp_path, monkeypatch):
    """Past the threshold (lowered here), PostgreSQL's trigram and text indexes are dropped and
    built again in the import's transaction; they are there afterwards, and exact and
    substring search find the rows."""
    monkeypatch.setattr(search_index, "BULK_REINDEX_ACCOUNTS", 2)
    many = "".join(f"C9{i:02d},Account {i} Tremblay,personal,,,ME,04101\n" for i in range(40))
    folder = write_export(
        tmp_path / "many",
        accounts=ACCOUNTS + many,
        contacts=CONTACTS,
        policies=POLICIES,
    )
    with _statements_starting(demo, "DROP INDEX") as dropped:
        report = run(demo, folder)
    assert report.errors == []
    if demo.get_bind().dialect.name == "postgresql":
        assert sorted(d.split()[-1] for d in dropped) == [
            "ix_search_term_norm",
            "ix_search_term_norm_trgm",
        ]
        for name in ("ix_search_term_norm", "ix_search_term_norm_trgm"):
            assert demo.exec(text(f"SELECT to_regclass('{name}')")).one()[0] is not None
    assert _search(demo, "Account 7 Tremblay") == ["Account 7 Tremblay"]  # the exact path
    names = _search(demo, "remblay")  # a substring: the trigram path
    assert len(names) >= 20 and all("Tremblay" in n for n in names)
    indexed = demo.exec(
        select(func.count(func.distinct(SearchTerm.account_id)))
        .join(Account, Account.id == SearchTerm.account_id)
        .where(Account.external_id.is_not(None))
    ).one()
    assert indexed == 42


def test_a_file_that_grows_its_table_leaves_it_analyzed(demo, tmp_path, monkeypatch):
    """PostgreSQL plans the next files' and the next import's look-ups from table statistics;
    a load that outgrew them refreshes them in its own transaction (a re-import of the same
    export planned on an empty table's statistics took twice as long). Lowered thresholds."""
    monkeypatch.setattr(bulk_write, "ANALYZE_MIN_ROWS", 10)
    many = "".join(f"C9{i:02d},Account {i} Tremblay,personal,,,ME,04101\n" for i in range(40))
    folder = write_export(tmp_path / "many", accounts=ACCOUNTS + many)
    with _statements_starting(demo, "ANALYZE") as analyzed:
        report = run(demo, folder)
    assert report.errors == []
    if demo.get_bind().dialect.name != "postgresql":
        assert analyzed == []  # SQLite plans without them
        return
    assert set(analyzed) >= {"account", "import_row_digest", "search_term"}
    counted = demo.exec(
        text("SELECT reltuples FROM pg_class WHERE oid = 'account'::regclass")
    ).one()
    assert counted[0] == demo.exec(select(func.count()).select_from(Account)).one()
    with _statements_starting(demo, "ANALYZE") as again:  # nothing grew: the statistics stand
        run(demo, folder)
    assert again == []
