"""Passkeys: registration after a code login, a login without an email, step-up, removal, and
every assertion the server must refuse (wrong origin, RP id, counter, challenge, another
contact's key), with real signatures from a software authenticator."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlmodel import select

from clientcenter.models import Passkey, UserSession, WebAuthnChallenge
from clientcenter.models.base import utcnow
from clientcenter.services.accounts import loginable_contacts
from clientcenter.services.auth import login, passkeys, step_up
from clientcenter.services.auth.login_codes import AttemptEnded
from clientcenter.services.auth.passkeys import PasskeyRefused
from clientcenter.services.auth.sessions import check_session, create_session
from clientcenter.services.errors import InvalidInput, NotAllowed, NotFound
from clientcenter.services.principal import Principal
from tests.support.authenticator import SoftAuthenticator
from tests.support.demo import JORDAN, PAT, agent_named
from tests.support.logins import last_code
from tests.support.settings import use_settings

ATTEMPT = "a" * 43
CHROME = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) Chrome/130.0 Safari/537.36"


@pytest.fixture
def db(demo):
    return demo


def _session_of(db, email, index=0):
    contact, account = loginable_contacts(db, email)[index]
    record, _ = create_session(
        db, kind="customer", email=email, contact_id=contact.id, account_id=account.id
    )
    db.flush()
    return Principal.customer(account.id, contact.id, session_id=record.id), contact


def _registered(db, email=PAT):
    principal, contact = _session_of(db, email)
    device = SoftAuthenticator()
    options = passkeys.registration_options(db, principal)
    passkeys.finish_registration(db, principal, device.register(options), user_agent=CHROME)
    return principal, contact, device


def _login(db, device, attempt=ATTEMPT, **wrong):
    options = passkeys.login_options(db, attempt_id=attempt)
    return login.verify_passkey(
        db, attempt_id=attempt, response=device.assert_(options, **wrong), client_ip="127.0.0.1"
    )


def test_registration_asks_for_a_discoverable_key_and_keeps_only_the_public_key(db):
    principal, contact = _session_of(db, PAT)
    options = json.loads(passkeys.registration_options(db, principal))
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "preferred"
    assert options["rp"]["id"] == "localhost"
    device = SoftAuthenticator()
    key = passkeys.finish_registration(
        db, principal, device.register(json.dumps(options)), user_agent=CHROME
    )
    assert key.contact_id == contact.id and key.label == "Chrome on Mac"
    assert key.proof == "email"
    # The next registration excludes it, so one device does not save it twice.
    again = json.loads(passkeys.registration_options(db, principal))
    assert [c["id"] for c in again["excludeCredentials"]] == [key.credential_id]


def test_a_passkey_logs_in_without_an_email_and_starts_a_session_bound_to_it(db):
    _, contact, device = _registered(db)
    verified = _login(db, device)
    assert [a.account_id for a in verified.accounts] == [contact.account_id]
    started = login.complete(db, grant=verified.grant, client_ip="127.0.0.1")
    assert started.session.contact_id == contact.id
    key = db.exec(select(Passkey)).one()
    assert started.session.passkey_id == key.id and key.sign_count == 1
    assert started.trust_channel == ""  # a passkey login never opts a browser in
    assert check_session(db, started.token).ok


def test_a_passkey_of_a_shared_email_offers_the_account_choice_as_usual(db):
    _, _, device = _registered(db, JORDAN)
    verified = _login(db, device)
    assert len(verified.accounts) == 2 and verified.grant is None
    grant = login.grant_for_account(
        db, attempt_id=ATTEMPT, account_id=verified.accounts[1].account_id
    )
    started = login.complete(db, grant=grant, client_ip="127.0.0.1")
    assert started.session.account_id == verified.accounts[1].account_id


@pytest.mark.parametrize(
    "wrong",
    [
        {"origin": "https://evil.example"},
        {"rp_id": "evil.example"},
        {"challenge": "bm90LW91ci1jaGFsbGVuZ2U"},
    ],
    ids=["origin", "rp_id", "unknown_challenge"],
)
def test_an_assertion_with_a_wrong_origin_rp_id_or_challenge_is_refused(db, wrong):
    _, _, device = _registered(db)
    with pytest.raises(PasskeyRefused):
        _login(db, device, **wrong)
    assert db.exec(select(UserSession).where(UserSession.passkey_id.is_not(None))).first() is None


def test_a_sign_counter_that_goes_back_is_refused(db):
    _, _, device = _registered(db)
    _login(db, device, attempt="b" * 43, counter=5)
    with pytest.raises(PasskeyRefused):
        _login(db, device, attempt="c" * 43, counter=5)  # a cloned key replays its count


def test_a_challenge_works_once(db):
    _, _, device = _registered(db)
    options = passkeys.login_options(db, attempt_id=ATTEMPT)
    answer = device.assert_(options)
    login.verify_passkey(db, attempt_id=ATTEMPT, response=answer, client_ip="")
    with pytest.raises(PasskeyRefused):
        login.verify_passkey(db, attempt_id=ATTEMPT, response=answer, client_ip="")


def test_a_challenge_from_another_tab_or_too_old_is_refused(db):
    _, _, device = _registered(db)
    options = passkeys.login_options(db, attempt_id=ATTEMPT)
    with pytest.raises(PasskeyRefused):
        login.verify_passkey(
            db, attempt_id="z" * 43, response=device.assert_(options), client_ip=""
        )
    options = passkeys.login_options(db, attempt_id="y" * 43)
    later = utcnow() + timedelta(minutes=3)
    with pytest.raises(PasskeyRefused):
        login.verify_passkey(
            db, attempt_id="y" * 43, response=device.assert_(options), client_ip="", now=later
        )


def test_a_passkey_of_one_contact_cannot_sign_in_as_another(db):
    _, pat, device = _registered(db, PAT)
    _, jordan = _session_of(db, JORDAN)
    other_handle = passkeys._user_handle(jordan.id)
    with pytest.raises(PasskeyRefused):
        _login(db, device, user_handle=other_handle)
    # Nor in a step-up: Jordan's session cannot confirm with Pat's key.
    jordan_principal, _ = _session_of(db, JORDAN)
    device_j = SoftAuthenticator()
    passkeys.finish_registration(
        db,
        jordan_principal,
        device_j.register(passkeys.registration_options(db, jordan_principal)),
    )
    options = step_up.passkey_options(db, jordan_principal)
    with pytest.raises(PasskeyRefused):
        step_up.confirm_with_passkey(db, jordan_principal, device.assert_(options))


def test_a_removed_passkey_stops_at_once_and_ends_its_sessions(db):
    principal, _, device = _registered(db)
    started = login.complete(db, grant=_login(db, device).grant, client_ip="")
    key = db.exec(select(Passkey)).one()
    passkeys.remove(db, principal, key.id)
    assert not check_session(db, started.token).ok
    with pytest.raises(PasskeyRefused):
        _login(db, device, attempt="d" * 43)


def test_another_contact_cannot_remove_my_passkey(db):
    _, _, _ = _registered(db, PAT)
    key = db.exec(select(Passkey)).one()
    jordan, _ = _session_of(db, JORDAN)
    with pytest.raises(NotFound):
        passkeys.remove(db, jordan, key.id)
    assert db.get(Passkey, key.id) is not None


def test_the_agency_clears_a_contacts_passkeys_with_the_permission_only(db):
    _, contact, device = _registered(db)
    auditor = agent_named(db, "robin.ellis@harborandmain.example")  # changes nothing
    admin = agent_named(db)
    with pytest.raises(NotAllowed):
        passkeys.clear_for_contact(db, Principal.agency(auditor.id), contact.id)
    assert passkeys.clear_for_contact(db, Principal.agency(admin.id), contact.id) == 1
    assert passkeys.contact_passkeys(db, contact.id) == []
    with pytest.raises(PasskeyRefused):
        _login(db, device)


def test_a_browser_refusal_or_garbage_changes_nothing(db):
    principal, _ = _session_of(db, PAT)
    passkeys.registration_options(db, principal)
    for bad in ("", "not json", json.dumps({"error": "NotAllowedError"}), "[]"):
        with pytest.raises(InvalidInput):
            passkeys.finish_registration(db, principal, bad)
    assert db.exec(select(Passkey)).first() is None
    assert (
        db.exec(select(WebAuthnChallenge).where(WebAuthnChallenge.used_at.is_not(None))).first()
        is None
    )


def test_an_agent_in_a_read_only_view_cannot_add_a_passkey(db):
    agent = agent_named(db)
    contact, account = loginable_contacts(db, PAT)[0]
    record, _ = create_session(
        db,
        kind="agent",
        email=agent.email,
        agent_id=agent.id,
        account_id=account.id,
        read_only=True,
    )
    viewing = Principal.agent_viewing(agent.id, account.id, session_id=record.id)
    with pytest.raises(NotAllowed):
        passkeys.registration_options(db, viewing)


# -- step-up -----------------------------------------------------------------------------


def test_step_up_is_asked_only_for_the_listed_actions(db, monkeypatch):
    principal, _ = _session_of(db, PAT)
    step_up.require_recent_second_factor(db, principal, "pay")  # nothing listed: no ask
    use_settings(monkeypatch, SECURITY__STEP_UP_ACTIONS='["pay"]')
    with pytest.raises(step_up.SecondFactorNeeded):
        step_up.require_recent_second_factor(db, principal, "pay")
    step_up.require_recent_second_factor(db, principal, "certificate_holder")


def test_a_passkey_step_up_opens_the_window_and_it_closes_again(db, monkeypatch):
    principal, _, device = _registered(db)  # this session logged in by code
    use_settings(monkeypatch, SECURITY__STEP_UP_ACTIONS='["pay"]', SECURITY__STEP_UP_MINUTES="10")
    options = step_up.passkey_options(db, principal)
    step_up.confirm_with_passkey(db, principal, device.assert_(options))
    step_up.require_recent_second_factor(db, principal, "pay")
    later = utcnow() + timedelta(minutes=11)
    with pytest.raises(step_up.SecondFactorNeeded):
        step_up.require_recent_second_factor(db, principal, "pay", now=later)


def test_a_session_that_logged_in_with_a_passkey_steps_up_with_a_code(db):
    _, contact, device = _registered(db)
    started = login.complete(db, grant=_login(db, device).grant, client_ip="")
    principal = Principal.customer(contact.account_id, contact.id, session_id=started.session.id)
    with pytest.raises(NotAllowed):
        step_up.passkey_options(db, principal)
    step_up.send_code(db, principal, attempt_id="s" * 43, client_ip="127.0.0.1")
    with pytest.raises(InvalidInput):
        step_up.confirm_with_code(db, principal, attempt_id="s" * 43, code="12", client_ip="")
    code = last_code(db, contact.email.lower())
    step_up.confirm_with_code(db, principal, attempt_id="s" * 43, code=code, client_ip="")
    assert step_up.has_recent_second_factor(db, principal)
    with pytest.raises(AttemptEnded):  # the code works once
        step_up.confirm_with_code(db, principal, attempt_id="s" * 43, code=code, client_ip="")
