"""Change requests, general requests and Contact Us: guided forms, reference numbers, My
requests, the matrix's effects, and every refusal leaving the database as it was."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlmodel import select

from clientcenter.models import Document, Driver, Policy, Vehicle
from clientcenter.services.errors import (
    InvalidFields,
    InvalidInput,
    NotAllowed,
    NotFound,
    ReadOnlyRefused,
)
from clientcenter.services.portal import requests as rq
from clientcenter.services.portal.request_forms import (
    ALL_FORMS,
    COMMERCIAL_FORMS,
    PERSONAL_FORMS,
    RequestForm,
    form_for,
)
from clientcenter.state import form_errors
from tests.support.checks import SecurityLog, effects, table_counts
from tests.support.demo import (
    AGENT,
    DAN,
    JORDAN,
    LEE,
    PAT,
    RIVERA,
    SAM,
    STUDIO,
    account_named,
    agent_viewing,
    customer,
)

REFERENCE = re.compile(r"^(CR|GR|HC|CT)-[2-9A-HJ-NP-Z]{6}$")

SAMPLES = {
    "make": "Honda",
    "model": "CR-V EX",
    "first_name": "Riley",
    "last_name": "Rivera",
    "street": "9 Spring Street",
    "city": "Portland",
    "name": "Harbor Lofts LLC",
    "subject": "Question about my renewal",
    "license_number": "A1234567",
}


def sample_data(form: RequestForm, choices: rq.Choices) -> dict[str, str]:
    """A valid submission of any form, built from its field kinds."""
    today = date.today()
    data = {}
    for f in form.fields:
        value = {
            "state": "ME",
            "zip": "04101",
            "vin": "1HGCM82633A004352",
            "year": "2022",
            "integer": "3",
            "money": "12,500",
            "email": "someone@example.com",
            "phone": "(207) 555-0199",
            "textarea": f"Please handle: {f.label.lower()}.",
            "select": f.options[0][0] if f.options else "",
            "date": (
                today.replace(year=today.year - 16)
                if f.key == "birth_date"
                else today + timedelta(days=3)
            ).isoformat(),
            "policy": choices.policies[0][0] if choices.policies else "",
            "auto_policy": choices.auto_policies[0][0] if choices.auto_policies else "",
            "vehicle": choices.vehicles[0][0] if choices.vehicles else "",
            "driver": choices.drivers[0][0] if choices.drivers else "",
        }.get(f.kind, SAMPLES.get(f.key, f"Sample {f.label.lower()}"))
        data[f.key] = value
    return data


def test_every_personal_form_makes_a_request_with_a_reference_and_notifies(demo):
    s = demo
    pat = customer(s, PAT)
    choices = rq.form_choices(s, pat)
    assert choices.auto_policies and choices.vehicles and choices.drivers
    references = set()
    for form in PERSONAL_FORMS:
        request = rq.submit_request(s, pat, "personal", form.subtype, sample_data(form, choices))
        assert REFERENCE.match(request.reference) and request.reference.startswith("CR-")
        assert request.status == "submitted" and request.kind == "personal"
        assert request.account_id == pat.account_id and request.contact_id == pat.contact_id
        assert request.summary and len(request.summary) <= 200
        references.add(request.reference)
        activity, sent, tasks = effects(s)
        assert activity.action_key == "customer.personal_change_request"
        assert request.reference in activity.summary
        # AE to the producer, CE to Pat; Pat is the primary, so no PA message.
        assert {(k, a) for k, _, a in sent} == {("agent", AGENT), ("customer", PAT)}
        producer_id = account_named(s, RIVERA).producer_id
        assert len(tasks) == 1 and tasks[0].assigned_agent_id == producer_id
    assert len(references) == len(PERSONAL_FORMS)


def test_every_commercial_form_works_on_a_business_account(demo):
    s = demo
    jordan = customer(s, JORDAN, STUDIO)
    choices = rq.form_choices(s, jordan)
    for form in COMMERCIAL_FORMS:
        request = rq.submit_request(
            s, jordan, "commercial", form.subtype, sample_data(form, choices)
        )
        assert request.kind == "commercial" and request.account_id == jordan.account_id
        activity, sent, _ = effects(s)
        assert activity.action_key == "customer.commercial_change_request"
        assert ("agent", "email", DAN) in sent


def test_vehicle_add_keeps_what_the_agent_needs(demo):
    s = demo
    pat = customer(s, PAT)
    auto = s.exec(
        select(Policy).where(Policy.account_id == pat.account_id, Policy.line == "auto")
    ).one()
    request = rq.submit_request(
        s,
        pat,
        "personal",
        "vehicle_add",
        {
            "policy_id": str(auto.id),
            "year": "2022",
            "make": "Honda",
            "model": "CR-V EX",
            "vin": "1hgcm82633a004352",
            "usage": "commute",
            "lienholder": "Maine Credit Union",
            "effective_date": date.today().isoformat(),
        },
    )
    assert request.policy_id == auto.id
    assert request.summary == "Add a vehicle: 2022 Honda CR-V EX"
    fields = {f["key"]: f["value"] for f in request.details["fields"]}
    assert fields["vin"] == "1HGCM82633A004352"  # normalised to upper case
    assert fields["usage"] == "Commute to work or school"
    assert fields["lienholder"] == "Maine Credit Union"
    assert "notes" not in fields  # optional and empty


def test_driver_add_keeps_private_fields_out_of_the_log_and_messages(demo):
    s = demo
    pat = customer(s, PAT)
    choices = rq.form_choices(s, pat)
    form = form_for("personal", "driver_add")
    data = sample_data(form, choices)
    request = rq.submit_request(s, pat, "personal", "driver_add", data)
    stored = {f["key"]: f["value"] for f in request.details["fields"]}
    assert stored["license_number"] == "A1234567" and stored["birth_date"] == data["birth_date"]
    activity, _, tasks = effects(s)
    logged = str(activity.details) + activity.summary + tasks[0].body
    assert "A1234567" not in logged and data["birth_date"] not in logged
    from clientcenter.models import OutboxMessage

    for m in s.exec(select(OutboxMessage).where(OutboxMessage.activity_id == activity.id)):
        assert "A1234567" not in m.body_text + m.body_html


def test_replace_and_remove_point_at_the_accounts_own_vehicles_and_drivers(demo):
    s = demo
    pat = customer(s, PAT)
    vehicle = s.exec(
        select(Vehicle).join(Policy).where(Policy.account_id == pat.account_id)
    ).first()
    driver = s.exec(select(Driver).join(Policy).where(Policy.account_id == pat.account_id)).first()
    day = date.today().isoformat()
    replaced = rq.submit_request(
        s,
        pat,
        "personal",
        "vehicle_replace",
        {
            "vehicle_id": str(vehicle.id),
            "year": "2024",
            "make": "Kia",
            "model": "Telluride",
            "vin": "5XYP5DGC0RG123456",
            "usage": "pleasure",
            "effective_date": day,
        },
    )
    assert replaced.summary == (
        f"Replace {vehicle.year} {vehicle.make} {vehicle.model} with 2024 Kia Telluride"
    )
    assert replaced.policy_id == vehicle.policy_id
    removed = rq.submit_request(
        s,
        pat,
        "personal",
        "driver_remove",
        {"driver_id": str(driver.id), "reason": "moved_out", "effective_date": day},
    )
    assert removed.summary == f"Remove driver {driver.first_name} {driver.last_name}"


def test_a_co_applicant_request_also_tells_the_primary_applicant(demo):
    s = demo
    sam = customer(s, SAM)
    rq.submit_request(
        s,
        sam,
        "general",
        "general",
        {"subject": "Renewal question", "message": "When does the auto renew?"},
    )
    _, sent, _ = effects(s)
    assert ("primary", "email", PAT) in sent and ("customer", "email", SAM) in sent


def test_general_request_and_contact_us(demo):
    s = demo
    pat = customer(s, PAT)
    general = rq.submit_request(
        s,
        pat,
        "general",
        "general",
        {"subject": "Proof of insurance for my landlord", "message": "Could you send one?"},
    )
    assert general.reference.startswith("GR-")
    assert general.summary == "Proof of insurance for my landlord"
    assert effects(s)[0].action_key == "customer.general_request"
    message = rq.submit_request(
        s,
        pat,
        "contact_us",
        "message",
        {"topic": "billing", "message": "Why did my bill go up?\nThanks", "reply_by": "phone"},
    )
    assert message.reference.startswith("HC-")
    assert message.summary == "Billing: Why did my bill go up?"
    assert effects(s)[0].action_key == "customer.contact_us"


def test_general_request_with_an_attachment_from_the_account(demo):
    s = demo
    pat = customer(s, PAT)
    doc = s.exec(select(Document).where(Document.account_id == pat.account_id)).first()
    request = rq.submit_request(
        s,
        pat,
        "general",
        "general",
        {"subject": "See attached", "message": "This one."},
        attachment_document_id=doc.id,
    )
    assert request.attachment_document_id == doc.id
    other = s.exec(select(Document).where(Document.account_id != pat.account_id)).first()
    before = table_counts(s)
    with pytest.raises(NotFound):
        rq.submit_request(
            s,
            pat,
            "general",
            "general",
            {"subject": "See attached", "message": "This one."},
            attachment_document_id=other.id,
        )
    assert table_counts(s) == before


def test_my_requests_lists_the_accounts_requests_newest_first(demo):
    s = demo
    pat, sam = customer(s, PAT), customer(s, SAM)
    jordan = customer(s, JORDAN, LEE)
    first = rq.submit_request(s, pat, "general", "general", {"subject": "One", "message": "1"})
    second = rq.submit_request(
        s, sam, "contact_us", "message", {"topic": "claim", "message": "2", "reply_by": "email"}
    )
    rq.submit_request(s, jordan, "general", "general", {"subject": "Not yours", "message": "3"})
    listed = rq.list_requests(s, pat)
    assert [r.reference for r in listed] == [second.reference, first.reference]
    assert (
        listed[0].status_label == "Received" and listed[0].kind_label == "Contact Us/Help Center"
    )
    assert rq.get_request(s, pat, first.reference.lower()).id == first.id
    with pytest.raises(NotFound):
        rq.get_request(s, jordan, first.reference)
    # An agent in read-only mode sees the same list.
    assert [r.reference for r in rq.list_requests(s, agent_viewing(s, RIVERA))] == [
        second.reference,
        first.reference,
    ]


def _refused(s, principal, kind, subtype, data, error, **kwargs):
    before = table_counts(s)
    with pytest.raises(error) as exc:
        rq.submit_request(s, principal, kind, subtype, data, **kwargs)
    assert table_counts(s) == before, "a refused request changed the database"
    return exc.value


def test_read_only_agent_is_refused_and_the_attempt_is_logged(demo):
    s = demo
    agent = agent_viewing(s, RIVERA)
    with SecurityLog() as log:
        _refused(s, agent, "general", "general", {"subject": "x", "message": "y"}, ReadOnlyRefused)
    assert any("customer.general_request" in m and "read-only" in m for m in log.messages)


def test_another_accounts_records_are_refused(demo):
    s = demo
    pat = customer(s, PAT)
    jordan_account = account_named(s, LEE)
    their_auto = s.exec(
        select(Policy).where(Policy.account_id == jordan_account.id, Policy.line == "auto")
    ).one()
    their_vehicle = s.exec(select(Vehicle).where(Vehicle.policy_id == their_auto.id)).first()
    their_driver = s.exec(select(Driver).where(Driver.policy_id == their_auto.id)).first()
    day = date.today().isoformat()
    base = {
        "year": "2022",
        "make": "Honda",
        "model": "Fit",
        "vin": "1HGCM82633A004352",
        "usage": "commute",
        "effective_date": day,
    }
    _refused(
        s, pat, "personal", "vehicle_add", {**base, "policy_id": str(their_auto.id)}, NotFound
    )
    _refused(
        s,
        pat,
        "personal",
        "vehicle_remove",
        {"vehicle_id": str(their_vehicle.id), "reason": "sold", "effective_date": day},
        NotFound,
    )
    _refused(
        s,
        pat,
        "personal",
        "driver_remove",
        {"driver_id": str(their_driver.id), "reason": "moved_out", "effective_date": day},
        NotFound,
    )
    _refused(
        s,
        pat,
        "personal",
        "coverage",
        {"policy_id": "999999", "change": "More", "effective_date": day},
        NotFound,
    )


INVALID_VEHICLE_FIELDS = [
    ("vin", "1HGCM82633A00435", "17 characters"),
    ("vin", "1HGCM82633AO04352", "never I, O or Q"),
    ("year", "1975", "between 1,981"),
    ("year", "twenty", "whole number"),
    ("effective_date", "2020-01-01", "cannot be before"),
    ("effective_date", "tomorrow", "YYYY-MM-DD"),
    ("make", "", "Make is required"),
    ("usage", "racing", "not one of the choices"),
    ("model", "x" * 61, "60 characters or fewer"),
    ("policy_id", "abc", "not valid"),
]


def test_invalid_vehicle_fields_get_specific_messages(demo):
    s = demo
    pat = customer(s, PAT)
    choices = rq.form_choices(s, pat)
    for field, value, message in INVALID_VEHICLE_FIELDS:
        data = sample_data(form_for("personal", "vehicle_add"), choices)
        data[field] = value
        error = _refused(s, pat, "personal", "vehicle_add", data, InvalidInput)
        assert message in error.message and error.field == field, (field, value, error.message)


def test_every_bad_field_is_reported_in_one_answer(demo):
    s = demo
    pat = customer(s, PAT)
    data = sample_data(form_for("personal", "vehicle_add"), rq.form_choices(s, pat))
    data |= {"vin": "1HGCM82633A00435", "year": "1975", "make": ""}
    error = _refused(s, pat, "personal", "vehicle_add", data, InvalidFields)
    assert set(error.errors) == {"vin", "year", "make"}
    assert "17 characters" in error.errors["vin"] and "between 1,981" in error.errors["year"]
    assert error.field == "year" and error.message == error.errors["year"]  # the form's order
    fields, message = form_errors.split(error)
    assert fields == error.errors and message == "Please correct the 3 fields marked above."


def test_extra_fields_are_ignored(demo):
    s = demo
    pat = customer(s, PAT)
    jordan_account = account_named(s, LEE)
    request = rq.submit_request(
        s,
        pat,
        "general",
        "general",
        {
            "subject": "Hello",
            "message": "Hi",
            "account_id": str(jordan_account.id),
            "status": "done",
            "reference": "CR-AAAAAA",
            "contact_id": "1",
            "kind": "commercial",
            "attachment_document_id": "1",
            "summary": "injected",
        },
    )
    assert request.account_id == pat.account_id and request.status == "submitted"
    assert request.reference != "CR-AAAAAA" and request.attachment_document_id is None
    assert request.summary == "Hello" and request.kind == "general"
    assert {f["key"] for f in request.details["fields"]} == {"subject", "message"}


def test_wrong_account_kind_unknown_form_expired_policy_and_card_numbers(demo):
    s = demo
    pat = customer(s, PAT)
    jordan_studio = customer(s, JORDAN, STUDIO)
    error = _refused(
        s,
        jordan_studio,
        "personal",
        "coverage",
        {"change": "x", "effective_date": date.today().isoformat()},
        NotAllowed,
    )
    assert "Commercial Change Request" in error.message
    _refused(s, pat, "commercial", "payroll", {}, NotAllowed)
    _refused(s, pat, "personal", "teleport", {}, InvalidInput)
    _refused(s, pat, "certificate", "new", {}, InvalidInput)
    expired = s.exec(
        select(Policy).where(Policy.account_id == pat.account_id, Policy.status == "expired")
    ).first()
    error = _refused(
        s,
        pat,
        "personal",
        "coverage",
        {
            "policy_id": str(expired.id),
            "change": "Renew it",
            "effective_date": date.today().isoformat(),
        },
        InvalidInput,
    )
    assert "expired" in error.message
    error = _refused(
        s,
        pat,
        "general",
        "general",
        {"subject": "Pay", "message": "Charge 4111 1111 1111 1111 please"},
        InvalidInput,
    )
    assert "card number" in error.message


def test_references_are_unique_and_readable(demo):
    from clientcenter.services.portal.references import ALPHABET, new_reference

    assert not set("01OI") & set(ALPHABET)
    seen = {new_reference(demo, "personal") for _ in range(300)}
    assert len(seen) == 300


def test_every_form_field_kind_is_known():
    known = {
        "text",
        "textarea",
        "date",
        "state",
        "zip",
        "vin",
        "year",
        "integer",
        "money",
        "email",
        "phone",
        "select",
        "policy",
        "auto_policy",
        "vehicle",
        "driver",
    }
    for form in ALL_FORMS:
        assert len(set(form.keys)) == len(form.keys), form.subtype
        for f in form.fields:
            assert f.kind in known, (form.subtype, f.key)
            assert f.kind != "select" or f.options, (form.subtype, f.key)
