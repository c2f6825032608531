"""Issue 11, item 5: nobody can lock a customer or an agent out.

Anonymous requests (anyone can type pat's email) share pat's send and failure counters, so a
flood fills them. A browser that completed a login as pat before holds the HttpOnly
remembered-browser cookie, and its requests draw on its own allowance: the flood does not
reach it. Texts stay capped per number for everyone (their cost), and counting is atomic:
twenty requests at once pass a limit of five exactly five times.
"""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pyotp
import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from clientcenter.models import Agent, OutboxMessage, RateEvent, RememberedBrowser
from clientcenter.models.base import utcnow
from clientcenter.services.accounts import loginable_contacts
from clientcenter.services.auth import agent_login, connection, login, login_codes, remembered
from clientcenter.services.auth.login_codes import TooManyFailures, TooManyLookups, TooManySends
from clientcenter.services.auth.login_steps import CodeProblem
from clientcenter.services.auth.sessions import check_session
from clientcenter.settings import reset_settings_cache
from tests.support.demo import AGENT, MORGAN, PAT, PAT_MOBILE
from tests.support.handlers import settle
from tests.support.logins import opened_setup_link

OWNER_IP = "198.51.100.5"
ORIGIN = "http://localhost:3000"


def attacker_ip(i: int) -> str:
    return f"203.0.113.{i % 250 + 1}"


def settings_env(monkeypatch, **values):
    for key, value in values.items():
        monkeypatch.setenv(f"CC_SECURITY__{key.upper()}", str(value))
    reset_settings_cache()


def codes_to(db, address: str) -> list[str]:
    db.expire_all()
    bodies = db.exec(
        select(OutboxMessage.body_text)
        .where(OutboxMessage.to_address == address, OutboxMessage.template == "login_code")
        .order_by(OutboxMessage.id)
    ).all()
    return [re.search(r"\b(\d{6})\b", b).group(1) for b in bodies]


def remembered_browser_of(db, email: str, subject_kind: str = "customer") -> str:
    """A browser that completed a login as ``email``: the digest its connection carries."""
    if subject_kind == "customer":
        contact, _ = loginable_contacts(db, email)[0]
        ids = {"contact_id": contact.id}
    else:
        ids = {"agent_id": db.exec(select(Agent.id).where(Agent.email == email)).one()}
    kept = remembered.remember(db, subject_kind=subject_kind, email=email, presented=None, **ids)
    db.commit()
    return connection.remembered_digest(kept.new_value)


def ask_for_code(
    email: str, *, ip: str, channel: str = "email", now=None, remembered_digest: str | None = None
) -> str:
    """Steps 1 and 2, each in its own unit of work (as the login page runs them)."""
    with login.login_scope() as s:
        attempt, _ = login.start(
            s, email=email, client_ip=ip, now=now, remembered=remembered_digest
        )
    with login.login_scope() as s:
        login.choose_channel(
            s,
            attempt_id=attempt,
            channel=channel,
            client_ip=ip,
            now=now,
            remembered=remembered_digest,
        )
    return attempt


def verify(attempt: str, code: str, *, ip: str, remembered_digest: str | None = None):
    with login.login_scope() as s:
        return login.verify(
            s, attempt_id=attempt, code=code, client_ip=ip, remembered=remembered_digest
        )


def flood_sends(email: str, n: int = 6) -> int:
    """Anonymous requests for codes to ``email`` until refused; how many were refused."""
    refused = 0
    for i in range(n):
        try:
            ask_for_code(email, ip=attacker_ip(i))
        except TooManySends:
            refused += 1
    return refused


def flood_failures(email: str, attempts: int = 2) -> None:
    """Anonymous wrong codes for ``email``: five per attempt (the attempt's code is void
    after that), on fresh attempts, until the email's failure counter is full."""
    for a in range(attempts):
        attempt = ask_for_code(email, ip=attacker_ip(100 + a))
        for _ in range(5):
            with pytest.raises(CodeProblem):
                verify(attempt, "000000", ip=attacker_ip(100 + a))


@pytest.fixture
def db(demo, monkeypatch):
    # Every code is 123456, so the flood's 000000 is always wrong.
    monkeypatch.setattr("clientcenter.services.auth.login_codes.new_code", lambda: "123456")
    return demo


# --- customers ------------------------------------------------------------------------------


def test_an_anonymous_send_flood_does_not_stop_pats_remembered_browser(db):
    pats_browser = remembered_browser_of(db, PAT)
    assert flood_sends(PAT) == 1  # 5 codes an hour for pat's email, then refused
    with pytest.raises(TooManySends):  # anyone else, from anywhere, stays refused
        ask_for_code(PAT, ip="192.0.2.77")
    sent = len(codes_to(db, PAT))
    attempt = ask_for_code(PAT, ip=OWNER_IP, remembered_digest=pats_browser)
    assert len(codes_to(db, PAT)) == sent + 1
    verified = verify(attempt, codes_to(db, PAT)[-1], ip=OWNER_IP, remembered_digest=pats_browser)
    with login.login_scope() as s:
        done = login.complete(s, grant=verified.grant, client_ip=OWNER_IP)
    assert check_session(db, done.token).ok


def test_an_anonymous_failure_flood_does_not_block_the_right_code_in_pats_browser(db):
    pats_browser = remembered_browser_of(db, PAT)
    flood_failures(PAT)
    anonymous = ask_for_code(PAT, ip="192.0.2.78")
    with pytest.raises(TooManyFailures):  # ten wrong codes block even the right one…
        verify(anonymous, "123456", ip="192.0.2.78")
    attempt = ask_for_code(PAT, ip=OWNER_IP, remembered_digest=pats_browser)
    verified = verify(attempt, "123456", ip=OWNER_IP, remembered_digest=pats_browser)
    assert verified.grant  # …but not in pat's own browser


def test_a_remembered_cookie_of_another_person_gives_no_allowance(db):
    morgans_browser = remembered_browser_of(db, MORGAN)
    agents_browser = remembered_browser_of(db, AGENT, "agent")
    flood_sends(PAT)
    for digest in (
        morgans_browser,
        agents_browser,
        connection.remembered_digest("made-up"),
        "0" * 64,
    ):
        with pytest.raises(TooManySends):
            ask_for_code(PAT, ip="192.0.2.79", remembered_digest=digest)
    flood_failures(MORGAN)
    pats_browser = remembered_browser_of(db, PAT)
    attempt = ask_for_code(MORGAN, ip="192.0.2.80", remembered_digest=pats_browser)
    with pytest.raises(TooManyFailures):
        verify(attempt, "123456", ip="192.0.2.80", remembered_digest=pats_browser)


def test_a_revoked_or_expired_remembered_browser_gives_no_allowance(db):
    pats_browser = remembered_browser_of(db, PAT)
    flood_sends(PAT)
    remembered.revoke_all(db, subject_kind="customer", email=PAT)
    db.commit()
    with pytest.raises(TooManySends):
        ask_for_code(PAT, ip=OWNER_IP, remembered_digest=pats_browser)
    later = remembered_browser_of(db, PAT)
    record = db.exec(select(RememberedBrowser).where(RememberedBrowser.digest == later)).one()
    record.expires_at = utcnow() - timedelta(seconds=1)
    db.add(record)
    db.commit()
    with pytest.raises(TooManySends):
        ask_for_code(PAT, ip=OWNER_IP, remembered_digest=later)


def test_the_browsers_own_allowance_is_limited_too(db):
    pats_browser = remembered_browser_of(db, PAT)
    t0 = utcnow()
    for i in range(5):
        ask_for_code(
            PAT, ip=OWNER_IP, now=t0 + timedelta(seconds=i), remembered_digest=pats_browser
        )
    with pytest.raises(TooManySends):
        ask_for_code(
            PAT, ip=OWNER_IP, now=t0 + timedelta(seconds=9), remembered_digest=pats_browser
        )
    ask_for_code(PAT, ip="192.0.2.81", now=t0 + timedelta(seconds=9))  # the shared one is not


def test_texts_stay_capped_per_number_for_everyone(db, monkeypatch):
    settings_env(monkeypatch, sms_per_destination_per_hour=6, sms_per_destination_per_day=8)
    pats_browser = remembered_browser_of(db, PAT)
    t0 = utcnow()
    for i in range(5):  # anonymous texts to pat's phone: its destination limit
        ask_for_code(PAT, ip=attacker_ip(i), channel="sms", now=t0 + timedelta(seconds=i))
    ask_for_code(
        PAT,
        ip=OWNER_IP,
        channel="sms",
        now=t0 + timedelta(seconds=10),
        remembered_digest=pats_browser,
    )  # the 6th text of the hour: pat's own
    with pytest.raises(TooManySends):  # the number's hourly cap counts everyone's texts
        ask_for_code(
            PAT,
            ip=OWNER_IP,
            channel="sms",
            now=t0 + timedelta(seconds=20),
            remembered_digest=pats_browser,
        )
    ask_for_code(
        PAT,
        ip=OWNER_IP,
        channel="email",
        now=t0 + timedelta(seconds=30),
        remembered_digest=pats_browser,
    )  # email still works
    assert len(codes_to(db, PAT_MOBILE)) == 6
    # … and per day: 2 more texts the next hour, then no more until a day has passed.
    for i in range(2):
        ask_for_code(
            PAT,
            ip=OWNER_IP,
            channel="sms",
            now=t0 + timedelta(minutes=61 + i),
            remembered_digest=pats_browser,
        )
    with pytest.raises(TooManySends):
        ask_for_code(
            PAT,
            ip=OWNER_IP,
            channel="sms",
            now=t0 + timedelta(minutes=65),
            remembered_digest=pats_browser,
        )
    ask_for_code(
        PAT,
        ip=OWNER_IP,
        channel="sms",
        now=t0 + timedelta(hours=24, seconds=30),
        remembered_digest=pats_browser,
    )


def test_the_login_page_passes_its_connections_remembered_cookie(db):
    """Through the login page's handlers: the cookie the browser sends, hashed by the
    tab-binding middleware, is what the services see."""
    from clientcenter.state.portal.login import LoginState
    from tests.support.handlers import page_state

    contact, _ = loginable_contacts(db, PAT)[0]
    raw = remembered.remember(
        db, subject_kind="customer", email=PAT, presented=None, contact_id=contact.id
    ).new_value
    db.commit()
    flood_sends(PAT)
    for cookie, step in ((None, "channel"), (f"cc_remember={raw}", "code")):
        state = page_state(LoginState, cookie=cookie)
        settle(state.submit_email({"email": PAT}))
        settle(state.choose_channel("email"))
        assert state.step == step, state.error
        if cookie is None:
            assert "sent as many codes as we can" in state.error


# --- agents ---------------------------------------------------------------------------------


def test_an_anonymous_flood_does_not_stop_the_agents_remembered_browser(db):
    agents_browser = remembered_browser_of(db, AGENT, "agent")
    for i in range(5):
        with login.login_scope() as s:
            agent_login.start(s, email=AGENT, client_ip=attacker_ip(i))
    for digest in (None, connection.remembered_digest("made-up")):
        with pytest.raises(TooManySends), login.login_scope() as s:
            agent_login.start(s, email=AGENT, client_ip=attacker_ip(9), remembered=digest)
    with login.login_scope() as s:
        attempt, _ = agent_login.start(
            s, email=AGENT, client_ip=OWNER_IP, remembered=agents_browser
        )
    link = opened_setup_link(db)
    with login.login_scope() as s:
        step = agent_login.verify_code(
            s,
            attempt_id=attempt,
            code=codes_to(db, AGENT)[-1],
            client_ip=OWNER_IP,
            remembered=agents_browser,
            **link.steps,
        )
    assert step.step == "enrol"
    with login.login_scope() as s:
        agent_login.confirm_enrolment(
            s, attempt_id=attempt, code=pyotp.TOTP(step.enrolment.secret).now(), **link.steps
        )
        grant = agent_login.grant_after_enrolment(s, attempt_id=attempt)
    with login.login_scope() as s:
        done = agent_login.complete(s, grant=grant, client_ip=OWNER_IP)
    assert check_session(db, done.token).principal.is_agent


def test_wrong_codes_for_the_agent_do_not_block_the_agents_remembered_browser(db):
    agents_browser = remembered_browser_of(db, AGENT, "agent")
    for a in range(2):
        with login.login_scope() as s:
            attempt, _ = agent_login.start(s, email=AGENT, client_ip=attacker_ip(30 + a))
        for _ in range(5):
            with pytest.raises(CodeProblem), login.login_scope() as s:
                agent_login.verify_code(
                    s, attempt_id=attempt, code="000000", client_ip=attacker_ip(30 + a)
                )
    with login.login_scope() as s:
        anonymous, _ = agent_login.start(s, email=AGENT, client_ip="192.0.2.90")
    with pytest.raises(TooManyFailures), login.login_scope() as s:
        agent_login.verify_code(s, attempt_id=anonymous, code="123456", client_ip="192.0.2.90")
    with login.login_scope() as s:
        attempt, _ = agent_login.start(
            s, email=AGENT, client_ip=OWNER_IP, remembered=agents_browser
        )
    link = opened_setup_link(db)
    with login.login_scope() as s:
        step = agent_login.verify_code(
            s,
            attempt_id=attempt,
            code="123456",
            client_ip=OWNER_IP,
            remembered=agents_browser,
            **link.steps,
        )
    assert step.step == "enrol"


# --- the cookie -----------------------------------------------------------------------------


def _grant_for(db, email: str) -> str:
    attempt = ask_for_code(email, ip=OWNER_IP)
    return verify(attempt, "123456", ip=OWNER_IP).grant


def _remembered_set_cookie(response) -> str:
    [header] = [
        v
        for k, v in response.headers.multi_items()
        if k == "set-cookie" and v.startswith("cc_remember=")
    ]
    return header


def test_a_completed_login_gives_the_browser_an_httponly_remembered_cookie(db):
    from clientcenter.http import build_http_app

    client = TestClient(build_http_app(), base_url=ORIGIN, follow_redirects=False)
    response = client.post(
        "/auth/complete", data={"grant": _grant_for(db, PAT)}, headers={"origin": ORIGIN}
    )
    header = _remembered_set_cookie(response)
    assert "HttpOnly" in header and "SameSite=lax" in header and "Path=/" in header
    assert f"Max-Age={90 * 24 * 3600}" in header
    raw = header.split(";")[0].split("=", 1)[1]
    [record] = db.exec(select(RememberedBrowser)).all()
    assert record.digest == connection.remembered_digest(raw) and raw not in str(record)
    assert (record.subject_kind, record.email) == ("customer", PAT)
    # The same browser logging in again keeps its cookie (set again, a fresh max-age)…
    client.cookies.set("cc_remember", raw)
    again = client.post(
        "/auth/complete", data={"grant": _grant_for(db, PAT)}, headers={"origin": ORIGIN}
    )
    assert _remembered_set_cookie(again).startswith(f"cc_remember={raw};")
    assert len(db.exec(select(RememberedBrowser)).all()) == 1
    # …and someone else logging in there replaces it; pat's is revoked.
    other = client.post(
        "/auth/complete", data={"grant": _grant_for(db, MORGAN)}, headers={"origin": ORIGIN}
    )
    assert not _remembered_set_cookie(other).startswith(f"cc_remember={raw};")
    db.expire_all()
    assert db.get(RememberedBrowser, record.id).revoked_at is not None


def test_an_agent_sign_in_gives_the_browser_its_remembered_cookie(db):
    from clientcenter.http import build_http_app

    client = TestClient(build_http_app(), base_url=ORIGIN, follow_redirects=False)
    with login.login_scope() as s:
        attempt, _ = agent_login.start(s, email=AGENT, client_ip=OWNER_IP)
    link = opened_setup_link(db)
    with login.login_scope() as s:
        step = agent_login.verify_code(
            s, attempt_id=attempt, code="123456", client_ip=OWNER_IP, **link.steps
        )
    with login.login_scope() as s:
        agent_login.confirm_enrolment(
            s, attempt_id=attempt, code=pyotp.TOTP(step.enrolment.secret).now(), **link.steps
        )
        grant = agent_login.grant_after_enrolment(s, attempt_id=attempt)
    response = client.post(
        "/auth/agent/complete", data={"grant": grant}, headers={"origin": ORIGIN}
    )
    assert response.headers["location"] == "/agent"
    raw = _remembered_set_cookie(response).split(";")[0].split("=", 1)[1]
    digest = connection.remembered_digest(raw)
    assert remembered.allowance(db, digest, subject_kind="agent", email=AGENT)
    assert remembered.allowance(db, digest, subject_kind="customer", email=AGENT) is None


# --- atomic counting -------------------------------------------------------------------------


def _at_once(n: int, work) -> list[object]:
    """``work(i)`` in n threads released together; what each returned or raised."""
    gate = threading.Barrier(n)
    results: list[object] = [None] * n

    def run(i):
        gate.wait()
        try:
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 - the outcome is what is compared
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def test_twenty_parallel_lookups_pass_a_limit_of_five_exactly_five_times(db, monkeypatch):
    settings_env(monkeypatch, lookups_per_ip_per_hour=5)

    def lookup(_i):
        with login.login_scope() as s:
            login_codes.check_lookup_limit(s, "203.0.113.200")
        return "passed"

    results = _at_once(20, lookup)
    assert results.count("passed") == 5, results
    assert sum(isinstance(r, TooManyLookups) for r in results) == 15
    db.expire_all()
    assert len(db.exec(select(RateEvent).where(RateEvent.scope == "lookup:ip")).all()) == 5


def test_twenty_parallel_sends_for_one_email_queue_exactly_five_codes(db):
    attempts = []
    for i in range(20):  # twenty browsers reach the channel step…
        with login.login_scope() as s:
            attempts.append(login.start(s, email=MORGAN, client_ip=attacker_ip(i))[0])

    def send(i):  # …and all ask for their code at the same moment
        with login.login_scope() as s:
            login.choose_channel(
                s, attempt_id=attempts[i], channel="email", client_ip=attacker_ip(i)
            )
        return "sent"

    results = _at_once(20, send)
    assert results.count("sent") == 5, results
    assert sum(isinstance(r, TooManySends) for r in results) == 15
    assert len(codes_to(db, MORGAN)) == 5
