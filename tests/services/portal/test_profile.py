"""Profile: personal information, contact preferences and the co-applicant's information."""

from __future__ import annotations

from functools import partial

from sqlmodel import select

from clientcenter.models import ActivityLog, Contact
from clientcenter.services.errors import InvalidInput, NotAllowed, NotFound, ReadOnlyRefused
from clientcenter.services.portal import profile
from clientcenter.services.principal import Principal
from tests.support import checks
from tests.support.checks import SecurityLog, effects, table_counts
from tests.support.demo import (
    AGENT,
    AVA,
    JORDAN,
    LEE,
    MORGAN,
    PAT,
    RIVERA,
    SAM,
    account_named,
    agent_viewing,
    customer,
)


def mine(s, principal) -> dict[str, str]:
    c = s.get(Contact, principal.contact_id)
    return {
        "first_name": c.first_name,
        "last_name": c.last_name,
        "email": c.email or "",
        "mobile": c.mobile or "",
    }


# A refused profile change must leave every contact's columns as they were, too.
refused = partial(checks.refused, rows_of=[Contact])


def test_profile_view_for_customer_and_read_only_agent(demo):
    s = demo
    view = profile.profile_view(s, customer(s, PAT))
    assert view.me.first_name == "Pat" and view.me.role_label == "Primary applicant"
    assert view.me.mobile_display == "(207) 555-0101"
    assert view.co_applicant.first_name == "Sam" and view.can_edit_co_applicant
    agent_view = profile.profile_view(s, agent_viewing(s, RIVERA))
    # The read-only view shows the customer's own profile (the primary applicant), not editable.
    assert agent_view.me.first_name == "Pat" and agent_view.me.role_label == "Primary applicant"
    assert agent_view.co_applicant.first_name == "Sam"
    assert not agent_view.can_edit_co_applicant
    jordan = profile.profile_view(s, customer(s, JORDAN, LEE))
    assert jordan.co_applicant is None and not jordan.can_edit_co_applicant


def test_name_change_applies_and_follows_the_matrix(demo):
    s = demo
    pat = customer(s, PAT)
    result = profile.edit_personal_info(s, pat, {**mine(s, pat), "first_name": "Patricia"})
    assert result.applied == ("first_name",) and result.needs_verification == ()
    assert s.get(Contact, pat.contact_id).first_name == "Patricia"
    activity, sent, tasks = effects(s)
    assert activity.action_key == "customer.edit_personal_info"
    assert "first name" in activity.summary
    assert {(k, a) for k, _, a in sent} == {("agent", AGENT), ("customer", PAT)}
    assert len(tasks) == 1


def test_unchanged_submission_records_nothing(demo):
    s = demo
    pat = customer(s, PAT)
    before = table_counts(s)
    result = profile.edit_personal_info(s, pat, mine(s, pat))
    assert result.applied == () and result.needs_verification == ()
    assert table_counts(s) == before


def test_new_email_or_mobile_waits_for_a_code(demo):
    s = demo
    pat = customer(s, PAT)
    before = table_counts(s)
    result = profile.edit_personal_info(
        s, pat, {**mine(s, pat), "email": " Pat.New@Example.COM ", "mobile": "207-555-0177"}
    )
    assert result.applied == ()
    assert result.needs_verification == ("email", "mobile")
    assert result.new_email == "pat.new@example.com" and result.new_mobile == "+12075550177"
    contact = s.get(Contact, pat.contact_id)
    assert contact.email == PAT and contact.mobile == "+12075550101"  # unchanged until verified
    assert table_counts(s) == before


def test_removing_the_mobile_applies_at_once_and_turns_texts_off(demo):
    s = demo
    pat = customer(s, PAT)
    contact = s.get(Contact, pat.contact_id)
    contact.notify_by_sms = True
    s.add(contact)
    s.flush()
    result = profile.edit_personal_info(s, pat, {**mine(s, pat), "mobile": ""})
    assert result.applied == ("mobile",)
    assert contact.mobile is None and contact.notify_by_sms is False and contact.notify_by_email


INVALID_PERSONAL_INFO = [
    ("email", "pat@", "Email address is not valid"),
    ("email", "", "Email address is required"),
    ("mobile", "555-0101", "not a valid phone number"),
    ("mobile", "call me", "not a phone number"),
    ("first_name", "", "First name is required"),
    ("last_name", "1234", "must contain letters"),
    ("first_name", "Pat\x00", "control character"),
]


def test_invalid_personal_info_is_refused_with_a_message(demo):
    s = demo
    pat = customer(s, PAT)
    for field, value, message in INVALID_PERSONAL_INFO:
        error = refused(
            s, profile.edit_personal_info, pat, {**mine(s, pat), field: value}, error=InvalidInput
        )
        assert message in error.message and error.field == field, (field, error.message)


def test_extra_profile_fields_are_ignored(demo):
    s = demo
    pat = customer(s, PAT)
    other = account_named(s, LEE)
    profile.edit_personal_info(
        s,
        pat,
        {
            **mine(s, pat),
            "first_name": "Patty",
            "role": "agent",
            "may_log_in": "false",
            "account_id": str(other.id),
            "notify_by_sms": "on",
            "id": "1",
        },
    )
    contact = s.get(Contact, pat.contact_id)
    assert contact.first_name == "Patty" and contact.role == "primary"
    assert contact.may_log_in and contact.account_id == pat.account_id
    assert contact.notify_by_sms is False


def test_contact_preferences(demo):
    s = demo
    pat = customer(s, PAT)
    view = profile.edit_contact_preferences(
        s, pat, {"notify_by_email": "on", "notify_by_sms": "on"}
    )
    assert view.notify_by_email and view.notify_by_sms
    activity, sent, tasks = effects(s)
    assert activity.action_key == "customer.edit_contact_preferences"
    # CE (now by email and text), no AE, no task; Pat is primary so no PA.
    assert sent == {("customer", "email", PAT), ("customer", "sms", "+12075550101")}
    assert tasks == []
    count = len(s.exec(select(ActivityLog)).all())
    profile.edit_contact_preferences(s, pat, {"notify_by_email": "on", "notify_by_sms": "on"})
    assert len(s.exec(select(ActivityLog)).all()) == count  # no change, nothing recorded


def test_co_applicant_preferences_tell_the_primary(demo):
    s = demo
    sam = customer(s, SAM)
    profile.edit_contact_preferences(s, sam, {"notify_by_sms": "on"})
    _, sent, _ = effects(s)
    assert ("primary", "email", PAT) in sent and ("customer", "sms", "+12075550102") in sent


def test_contact_preference_refusals(demo):
    s = demo
    morgan = customer(s, MORGAN)  # email only, no mobile
    error = refused(
        s,
        profile.edit_contact_preferences,
        morgan,
        {"notify_by_email": "on", "notify_by_sms": "on"},
        error=InvalidInput,
    )
    assert "mobile number" in error.message
    error = refused(s, profile.edit_contact_preferences, morgan, {}, error=InvalidInput)
    assert "at least one" in error.message
    refused(
        s,
        profile.edit_contact_preferences,
        agent_viewing(s, RIVERA),
        {"notify_by_email": "on"},
        error=ReadOnlyRefused,
    )


def test_primary_edits_the_co_applicant(demo):
    s = demo
    pat = customer(s, PAT)
    sam = s.exec(select(Contact).where(Contact.email == SAM)).one()
    result = profile.edit_coapplicant_info(
        s, pat, {"first_name": "Samuel", "last_name": "Rivera", "email": SAM, "mobile": sam.mobile}
    )
    assert result.applied == ("first_name",) and result.contact_id == sam.id
    assert sam.first_name == "Samuel"
    activity, sent, tasks = effects(s)
    assert activity.action_key == "customer.edit_coapplicant_info"
    assert {(k, a) for k, _, a in sent} == {("agent", AGENT), ("customer", PAT)}
    assert len(tasks) == 1


def test_co_applicant_edit_by_the_co_applicant_emails_the_primary(demo):
    s = demo
    sam = customer(s, SAM)
    profile.edit_coapplicant_info(s, sam, {**mine(s, sam), "last_name": "Rivera-Cole"})
    _, sent, _ = effects(s)
    assert ("primary", "email", PAT) in sent


def test_co_applicant_refusals(demo):
    s = demo
    jordan = customer(s, JORDAN, LEE)
    error = refused(
        s,
        profile.edit_coapplicant_info,
        jordan,
        {"first_name": "A", "last_name": "B", "email": "a@example.com"},
        error=NotFound,
    )
    assert "no co-applicant" in error.message
    ava = s.exec(select(Contact).where(Contact.email == AVA)).one()
    additional = Principal.customer(ava.account_id, ava.id)
    refused(
        s,
        profile.edit_coapplicant_info,
        additional,
        {"first_name": "Sam", "last_name": "Rivera", "email": SAM},
        error=NotAllowed,
    )
    with SecurityLog() as log:
        refused(
            s,
            profile.edit_coapplicant_info,
            agent_viewing(s, RIVERA),
            {"first_name": "X", "last_name": "Y", "email": SAM},
            error=ReadOnlyRefused,
        )
    assert any("customer.edit_coapplicant_info" in m for m in log.messages)


def test_a_principal_whose_contact_left_the_account_is_refused(demo):
    s = demo
    pat = customer(s, PAT)
    jordan_account = account_named(s, LEE)
    forged = Principal.customer(jordan_account.id, pat.contact_id)  # Pat's contact, other account
    refused(
        s,
        profile.edit_personal_info,
        forged,
        {"first_name": "Jordan", "last_name": "Lee", "email": PAT},
        error=NotFound,
    )
