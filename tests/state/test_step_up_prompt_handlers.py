"""The step-up prompt at a refused action, over the websocket: with the agency asking a
second factor before paying, Pay opens the prompt (nothing paid); a fresh emailed code
confirms it and presses Pay again, which goes through. The button to press again is only
ever an element id; a read-only view gets no prompt. Demo data, SQLite and PostgreSQL."""

from __future__ import annotations

import json

from sqlmodel import select

from clientcenter.models import Payment
from clientcenter.state.portal.billing import BillingState
from clientcenter.state.portal.passkeys import PasskeysState
from tests.support.demo import PAT, RIVERA
from tests.support.handlers import page_state, settle
from tests.support.logins import agent_session, customer_session, last_code
from tests.support.payments import open_invoice
from tests.support.settings import use_settings


def _pending(db) -> list[Payment]:
    db.expire_all()
    return list(db.exec(select(Payment).where(Payment.status == "pending")).all())


def _fill(state, invoice) -> None:
    settle(state.load())
    settle(state.start_pay(invoice.id))
    settle(state.set_method("check"))
    settle(state.set_reference("Check 3301"))


def test_a_refused_payment_opens_the_prompt_and_goes_through_once_confirmed(demo, monkeypatch):
    use_settings(monkeypatch, SECURITY__STEP_UP_ACTIONS='["pay"]')
    cookie = customer_session(demo).cookie
    billing = page_state(BillingState, cookie, path="/billing")
    invoice = open_invoice(demo, RIVERA)
    _fill(billing, invoice)

    asked = settle(billing.review_payment())
    assert "confirm it's you first" in billing.form_error
    assert asked.handler.fn.__qualname__.endswith("ask_step_up")
    assert "pay-submit" in str(asked.args)
    assert _pending(demo) == []

    prompt = page_state(PasskeysState, cookie, path="/billing")
    settle(prompt.ask_step_up("pay-submit"))
    assert prompt.prompt_open and not prompt.may_step_up_by_passkey  # no passkey yet
    settle(prompt.step_up_send_code())
    assert prompt.step_up_open and PAT in prompt.info
    settle(prompt.step_up_confirm_code({"code": "000000"}))
    assert prompt.error and prompt.prompt_open  # a wrong code: still asked
    pressed = settle(prompt.step_up_confirm_code({"code": last_code(demo, PAT)}))
    assert not prompt.prompt_open
    assert json.dumps("pay-submit") in str(pressed)  # the refused button, pressed again

    settle(billing.review_payment())
    assert billing.notice_kind == "success" and billing.form_error == ""
    [payment] = _pending(demo)
    assert (payment.invoice_id, payment.memo) == (invoice.id, "Check 3301")


def test_the_button_to_press_again_is_only_an_element_id(demo, monkeypatch):
    use_settings(monkeypatch, SECURITY__STEP_UP_ACTIONS='["pay"]')
    prompt = page_state(PasskeysState, customer_session(demo).cookie, path="/billing")
    settle(prompt.ask_step_up("x');alert(1)//"))
    assert prompt.prompt_open and prompt._retry == ""


def test_a_read_only_view_gets_no_prompt(demo, monkeypatch):
    use_settings(monkeypatch, SECURITY__STEP_UP_ACTIONS='["pay"]')
    prompt = page_state(PasskeysState, agent_session(demo, RIVERA).cookie, path="/billing")
    settle(prompt.ask_step_up("pay-submit"))
    assert not prompt.prompt_open


def test_a_refused_invitation_opens_the_prompt_and_is_sent_again_once_confirmed(demo, monkeypatch):
    from clientcenter.state.portal.household import HouseholdState
    from tests.support.checks import footprint

    use_settings(monkeypatch, SECURITY__STEP_UP_ACTIONS='["household_invite"]')
    cookie = customer_session(demo).cookie
    household = page_state(HouseholdState, cookie, path="/profile")
    settle(household.load())
    settle(household.start_invite())
    before = footprint(demo)
    invite = {
        "first_name": "Teen",
        "last_name": "Rivera",
        "email": "teen@example.com",
        "role": "additional",
        "sees": "documents",
    }
    asked = settle(household.invite(invite))
    assert asked.handler.fn.__qualname__.endswith("ask_step_up")
    assert "household-send" in str(asked.args)
    assert (
        "confirm it's you first" in household.error and household.inviting
    )  # the form stays open
    assert footprint(demo) == before  # nothing sent, nothing logged

    prompt = page_state(PasskeysState, cookie, path="/profile")
    settle(prompt.ask_step_up("household-send"))
    settle(prompt.step_up_send_code())
    settle(prompt.step_up_confirm_code({"code": last_code(demo, PAT)}))
    assert not prompt.prompt_open
    settle(household.invite(invite))  # the button pressed again
    assert household.error == "" and "teen@example.com" in household.notice
