"""Small builders for tests that need a few people, not the whole demo agency."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session

from clientcenter.models import Account, Agent, Contact, Policy


@dataclass
class People:
    producer: Agent
    other_agent: Agent
    account: Account
    primary: Contact
    co_applicant: Contact
    additional: Contact
    other_account: Account
    other_primary: Contact


def make_people(session: Session) -> People:
    producer = Agent(email="producer@agency.example", first_name="Alex", last_name="Morgan")
    other = Agent(
        email="helper@agency.example", first_name="Lee", last_name="Chen", role="customer_service"
    )
    session.add_all([producer, other])
    session.flush()
    account = Account(kind="personal", name="Pat & Sam Rivera", producer_id=producer.id)
    other_account = Account(kind="personal", name="Jordan Lee", producer_id=other.id)
    session.add_all([account, other_account])
    session.flush()
    primary = Contact(
        account_id=account.id,
        role="primary",
        first_name="Pat",
        last_name="Rivera",
        email="pat@example.com",
        mobile="+12075550101",
    )
    co = Contact(
        account_id=account.id,
        role="co_applicant",
        first_name="Sam",
        last_name="Rivera",
        email="sam@example.com",
        mobile="+12075550102",
    )
    additional = Contact(
        account_id=account.id,
        role="additional",
        first_name="Ava",
        last_name="Rivera",
        email="ava@example.com",
        may_log_in=False,
    )
    other_primary = Contact(
        account_id=other_account.id,
        role="primary",
        first_name="Jordan",
        last_name="Lee",
        email="jordan@example.com",
    )
    session.add_all([primary, co, additional, other_primary])
    today = date.today()
    for acc in (account, other_account):
        session.add(
            Policy(
                account_id=acc.id,
                number=f"P-{acc.id}",
                line="auto",
                carrier="Travelers",
                effective_date=today - timedelta(days=30),
                expiration_date=today + timedelta(days=335),
                status="active",
                premium_cents=120000,
            )
        )
    session.flush()
    session.commit()
    return People(producer, other, account, primary, co, additional, other_account, other_primary)
