"""record_action applies the matrix: exactly the five effects, to exactly the right people."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from clientcenter.models import ActivityLog, OutboxMessage, Task
from clientcenter.services.errors import InvalidInput, NotAllowed, NotFound
from clientcenter.services.notify.activity import record_action
from clientcenter.services.notify.catalog import ACTIONS, CATALOG, actions_in
from clientcenter.services.notify.phrasing import phrase
from clientcenter.services.principal import Principal
from clientcenter.settings import SettingsError, load_settings
from tests.support.factories import People, make_people

# The default matrix of docs/actions-and-matrix.md, restated independently of matrix.toml:
# AE CE PA T L.
LOG_ONLY = "L"
EVERYONE = "AE CE PA T L"
EXPECTED = {
    "customer.login_email": LOG_ONLY,
    "customer.login_text": LOG_ONLY,
    "customer.download_documents": LOG_ONLY,
    "customer.upload_documents": EVERYONE,
    "customer.id_card_download": LOG_ONLY,
    "customer.contact_us": EVERYONE,
    "customer.personal_change_request": EVERYONE,
    "customer.commercial_change_request": EVERYONE,
    "customer.general_request": EVERYONE,
    "customer.edit_personal_info": EVERYONE,
    "customer.edit_contact_preferences": "CE PA L",
    "customer.edit_coapplicant_info": EVERYONE,
    "customer.payments": EVERYONE,
    "customer.consumer_integration": LOG_ONLY,
    "customer.non_consumer_integration": LOG_ONLY,
    "customer.cross_sell_integration": "AE T L",
    "customer.proposal": EVERYONE,
    "customer.add_certificate_holder": "AE CE T L",
    "customer.certificates_download": LOG_ONLY,
    "customer.request_certificate": "AE CE T L",
    "customer.referral": "AE CE T L",
    "customer.feedback": "AE T L",
    "customer.claim_survey": "AE T L",
    # The project's own (issue 18): passkeys, logged only.
    "customer.login_passkey": LOG_ONLY,
    "customer.passkey_added": LOG_ONLY,
    "customer.passkey_removed": LOG_ONLY,
    "customer.logout_everywhere": LOG_ONLY,
    # The project's own (issue 18): the household manages who logs in.
    "customer.household_invite": "CE PA T L",
    "customer.household_joined": "CE PA T L",
    "customer.household_access": "CE PA T L",
    "customer.household_revoke": "CE PA T L",
    "agent.login": LOG_ONLY,
    "agent.download_documents": LOG_ONLY,
    "agent.download_id_cards": LOG_ONLY,
    "agent.payments": "AE CE L",
    "agent.consumer_integration": LOG_ONLY,
    "agent.non_consumer_integration": LOG_ONLY,
    "agent.cross_sell_integration": LOG_ONLY,
    "agent.logoff": LOG_ONLY,
    "agency.share_document_email": "AE CE L",
    "agency.share_document_text": "AE CE L",
    "agency.payment_request_email": "AE CE L",
    "agency.payment_request_text": "AE CE L",
    "agency.one_time_payment": "AE CE T L",
    "agency.publish_policies_invoices": "CE L",
    "agency.share_certificate": "AE CE L",
    # The project's own (issue 11): certificate links.
    "agency.revoke_certificate_link": LOG_ONLY,
    # The project's own (issue 13): accounts corrected from the agency side.
    "agency.reassign_producer": LOG_ONLY,
    "agency.switch_login": LOG_ONLY,
    "agency.correct_login_address": LOG_ONLY,
    "agency.mark_primary": LOG_ONLY,
    # The project's own (issue 14): a document uploaded as a draft or internal.
    "agency.upload_document": LOG_ONLY,
    # The project's own (issue 15): a change request's status, told to the customer.
    "agency.update_request": "CE L",
    # The project's own (issue 18): a lost phone, a contact locked out of a passkey.
    "agency.clear_passkeys": LOG_ONLY,
    # The project's own (issue 18): a business account's account manager.
    "agency.mark_account_manager": LOG_ONLY,
    "holder.certificate_download": LOG_ONLY,
}

CATALOG_LABELS = {  # a few labels of docs/actions-and-matrix.md, checked verbatim
    "customer.claim_survey": "Claim Experience Survey",
    "agency.share_document_text": "Share Document through Text",
    "customer.certificates_download": "Your Certificates (Download)",
    "customer.edit_coapplicant_info": "Edit Co-applicant information",
    "agent.non_consumer_integration": "Non-Consumer Facing Integration",
    "agency.publish_policies_invoices": "Policies/Invoices",
}


@pytest.fixture
def people(session: Session) -> People:
    return make_people(session)


def test_catalog_has_every_action_of_the_docs():
    # The 38 actions of the three sections, plus two of ours for certificate links (issue 11)
    # and four for correcting accounts from the agency side (issue 13), the agency's document
    # upload (issue 14), a change request's status (issue 15), and issue 18's three passkey
    # actions, four household ones, the account-manager mark, clearing passkeys and "log out
    # everywhere".
    assert len(ACTIONS) == 56 == len(CATALOG)
    assert [len(actions_in(s)) for s in ("customer", "agent", "agency", "holder")] == [
        31,
        8,
        16,
        1,
    ]
    assert set(CATALOG) == set(EXPECTED)
    for key, label in CATALOG_LABELS.items():
        assert CATALOG[key].label == label


def effects(session: Session, activity: ActivityLog):
    logs = session.exec(select(ActivityLog)).all()
    tasks = session.exec(select(Task)).all()
    messages = session.exec(select(OutboxMessage)).all()
    sent = {(m.recipient_kind, m.channel, m.to_address) for m in messages}
    assert len(sent) == len(messages), "one message per recipient and channel"
    return logs, tasks, sent, messages


def check_common(session, people, key, activity, expected_sent, actor):
    cols = EXPECTED[key].split()
    logs, tasks, sent, messages = effects(session, activity)
    if "L" in cols:
        assert len(logs) == 1
        log = logs[0]
        assert (log.action_key, log.account_id) == (key, people.account.id)
        assert log.actor_kind == actor.kind
        assert log.read_only == actor.read_only
        assert log.created_at.tzinfo is not None or session.bind.dialect.name == "sqlite"
        assert log.details == {"ref": "R-1"}
    else:
        assert logs == []
    if "T" in cols:
        assert [(t.assigned_agent_id, t.account_id, t.action_key) for t in tasks] == [
            (people.producer.id, people.account.id, key)
        ]
        assert tasks[0].activity_id == activity.id
        assert tasks[0].title.endswith(" " + phrase(key))  # "Pat Rivera uploaded a document"
    else:
        assert tasks == []
    assert sent == expected_sent
    for m in messages:
        assert m.activity_id == activity.id and m.account_id == people.account.id
        assert m.status == "pending" and not m.sensitive
        if m.channel == "email":
            assert m.subject and m.body_html.startswith("<!doctype html>")
            assert "Harbor &amp; Main Insurance" in m.body_html
        else:
            assert m.subject == "" and m.body_html == "" and len(m.body_text) <= 320
        assert "Harbor & Main" in m.body_text


CUSTOMER_KEYS = [a.key for a in actions_in("customer")]


@pytest.mark.parametrize("key", CUSTOMER_KEYS)
def test_primary_applicant_acts(session, people, key):
    actor = Principal.customer(people.account.id, people.primary.id)
    activity = record_action(
        session, actor, key, summary="Done in the portal", details={"ref": "R-1"}
    )
    cols = EXPECTED[key].split()
    expected = set()
    if "AE" in cols:  # the assigned producer
        expected.add(("agent", "email", "producer@agency.example"))
    if "CE" in cols:  # the customer who acted
        expected.add(("customer", "email", "pat@example.com"))
    # PA never: the primary applicant acted themself.
    check_common(session, people, key, activity, expected, actor)


@pytest.mark.parametrize("key", CUSTOMER_KEYS)
def test_co_applicant_acts(session, people, key):
    actor = Principal.customer(people.account.id, people.co_applicant.id)
    activity = record_action(
        session, actor, key, summary="Done in the portal", details={"ref": "R-1"}
    )
    cols = EXPECTED[key].split()
    expected = set()
    if "AE" in cols:
        expected.add(("agent", "email", "producer@agency.example"))
    if "CE" in cols:
        expected.add(("customer", "email", "sam@example.com"))
    if "PA" in cols:
        expected.add(("primary", "email", "pat@example.com"))
    check_common(session, people, key, activity, expected, actor)
    if "L" in cols:
        assert activity.actor_contact_id == people.co_applicant.id


@pytest.mark.parametrize("key", [a.key for a in ACTIONS if a.section in ("agent", "agency")])
def test_agent_acts(session, people, key):
    # The acting agent is not the producer: AE must go to the one who acted.
    if key.startswith("agent."):
        actor = Principal.agent_viewing(people.other_agent.id, people.account.id)
        activity = record_action(
            session, actor, key, summary="Agent action", details={"ref": "R-1"}
        )
    else:
        actor = Principal.agency(people.other_agent.id)
        activity = record_action(
            session,
            actor,
            key,
            account_id=people.account.id,
            summary="Agent action",
            details={"ref": "R-1"},
            links={"url": "http://localhost:3000/d/abc"},
        )
    cols = EXPECTED[key].split()
    expected = set()
    if "AE" in cols:
        expected.add(("agent", "email", "helper@agency.example"))
    if "CE" in cols:  # the customer: the primary applicant; SMS for "through Text"
        if CATALOG[key].by_text:
            expected.add(("customer", "sms", "+12075550101"))
        else:
            expected.add(("customer", "email", "pat@example.com"))
    check_common(session, people, key, activity, expected, actor)
    if "L" in cols:
        assert activity.actor_agent_id == people.other_agent.id
        assert activity.channel == ("portal" if key.startswith("agent.") else "agency")


def test_certificate_holder_download_is_log_only_and_can_notify_the_producer(
    session, people, monkeypatch
):
    """A holder is nobody we know: the row names no contact and no agent. Turned on, AE goes
    to the account's producer (nobody at the agency acted), CE to the primary applicant."""
    holder = Principal.certificate_holder(people.account.id)
    activity = record_action(
        session,
        holder,
        "holder.certificate_download",
        summary="Landlord downloaded it",
        details={"ref": "R-1"},
        channel="email",
    )
    check_common(session, people, "holder.certificate_download", activity, set(), holder)
    assert (activity.actor_contact_id, activity.actor_agent_id, activity.channel) == (
        None,
        None,
        "email",
    )
    monkeypatch.setenv(
        "CC_MATRIX",
        '{"holder.certificate_download": {"agent_email": true, '
        '"customer_email": true, "primary_email": true, '
        '"task": true}}',
    )
    settings = load_settings()
    record_action(session, holder, "holder.certificate_download", settings=settings)
    _, tasks, sent, _ = effects(session, None)
    assert sent == {
        ("agent", "email", people.producer.email),
        ("customer", "email", "pat@example.com"),
    }
    assert [t.assigned_agent_id for t in tasks] == [people.producer.id]


def test_additional_contact_acting_tells_the_primary(session, people):
    actor = Principal.customer(people.account.id, people.additional.id)
    record_action(session, actor, "customer.general_request", summary="Question")
    _, _, sent, _ = effects(session, None)
    assert ("primary", "email", "pat@example.com") in sent
    assert ("customer", "email", "ava@example.com") in sent


def test_contact_preferences_choose_the_channels(session, people):
    people.co_applicant.notify_by_sms = True  # email and text
    people.primary.notify_by_email = False
    people.primary.notify_by_sms = True  # text only
    session.add_all([people.co_applicant, people.primary])
    session.flush()
    actor = Principal.customer(people.account.id, people.co_applicant.id)
    record_action(session, actor, "customer.payments", summary="Paid invoice 1001")
    _, _, sent, messages = effects(session, None)
    assert sent == {
        ("agent", "email", "producer@agency.example"),
        ("customer", "email", "sam@example.com"),
        ("customer", "sms", "+12075550102"),
        ("primary", "sms", "+12075550101"),
    }
    sms = next(m for m in messages if m.recipient_kind == "primary")
    assert "Sam Rivera made a payment" in sms.body_text


def test_customer_message_reads_well(session, people):
    actor = Principal.customer(people.account.id, people.primary.id)
    record_action(
        session,
        actor,
        "customer.personal_change_request",
        summary="Add a 2019 Honda Civic to the auto policy",
    )
    messages = {m.recipient_kind: m for m in session.exec(select(OutboxMessage))}
    mine = messages["customer"]
    assert mine.subject == "We received your change request"
    assert mine.body_text.startswith("Hi Pat,")
    assert "Open Client Center: http://localhost:3000/" in mine.body_text
    assert 'href="http://localhost:3000/"' in mine.body_html
    assert (
        "Add a 2019 Honda Civic" in mine.body_text and "Add a 2019 Honda Civic" in mine.body_html
    )
    agent = messages["agent"]
    assert agent.subject == "Pat Rivera asked for a policy change · Pat & Sam Rivera"
    assert "Pat Rivera" in agent.body_text


def test_html_escapes_what_people_typed(session, people):
    actor = Principal.customer(people.account.id, people.primary.id)
    record_action(
        session, actor, "customer.contact_us", summary="<script>x()</script> ${agency_name}"
    )
    mail = session.exec(select(OutboxMessage).where(OutboxMessage.recipient_kind == "agent")).one()
    assert "<script>" not in mail.body_html and "&lt;script&gt;" in mail.body_html
    assert "${agency_name}" in mail.body_text  # typed text is never read as a template


def test_rollback_leaves_nothing(session, people):
    actor = Principal.customer(people.account.id, people.co_applicant.id)
    record_action(session, actor, "customer.payments", summary="Paid")
    assert session.exec(select(OutboxMessage)).all()
    session.rollback()
    assert session.exec(select(ActivityLog)).all() == []
    assert session.exec(select(Task)).all() == []
    assert session.exec(select(OutboxMessage)).all() == []


def test_committed_with_the_change(session, engine, people):
    actor = Principal.customer(people.account.id, people.primary.id)
    record_action(session, actor, "customer.referral", summary="Referred a friend")
    session.commit()
    with Session(engine) as other:
        assert len(other.exec(select(OutboxMessage)).all()) == 2
        assert len(other.exec(select(Task)).all()) == 1


@pytest.mark.parametrize(
    ("principal", "key", "kwargs", "error"),
    [
        ("agency", "customer.payments", {}, NotAllowed),
        ("primary", "agent.login", {}, NotAllowed),
        ("primary", "agency.share_document_email", {}, NotAllowed),
        ("viewing", "agency.share_document_email", {}, NotAllowed),  # read-only mode
        ("agency", "agent.payments", {}, NotAllowed),
        ("agency", "agency.share_document_email", {}, InvalidInput),  # which account?
        ("primary", "customer.payments", {"account_id": "other"}, NotFound),
        ("stranger", "customer.payments", {}, NotFound),
        ("viewing", "agent.payments", {"account_id": "other"}, NotFound),
    ],
)
def test_refusals_change_nothing(session, people, principal, key, kwargs, error):
    principals = {
        "agency": Principal.agency(people.other_agent.id),
        "primary": Principal.customer(people.account.id, people.primary.id),
        "viewing": Principal.agent_viewing(people.other_agent.id, people.account.id),
        # A contact of another account claiming this one.
        "stranger": Principal.customer(people.account.id, people.other_primary.id),
    }
    if kwargs.get("account_id") == "other":
        kwargs = {"account_id": people.other_account.id}
    with pytest.raises(error):
        record_action(session, principals[principal], key, **kwargs)
    assert session.exec(select(ActivityLog)).all() == []
    assert session.exec(select(OutboxMessage)).all() == []


def test_text_share_needs_a_mobile(session, people):
    people.primary.mobile = None
    session.add(people.primary)
    session.flush()
    with pytest.raises(InvalidInput, match="no mobile number"):
        record_action(
            session,
            Principal.agency(people.producer.id),
            "agency.share_document_text",
            account_id=people.account.id,
        )


@pytest.mark.parametrize(
    "details",
    [
        {"code": "123456"},
        {"session_token": "abc"},
        {"payment": {"card_last4": "4242"}},
        {"note": "card 4242 4242 4242 4242"},
    ],
)
def test_details_refuse_codes_tokens_and_cards(session, people, details):
    with pytest.raises(ValueError):
        record_action(
            session,
            Principal.customer(people.account.id, people.primary.id),
            "customer.payments",
            details=details,
        )


def test_summary_refuses_a_card_number(session, people):
    with pytest.raises(ValueError, match="card number"):
        record_action(
            session,
            Principal.customer(people.account.id, people.primary.id),
            "customer.payments",
            summary="Paid with 4111 1111 1111 1111",
        )
    assert session.exec(select(OutboxMessage)).all() == []


def test_details_allow_ordinary_numbers(session, people):
    log = record_action(
        session,
        Principal.customer(people.account.id, people.primary.id),
        "customer.payments",
        details={"invoice": "INV-1001", "phone": "+12075550101", "amount_cents": 12000},
    )
    assert log.details["invoice"] == "INV-1001"


def test_links_cannot_smuggle_a_code(session, people):
    with pytest.raises(ValueError, match="code"):
        record_action(
            session,
            Principal.agency(people.producer.id),
            "agency.share_document_email",
            account_id=people.account.id,
            links={"code": "123456"},
        )


def test_a_signed_link_whose_token_looks_like_a_card_number_still_goes(session, people):
    # A token's random characters can hold a Luhn-valid run of digits; the URL is ours.
    log = record_action(
        session,
        Principal.agency(people.producer.id),
        "agency.share_document_email",
        account_id=people.account.id,
        links={"url": "http://localhost:3000/shared/x4111111111111111y", "url_label": "View"},
    )
    sent = session.exec(select(OutboxMessage)).all()
    assert log.id and any("4111111111111111" in m.body_text for m in sent)
    with pytest.raises(ValueError, match="card number"):  # what people read is still held
        record_action(
            session,
            Principal.agency(people.producer.id),
            "agency.share_document_email",
            account_id=people.account.id,
            links={"url": "http://localhost:3000/shared/x", "url_label": "4111 1111 1111 1111"},
        )


def test_agency_override_changes_the_effects(session, people, monkeypatch):
    monkeypatch.setenv(
        "CC_MATRIX", '{"customer.feedback": {"agent_email": false, "customer_email": true}}'
    )
    settings = load_settings()
    record_action(
        session,
        Principal.customer(people.account.id, people.primary.id),
        "customer.feedback",
        settings=settings,
    )
    _, tasks, sent, _ = effects(session, None)
    assert sent == {("customer", "email", "pat@example.com")}
    assert len(tasks) == 1


def test_override_can_turn_the_log_off(session, people, monkeypatch):
    monkeypatch.setenv("CC_MATRIX", '{"customer.login_email": {"log": false}}')
    record_action(
        session,
        Principal.customer(people.account.id, people.primary.id),
        "customer.login_email",
        settings=load_settings(),
    )
    assert session.exec(select(ActivityLog)).all() == []


@pytest.mark.parametrize(
    ("override", "named"),
    [
        ('{"customer.feedbak": {"task": false}}', "unknown action 'customer.feedbak'"),
        ('{"feedback": {"task": false}}', "unknown action 'feedback'"),
        ('{"customer.feedback": {"sms": true}}', "unknown column 'sms'"),
    ],
)
def test_bad_override_stops_startup(monkeypatch, override, named):
    monkeypatch.setenv("CC_MATRIX", override)
    with pytest.raises(SettingsError) as exc:
        load_settings()
    assert named in str(exc.value) and "cannot start" in str(exc.value)


def test_bad_override_in_toml_stops_startup(monkeypatch, tmp_path):
    cfg = tmp_path / "cc.toml"
    cfg.write_text(
        '[matrix."customer.feedback"]\ntask = false\n[matrix."customer.nope"]\nlog = true\n'
    )
    monkeypatch.setenv("CLIENTCENTER_CONFIG", str(cfg))
    with pytest.raises(SettingsError, match="customer.nope"):
        load_settings()
