"""SMS pumping (issue 11, item 6): texts go only to mobile numbers in security.sms_countries.

Before this change a customer could make the portal text a code to any valid number through
the profile's mobile change: a Guernsey mobile, an international-network number (+882), a US
premium-rate number. Each path is checked here: the profile form, the contact-change code,
the outbox and the relay (through the real Twilio SDK against the recording server).
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from clientcenter.delivery.relay import Relay
from clientcenter.models import Contact, DevMailboxMessage, LoginChallenge, OutboxMessage
from clientcenter.services.auth import login
from clientcenter.services.errors import InvalidInput
from clientcenter.services.notify import sms_destinations
from clientcenter.services.notify.outbox import enqueue
from clientcenter.services.portal import contact_change, profile
from clientcenter.services.principal import Principal
from clientcenter.settings import SettingsError, load_settings, reset_settings_cache
from tests.support.checks import table_counts
from tests.support.delivery import provider, real_settings, reload  # noqa: F401  (fixtures)
from tests.support.demo import PAT, customer

IP = "203.0.113.9"

# (number, words the refusal must contain): the three first, then the other kinds.
PUMPING = [
    ("+447911123456", "number in Guernsey"),
    ("+8821612345678", "international network (+882)"),
    ("+19005550199", "premium-rate"),
    ("+881612345678", "satellite phone number (+881)"),
    ("+883510012345", "international network (+883)"),
    ("+18005550199", "toll-free"),
    ("+15005550006", "personal forwarding"),
    ("+448712345678", "number in United Kingdom"),
]


def pat_session(s) -> Principal:
    p = customer(s, PAT)
    return Principal.customer(p.account_id, p.contact_id, session_id=41)


def pat_form(mobile: str) -> dict[str, str]:
    return {"first_name": "Pat", "last_name": "Rivera", "email": PAT, "mobile": mobile}


@pytest.mark.parametrize(("number", "words"), PUMPING)
def test_profile_mobile_change_refuses_pumping_destinations(demo, number, words):
    s = demo
    pat = pat_session(s)
    before = table_counts(s)
    with pytest.raises(InvalidInput) as exc:
        profile.edit_personal_info(s, pat, pat_form(number))
    assert words in exc.value.message and exc.value.field == "mobile"
    assert table_counts(s) == before
    assert s.get(Contact, pat.contact_id).mobile == "+12075550101"


@pytest.mark.parametrize(("number", "words"), PUMPING)
def test_contact_change_code_is_never_texted_to_pumping_destinations(demo, number, words):
    s = demo
    pat = pat_session(s)
    challenges = len(s.exec(select(LoginChallenge)).all())
    with pytest.raises(InvalidInput) as exc:
        contact_change.start(s, pat, pat.contact_id, "mobile", number, client_ip=IP)
    assert words in exc.value.message
    assert s.exec(select(OutboxMessage).where(OutboxMessage.to_address == number)).all() == []
    assert len(s.exec(select(LoginChallenge)).all()) == challenges


def test_a_us_mobile_is_accepted_and_gets_its_code(demo):
    s = demo
    pat = pat_session(s)
    result = profile.edit_personal_info(s, pat, pat_form("(207) 555-0177"))
    assert result.needs_verification == ("mobile",) and result.new_mobile == "+12075550177"
    contact_change.start(s, pat, pat.contact_id, "mobile", result.new_mobile, client_ip=IP)
    sms = s.exec(select(OutboxMessage).where(OutboxMessage.to_address == "+12075550177")).one()
    assert sms.channel == "sms" and sms.status == "pending"


def test_the_number_already_on_file_does_not_block_other_edits(demo):
    s = demo
    pat = pat_session(s)
    contact = s.get(Contact, pat.contact_id)
    contact.mobile = "+447911123456"  # imported before the rule, say
    s.add(contact)
    s.flush()
    result = profile.edit_personal_info(
        s, pat, {**pat_form("+44 7911 123456"), "first_name": "Patricia"}
    )
    assert result.applied == ("first_name",) and result.needs_verification == ()


@pytest.mark.parametrize(("number", "words"), PUMPING[:3])
def test_outbox_writes_a_text_to_a_refused_number_as_failed(session, number, words):
    message = enqueue(
        session,
        channel="sms",
        to_address=number,
        template="login_code",
        context={"code": "482913", "minutes": 10},
        recipient_kind="login",
        sensitive=True,
    )
    assert message.status == "failed"
    assert message.last_error.startswith("not sent: ") and words in message.last_error
    assert "482913" not in message.body_text  # a code that is never sent is not kept


def test_a_login_code_to_a_refused_mobile_on_file_is_never_sent(demo):
    s = demo
    pat = pat_session(s)
    contact = s.get(Contact, pat.contact_id)
    contact.mobile = "+19005550199"
    s.add(contact)
    s.commit()
    attempt, step = login.start(s, email=PAT, client_ip=IP)
    if step.step == "choose_channel":
        login.choose_channel(s, attempt_id=attempt, channel="sms", client_ip=IP)
    s.commit()
    texts = s.exec(select(OutboxMessage).where(OutboxMessage.channel == "sms")).all()
    assert texts and all(t.status == "failed" and "premium-rate" in t.last_error for t in texts)
    invitations = s.exec(select(OutboxMessage).where(OutboxMessage.template == "staff_invite"))
    assert Relay(s.bind).drain().sent == len(invitations.all())  # the demo's emails only
    assert s.exec(select(DevMailboxMessage).where(DevMailboxMessage.channel == "sms")).all() == []


@pytest.mark.parametrize(("number", "words"), PUMPING[:3])
def test_relay_never_hands_a_refused_number_to_twilio(
    session, provider, real_settings, number, words
):
    # A row written around enqueue (older code, a manual insert, a narrowed setting).
    row = OutboxMessage(
        dedupe_key=f"cc-test-{number[1:]}",
        channel="sms",
        recipient_kind="customer",
        to_address=number,
        template="action_customer",
        body_text="Harbor & Main: a new document is in your Client Center.",
    )
    session.add(row)
    session.commit()
    report = Relay(session.bind, real_settings).drain()
    assert (report.sent, report.failed) == (0, 1)
    assert provider.sends("twilio") == []
    failed = reload(session, row.id)
    assert failed.status == "failed" and words in failed.last_error


def test_relay_still_sends_a_us_mobile(session, provider, real_settings):
    row = OutboxMessage(
        dedupe_key="cc-test-us",
        channel="sms",
        recipient_kind="customer",
        to_address="+12075550101",
        template="action_customer",
        body_text="Harbor & Main: a new document is in your Client Center.",
    )
    session.add(row)
    session.commit()
    assert Relay(session.bind, real_settings).drain().sent == 1
    assert len(provider.sends("twilio")) == 1


def test_agency_chooses_its_countries(monkeypatch):
    monkeypatch.setenv("CC_SECURITY__SMS_COUNTRIES", '["us", "GB"]')
    reset_settings_cache()
    assert sms_destinations.allowed_countries() == ("US", "GB")
    assert sms_destinations.check("+44 7400 123456") == "+447400123456"
    with pytest.raises(InvalidInput, match="number in Guernsey"):
        sms_destinations.check("+447911123456")  # a Guernsey mobile is not a UK one
    with pytest.raises(InvalidInput, match=r"from: United States \(US\), United Kingdom"):
        sms_destinations.check("+16135550123")  # Canada
    monkeypatch.setenv("CC_SECURITY__SMS_COUNTRIES", '["XX"]')
    with pytest.raises(SettingsError, match="sms_countries.*unknown region code"):
        load_settings()


def test_default_is_us_mobiles_only():
    assert load_settings().security.sms_countries == ["US"]
    assert sms_destinations.check("207-555-0177") == "+12075550177"
    with pytest.raises(InvalidInput, match="not a valid phone number"):
        sms_destinations.check("555")
