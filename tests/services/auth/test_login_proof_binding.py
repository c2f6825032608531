"""Issue 11, item 3: a texted code proves one phone, not every account of the email.

The fixture of the issue: account A has primary P and co-applicant V; account B has V as its
primary, with no mobile. V's email is on both. P must not be able to point V's login codes at
a phone of P's choosing, and a code texted to the mobile on A must not open B.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlmodel import select

from clientcenter.models import (
    Account,
    ActivityLog,
    Agent,
    Contact,
    LoginChallenge,
    OutboxMessage,
    Policy,
    UserSession,
)
from clientcenter.services.auth import login, login_codes
from clientcenter.services.auth.sessions import check_session, create_session
from clientcenter.services.auth.tokens import sign
from clientcenter.services.errors import InvalidInput, NotAllowed, NotFound
from clientcenter.services.portal import contact_change, profile
from clientcenter.services.principal import Principal
from tests.support.handlers import settle

IP = "198.51.100.30"
P_EMAIL, V_EMAIL = "pat.primary@example.com", "val.coapp@example.com"
P_MOBILE, NEW_MOBILE = "+12075550111", "+12075550199"


@dataclass
class Fixture:
    a: Account
    b: Account
    p: Contact
    v_on_a: Contact
    v_on_b: Contact


def _active_policy(account: Account) -> Policy:
    today = date.today()
    return Policy(
        account_id=account.id,
        number=f"P-{account.id}",
        line="auto",
        carrier="Travelers",
        effective_date=today - timedelta(days=30),
        expiration_date=today + timedelta(days=335),
        status="active",
        premium_cents=100000,
    )


@pytest.fixture
def f(session) -> Fixture:
    producer = Agent(email="producer@agency.example", first_name="Alex", last_name="Morgan")
    session.add(producer)
    session.flush()
    a = Account(kind="personal", name="Primary & Val", producer_id=producer.id)
    b = Account(kind="personal", name="Val Alone", producer_id=producer.id)
    session.add_all([a, b])
    session.flush()
    p = Contact(
        account_id=a.id,
        role="primary",
        first_name="Pat",
        last_name="Primary",
        email=P_EMAIL,
        mobile=P_MOBILE,
    )
    v_on_a = Contact(
        account_id=a.id, role="co_applicant", first_name="Val", last_name="Coapp", email=V_EMAIL
    )
    v_on_b = Contact(
        account_id=b.id, role="primary", first_name="Val", last_name="Coapp", email=V_EMAIL
    )
    session.add_all([p, v_on_a, v_on_b, _active_policy(a), _active_policy(b)])
    session.commit()
    return Fixture(a, b, p, v_on_a, v_on_b)


def _p_signed_in(session, f: Fixture) -> Principal:
    record, _ = create_session(
        session, kind="customer", email=P_EMAIL, contact_id=f.p.id, account_id=f.a.id
    )
    session.commit()
    return Principal.customer(f.a.id, f.p.id, session_id=record.id)


def _messages(session, to: str) -> list[OutboxMessage]:
    return list(
        session.exec(
            select(OutboxMessage).where(OutboxMessage.to_address == to).order_by(OutboxMessage.id)
        ).all()
    )


def _code_in(message: OutboxMessage) -> str:
    return settle(re.search(r"\b(\d{6})\b", message.body_text)).group(1)


def _v_edit(f: Fixture, **changes) -> dict:
    return {
        "first_name": "Val",
        "last_name": "Coapp",
        "email": f.v_on_a.email or "",
        "mobile": f.v_on_a.mobile or "",
        **changes,
    }


def _v_has_a_mobile_on_a(session, f: Fixture) -> None:
    """V's contact on A has a mobile (however it got there); V's contact on B has none."""
    f.v_on_a.mobile = NEW_MOBILE
    session.add(f.v_on_a)
    session.commit()


def _v_logs_in(session, channel: str):
    attempt, step = login.start(session, email=V_EMAIL, client_ip=IP)
    assert step.step == "choose_channel"
    settle(login.choose_channel(session, attempt_id=attempt, channel=channel, client_ip=IP))
    to = NEW_MOBILE if channel == "sms" else V_EMAIL
    code = _code_in([m for m in _messages(session, to) if m.template == "login_code"][-1])
    verified = login.verify(session, attempt_id=attempt, code=code, client_ip=IP)
    session.commit()
    return attempt, verified


# --- changing another person's address --------------------------------------------------


def test_p_setting_vs_mobile_waits_for_v_at_vs_current_email_and_v_is_told(session, f):
    pat = _p_signed_in(session, f)
    result = profile.edit_coapplicant_info(session, pat, _v_edit(f, mobile="(207) 555-0199"))
    assert result.needs_verification == ("mobile",) and result.new_mobile == NEW_MOBILE
    pending = contact_change.start(
        session, pat, f.v_on_a.id, "mobile", result.new_mobile, client_ip=IP
    )
    session.commit()
    # Nothing goes to the number P typed; V hears of it at V's current email, from whom.
    assert _messages(session, NEW_MOBILE) == []
    [asked] = _messages(session, V_EMAIL)
    assert asked.template == "contact_code_other" and asked.sensitive
    assert "Pat Primary asked to change the mobile number to (207) 555-0199" in asked.body_text
    assert "cannot be used to log in" in asked.body_text
    assert pending.for_someone_else and "Val's agreement" in pending.message
    assert V_EMAIL not in pending.message and pending.shown_to == ""
    session.refresh(f.v_on_a)
    assert f.v_on_a.mobile is None  # pending, not applied

    # P guessing the code changes nothing; V's code, handed over, does.
    code = _code_in(asked)
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(InvalidInput):
        contact_change.confirm(session, pat, pending.ticket, wrong, client_ip=IP)
    session.refresh(f.v_on_a)
    assert f.v_on_a.mobile is None
    contact_change.confirm(session, pat, pending.ticket, code, client_ip=IP)
    session.commit()
    session.refresh(f.v_on_a)
    assert f.v_on_a.mobile == NEW_MOBILE
    entry = session.exec(select(ActivityLog).order_by(ActivityLog.id.desc())).first()
    assert entry.action_key == "customer.edit_coapplicant_info"
    assert "agreed by Val with a code sent to their current email address" in entry.summary


def test_p_changing_vs_email_asks_v_there_and_then_tells_the_old_address(session, f):
    pat = _p_signed_in(session, f)
    result = profile.edit_coapplicant_info(session, pat, _v_edit(f, email="val.new@example.com"))
    pending = contact_change.start(
        session, pat, f.v_on_a.id, "email", result.new_email, client_ip=IP
    )
    assert _messages(session, "val.new@example.com") == []
    [asked] = _messages(session, V_EMAIL)
    contact_change.confirm(session, pat, pending.ticket, _code_in(asked), client_ip=IP)
    session.commit()
    session.refresh(f.v_on_a)
    assert f.v_on_a.email == "val.new@example.com"
    asked_then_told = _messages(session, V_EMAIL)
    assert [m.template for m in asked_then_told] == ["contact_code_other", "contact_changed"]
    assert "was changed by Pat Primary" in asked_then_told[-1].body_text


def test_p_removing_vs_mobile_also_waits_for_v(session, f):
    f.v_on_a.mobile = NEW_MOBILE
    session.add(f.v_on_a)
    session.commit()
    pat = _p_signed_in(session, f)
    result = profile.edit_coapplicant_info(session, pat, _v_edit(f, mobile=""))
    assert result.applied == () and result.needs_verification == ("mobile",)
    assert result.new_mobile is None
    session.refresh(f.v_on_a)
    assert f.v_on_a.mobile == NEW_MOBILE
    pending = contact_change.start(session, pat, f.v_on_a.id, "mobile", None, client_ip=IP)
    [asked] = _messages(session, V_EMAIL)
    assert "asked to remove the mobile number" in asked.body_text
    contact_change.confirm(session, pat, pending.ticket, _code_in(asked), client_ip=IP)
    session.commit()
    session.refresh(f.v_on_a)
    assert f.v_on_a.mobile is None
    [told] = _messages(session, NEW_MOBILE)  # the old number hears it is off file
    assert told.template == "contact_changed" and told.channel == "sms"


def test_a_person_with_no_address_to_confirm_at_cannot_be_given_one(session, f):
    f.v_on_a.email, f.v_on_a.may_log_in = None, False
    session.add(f.v_on_a)
    session.commit()
    pat = _p_signed_in(session, f)
    with pytest.raises(NotAllowed) as refused:
        contact_change.start(
            session, pat, f.v_on_a.id, "email", "p.owns.this@example.com", client_ip=IP
        )
    assert "only your agency can make it" in refused.value.message
    assert session.exec(select(OutboxMessage)).all() == []


def test_own_changes_still_go_to_the_new_address_and_tell_the_old_one(session, f):
    pat = _p_signed_in(session, f)
    pending = contact_change.start(session, pat, f.p.id, "mobile", "+12075550122", client_ip=IP)
    [sent] = _messages(session, "+12075550122")
    assert sent.template == "contact_code" and not pending.for_someone_else
    contact_change.confirm(session, pat, pending.ticket, _code_in(sent), client_ip=IP)
    session.commit()
    [told] = _messages(session, P_MOBILE)
    assert told.template == "contact_changed"
    assert "from your own Client Center login" in told.body_text


# --- logging in by text -------------------------------------------------------------------


def test_v_logging_in_by_text_is_offered_only_account_a_never_b(session, f):
    _v_has_a_mobile_on_a(session, f)
    attempt, verified = _v_logs_in(session, "sms")
    assert [a.account_id for a in verified.accounts] == [f.a.id]
    assert verified.grant  # one account: no choice to make
    with pytest.raises(NotFound):
        login.grant_for_account(session, attempt_id=attempt, account_id=f.b.id)
    # A login grant for B, forged with the app's own key, is refused by the route's half.
    challenge = session.exec(
        select(LoginChallenge).where(
            LoginChallenge.attempt_hash == login_codes.hash_attempt(attempt)
        )
    ).one()
    with pytest.raises(NotFound):
        settle(
            login.complete(
                session,
                grant=sign(login.LOGIN_GRANT, {"c": challenge.id, "a": f.b.id}, 60),
                client_ip=IP,
            )
        )


def test_a_session_proven_by_text_records_it_and_cannot_switch_to_b(session, f):
    _v_has_a_mobile_on_a(session, f)
    _, verified = _v_logs_in(session, "sms")
    done = settle(login.complete(session, grant=verified.grant, client_ip=IP))
    session.commit()
    record = session.get(UserSession, done.session.id)
    assert record.proof == "sms"
    assert record.proof_mobile_hash == login_codes.hash_destination(NEW_MOBILE)
    principal = check_session(session, done.token).principal
    assert [a.account_id for a in login.switch_choices(session, principal)] == [f.a.id]
    with pytest.raises(NotFound):
        login.switch_grant(session, principal, email=V_EMAIL, account_id=f.b.id)
    forged = sign(login.SWITCH_GRANT, {"s": principal.session_id, "a": f.b.id}, 60)
    with pytest.raises(NotFound):
        login.complete_switch(session, grant=forged, token=done.token, client_ip=IP)
    assert check_session(session, done.token).ok  # the refused switch spent nothing


def test_switch_accounts_page_lists_only_what_the_text_proved(session, f):
    from clientcenter.state.portal.account import AccountState
    from tests.support.handlers import page_state

    _v_has_a_mobile_on_a(session, f)
    _, verified = _v_logs_in(session, "sms")
    done = settle(login.complete(session, grant=verified.grant, client_ip=IP))
    session.commit()
    state = page_state(AccountState, cookie=f"cc_session={done.token}")
    settle(state.load())
    assert [a["name"] for a in state.accounts] == ["Primary & Val"]
    assert settle(state.switch_to(str(f.b.id))) is None and "isn't one you can open" in state.error


def test_v_logging_in_by_email_still_gets_both_accounts(session, f):
    _v_has_a_mobile_on_a(session, f)
    attempt, verified = _v_logs_in(session, "email")
    assert sorted(a.account_id for a in verified.accounts) == sorted([f.a.id, f.b.id])
    grant = login.grant_for_account(session, attempt_id=attempt, account_id=f.b.id)
    done = settle(login.complete(session, grant=grant, client_ip=IP))
    session.commit()
    assert session.get(UserSession, done.session.id).proof == "email"
    principal = check_session(session, done.token).principal
    assert {a.account_id for a in login.switch_choices(session, principal)} == {f.a.id, f.b.id}


def test_a_text_proof_follows_the_persons_own_confirmed_new_mobile(session, f):
    """P logged in by text changes P's own mobile: the session now stands on the new number
    (the code to it was just entered here), so P's account list does not lose A."""
    attempt, step = login.start(session, email=P_EMAIL, client_ip=IP)
    settle(login.choose_channel(session, attempt_id=attempt, channel="sms", client_ip=IP))
    code = _code_in(_messages(session, P_MOBILE)[-1])
    verified = login.verify(session, attempt_id=attempt, code=code, client_ip=IP)
    done = settle(login.complete(session, grant=verified.grant, client_ip=IP))
    session.commit()
    pat = check_session(session, done.token).principal
    pending = contact_change.start(session, pat, f.p.id, "mobile", "+12075550133", client_ip=IP)
    contact_change.confirm(
        session,
        pat,
        pending.ticket,
        _code_in(_messages(session, "+12075550133")[-1]),
        client_ip=IP,
    )
    session.commit()
    assert [a.account_id for a in login.switch_choices(session, pat)] == [f.a.id]
