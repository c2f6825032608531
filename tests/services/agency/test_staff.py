"""Staff management (services/agency/staff.py) and setup links (services/agency/setup_links.py):
invitations, roles, deactivation, second-factor resets, the last-administrator guards, and the
link that alone lets an agent enrol an authenticator app."""

from __future__ import annotations

import logging
from datetime import timedelta

import pyotp
import pytest
from sqlmodel import select

from clientcenter.models import Agent, OutboxMessage, StaffEnrolmentLink, Task, UserSession
from clientcenter.models.base import utcnow
from clientcenter.services.agency import setup_links, staff
from clientcenter.services.agency.roles import Permission, refusal
from clientcenter.services.auth import agent_login, totp
from clientcenter.services.auth.connection import browser_digest
from clientcenter.services.errors import InvalidInput, NotAllowed, NotFound
from tests.support.demo import AGENT, DAN, LEE_CHEN, PRIYA, agent_named
from tests.support.handlers import tab_browser_digest
from tests.support.logins import agent_session, last_code, opened_setup_link

IP = "198.51.100.7"
NEW = {"email": "Casey.Brooks@Harborandmain.example", "first_name": "Casey", "last_name": "Brooks"}


def _admin(db):
    return agent_session(db).principal


def _token(link_url: str) -> str:
    return link_url.rsplit("/", 1)[1]


def _live(db, agent):
    return db.exec(
        select(StaffEnrolmentLink).where(
            StaffEnrolmentLink.agent_id == agent.id,
            StaffEnrolmentLink.revoked_at == None,  # noqa: E711
        )
    ).one()


def _enrol(db, email, link, now=None):
    """The sign-in up to the enrolment step, with this link's pass: the step (or refusal)."""
    attempt, _ = agent_login.start(db, email=email, client_ip=IP, now=now)
    step = agent_login.verify_code(
        db, attempt_id=attempt, code=last_code(db, email), client_ip=IP, now=now, **link
    )
    return attempt, step


# --------------------------------------------------------------------------- invite


def test_an_invitation_creates_the_agent_and_emails_a_72_hour_setup_link(demo):
    made = staff.invite(demo, _admin(demo), {**NEW, "role": "auditor"})
    demo.commit()
    agent = demo.get(Agent, made.agent_id)
    assert (agent.email, agent.role, agent.title) == (
        "casey.brooks@harborandmain.example",
        "auditor",
        "Auditor",
    )
    assert not totp.is_enrolled(agent) and agent.last_sign_in_at is None
    link = demo.exec(
        select(StaffEnrolmentLink).where(StaffEnrolmentLink.agent_id == agent.id)
    ).one()
    assert link.purpose == "invite" and link.created_by_agent_id == agent_named(demo).id
    hours = (link.expires_at - link.created_at).total_seconds() / 3600
    assert hours == 72
    assert _token(made.link) not in link.token_hash  # only its keyed hash is stored
    email = demo.exec(select(OutboxMessage).where(OutboxMessage.to_address == agent.email)).one()
    assert email.template == "staff_invite" and made.link in email.body_text
    assert "Alex Morgan added you" in email.body_text and "as Auditor" in email.body_text


@pytest.mark.parametrize(
    ("email", "words"),
    [(AGENT, r"is already on staff \(Alex Morgan\)"), (PRIYA.upper(), "is already on staff")],
)
def test_an_invitation_to_an_address_already_on_staff_changes_nothing(demo, email, words):
    before = len(demo.exec(select(Agent)).all()), len(demo.exec(select(OutboxMessage)).all())
    with pytest.raises(InvalidInput, match=words) as refused:
        staff.invite(demo, _admin(demo), {**NEW, "email": email, "role": "producer"})
    assert refused.value.field == "email"
    demo.rollback()
    after = len(demo.exec(select(Agent)).all()), len(demo.exec(select(OutboxMessage)).all())
    assert after == before


def test_an_invitation_to_a_deactivated_agent_says_so(demo):
    staff.deactivate(demo, _admin(demo), agent_named(demo, DAN).id)
    with pytest.raises(InvalidInput, match="already on staff, deactivated"):
        staff.invite(demo, _admin(demo), {**NEW, "email": DAN, "role": "producer"})


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({**NEW, "email": "not-an-email", "role": "producer"}, "email", "not valid"),
        ({**NEW, "first_name": "", "role": "producer"}, "first_name", "First name"),
        ({**NEW, "role": "owner"}, "role", "is not one of the choices"),
        ({**NEW}, "role", "Choose role"),
    ],
)
def test_bad_invitation_input_gets_a_specific_message(demo, data, field, words):
    with pytest.raises(InvalidInput, match=words) as refused:
        staff.invite(demo, _admin(demo), data)
    assert refused.value.field == field


# --------------------------------------------------------------------------- permission


@pytest.mark.parametrize("email", [LEE_CHEN, PRIYA])
def test_staff_changes_by_a_non_administrator_are_refused_and_logged(demo, email, caplog):
    principal = agent_session(demo, email=email).principal
    admin = agent_named(demo)
    calls = [
        lambda: staff.staff_list(demo, principal),
        lambda: staff.invite(demo, principal, {**NEW, "role": "administrator"}),
        lambda: staff.change_role(demo, principal, agent_named(demo, email).id, "administrator"),
        lambda: staff.change_role(demo, principal, admin.id, "producer"),
        lambda: staff.deactivate(demo, principal, admin.id),
        lambda: staff.reset_second_factor(demo, principal, admin.id),
    ]
    for call in calls:
        with caplog.at_level(logging.WARNING, "clientcenter.security"):
            with pytest.raises(NotAllowed, match=refusal(Permission.MANAGE_STAFF)):
                call()
    assert caplog.text.count("refused by role: permission=manage_staff") == len(calls)
    demo.rollback()
    assert agent_named(demo, email).role != "administrator"
    assert agent_named(demo).role == "administrator" and agent_named(demo).is_active


def test_a_role_change_by_a_non_administrator_is_refused_in_the_handler_too(demo):
    """The staff page's handler, called directly (as a websocket message would): refused on
    the server, nothing changed."""
    from clientcenter.state.agency.staff import StaffState
    from tests.support.handlers import page_state, settle

    lee = agent_session(demo, email=LEE_CHEN)
    state = page_state(StaffState, lee.cookie)
    settle(state.change_role(str(agent_named(demo, LEE_CHEN).id), "administrator"))
    assert state.error == refusal(Permission.MANAGE_STAFF)
    demo.expire_all()
    assert agent_named(demo, LEE_CHEN).role == "customer_service"


# --------------------------------------------------------------------------- roles, guards


def test_an_administrator_changes_a_role(demo):
    row = staff.change_role(demo, _admin(demo), agent_named(demo, PRIYA).id, "administrator")
    assert row.role == "administrator" and row.role_label == "Administrator"
    with pytest.raises(InvalidInput, match="is not one of the choices"):
        staff.change_role(demo, _admin(demo), agent_named(demo, PRIYA).id, "owner")
    with pytest.raises(NotFound, match="not on staff"):
        staff.change_role(demo, _admin(demo), 99999, "producer")


def test_the_last_administrator_can_be_neither_demoted_nor_deactivated(demo):
    admin = _admin(demo)
    me = agent_named(demo)
    with pytest.raises(NotAllowed, match="last active administrator"):
        staff.change_role(demo, admin, me.id, "producer")
    with pytest.raises(NotAllowed, match="Ask another administrator"):
        staff.deactivate(demo, admin, me.id)
    # A second administrator may be demoted back, and then the first may demote themselves…
    staff.change_role(demo, admin, agent_named(demo, PRIYA).id, "administrator")
    staff.change_role(demo, admin, me.id, "producer")
    demo.commit()
    assert agent_named(demo).role == "producer"
    # …after which Priya is the last one: nobody may remove her.
    priya = agent_session(demo, email=PRIYA).principal
    with pytest.raises(NotAllowed, match="last active administrator"):
        staff.change_role(demo, priya, agent_named(demo, PRIYA).id, "auditor")


def test_the_last_administrator_cannot_be_deactivated_by_another_administrator_role(demo):
    # Priya becomes an administrator and Alex is deactivated: Priya is the last one left.
    staff.change_role(demo, _admin(demo), agent_named(demo, PRIYA).id, "administrator")
    staff.deactivate(demo, _admin(demo), agent_named(demo, PRIYA).id)
    demo.commit()
    with pytest.raises(NotAllowed, match="last active administrator"):
        staff.change_role(demo, _admin(demo), agent_named(demo).id, "producer")


# --------------------------------------------------------------------------- deactivate


def test_deactivation_ends_every_session_at_once_and_lists_what_to_reassign(demo):
    dan = agent_named(demo, DAN)
    sessions = [agent_session(demo, email=DAN), agent_session(demo, email=DAN)]
    demo.add(Task(assigned_agent_id=dan.id, action_key="test", title="Call the bakery"))
    demo.commit()
    left = staff.deactivate(demo, _admin(demo), dan.id)
    demo.commit()
    assert left.sessions_ended == 2
    for login in sessions:
        demo.refresh(login.record)
        assert login.record.revoked_at is not None
    assert [t.title for t in left.open_tasks] == ["Call the bakery"]
    assert left.accounts and all(a.name for a in left.accounts)
    dan = agent_named(demo, DAN)
    assert not dan.is_active and dan.deactivated_at is not None
    with pytest.raises(InvalidInput, match="already deactivated"):
        staff.deactivate(demo, _admin(demo), dan.id)
    live = demo.exec(
        select(UserSession).where(UserSession.agent_id == dan.id, UserSession.revoked_at == None)  # noqa: E711
    ).all()
    assert live == []


# --------------------------------------------------------------------------- reset


def test_a_reset_clears_the_second_factor_ends_sessions_and_emails_a_new_link(demo):
    priya = agent_named(demo, PRIYA)
    totp.confirm_enrolment(demo, priya, pyotp.TOTP(totp.start_enrolment(demo, priya).secret).now())
    login = agent_session(demo, email=PRIYA)
    old = opened_setup_link(demo, PRIYA)
    made = staff.reset_second_factor(demo, _admin(demo), priya.id)
    demo.commit()
    priya = agent_named(demo, PRIYA)
    assert not totp.is_enrolled(priya) and totp.recovery_codes_left(demo, priya) == 0
    demo.refresh(login.record)
    assert login.record.revoked_at is not None
    email = demo.exec(select(OutboxMessage).where(OutboxMessage.template == "staff_reset")).one()
    assert email.to_address == PRIYA and made.link in email.body_text
    # The link opened before the reset no longer works; the new one does.
    with pytest.raises(NotAllowed, match="not valid"):
        _enrol(demo, PRIYA, old.steps)
    with pytest.raises(NotAllowed, match="Ask another administrator"):
        staff.reset_second_factor(demo, _admin(demo), agent_named(demo).id)


# --------------------------------------------------------------------------- setup links


def test_without_a_setup_link_the_emailed_code_enrols_nothing(demo):
    with pytest.raises(NotAllowed) as refused:
        _enrol(demo, AGENT, {})
    assert refused.value.message == (
        "Your authenticator app is not set up yet. Ask your agency's administrator for a "
        "setup link."
    )
    assert agent_named(demo).totp_secret_sealed is None


def test_the_link_is_used_up_when_the_enrolment_is_confirmed(demo):
    link = opened_setup_link(demo)
    attempt, step = _enrol(demo, AGENT, link.steps)
    app = pyotp.TOTP(step.enrolment.secret)
    agent_login.confirm_enrolment(demo, attempt_id=attempt, code=app.now(), **link.steps)
    demo.commit()
    used = demo.exec(select(StaffEnrolmentLink).where(StaffEnrolmentLink.used_at != None)).all()  # noqa: E711
    assert len(used) == 1
    # Reset and sign in again with the same (used) pass: refused.
    totp.reset(demo, agent_named(demo))
    demo.commit()
    with pytest.raises(NotAllowed, match="already used"):
        _enrol(demo, AGENT, link.steps)


def test_a_reused_link_cannot_be_opened_again(demo):
    agent = agent_named(demo)
    token = setup_links.mint(demo, agent, "invite", created_by=None)
    setup_pass, _ = setup_links.open_link(demo, token, browser=tab_browser_digest())
    link = _live(demo, agent)
    setup_links.use_up(demo, link)
    with pytest.raises(NotAllowed, match="already used"):
        setup_links.open_link(demo, token, browser=tab_browser_digest())
    with pytest.raises(NotAllowed, match="already used"):
        setup_links.use_up(demo, link)


def test_an_expired_link_is_refused_when_opened_and_when_enrolling(demo):
    agent = agent_named(demo)
    minted = utcnow() - timedelta(hours=71)
    token = setup_links.mint(demo, agent, "invite", created_by=None, now=minted)
    setup_pass, seconds = setup_links.open_link(demo, token, browser=tab_browser_digest())
    assert 3500 < seconds <= 3600  # the cookie lives as long as the link
    demo.commit()
    later = utcnow() + timedelta(hours=2)
    with pytest.raises(NotAllowed, match="has expired"):
        setup_links.open_link(demo, token, browser=tab_browser_digest(), now=later)
    link = _live(demo, agent)
    with pytest.raises(NotAllowed, match="has expired"):
        setup_links.live_link(
            demo,
            setup_links.pass_digest(setup_pass),
            browser=tab_browser_digest(),
            agent=agent,
            now=later,
        )
    assert link.used_at is None


def test_a_link_opened_in_another_browser_enrols_nothing_here(demo, caplog):
    link = opened_setup_link(demo)
    other = {**link.steps, "browser": browser_digest("another-browser-key")}
    with caplog.at_level(logging.WARNING, "clientcenter.security"):
        with pytest.raises(NotAllowed, match="opened in another browser"):
            _enrol(demo, AGENT, other)
    assert "presented by another browser" in caplog.text
    assert agent_named(demo).totp_secret_sealed is None


def test_another_agents_link_and_a_forged_pass_enrol_nothing(demo):
    priya = opened_setup_link(demo, PRIYA)
    with pytest.raises(NotAllowed, match="not set up yet"):
        _enrol(demo, AGENT, priya.steps)
    with pytest.raises(NotAllowed, match="not set up yet"):
        _enrol(demo, AGENT, {"setup_digest": "99999." + "0" * 64, "browser": tab_browser_digest()})
    with pytest.raises(NotAllowed, match="not valid"):
        setup_links.open_link(demo, "made-up-token", browser=tab_browser_digest())


def test_a_deactivated_agents_link_stops_working(demo):
    link = opened_setup_link(demo, DAN)
    staff.deactivate(demo, _admin(demo), agent_named(demo, DAN).id)
    demo.commit()
    with pytest.raises(NotAllowed, match="not valid"):
        setup_links.live_link(
            demo, link.steps["setup_digest"], browser=link.browser, agent=agent_named(demo, DAN)
        )


# --------------------------------------------------------------------------- list, bootstrap


def test_the_staff_list_shows_role_status_and_last_sign_in(demo):
    staff.deactivate(demo, _admin(demo), agent_named(demo, DAN).id)
    rows = {r.email: r for r in staff.staff_list(demo, _admin(demo))}
    assert rows[AGENT].role_label == "Administrator" and rows[AGENT].active
    assert rows[LEE_CHEN].role_label == "Customer service"
    assert not rows[DAN].active and list(rows)[-1] == DAN  # deactivated agents last
    assert rows[AGENT].last_sign_in_at is None


def test_the_first_administrator_is_refused_when_one_exists_unless_forced(demo):
    with pytest.raises(NotAllowed, match="An administrator already exists"):
        staff.create_first_administrator(demo, email="new@agency.example", full_name="Sam Park")
    made = staff.create_first_administrator(
        demo, email="new@agency.example", full_name="Sam  Park", force=True
    )
    agent = demo.get(Agent, made.agent_id)
    assert (agent.first_name, agent.last_name, agent.role) == ("Sam", "Park", "administrator")
    assert made.link.startswith("http") and "/agent/enrol/" in made.link
    with pytest.raises(InvalidInput, match="first and last name"):
        staff.create_first_administrator(
            demo, email="x@agency.example", full_name="Cher", force=True
        )


def test_every_staff_change_is_a_write_in_the_audit_trail(demo):
    """Invite, role change, reset and deactivation each leave one audit row by the admin."""
    from clientcenter.models import AuditEvent

    admin = _admin(demo)
    minted = staff.invite(
        demo,
        admin,
        {
            "email": "audit.me@harborandmain.example",
            "first_name": "Audit",
            "last_name": "Me",
            "role": "producer",
        },
    )
    staff.change_role(demo, admin, minted.agent_id, "customer_service")
    staff.reset_second_factor(demo, admin, minted.agent_id)
    staff.deactivate(demo, admin, minted.agent_id)
    rows = demo.exec(
        select(AuditEvent).where(AuditEvent.action.startswith("staff.")).order_by(AuditEvent.id)
    ).all()
    assert [r.action for r in rows] == [
        "staff.invite",
        "staff.role_change",
        "staff.reset_second_factor",
        "staff.deactivate",
    ]
    assert {r.agent_id for r in rows} == {admin.agent_id}
    assert all(r.kind == "write" and r.account_id is None for r in rows)
