"""A new login email or mobile applies only with the code sent to the new address."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from clientcenter.models import ActivityLog, Contact, LoginChallenge, OutboxMessage
from clientcenter.services.errors import InvalidInput, NotAllowed, ReadOnlyRefused
from clientcenter.services.portal import contact_change, profile
from clientcenter.services.principal import Principal
from tests.support.checks import table_counts
from tests.support.demo import AVA, PAT, RIVERA, SAM, agent_viewing, customer
from tests.support.handlers import settle

IP = "203.0.113.9"


def pat_session(s) -> Principal:
    p = customer(s, PAT)
    return Principal.customer(p.account_id, p.contact_id, session_id=41)


def code_sent_to(s, address: str, template: str = "contact_code") -> str:
    message = s.exec(
        select(OutboxMessage)
        .where(OutboxMessage.to_address == address)
        .order_by(OutboxMessage.id.desc())
    ).first()
    assert message.template == template and message.sensitive
    return settle(re.search(r"\b(\d{6})\b", message.body_text)).group(1)


def test_new_email_applies_after_the_code_from_the_new_address(demo):
    s = demo
    pat = pat_session(s)
    result = profile.edit_personal_info(
        s,
        pat,
        {
            "first_name": "Pat",
            "last_name": "Rivera",
            "email": "pat.new@example.com",
            "mobile": "+12075550101",
        },
    )
    assert result.needs_verification == ("email",)
    pending = contact_change.start(
        s, pat, result.contact_id, "email", result.new_email, client_ip=IP
    )
    assert "pat.new@example.com" in pending.message
    code = code_sent_to(s, "pat.new@example.com")
    assert s.get(Contact, pat.contact_id).email == PAT  # not yet
    challenge = s.exec(select(LoginChallenge).order_by(LoginChallenge.id.desc())).first()
    assert challenge.subject_kind == "contact" and code not in str(challenge.code_hash)
    contact = contact_change.confirm(s, pat, pending.ticket, code, client_ip=IP)
    assert contact.email == "pat.new@example.com"
    activity = s.exec(select(ActivityLog).order_by(ActivityLog.id.desc())).first()
    assert activity.action_key == "customer.edit_personal_info"
    assert activity.details["changed"] == ["email"] and code not in str(activity.details)
    with pytest.raises(contact_change.TicketEnded):  # single use
        contact_change.confirm(s, pat, pending.ticket, code, client_ip=IP)


def test_new_mobile_is_texted_and_a_wrong_code_changes_nothing(demo):
    s = demo
    pat = pat_session(s)
    pending = contact_change.start(s, pat, pat.contact_id, "mobile", "+12075550177", client_ip=IP)
    sms = s.exec(select(OutboxMessage).where(OutboxMessage.to_address == "+12075550177")).one()
    assert sms.channel == "sms"
    code = settle(re.search(r"\b(\d{6})\b", sms.body_text or sms.body_html)).group(1)
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(InvalidInput) as exc:
        contact_change.confirm(s, pat, pending.ticket, wrong, client_ip=IP)
    assert "4 more tries" in exc.value.message
    assert s.get(Contact, pat.contact_id).mobile == "+12075550101"
    contact_change.confirm(s, pat, pending.ticket, code, client_ip=IP)
    assert s.get(Contact, pat.contact_id).mobile == "+12075550177"


def test_the_ticket_is_bound_to_its_session_contact_and_value(demo):
    s = demo
    pat = pat_session(s)
    pending = contact_change.start(
        s, pat, pat.contact_id, "email", "pat.new@example.com", client_ip=IP
    )
    code = code_sent_to(s, "pat.new@example.com")
    other_session = Principal.customer(pat.account_id, pat.contact_id, session_id=42)
    before = table_counts(s)
    with pytest.raises(contact_change.TicketEnded):
        contact_change.confirm(s, other_session, pending.ticket, code, client_ip=IP)
    with pytest.raises(contact_change.TicketEnded):
        contact_change.confirm(s, pat, pending.ticket[:-2] + "xx", code, client_ip=IP)
    assert table_counts(s) == before
    assert s.get(Contact, pat.contact_id).email == PAT


def test_who_may_change_whose_address(demo):
    s = demo
    pat = pat_session(s)
    sam = s.exec(select(Contact).where(Contact.email == SAM)).one()
    pending = contact_change.start(s, pat, sam.id, "email", "sam.new@example.com", client_ip=IP)
    # Sam's address: Sam agrees at Sam's current email (tests/services/auth/test_login_proof_binding.py)
    contact_change.confirm(
        s, pat, pending.ticket, code_sent_to(s, SAM, template="contact_code_other"), client_ip=IP
    )
    assert sam.email == "sam.new@example.com"
    assert (
        s.exec(select(ActivityLog).order_by(ActivityLog.id.desc())).first().action_key
        == "customer.edit_coapplicant_info"
    )
    ava = s.exec(select(Contact).where(Contact.email == AVA)).one()
    before = table_counts(s)
    with pytest.raises(NotAllowed):
        contact_change.start(s, pat, ava.id, "email", "ava.new@example.com", client_ip=IP)
    with pytest.raises(ReadOnlyRefused):
        contact_change.start(
            s,
            agent_viewing(s, RIVERA),
            pat.contact_id,
            "email",
            "x@example.com",
            client_ip=IP,
        )
    assert table_counts(s) == before


def test_profile_handlers_walk_through_the_code(demo):
    """The profile state: save a new email, get a code there, a wrong code counts (and is
    kept when the handler refuses), the right one applies."""
    from clientcenter.state.portal.profile_edit import ProfileEditState
    from tests.support.handlers import page_state
    from tests.support.logins import customer_session

    s = demo
    cookie = customer_session(s).cookie
    state = page_state(ProfileEditState, cookie)
    settle(state.load())
    settle(
        state.save_personal(
            {
                "first_name": "Pat",
                "last_name": "Rivera",
                "email": "pat.new@example.com",
                "mobile": "(207) 555-0101",
            }
        )
    )
    assert state.verify_field == "email" and "pat.new@example.com" in state.verify_message
    s.expire_all()
    code = code_sent_to(s, "pat.new@example.com")
    wrong = "000000" if code != "000000" else "111111"
    settle(state.confirm_code({"code": wrong}))
    assert "4 more tries" in state.verify_error
    s.expire_all()
    challenge = s.exec(select(LoginChallenge).order_by(LoginChallenge.id.desc())).first()
    assert challenge.failed_attempts == 1  # committed although the handler refused
    settle(state.confirm_code({"code": code}))
    assert state.verify_field == "" and "confirmed" in state.saved_message
    assert state.me.email == "pat.new@example.com"


def test_own_new_email_keeps_this_session_and_ends_the_others(demo):
    from clientcenter.services.auth.sessions import check_session
    from tests.support.logins import customer_session

    s = demo
    pat, this_token, _ = customer_session(s)
    _, other_token, _ = customer_session(s)
    pending = contact_change.start(
        s, pat, pat.contact_id, "email", "pat.new@example.com", client_ip=IP
    )
    contact_change.confirm(
        s, pat, pending.ticket, code_sent_to(s, "pat.new@example.com"), client_ip=IP
    )
    assert check_session(s, this_token).principal == pat
    assert check_session(s, other_token).status == "access"
