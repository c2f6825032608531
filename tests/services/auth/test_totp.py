"""Agents' second factor: enrolment, sealing, the clock-skew window, replays, recovery codes
and the lock after repeated misses."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlmodel import Session, select

from clientcenter.models import Agent, AgentRecoveryCode
from clientcenter.services.auth import totp
from clientcenter.services.errors import InvalidInput, NotAllowed
from clientcenter.settings import reset_settings_cache

NOW = datetime(2026, 5, 4, 15, 0, 10, tzinfo=UTC)


@pytest.fixture
def agent(session):
    a = Agent(email="alex@agency.example", first_name="Alex", last_name="Morgan")
    session.add(a)
    session.commit()
    return a


def _enrolled(session, agent) -> tuple[str, list[str]]:
    enrolment = totp.start_enrolment(session, agent)
    codes = totp.confirm_enrolment(session, agent, pyotp.TOTP(enrolment.secret).at(NOW), NOW)
    session.commit()
    return enrolment.secret, codes


def test_enrolment_shows_a_qr_code_and_stores_only_a_sealed_secret(session, agent):
    enrolment = totp.start_enrolment(session, agent)
    assert enrolment.uri.startswith("otpauth://totp/")
    assert "alex%40agency.example" in enrolment.uri and "issuer=Harbor" in enrolment.uri
    assert enrolment.qr_svg.startswith("data:image/svg+xml")
    assert enrolment.secret not in agent.totp_secret_sealed
    assert totp.open_secret(agent.id, agent.totp_secret_sealed) == enrolment.secret
    assert not totp.is_enrolled(agent)
    # A reload shows the same pending secret.
    assert totp.describe_enrolment(agent).secret == enrolment.secret
    with pytest.raises(totp.SecondFactorRefused, match="doesn't match"):
        totp.confirm_enrolment(
            session,
            agent,
            "000000" if pyotp.TOTP(enrolment.secret).at(NOW) != "000000" else "111111",
            NOW,
        )
    assert not totp.is_enrolled(agent)
    codes = totp.confirm_enrolment(session, agent, pyotp.TOTP(enrolment.secret).at(NOW), NOW)
    assert totp.is_enrolled(agent)
    assert len(codes) == len(set(codes)) == 10
    stored = session.exec(select(AgentRecoveryCode.code_hash)).all()
    assert len(stored) == 10 and not any(c.replace("-", "") in h for c in codes for h in stored)
    with pytest.raises(NotAllowed, match="already set up"):
        totp.start_enrolment(session, agent)


def test_sealed_secret_opens_only_for_its_agent_and_key(session, agent, monkeypatch):
    sealed = totp.seal_secret(agent.id, "JBSWY3DPEHPK3PXP")
    assert totp.open_secret(agent.id, sealed) == "JBSWY3DPEHPK3PXP"
    with pytest.raises(ValueError):
        totp.open_secret(agent.id + 1, sealed)
    monkeypatch.setenv("CC_SECRET_KEY", "another-secret-0123456789-abcdefghijklmnopqrstuvwxyz")
    reset_settings_cache()
    with pytest.raises(ValueError):
        totp.open_secret(agent.id, sealed)


def test_clock_skew_of_one_step_either_way(session, agent):
    secret, _ = _enrolled(session, agent)
    app = pyotp.TOTP(secret)
    later = NOW + timedelta(minutes=5)
    for skew in (-30, 0, 30):
        assert (
            totp.verify(session, agent, app.at(later + timedelta(seconds=skew)), later).method
            == "totp"
        )
    for skew in (-90, 90):
        code = app.at(later + timedelta(seconds=skew))
        if code in {app.at(later + timedelta(seconds=s)) for s in (-30, 0, 30)}:
            continue  # a six-digit collision with an accepted step: nothing to learn
        with pytest.raises(totp.SecondFactorRefused, match="isn't right"):
            totp.verify(session, agent, code, later)


def test_a_code_works_once(session, agent):
    secret, _ = _enrolled(session, agent)
    later = NOW + timedelta(minutes=2)
    code = pyotp.TOTP(secret).at(later)
    assert totp.verify(session, agent, code, later)
    with pytest.raises(totp.SecondFactorRefused, match="already used"):
        totp.verify(session, agent, code, later + timedelta(seconds=5))
    # The enrolment code itself was used up too.
    with pytest.raises(totp.SecondFactorRefused, match="already used"):
        totp.verify(session, agent, pyotp.TOTP(secret).at(NOW), NOW + timedelta(seconds=20))


def test_an_older_code_is_refused_after_a_newer_one(session, agent):
    secret, _ = _enrolled(session, agent)
    app = pyotp.TOTP(secret)
    later = NOW + timedelta(minutes=3)
    ahead, now_code = app.at(later + timedelta(seconds=30)), app.at(later)
    if ahead == now_code:
        pytest.skip("the two steps' codes collide")
    assert totp.verify(session, agent, ahead, later)  # a phone clock running fast
    with pytest.raises(totp.SecondFactorRefused, match="already used"):
        totp.verify(session, agent, now_code, later)
    assert session.get(Agent, agent.id).totp_last_step == app.timecode(later) + 1


def test_reset_forgets_the_last_step_so_a_new_secret_enrols_at_once(session, agent):
    _enrolled(session, agent)
    totp.reset(session, agent)
    session.commit()
    assert agent.totp_last_step is None
    enrolment = totp.start_enrolment(session, agent)
    # Re-enrolled within the same 30 seconds: the new app's first code is accepted.
    assert totp.confirm_enrolment(session, agent, pyotp.TOTP(enrolment.secret).at(NOW), NOW)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
@pytest.mark.postgres
def test_the_same_code_fired_at_once_is_accepted_once(engine, session, agent):
    secret, _ = _enrolled(session, agent)
    later = NOW + timedelta(minutes=4)
    code = pyotp.TOTP(secret).at(later)
    threads_n = 6
    barrier = threading.Barrier(threads_n)
    results: list = [None] * threads_n

    def attempt(i: int) -> None:
        with Session(engine, expire_on_commit=False) as s:
            mine = s.get(Agent, agent.id)
            barrier.wait()
            try:
                results[i] = totp.verify(s, mine, code, later)
            except Exception as exc:  # noqa: BLE001 - the outcome under test
                results[i] = exc
            s.commit()  # a refusal still counts its failure, as the login step does

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    accepted = [r for r in results if isinstance(r, totp.SecondFactorVerified)]
    refused = [r for r in results if isinstance(r, totp.SecondFactorRefused)]
    assert len(accepted) == 1, results
    assert len(refused) == threads_n - 1 and all("already used" in r.message for r in refused)


def test_recovery_codes_work_once_in_any_spelling(session, agent):
    _secret, codes = _enrolled(session, agent)
    first = codes[0]
    result = totp.verify(session, agent, first.upper().replace("-", " "), NOW)
    assert (result.method, result.recovery_codes_left) == ("recovery", 9)
    with pytest.raises(totp.SecondFactorRefused, match="already used"):
        totp.verify(session, agent, first, NOW)
    assert totp.verify(session, agent, codes[1].replace("-", ""), NOW).recovery_codes_left == 8
    # A new set voids the old one.
    fresh = totp.regenerate_recovery_codes(session, agent, NOW)
    with pytest.raises(totp.SecondFactorRefused):
        totp.verify(session, agent, codes[2], NOW)
    assert totp.verify(session, agent, fresh[0], NOW).recovery_codes_left == 9


def test_malformed_codes_are_refused_before_any_check(session, agent):
    _enrolled(session, agent)
    for bad in ["", "12345", "1234567", "abcdef", "１２３４５６"]:
        with pytest.raises(InvalidInput, match="6-digit"):
            totp.verify(session, agent, bad, NOW)


def test_five_misses_lock_second_factor_for_an_hour(session, agent):
    secret, _ = _enrolled(session, agent)
    app = pyotp.TOTP(secret)
    later = NOW + timedelta(minutes=10)
    good = app.at(later)
    wrong = "000000" if good != "000000" else "111111"
    for _ in range(totp.FAILURES_PER_HOUR):
        with pytest.raises(totp.SecondFactorRefused, match="isn't right"):
            totp.verify(session, agent, wrong, later)
    with pytest.raises(totp.SecondFactorRefused, match="Too many"):
        totp.verify(session, agent, good, later)
    after = later + timedelta(hours=1, minutes=1)
    assert totp.verify(session, agent, app.at(after), after)


def test_verify_needs_enrolment_and_reset_starts_over(session, agent):
    with pytest.raises(NotAllowed, match="Set up"):
        totp.verify(session, agent, "123456", NOW)
    _enrolled(session, agent)
    totp.reset(session, agent)
    assert not totp.is_enrolled(agent)
    assert session.exec(select(AgentRecoveryCode)).all() == []
    assert totp.start_enrolment(session, agent).secret
