"""The demo agency as the tests know it: its accounts' names and its people's login emails,
read from clientcenter/demo/agency.py (a name typed here that the demo lacks fails at import,
not as a puzzling test), and the rows and principals of a database that holds it."""

from __future__ import annotations

from sqlmodel import Session, select

from clientcenter.demo.agency import ACCOUNTS, AGENTS, DEMO_MARKER_EMAIL, DemoContact
from clientcenter.models import Account, Agent, Contact, Policy
from clientcenter.services.principal import Principal


def _account(name: str) -> str:
    [account] = [a for a in ACCOUNTS if a.name == name]
    return account.name


def _contact(account_name: str, first_name: str) -> DemoContact:
    account = next(a for a in ACCOUNTS if a.name == account_name)
    [contact] = [c for c in account.contacts if c.first == first_name]
    return contact


def _email(account_name: str, first_name: str) -> str:
    return _contact(account_name, first_name).email


def _agent(first_name: str) -> str:
    [email] = [email for email, first, *_ in AGENTS if first == first_name]
    return email


# Accounts, by name.
RIVERA = _account("Pat & Sam Rivera")  # auto with vehicles, a proposal, a closed claim
LEE = _account("Jordan Lee")  # personal; Jordan is the primary of STUDIO too
STUDIO = _account("Lee Design Studio LLC")  # commercial: certificates and their holders
BAKERY = _account("Bright Bakery LLC")  # commercial, another producer
QUINN = _account("Casey Quinn")  # only expired or cancelled policies: closed
ELLIS = _account("Morgan Ellis")  # its contact has an email and no mobile
KIM = _account("Grace Kim")
OBRIEN = _account("Siobhan O'Brien")
GARCIA = _account("Elena Garcia")  # a pending policy beside an active one

# People, by first name: their login emails.
PAT = _email(RIVERA, "Pat")  # primary
PAT_MOBILE = _contact(RIVERA, "Pat").mobile
SAM = _email(RIVERA, "Sam")  # co-applicant
AVA = _email(RIVERA, "Ava")  # additional contact: on the account, may not log in
JORDAN = _email(LEE, "Jordan")
RAE = _email(STUDIO, "Rae")  # additional contact on the studio
CASEY = _email(QUINN, "Casey")
MORGAN = _email(ELLIS, "Morgan")
GRACE = _email(KIM, "Grace")
DANA = _email(BAKERY, "Dana")
ELENA = _email(GARCIA, "Elena")

# Agents.
AGENT = DEMO_MARKER_EMAIL  # the README's agent login, producer of RIVERA
PRIYA = _agent("Priya")
DAN = _agent("Dan")
LEE_CHEN = _agent("Lee")  # service role
ROBIN = _agent("Robin")  # auditor: reads, changes nothing


def account_named(session: Session, name: str) -> Account:
    return session.exec(select(Account).where(Account.name == name)).one()


def contact_on(session: Session, account: Account, role: str = "primary") -> Contact:
    return session.exec(
        select(Contact).where(Contact.account_id == account.id, Contact.role == role)
    ).first()


def policy_of(session: Session, account_name: str, line: str) -> Policy:
    account = account_named(session, account_name)
    return session.exec(
        select(Policy).where(Policy.account_id == account.id, Policy.line == line)
    ).first()


def agent_named(session: Session, email: str = AGENT) -> Agent:
    return session.exec(select(Agent).where(Agent.email == email)).one()


# Stand-ins for the session a principal comes from: services bind download links to it.
CUSTOMER_SESSION_ID = 101
AGENT_SESSION_ID = 202


def customer(
    session: Session,
    email: str,
    account_name: str | None = None,
    *,
    session_id: int | None = CUSTOMER_SESSION_ID,
) -> Principal:
    """The principal of a demo contact signed in to one of their accounts (``account_name``
    when the email is on more than one)."""
    stmt = (
        select(Contact, Account)
        .join(Account, Account.id == Contact.account_id)
        .where(Contact.email == email)
    )
    if account_name:
        stmt = stmt.where(Account.name == account_name)
    contact, account = session.exec(stmt).first()
    return Principal.customer(account.id, contact.id, session_id=session_id)


def agent_viewing(
    session: Session,
    account_name: str,
    agent_email: str = AGENT,
    *,
    session_id: int | None = AGENT_SESSION_ID,
) -> Principal:
    """The principal of an agent in a customer's Client Center, read-only."""
    agent = agent_named(session, agent_email)
    return Principal.agent_viewing(
        agent.id, account_named(session, account_name).id, session_id=session_id
    )


def agency_agent(
    session: Session, agent_email: str = AGENT, *, session_id: int | None = AGENT_SESSION_ID
) -> Principal:
    """The principal of an agent on the agency side."""
    return Principal.agency(agent_named(session, agent_email).id, session_id=session_id)
