"""The login page's handlers, called as the browser calls them (no browser needed)."""

from __future__ import annotations

import re

import pytest

from clientcenter.state.portal.account import AccountState
from clientcenter.state.portal.login import LoginState
from tests.support.demo import CASEY, JORDAN, MORGAN, PAT
from tests.support.handlers import page_state, settle
from tests.support.logins import customer_session, last_code


@pytest.fixture
def db(demo):
    return demo


def _public(state) -> dict:
    """Every var the browser receives for this state."""
    return {
        k.removesuffix("_rx_state_"): v for k, v in state.dict()[state.get_full_name()].items()
    }


def test_unknown_and_inactive_emails_leave_the_page_exactly_as_a_known_one(db):
    """Unknown, inactive, email-only and mobile-on-file: the same page after each step."""
    emails = (
        CASEY,
        "nobody@example.com",
        MORGAN,
        PAT,
    )
    for step, act in (
        ("channel", lambda st: settle(st.submit_email({"email": st.email}))),
        ("code", lambda st: settle(st.choose_channel("email"))),
    ):
        views = {}
        for email in emails:
            state = page_state(LoginState)
            state.email = email
            if step == "code":
                settle(state.submit_email({"email": email}))
            settle(act(state))
            view = _public(state)
            view["info"] = view["info"].replace(email, "<email>")
            view["email"] = "<email>"
            views[email] = view
        assert len({repr(v) for v in views.values()}) == 1, views
        assert views["nobody@example.com"]["step"] == step


def test_the_tab_keeps_no_attempt_id_only_a_nonce_bound_to_its_browser(db):
    state = page_state(LoginState)
    settle(state.submit_email({"email": MORGAN}))
    attempt = state._attempt()
    assert state._attempt_nonce and attempt
    assert attempt not in str(state.__dict__) and attempt not in str(_public(state))


def test_a_bad_email_keeps_what_was_typed(db):
    state = page_state(LoginState)
    settle(state.submit_email({"email": "pat.rivera@"}))
    assert state.step == "email" and state.email == "pat.rivera@"
    assert "doesn't look like an email" in state.error


def test_full_flow_with_account_choice_ends_in_a_post_to_the_session_route(db):
    state = page_state(LoginState)
    settle(state.submit_email({"email": JORDAN}))
    assert state.step == "channel" and not settle(re.search(r"\d", state.info))
    settle(state.choose_channel("email"))
    assert state.step == "code" and state.channel == "email"
    wrong = "000000" if last_code(db, JORDAN) != "000000" else "111111"
    settle(state.submit_code({"code": wrong}))
    assert "isn't right" in state.error and state.step == "code"
    settle(state.submit_code({"code": last_code(db, JORDAN)}))
    assert state.step == "account" and [a["kind"] for a in state.accounts] == [
        "Personal",
        "Commercial",
    ]
    settle(state.choose_account("999999"))
    assert "isn't one you can open" in state.error
    settle(state.choose_account("not-a-number"))
    assert state.error == "Pick one of the accounts listed."
    spec = settle(state.choose_account(state.accounts[1]["id"]))
    assert "/auth/complete" in str(spec) and "grant" in str(spec)
    assert state._attempt_nonce == ""


def test_an_ended_attempt_returns_to_the_email_step_keeping_the_email(db):
    state = page_state(LoginState)
    settle(state.submit_email({"email": MORGAN}))
    state._attempt_nonce = "gone"
    settle(state.submit_code({"code": "123456"}))
    assert state.step == "email" and state.email == MORGAN
    assert "start again" in state.error


def test_signed_out_reason_is_shown_and_a_logged_in_visitor_goes_home(db):
    state = page_state(LoginState, signed_out="idle")
    settle(state.open_page())
    assert "30 minutes without activity" in state.notice
    cookie = customer_session(db).cookie
    assert "/home" in str(settle(page_state(LoginState, cookie=cookie).open_page()))


def test_switching_outside_the_list_is_refused_on_the_profile_side(db):
    from clientcenter.services.accounts import loginable_contacts

    state = page_state(AccountState, cookie=customer_session(db, JORDAN).cookie)
    settle(state.load())
    assert len(state.accounts) == 2 and state.accounts[0]["current"] == "1"
    pat_account = loginable_contacts(db, PAT)[0][1]
    assert settle(state.switch_to(str(pat_account.id))) is None
    assert "isn't one you can open" in state.error
    assert "/auth/switch" in str(settle(state.switch_to(state.accounts[1]["id"])))
