"""The account's Manage page handlers, called directly as a browser's websocket would: the
agent comes from the connection's session, the service decides, and a role that may not manage
accounts is refused on the server even though the page never offered it anything."""

from __future__ import annotations

from sqlmodel import select

from clientcenter.models import Account, ActivityLog, Agent, Contact
from clientcenter.services.agency.roles import Permission, refusal
from clientcenter.state.agency.account_admin import AgentManageState
from tests.support.demo import PRIYA, RIVERA, SAM, account_named, agent_named
from tests.support.handlers import page_state, settle
from tests.support.logins import agent_session


def _manage(db, email=None):
    login = agent_session(db, **({"email": email} if email else {}))
    rivera = account_named(db, RIVERA)
    state = page_state(
        AgentManageState, login.cookie, path="/agent/account/manage", id=str(rivera.id)
    )
    return state, rivera


def test_an_agent_reassigns_and_switches_a_login_through_the_handlers(demo):
    state, rivera = _manage(demo)
    settle(state.open_page())
    assert state.account_name == RIVERA and state.producer == "Alex Morgan"
    assert state.producer_listed
    priya = agent_named(demo, PRIYA)
    assert str(priya.id) in [p.id for p in state.producers]

    settle(state.reassign({"producer_id": str(priya.id)}))
    assert state.error == "" and state.notice == f"Priya Shah is now the producer of {RIVERA}."
    assert state.producer == "Priya Shah"

    sam = next(c for c in state.contacts if c.name == "Sam Rivera")
    settle(state.switch_login(sam.id, False))
    assert state.notice == "Sam Rivera may no longer log in."
    assert not next(c for c in state.contacts if c.id == sam.id).may_log_in

    settle(state.correct_address({"contact_id": str(sam.id), "field": "email", "value": "x"}))
    assert state.error.startswith("Email address is not valid")

    demo.expire_all()
    assert demo.get(Account, rivera.id).producer_id == priya.id
    assert not demo.exec(select(Contact).where(Contact.email == SAM)).one().may_log_in


def test_an_auditor_calling_the_handlers_directly_is_refused(demo):
    auditor = Agent(
        email="audit.only@harborandmain.example",
        first_name="Robin",
        last_name="Audit",
        role="auditor",
    )
    demo.add(auditor)
    demo.commit()
    state, rivera = _manage(demo, auditor.email)
    settle(state.open_page())
    assert state.error == refusal(Permission.MANAGE_ACCOUNTS) and state.account_id == ""

    sam = demo.exec(select(Contact).where(Contact.email == SAM)).one()
    state.account_id = str(rivera.id)  # as if the tab had the page open
    for call in (
        lambda: state.reassign({"producer_id": str(agent_named(demo, PRIYA).id)}),
        lambda: state.move_all({"to_agent_id": str(agent_named(demo, PRIYA).id)}),
        lambda: state.switch_login(sam.id, False),
        lambda: state.mark_primary(sam.id),
        lambda: state.correct_address(
            {"contact_id": str(sam.id), "field": "email", "value": "sam@new.example"}
        ),
    ):
        settle(call())
        assert state.error == refusal(Permission.MANAGE_ACCOUNTS)
    demo.expire_all()
    assert demo.get(Account, rivera.id).producer_id == agent_named(demo).id
    sam = demo.get(Contact, sam.id)
    assert (sam.role, sam.email, sam.may_log_in) == ("co_applicant", SAM, True)
    assert not demo.exec(
        select(ActivityLog).where(ActivityLog.action_key.startswith("agency.reassign"))
    ).all()
