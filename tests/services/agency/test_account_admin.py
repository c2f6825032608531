"""Accounts from the agency side (services/agency/account_admin.py): producers reassigned one
by one or in bulk, a contact's login switched, a login email or mobile corrected, a primary
marked. Each is logged with the agent who did it; every refusal says why and changes nothing."""

from __future__ import annotations

import logging

import pytest
from sqlmodel import Session, select

from clientcenter.models import Account, ActivityLog, Agent, Contact, OutboxMessage, Task
from clientcenter.models.base import utcnow
from clientcenter.services.agency import account_admin as admin
from clientcenter.services.agency.roles import Permission, refusal
from clientcenter.services.auth.sessions import check_session, create_session
from clientcenter.services.errors import InvalidInput, NotAllowed, NotFound
from clientcenter.services.notify.activity import record_action
from clientcenter.services.principal import Principal
from tests.support.demo import (
    AGENT,
    AVA,
    DAN,
    LEE,
    LEE_CHEN,
    PAT,
    PRIYA,
    RIVERA,
    SAM,
    account_named,
    agency_agent,
    agent_named,
    customer,
)


def _contact(db: Session, email: str) -> Contact:
    return db.exec(select(Contact).where(Contact.email == email)).one()


def _log(db: Session, account_id: int, key: str) -> list[ActivityLog]:
    return list(
        db.exec(
            select(ActivityLog).where(
                ActivityLog.account_id == account_id, ActivityLog.action_key == key
            )
        ).all()
    )


def _auditor(db: Session) -> Agent:
    """A made-up auditor (the demo's own may arrive with the roles work)."""
    agent = Agent(
        email="audit.only@harborandmain.example",
        first_name="Robin",
        last_name="Audit",
        title="Compliance",
        role="auditor",
    )
    db.add(agent)
    db.commit()
    return agent


def _deactivated(db: Session, email: str = DAN) -> Agent:
    agent = agent_named(db, email)
    agent.is_active, agent.deactivated_at = False, utcnow()
    db.add(agent)
    db.commit()
    return agent


def _snapshot(db: Session) -> tuple:
    """Everything these actions could change."""
    db.expire_all()
    accounts = tuple(db.exec(select(Account.id, Account.producer_id).order_by(Account.id)).all())
    contacts = tuple(
        db.exec(
            select(
                Contact.id, Contact.role, Contact.email, Contact.mobile, Contact.may_log_in
            ).order_by(Contact.id)
        ).all()
    )
    tasks = tuple(db.exec(select(Task.id, Task.assigned_agent_id).order_by(Task.id)).all())
    counts = (
        len(db.exec(select(ActivityLog.id)).all()),
        len(db.exec(select(OutboxMessage.id)).all()),
    )
    return accounts, contacts, tasks, counts


def _customer_session(db: Session, email: str, *, proof: str = "email") -> str:
    contact = _contact(db, email)
    mobile_hash = None
    if proof == "sms":
        from clientcenter.services.auth.login_codes import hash_destination

        mobile_hash = hash_destination(contact.mobile)
    _, token = create_session(
        db,
        kind="customer",
        email=email,
        contact_id=contact.id,
        account_id=contact.account_id,
        proof=proof,
        proof_mobile_hash=mobile_hash,
    )
    db.commit()
    return token


# --- the Manage page ---------------------------------------------------------------------


def test_manage_view_lists_producers_and_contacts(demo):
    rivera = account_named(demo, RIVERA)
    _auditor(demo)
    _deactivated(demo)
    view = admin.manage_view(demo, agency_agent(demo), rivera.id)
    assert (view.name, view.producer) == (RIVERA, "Alex Morgan")
    assert view.producer_accounts == len(
        demo.exec(select(Account).where(Account.producer_id == rivera.producer_id)).all()
    )
    names = [p.name for p in view.producers]
    # Active agents who work the task queue; not the auditor, not the deactivated producer.
    assert "Robin Audit" not in names and "Dan Okafor" not in names
    assert {"Alex Morgan", "Priya Shah", "Lee Chen"} <= set(names)
    assert [(c.name, c.role, c.may_log_in) for c in view.contacts] == [
        ("Pat Rivera", "primary", True),
        ("Sam Rivera", "co_applicant", True),
        ("Ava Rivera", "additional", False),
    ]


# --- producers ------------------------------------------------------------------------------


def test_reassign_one_account_moves_its_open_tasks_and_is_logged(demo):
    rivera = account_named(demo, RIVERA)
    record_action(demo, customer(demo, SAM), "customer.general_request", summary="New car")
    demo.commit()
    priya = agent_named(demo, PRIYA)
    by = agency_agent(demo, LEE_CHEN)  # customer service may manage accounts

    done = admin.reassign_producer(demo, by, rivera.id, priya.id)
    demo.commit()

    assert done.message == f"Priya Shah is now the producer of {RIVERA}." and done.moved == 1
    demo.refresh(rivera)
    assert rivera.producer_id == priya.id
    tasks = demo.exec(select(Task).where(Task.account_id == rivera.id)).all()
    assert tasks and {t.assigned_agent_id for t in tasks if t.status == "open"} == {priya.id}
    [entry] = _log(demo, rivera.id, admin.REASSIGN)
    assert entry.actor_agent_id == agent_named(demo, LEE_CHEN).id
    assert "from Alex Morgan to Priya Shah" in entry.summary
    assert entry.details["to_agent_id"] == priya.id and entry.details["tasks_moved"] >= 1
    # Log-only: no message to anyone.
    assert not demo.exec(select(OutboxMessage).where(OutboxMessage.activity_id == entry.id)).all()


def test_reassign_all_of_one_producers_accounts(demo):
    dan = agent_named(demo, DAN)
    priya = agent_named(demo, PRIYA)
    dans = [a.id for a in demo.exec(select(Account).where(Account.producer_id == dan.id))]
    priyas = [a.id for a in demo.exec(select(Account).where(Account.producer_id == priya.id))]
    assert dans
    _deactivated(demo)  # the usual case: a producer left, their book moves

    done = admin.reassign_all(demo, agency_agent(demo), dan.id, priya.id)
    demo.commit()

    assert done.moved == len(dans)
    assert done.message == f"Moved {len(dans)} accounts from Dan Okafor to Priya Shah."
    demo.expire_all()
    owned = demo.exec(select(Account.id).where(Account.producer_id == priya.id)).all()
    assert sorted(owned) == sorted(dans + priyas)
    assert not demo.exec(select(Account).where(Account.producer_id == dan.id)).all()
    for account_id in dans:
        [entry] = _log(demo, account_id, admin.REASSIGN)
        assert entry.actor_agent_id == agent_named(demo, AGENT).id


@pytest.mark.parametrize(
    "case, error, message",
    [
        ("deactivated", InvalidInput, "Dan Okafor is deactivated; choose an active producer."),
        ("auditor", InvalidInput, "Robin Audit is an auditor and cannot hold accounts"),
        ("same", InvalidInput, f"Alex Morgan is already the producer of {RIVERA}."),
        ("unknown", NotFound, "No such agent."),
        ("garbage", InvalidInput, "The producer: that choice is not valid."),
    ],
)
def test_reassign_refusals_change_nothing(demo, case, error, message):
    rivera = account_named(demo, RIVERA)
    target = {
        "deactivated": lambda: _deactivated(demo).id,
        "auditor": lambda: _auditor(demo).id,
        "same": lambda: rivera.producer_id,
        "unknown": lambda: 99999,
        "garbage": lambda: "1 OR 1=1",
    }[case]()
    before = _snapshot(demo)
    with pytest.raises(error) as refused:
        admin.reassign_producer(demo, agency_agent(demo), rivera.id, target)
    assert message in refused.value.message
    demo.rollback()
    assert _snapshot(demo) == before


@pytest.mark.parametrize(
    "case, message",
    [
        ("same", "Choose another producer to move the accounts to."),
        ("empty", "Lee Chen has no accounts to move."),
        ("deactivated", "Dan Okafor is deactivated; choose an active producer."),
        ("auditor", "Robin Audit is an auditor and cannot hold accounts"),
    ],
)
def test_reassign_all_refusals_change_nothing(demo, case, message):
    priya, dan, lee = (agent_named(demo, e).id for e in (PRIYA, DAN, LEE_CHEN))
    source, target = {
        "same": lambda: (priya, priya),
        "empty": lambda: (lee, priya),
        "deactivated": lambda: (priya, _deactivated(demo).id),
        "auditor": lambda: (priya, _auditor(demo).id),
    }[case]()
    before = _snapshot(demo)
    with pytest.raises(InvalidInput) as refused:
        admin.reassign_all(demo, agency_agent(demo), source, target)
    assert message in refused.value.message
    demo.rollback()
    assert _snapshot(demo) == before


# --- the role's permission -----------------------------------------------------------------


def _every_action(db: Session, principal: Principal) -> dict:
    rivera = account_named(db, RIVERA)
    sam, priya = _contact(db, SAM), agent_named(db, PRIYA)
    return {
        "view": lambda: admin.manage_view(db, principal, rivera.id),
        "reassign": lambda: admin.reassign_producer(db, principal, rivera.id, priya.id),
        "reassign_all": lambda: admin.reassign_all(db, principal, rivera.producer_id, priya.id),
        "switch": lambda: admin.switch_login(db, principal, rivera.id, sam.id, False),
        "correct": lambda: admin.correct_address(
            db, principal, rivera.id, sam.id, {"field": "email", "value": "sam@new.example"}
        ),
        "primary": lambda: admin.mark_primary(db, principal, rivera.id, sam.id),
    }


@pytest.mark.parametrize(
    "action", ["view", "reassign", "reassign_all", "switch", "correct", "primary"]
)
def test_a_role_without_manage_accounts_is_refused(demo, action, caplog):
    caplog.set_level(logging.WARNING, logger="clientcenter.security")
    auditor = _auditor(demo)
    before = _snapshot(demo)
    with pytest.raises(NotAllowed) as refused:
        _every_action(demo, Principal.agency(auditor.id, session_id=7))[action]()
    assert refused.value.message == refusal(Permission.MANAGE_ACCOUNTS)
    assert f"permission=manage_accounts agent_id={auditor.id}" in caplog.text
    demo.rollback()
    assert _snapshot(demo) == before


@pytest.mark.parametrize("action", ["view", "switch", "primary"])
def test_customers_and_read_only_views_are_refused(demo, action):
    from tests.support.demo import agent_viewing

    for principal in (customer(demo, PAT), agent_viewing(demo, RIVERA)):
        with pytest.raises(NotAllowed):
            _every_action(demo, principal)[action]()


@pytest.mark.parametrize("email", [AGENT, PRIYA, LEE_CHEN])
def test_administrator_producer_and_customer_service_may(demo, email):
    view = _every_action(demo, agency_agent(demo, email))["view"]()
    assert view.name == RIVERA


# --- may log in -------------------------------------------------------------------------------


def test_switching_a_login_off_ends_that_contacts_sessions_at_once(demo):
    rivera = account_named(demo, RIVERA)
    sam = _contact(demo, SAM)
    token = _customer_session(demo, SAM)
    pat_token = _customer_session(demo, PAT)
    assert check_session(demo, token).ok

    done = admin.switch_login(demo, agency_agent(demo), rivera.id, sam.id, False)
    demo.commit()

    assert done.message == "Sam Rivera may no longer log in."
    demo.refresh(sam)
    assert not sam.may_log_in
    assert check_session(demo, token).status == "revoked"
    assert check_session(demo, pat_token).ok  # only Sam's
    [entry] = _log(demo, rivera.id, admin.SWITCH_LOGIN)
    assert entry.details == {"contact_id": sam.id, "may_log_in": False, "sessions_ended": 1}
    assert entry.actor_agent_id == agent_named(demo, AGENT).id


def test_switching_a_login_on(demo):
    rivera = account_named(demo, RIVERA)
    ava = _contact(demo, AVA)
    done = admin.switch_login(demo, agency_agent(demo, PRIYA), rivera.id, ava.id, True)
    demo.commit()
    assert done.message == "Ava Rivera may now log in."
    demo.refresh(ava)
    assert ava.may_log_in
    [entry] = _log(demo, rivera.id, admin.SWITCH_LOGIN)
    assert entry.actor_agent_id == agent_named(demo, PRIYA).id


def test_switch_login_refusals_change_nothing(demo):
    rivera, lee = account_named(demo, RIVERA), account_named(demo, LEE)
    sam, ava = _contact(demo, SAM), _contact(demo, AVA)
    jordan = demo.exec(select(Contact).where(Contact.account_id == lee.id)).first()
    ava.email = None
    demo.add(ava)
    demo.commit()
    before = _snapshot(demo)
    agent = agency_agent(demo)
    cases = [
        (
            lambda: admin.switch_login(demo, agent, rivera.id, sam.id, True),
            InvalidInput,
            "Sam Rivera may already log in.",
        ),
        (
            lambda: admin.switch_login(demo, agent, rivera.id, ava.id, True),
            InvalidInput,
            "Ava Rivera has no email address on file",
        ),
        (
            lambda: admin.switch_login(demo, agent, rivera.id, 99999, False),
            NotFound,
            admin.NOT_ON_ACCOUNT,
        ),
        (
            lambda: admin.switch_login(demo, agent, rivera.id, jordan.id, False),
            NotFound,
            admin.NOT_ON_ACCOUNT,
        ),
        (
            lambda: admin.switch_login(demo, agent, 99999, sam.id, False),
            NotFound,
            "No such customer account.",
        ),
    ]
    for call, error, message in cases:
        with pytest.raises(error) as refused:
            call()
        assert message in refused.value.message
        demo.rollback()
    assert _snapshot(demo) == before


# --- login email or mobile --------------------------------------------------------------------


def test_correcting_an_email_tells_the_old_address_and_ends_sessions(demo):
    rivera = account_named(demo, RIVERA)
    sam = _contact(demo, SAM)
    token = _customer_session(demo, SAM)

    done = admin.correct_address(
        demo,
        agency_agent(demo),
        rivera.id,
        sam.id,
        {"field": "email", "value": " Sam@New.Example "},
    )
    demo.commit()

    assert (
        done.message == "Sam Rivera's email address is now sam@new.example. The old one was told."
    )
    demo.refresh(sam)
    assert sam.email == "sam@new.example"
    assert check_session(demo, token).status == "revoked"
    [notice] = demo.exec(
        select(OutboxMessage).where(OutboxMessage.template == "contact_changed")
    ).all()
    assert (notice.channel, notice.to_address) == ("email", SAM)
    assert "by Alex Morgan at" in notice.body_text and RIVERA in notice.body_text
    [entry] = _log(demo, rivera.id, admin.CORRECT_ADDRESS)
    assert entry.details["changed"] == ["email"] and entry.details["old_told"]
    assert "sam@new.example" in entry.summary
    # The notice is the only message: the matrix row is log-only.
    assert not demo.exec(select(OutboxMessage).where(OutboxMessage.activity_id == entry.id)).all()


def test_correcting_a_mobile_texts_the_old_number_and_ends_text_proven_sessions(demo):
    rivera = account_named(demo, RIVERA)
    pat = _contact(demo, PAT)
    old = pat.mobile
    by_text = _customer_session(demo, PAT, proof="sms")
    by_email = _customer_session(demo, PAT)

    done = admin.correct_address(
        demo, agency_agent(demo), rivera.id, pat.id, {"field": "mobile", "value": "(207) 555-0177"}
    )
    demo.commit()

    assert done.message.startswith("Pat Rivera's mobile number is now (207) 555-0177.")
    demo.refresh(pat)
    assert pat.mobile == "+12075550177"
    assert check_session(demo, by_text).status == "revoked"
    assert check_session(demo, by_email).ok
    [notice] = demo.exec(
        select(OutboxMessage).where(OutboxMessage.template == "contact_changed")
    ).all()
    assert (notice.channel, notice.to_address) == ("sms", old)


@pytest.mark.parametrize(
    "data, message",
    [
        ({"field": "email", "value": "not-an-email"}, "Email address is not valid"),
        ({"field": "email", "value": ""}, "Email address is required."),
        ({"field": "mobile", "value": "12"}, "Mobile number"),
        ({"field": "mobile", "value": "+44 20 7946 0958"}, "We can text only mobile numbers"),
        ({"field": "password", "value": "x"}, "What to correct: 'password' is not one of"),
        ({"field": "email", "value": SAM}, "That is already Sam's email address."),
        # Another contact of the same account holds it: each login needs its own.
        ({"field": "email", "value": PAT}, "Pat Rivera on this account already has that email"),
        (
            {"field": "mobile", "value": "(207) 555-0101"},
            "Pat Rivera on this account already has that mobile number",
        ),
    ],
)
def test_correct_address_refusals_change_nothing(demo, data, message):
    rivera = account_named(demo, RIVERA)
    sam = _contact(demo, SAM)
    token = _customer_session(demo, SAM)
    before = _snapshot(demo)
    with pytest.raises(InvalidInput) as refused:
        admin.correct_address(demo, agency_agent(demo), rivera.id, sam.id, data)
    assert message in refused.value.message
    demo.rollback()
    assert _snapshot(demo) == before
    assert check_session(demo, token).ok


def test_correct_address_on_another_accounts_contact_is_not_found(demo):
    rivera, lee = account_named(demo, RIVERA), account_named(demo, LEE)
    jordan = demo.exec(select(Contact).where(Contact.account_id == lee.id)).first()
    before = _snapshot(demo)
    with pytest.raises(NotFound):
        admin.correct_address(
            demo,
            agency_agent(demo),
            rivera.id,
            jordan.id,
            {"field": "email", "value": "j@x.example"},
        )
    demo.rollback()
    assert _snapshot(demo) == before


def test_the_same_address_on_another_account_is_fine(demo):
    """One person on two accounts logs in with one email (the portal's account choice)."""
    rivera = account_named(demo, RIVERA)
    sam = _contact(demo, SAM)
    jordan_email = demo.exec(
        select(Contact.email).where(Contact.account_id == account_named(demo, LEE).id)
    ).first()
    admin.correct_address(
        demo, agency_agent(demo), rivera.id, sam.id, {"field": "email", "value": jordan_email}
    )
    demo.commit()
    demo.refresh(sam)
    assert sam.email == jordan_email


# --- primary ----------------------------------------------------------------------------------


def test_marking_a_primary_swaps_roles(demo):
    rivera = account_named(demo, RIVERA)
    pat, sam, ava = _contact(demo, PAT), _contact(demo, SAM), _contact(demo, AVA)

    done = admin.mark_primary(demo, agency_agent(demo), rivera.id, ava.id)
    demo.commit()

    assert done.message == (
        "Ava Rivera is now the primary applicant; Pat Rivera is now the additional contact."
    )
    for c in (pat, sam, ava):
        demo.refresh(c)
    assert (pat.role, sam.role, ava.role) == ("additional", "co_applicant", "primary")
    [entry] = _log(demo, rivera.id, admin.MARK_PRIMARY)
    assert entry.details == {
        "contact_id": ava.id,
        "previous_primary_ids": [pat.id],
        "previous_role": "additional",
    }

    # And back: the co-applicant becomes primary, the primary the co-applicant.
    admin.mark_primary(demo, agency_agent(demo), rivera.id, sam.id)
    demo.commit()
    for c in (pat, sam, ava):
        demo.refresh(c)
    assert (pat.role, sam.role, ava.role) == ("additional", "primary", "co_applicant")


def test_mark_primary_refusals_change_nothing(demo):
    rivera, lee = account_named(demo, RIVERA), account_named(demo, LEE)
    pat = _contact(demo, PAT)
    jordan = demo.exec(select(Contact).where(Contact.account_id == lee.id)).first()
    before = _snapshot(demo)
    with pytest.raises(InvalidInput, match="Pat Rivera is already the primary applicant."):
        admin.mark_primary(demo, agency_agent(demo), rivera.id, pat.id)
    demo.rollback()
    with pytest.raises(NotFound):
        admin.mark_primary(demo, agency_agent(demo), rivera.id, jordan.id)
    demo.rollback()
    with pytest.raises(NotFound):
        admin.mark_primary(demo, agency_agent(demo), rivera.id, "x")
    demo.rollback()
    assert _snapshot(demo) == before


def test_a_deactivated_agent_is_refused(demo):
    priya = _deactivated(demo, PRIYA)
    before = _snapshot(demo)
    with pytest.raises(NotAllowed):
        _every_action(demo, Principal.agency(priya.id, session_id=3))["switch"]()
    demo.rollback()
    assert _snapshot(demo) == before


def test_an_address_held_in_other_capitals_is_still_held(demo):
    rivera = account_named(demo, RIVERA)
    pat, sam = _contact(demo, PAT), _contact(demo, SAM)
    pat.email = PAT.upper()  # written by hand, not through a form
    demo.add(pat)
    demo.commit()
    with pytest.raises(InvalidInput, match="Pat Rivera on this account already has that email"):
        admin.correct_address(
            demo, agency_agent(demo), rivera.id, sam.id, {"field": "email", "value": PAT}
        )
