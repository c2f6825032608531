"""Super Search on tricky inputs, on SQLite and PostgreSQL: phone formats, apostrophes, accents,
SQL wildcards, ranking, paging, policy numbers, who may search, and an index that follows
every change to the data."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from clientcenter.models import Account, Agent, Contact, Policy, SearchTerm
from clientcenter.services.agency.search import super_search
from clientcenter.services.errors import InvalidInput, NotAllowed
from clientcenter.services.principal import Principal
from tests.support.demo import (
    BAKERY,
    CASEY,
    ELLIS,
    GRACE,
    KIM,
    LEE,
    OBRIEN,
    PAT,
    QUINN,
    RIVERA,
    STUDIO,
    account_named,
    agency_agent,
)


def _account(
    session: Session,
    name: str,
    *,
    business: str | None = None,
    contacts: list[tuple[str, str, str | None, str | None]] = (),
    policies: list[str] = (),
) -> Account:
    producer = session.exec(select(Agent)).first()
    account = Account(
        kind="commercial" if business else "personal",
        name=name,
        business_name=business,
        producer_id=producer.id,
    )
    session.add(account)
    session.flush()
    for i, (first, last, email, mobile) in enumerate(contacts):
        session.add(
            Contact(
                account_id=account.id,
                role="primary" if i == 0 else "additional",
                first_name=first,
                last_name=last,
                email=email,
                mobile=mobile,
            )
        )
    for number in policies:
        session.add(
            Policy(
                account_id=account.id,
                number=number,
                line="auto",
                carrier="Safeco",
                effective_date=date(2026, 1, 1),
                expiration_date=date(2026, 7, 1),
                status="active",
                premium_cents=1000,
            )
        )
    session.commit()
    return account


def _names(session: Session, query: str, **kw) -> list[str]:
    return [r.name for r in super_search(session, agency_agent(session), query, **kw).results]


def test_phone_in_any_format_finds_the_contact(demo):
    # Siobhan O'Brien's mobile is +12075550108.
    for query in [
        "(207) 555-0108",
        "207-555-0108",
        "2075550108",
        "+1 207 555 0108",
        "1-207-555-0108",
        "207.555.0108",
        "+12075550108",
        "555-0108",
        "5550108",
    ]:
        page = super_search(demo, agency_agent(demo), query)
        assert [r.name for r in page.results] == [OBRIEN], query
        assert page.results[0].matched_label == "Phone"
        assert page.results[0].matched_value == "(207) 555-0108"
    # A fragment shared by every demo mobile finds them all, and nothing without a mobile.
    assert ELLIS not in _names(demo, "555-01", per_page=50)
    assert len(_names(demo, "555-01", per_page=50)) == 12


def test_apostrophes_in_any_form(demo):
    for query in [
        "O'Brien",
        "o'brien",
        "O’Brien",
        "OBrien",
        "obrien",
        OBRIEN,
        "siobhan o’brien",
        "O`Brien",
    ]:
        assert _names(demo, query) == [OBRIEN], query


def test_accents_either_way(demo):
    for query in [
        "José",
        "jose",
        "JOSE",
        "Álvarez",
        "alvarez",
        "josé álvarez",
        "Jose Alvarez",
        "álvarez josé",
    ]:
        assert _names(demo, query) == ["José Álvarez"], query
    _account(demo, "Renee Dupont", contacts=[("Renee", "Dupont", "renee@example.com", None)])
    assert _names(demo, "Renée") == ["Renee Dupont"]
    assert _names(demo, "DUPONT") == ["Renee Dupont"]


def test_sql_wildcards_are_plain_characters(demo):
    _account(demo, "First Last", contacts=[("First", "Last", "first_last@example.com", None)])
    _account(
        demo,
        "Organic Farms",
        business="100% Organic Farms LLC",
        contacts=[("Nia", "Okoro", "nia@organic.example", None)],
    )
    _account(
        demo,
        "Back Slash",
        business="A\\B Tooling",
        contacts=[("Bo", "Ash", "bo@tooling.example", None)],
    )
    # As LIKE patterns these would match every account; as text they match only themselves.
    assert _names(demo, "%") == []  # (one character matches only at the start of a value)
    assert _names(demo, "%%%") == []
    assert _names(demo, "___") == []
    assert _names(demo, "100%") == ["Organic Farms"]
    assert _names(demo, "0% org") == ["Organic Farms"]
    assert _names(demo, "%organic") == []
    assert _names(demo, "t_l") == ["First Last"]  # not "Patel" (t-e-l) as LIKE would have it
    assert _names(demo, "first_") == ["First Last"]
    assert _names(demo, "a\\b") == ["Back Slash"]
    assert _names(demo, "a/b") == []  # the LIKE escape character is plain too
    assert _names(demo, "[a-z]") == []


def test_ranking_exact_then_prefix_then_substring_then_field(demo):
    _account(demo, "Ashlee Smith", contacts=[("Ashlee", "Smith", "ashlee@example.com", None)])
    _account(
        demo,
        "Leeward Marine",
        business="Leeward Marine Inc",
        contacts=[("Tom", "Hart", "tom@leeward.example", None)],
    )
    names = _names(demo, "lee", per_page=50)
    # Exact last name "Lee" (two accounts, then by name), a prefix, then a substring.
    assert names[:2] == [LEE, STUDIO]
    assert names.index("Leeward Marine") < names.index("Ashlee Smith")
    # Among exact matches a policy number outranks a name.
    _account(demo, "HX-100", contacts=[("Hx", "Hundred", None, None)])
    _account(demo, "Someone Else", contacts=[("Some", "One", None, None)], policies=["HX-100"])
    assert _names(demo, "HX-100") == ["Someone Else", "HX-100"]


def test_policy_number_in_any_spacing(demo):
    number = demo.exec(
        select(Policy.number)
        .join(Account, Account.id == Policy.account_id)
        .where(Account.name == KIM, Policy.line == "umbrella")
    ).one()
    prefix, digits = number.split("-")
    for query in [
        number,
        number.lower(),
        f"{prefix}{digits}",
        f"{prefix} {digits}",
        digits,
        digits[:5],
    ]:
        page = super_search(demo, agency_agent(demo), query)
        assert page.results[0].name == KIM, query
        assert page.results[0].matched_label == "Policy"
        assert page.results[0].matched_value == number


def test_email_business_and_partial_names(demo):
    assert _names(demo, PAT) == [RIVERA]
    assert _names(demo, "PAT.RIVERA@") == [RIVERA]
    assert _names(demo, "@brightbakery") == [BAKERY]
    assert _names(demo, "dental") == ["Patel Dental Group PC"]
    assert _names(demo, "landscap") == ["Thompson Landscaping Inc."]
    assert _names(demo, "  nguyen  ") == ["Minh & Lan Nguyen"]
    # Two short letters match only at the start of a value.
    assert _names(demo, "gr") == [KIM]
    # Inactive accounts are found too (agents need them), and say so.
    page = super_search(demo, agency_agent(demo), "casey")
    assert [(r.name, r.active) for r in page.results] == [(QUINN, False)]
    assert page.results[0].primary_email == CASEY


def test_pages_cover_every_match_once(demo):
    for i in range(45):
        _account(demo, f"Pager Person {i:02d}", contacts=[("Pager", f"Person{i:02d}", None, None)])
    seen = []
    first = super_search(demo, agency_agent(demo), "pager", per_page=20)
    assert (first.total, first.pages, first.has_next, first.has_previous) == (45, 3, True, False)
    for page_no in (1, 2, 3):
        page = super_search(demo, agency_agent(demo), "pager", page=page_no, per_page=20)
        seen += [r.account_id for r in page.results]
    assert len(seen) == len(set(seen)) == 45
    assert super_search(demo, agency_agent(demo), "pager", page=9, per_page=20).results == []
    assert super_search(demo, agency_agent(demo), "pager", per_page=10_000).per_page == 50


def test_bad_queries_are_refused_with_a_reason(demo):
    for query in ["", "   ", "'", "’’"]:
        with pytest.raises(InvalidInput, match="Type a name"):
            super_search(demo, agency_agent(demo), query)
    with pytest.raises(InvalidInput, match="at most 120"):
        super_search(demo, agency_agent(demo), "x" * 121)
    assert _names(demo, "zzzqqq") == []


def test_only_agents_on_the_agency_side_may_search(demo):
    agent = agency_agent(demo)
    contact = demo.exec(select(Contact).where(Contact.email == PAT)).one()
    for principal in [
        Principal.customer(contact.account_id, contact.id),
        Principal.agent_viewing(agent.agent_id, contact.account_id),
        None,
    ]:
        with pytest.raises(NotAllowed):
            super_search(demo, principal, "rivera")
    row = demo.get(Agent, agent.agent_id)
    row.is_active = False
    demo.commit()
    with pytest.raises(NotAllowed, match="not active"):
        super_search(demo, agent, "rivera")


def test_the_index_follows_every_change(demo):
    contact = demo.exec(select(Contact).where(Contact.email == GRACE)).one()
    contact.last_name = "Kim-Novak"
    contact.email = "grace.novak@example.com"
    demo.commit()
    assert _names(demo, "novak") == [KIM]
    assert _names(demo, "grace.kim@") == []
    # A rollback takes the index change with it.
    contact.last_name = "Rollback"
    demo.flush()
    assert _names(demo, "rollback") == [KIM]
    demo.rollback()
    assert _names(demo, "rollback") == []
    # Removing a policy removes its number; renaming an account renames the hit.
    policy = Policy(
        account_id=contact.account_id,
        number="ZZ-777",
        line="auto",
        carrier="Safeco",
        effective_date=date(2026, 1, 1),
        expiration_date=date(2026, 7, 1),
        status="pending",
        premium_cents=1,
    )
    demo.add(policy)
    demo.commit()
    assert _names(demo, "zz777") == [KIM]
    demo.delete(policy)
    demo.commit()
    assert _names(demo, "zz777") == []
    account = demo.get(Account, contact.account_id)
    account.name = "Grace & Kit Kim"
    demo.commit()
    assert _names(demo, "grace & kit") == ["Grace & Kit Kim"]
    # A contact moved to another account leaves no trace on the old one.
    other = account_named(demo, ELLIS)
    contact.account_id = other.id
    demo.commit()
    assert _names(demo, "novak") == [ELLIS]
    # Deleting an account deletes its rows (by cascade on the foreign key).
    lone = _account(demo, "Lone Wolf", contacts=[("Lone", "Wolf", None, None)])
    assert _names(demo, "lone wolf") == ["Lone Wolf"]
    for c in demo.exec(select(Contact).where(Contact.account_id == lone.id)).all():
        demo.delete(c)
    demo.flush()
    demo.delete(lone)
    demo.commit()
    assert demo.exec(select(SearchTerm).where(SearchTerm.account_id == lone.id)).all() == []


def test_migration_indexes_accounts_that_already_exist(database_url):
    """Upgrading a database that has accounts builds their search rows."""
    from alembic.config import Config
    from sqlalchemy import create_engine, text

    from alembic import command
    from clientcenter.settings import PROJECT_ROOT

    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.attributes["configure_logger"] = False
    cfg.attributes["database_url"] = database_url
    command.upgrade(cfg, "0001")
    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO agent (id, email, first_name, last_name, title, role, "
                    "is_active, created_at) VALUES (1, 'a@example.com', 'A', 'B', "
                    "'Producer', 'producer', true, CURRENT_TIMESTAMP)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO account (id, kind, name, producer_id, street, city, "
                    "state, postal_code, created_at) VALUES (1, 'personal', "
                    "'Zoë Ölander', 1, '', '', '', '', CURRENT_TIMESTAMP)"
                )
            )
        command.upgrade(cfg, "head")
        with engine.connect() as conn:
            norms = conn.execute(text("SELECT norm FROM search_term")).scalars().all()
        assert norms == ["zoe olander"]
    finally:
        engine.dispose()
