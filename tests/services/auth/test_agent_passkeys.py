"""Agents' passkeys: added while signed in, then the second factor of a sign-in instead of the
authenticator app (recovery codes still work), with real signatures from a software
authenticator; every answer the server must refuse (wrong origin, another attempt's
challenge, a passkey of another agent, before the emailed code) is refused."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
from sqlmodel import select

from clientcenter.models import Passkey
from clientcenter.models.base import utcnow
from clientcenter.services.auth import agent_login, agent_passkeys, login, passkeys, totp
from clientcenter.services.auth.login_steps import CodeProblem
from clientcenter.services.auth.passkeys import PasskeyRefused
from clientcenter.services.errors import NotAllowed, NotFound, ReadOnlyRefused
from tests.support.authenticator import SoftAuthenticator
from tests.support.demo import AGENT, PAT, PRIYA, agent_named
from tests.support.logins import agent_session, customer_session, last_code

IP = "198.51.100.7"
CHROME = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) Chrome/130.0 Safari/537.36"


@pytest.fixture
def db(demo):
    return demo


def _enrolled(db, email=AGENT) -> list[str]:
    agent = agent_named(db, email)
    start = utcnow() - timedelta(minutes=5)
    enrolment = totp.start_enrolment(db, agent)
    codes = totp.confirm_enrolment(db, agent, pyotp.TOTP(enrolment.secret).at(start), start)
    db.commit()
    return codes


def _with_passkey(db, email=AGENT) -> tuple[SoftAuthenticator, list[str]]:
    codes = _enrolled(db, email)
    principal = agent_session(db, email=email).principal
    device = SoftAuthenticator()
    options = agent_passkeys.registration_options(db, principal)
    agent_passkeys.finish_registration(db, principal, device.register(options), user_agent=CHROME)
    db.commit()
    return device, codes


def _through_code(db, email=AGENT):
    attempt, _sent = agent_login.start(db, email=email, client_ip=IP)
    step = agent_login.verify_code(db, attempt_id=attempt, code=last_code(db, email), client_ip=IP)
    return attempt, step


def test_a_passkey_signs_an_agent_in_instead_of_the_app(db):
    device, _codes = _with_passkey(db)
    [key] = db.exec(select(Passkey).where(Passkey.agent_id == agent_named(db).id)).all()
    assert key.contact_id is None and key.label == "Chrome on Mac"
    attempt, step = _through_code(db)
    assert step.step == "totp" and step.passkey  # the page offers the passkey
    options = agent_login.passkey_options(db, attempt_id=attempt)
    grant = agent_login.second_factor_with_passkey(
        db, attempt_id=attempt, response=device.assert_(options)
    )
    done = agent_login.complete(db, grant=grant, client_ip=IP)
    assert done.session.kind == "agent" and done.session.second_factor_at is not None
    assert db.get(Passkey, key.id).sign_count == 1


def test_recovery_codes_still_work_for_an_agent_with_a_passkey(db):
    _device, codes = _with_passkey(db)
    attempt, _ = _through_code(db)
    grant, checked = agent_login.second_factor(db, attempt_id=attempt, code=codes[0])
    assert checked.method == "recovery"
    assert agent_login.complete(db, grant=grant, client_ip=IP).session.agent_id


def test_an_agent_without_a_passkey_is_not_offered_one(db):
    _enrolled(db)
    attempt, step = _through_code(db)
    assert step.step == "totp" and not step.passkey
    with pytest.raises(NotAllowed, match="no passkey"):
        agent_login.passkey_options(db, attempt_id=attempt)


def test_wrong_origin_or_another_attempts_challenge_is_refused(db):
    device, _ = _with_passkey(db)
    attempt, _ = _through_code(db)
    options = agent_login.passkey_options(db, attempt_id=attempt)
    with pytest.raises(PasskeyRefused):
        agent_login.second_factor_with_passkey(
            db, attempt_id=attempt, response=device.assert_(options, origin="https://evil.test")
        )
    # A challenge issued for another sign-in attempt does not count for this one.
    other, _ = _through_code(db)
    foreign = agent_login.passkey_options(db, attempt_id=other)
    options = agent_login.passkey_options(db, attempt_id=attempt)
    with pytest.raises(PasskeyRefused):
        agent_login.second_factor_with_passkey(
            db, attempt_id=attempt, response=device.assert_(options, challenge=_challenge(foreign))
        )


def _challenge(options_json: str) -> str:
    import json

    return json.loads(options_json)["challenge"]


def test_a_passkey_of_another_agent_is_refused(db):
    _with_passkey(db, AGENT)
    priyas, _ = _with_passkey(db, PRIYA)
    attempt, _ = _through_code(db, AGENT)
    options = agent_login.passkey_options(db, attempt_id=attempt)
    with pytest.raises(PasskeyRefused):
        agent_login.second_factor_with_passkey(
            db, attempt_id=attempt, response=priyas.assert_(options)
        )


def test_the_passkey_step_needs_the_emailed_code_first(db):
    _with_passkey(db)
    attempt, _sent = agent_login.start(db, email=AGENT, client_ip=IP)
    with pytest.raises(CodeProblem):
        agent_login.passkey_options(db, attempt_id=attempt)


def test_only_a_signed_in_agent_adds_one(db):
    _enrolled(db)
    with pytest.raises(ReadOnlyRefused):
        agent_passkeys.registration_options(db, agent_session(db, "Pat & Sam Rivera").principal)
    with pytest.raises(NotAllowed):
        agent_passkeys.registration_options(db, customer_session(db, PAT).principal)
    halfway = agent_session(db, second_factor=False).principal
    with pytest.raises(NotAllowed, match="second factor"):
        agent_passkeys.registration_options(db, halfway)


def test_an_agents_passkey_does_not_log_in_a_customer(db):
    device, _ = _with_passkey(db)
    attempt = "a" * 43
    options = passkeys.login_options(db, attempt_id=attempt)
    with pytest.raises(PasskeyRefused):
        login.verify_passkey(
            db, attempt_id=attempt, response=device.assert_(options), client_ip=IP
        )


def test_a_removed_passkey_stops_and_another_agent_cannot_remove_it(db):
    device, _ = _with_passkey(db)
    [key] = agent_passkeys.agent_passkeys(db, agent_named(db).id)
    _enrolled(db, PRIYA)
    with pytest.raises(NotFound):
        agent_passkeys.remove(db, agent_session(db, email=PRIYA).principal, key.id)
    agent_passkeys.remove(db, agent_session(db).principal, key.id)
    db.commit()
    attempt, step = _through_code(db)
    assert not step.passkey
    with pytest.raises(NotAllowed):
        agent_login.passkey_options(db, attempt_id=attempt)


def test_an_administrators_second_factor_reset_takes_the_passkeys_too(db):
    """A lost phone: the app's secret, the recovery codes and the passkeys all go."""
    _with_passkey(db)
    agent = agent_named(db)
    totp.reset(db, agent)
    db.commit()
    assert agent_passkeys.agent_passkeys(db, agent.id) == []
