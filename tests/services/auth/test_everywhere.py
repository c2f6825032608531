"""Profile → "Log out everywhere": every session of this customer login ends (every browser
and every account its email opens, this one included), its remembered browsers are revoked,
the activity log says so; nobody else's session or browser is touched."""

from __future__ import annotations

import pytest
from sqlmodel import select

from clientcenter.models import ActivityLog, RememberedBrowser, UserSession
from clientcenter.services.accounts import loginable_contacts
from clientcenter.services.auth import connection, remembered
from clientcenter.services.auth.everywhere import log_out_everywhere
from clientcenter.services.auth.sessions import SessionStatus, check_session
from clientcenter.services.errors import NotAllowed, ReadOnlyRefused
from tests.support.demo import JORDAN, PAT, SAM
from tests.support.logins import agent_session, customer_session


@pytest.fixture
def db(demo):
    return demo


def _remember(db, email):
    contact, _ = loginable_contacts(db, email)[0]
    raw = remembered.remember(
        db,
        subject_kind="customer",
        email=email,
        presented=None,
        contact_id=contact.id,
        trust_channel="email",
    ).new_value
    db.commit()
    return connection.remembered_digest(raw)


def test_every_session_of_the_login_ends_and_its_remembered_browsers_are_revoked(db):
    here = customer_session(db, JORDAN, "Jordan Lee")
    phone = customer_session(db, JORDAN, "Jordan Lee")
    studio = customer_session(db, JORDAN, "Lee Design Studio LLC")  # the same login
    pat = customer_session(db, PAT)
    agent = agent_session(db)
    jordans = _remember(db, JORDAN)
    pats = _remember(db, PAT)

    ended = log_out_everywhere(db, here.principal)
    db.commit()
    db.expire_all()  # the next request reads the rows afresh

    assert (ended.sessions, ended.browsers) == (3, 1)
    for login in (here, phone, studio):
        assert check_session(db, login.token).status == SessionStatus.REVOKED
    assert check_session(db, pat.token).ok and check_session(db, agent.token).ok
    assert remembered.trusted_channel(db, jordans, subject_kind="customer", email=JORDAN) is None
    assert remembered.trusted_channel(db, pats, subject_kind="customer", email=PAT) == "email"
    [entry] = db.exec(
        select(ActivityLog).where(ActivityLog.action_key == "customer.logout_everywhere")
    ).all()
    assert entry.account_id == here.principal.account_id
    assert entry.actor_contact_id == here.principal.contact_id


def test_an_ended_session_cannot_do_it_again_and_nothing_changes(db):
    login = customer_session(db, PAT)
    other = customer_session(db, PAT)
    record = db.get(UserSession, login.principal.session_id)
    record.revoked_at = record.created_at
    db.add(record)
    db.commit()
    with pytest.raises(NotAllowed, match="ended already"):
        log_out_everywhere(db, login.principal)
    assert check_session(db, other.token).ok
    assert not db.exec(
        select(ActivityLog).where(ActivityLog.action_key == "customer.logout_everywhere")
    ).all()


def test_an_agent_in_read_only_view_cannot_log_the_customer_out(db):
    pat = customer_session(db, PAT)
    sam = customer_session(db, SAM)
    remembered_pat = _remember(db, PAT)
    view = agent_session(db, "Pat & Sam Rivera")
    with pytest.raises(ReadOnlyRefused):
        log_out_everywhere(db, view.principal)
    assert check_session(db, pat.token).ok and check_session(db, sam.token).ok
    live = db.exec(select(RememberedBrowser).where(RememberedBrowser.revoked_at.is_(None))).all()
    assert [b.digest for b in live] == [remembered_pat]
