"""The household manages who logs in (services/portal/household.py) and what a limited
contact sees (services/access.py, require_view): the happy path and every refusal."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from sqlmodel import select

from clientcenter.models import ActivityLog, Contact, OutboxMessage, Task
from clientcenter.models.base import utcnow
from clientcenter.services.access import VIEW_REFUSED
from clientcenter.services.agency import account_admin
from clientcenter.services.auth.sessions import SessionStatus, check_session
from clientcenter.services.billing import invoices
from clientcenter.services.billing.summary import billing_summary
from clientcenter.services.errors import InvalidInput, NotAllowed, NotFound, ServiceError
from clientcenter.services.portal import (
    certificates,
    documents,
    household,
    idcards,
    policies,
    profile,
    requests,
)
from clientcenter.services.principal import Principal
from tests.support.checks import footprint
from tests.support.demo import (
    AGENT,
    JORDAN,
    LEE,
    PAT,
    RAE,
    RIVERA,
    SAM,
    STUDIO,
    account_named,
    contact_on,
)
from tests.support.logins import agent_session, customer_session


def _principal(db, email=PAT, account=None):
    return customer_session(db, email, account).principal


def _invite(db, principal, email="teen@example.com", sees="documents", **extra):
    data = {
        "first_name": "Riley",
        "last_name": "Rivera",
        "email": email,
        "role": "additional",
        "sees": sees,
        **extra,
    }
    return household.invite(db, principal, data)


def _link_token(db, email) -> str:
    msg = db.exec(
        select(OutboxMessage)
        .where(OutboxMessage.template == "household_invite", OutboxMessage.to_address == email)
        .order_by(OutboxMessage.id.desc())
    ).first()
    assert msg is not None, "no invitation email"
    return re.search(r"/join/([0-9]+\.[A-Za-z0-9_-]+)", msg.body_text).group(1)


def _joined(db, principal, email="teen@example.com", sees="documents"):
    member = _invite(db, principal, email, sees)
    household.confirm_invitation(db, _link_token(db, email))
    db.commit()
    return member


def test_primary_invites_and_the_invitee_confirms_from_their_own_address(demo):
    pat = _principal(demo)
    before = footprint(demo)
    member = _invite(demo, pat)
    assert member.status == "invited" and member.sees == "documents"
    contact = demo.get(Contact, member.contact_id)
    assert not contact.may_log_in and contact.invite_digest
    # Logged, a task for the agency, the primary told (matrix), the invitee emailed the link.
    after = footprint(demo)
    assert after["activity"] == before["activity"] + 1
    assert after["tasks"] == before["tasks"] + 1
    entry = demo.exec(select(ActivityLog).order_by(ActivityLog.id.desc())).first()
    assert entry.action_key == household.INVITE and "Riley Rivera" in entry.summary
    to = {m.to_address for m in demo.exec(select(OutboxMessage)).all()}
    assert {PAT, "teen@example.com"} <= to
    token = _link_token(demo, "teen@example.com")
    # The link's page changes nothing; confirming does, once.
    seen = household.open_invitation(demo, token)
    assert seen.account_name == RIVERA and not demo.get(Contact, contact.id).may_log_in
    household.confirm_invitation(demo, token)
    demo.commit()
    assert demo.get(Contact, contact.id).may_log_in
    with pytest.raises(NotAllowed, match="already accepted"):
        household.confirm_invitation(demo, token)
    joined = demo.exec(
        select(ActivityLog).where(ActivityLog.action_key == household.JOINED)
    ).first()
    assert joined and joined.actor_contact_id == contact.id
    # The invitee now logs in, with a limited principal.
    riley = customer_session(demo, "teen@example.com")
    assert riley.principal.account_id == account_named(demo, RIVERA).id
    listed = household.household(demo, pat)
    assert any(m.email == "teen@example.com" and m.status == "active" for m in listed.members)


@pytest.mark.parametrize(
    "token",
    ["", "abc", "1.", "99999.nope", "1.forged-token-value", None, 12, "1" * 20 + ".x"],
)
def test_a_bad_invitation_link_is_refused(demo, token):
    with pytest.raises(NotAllowed):
        household.open_invitation(demo, token)
    with pytest.raises(NotAllowed):
        household.confirm_invitation(demo, token)


def test_an_expired_invitation_is_refused(demo):
    member = _invite(demo, _principal(demo))
    token = _link_token(demo, "teen@example.com")
    contact = demo.get(Contact, member.contact_id)
    contact.invited_at = utcnow() - timedelta(days=household.INVITE_DAYS, minutes=1)
    demo.add(contact)
    demo.flush()
    with pytest.raises(NotAllowed, match="expired"):
        household.confirm_invitation(demo, token)
    assert not demo.get(Contact, member.contact_id).may_log_in


def test_another_contacts_token_does_not_confirm_this_one(demo):
    pat = _principal(demo)
    first = _invite(demo, pat, "one@example.com")
    _invite(demo, pat, "two@example.com")
    other_token = _link_token(demo, "two@example.com")
    forged = f"{first.contact_id}.{other_token.split('.', 1)[1]}"
    with pytest.raises(NotAllowed, match="not valid"):
        household.confirm_invitation(demo, forged)


@pytest.mark.parametrize(
    ("email", "reason"),
    [
        (SAM, "already on this account"),
        (SAM.upper(), "already on this account"),
        (AGENT, "agency's staff"),
        ("not-an-email", "not valid"),
    ],
)
def test_invitations_refused_with_a_reason(demo, email, reason, caplog):
    pat = _principal(demo)
    before = footprint(demo)
    with pytest.raises(InvalidInput, match=reason) as refused:
        _invite(demo, pat, email)
    assert refused.value.field == "email"
    assert footprint(demo) == before


@pytest.mark.parametrize(
    ("field", "value"),
    [("sees", "admin"), ("sees", ""), ("role", "primary"), ("first_name", "")],
)
def test_invitation_form_refuses_bad_choices(demo, field, value):
    pat = _principal(demo)
    before = footprint(demo)
    with pytest.raises(InvalidInput) as refused:
        _invite(demo, pat, **{field: value})
    assert refused.value.field == field and footprint(demo) == before


def test_certificates_only_is_for_business_accounts(demo):
    with pytest.raises(InvalidInput, match="business"):
        _invite(demo, _principal(demo), sees="certificates")


def test_a_non_manager_is_refused_and_logged(demo, caplog):
    sam = _principal(demo, SAM)  # co-applicant, not the primary
    before = footprint(demo)
    caplog.set_level(logging.WARNING, "clientcenter.security")
    for call in (
        lambda: _invite(demo, sam),
        lambda: household.revoke(demo, sam, contact_on(demo, account_named(demo, RIVERA)).id),
        lambda: household.change_access(demo, sam, 1, "documents"),
    ):
        with pytest.raises(NotAllowed, match="Only the primary"):
            call()
    assert footprint(demo) == before
    assert "refused household change by a non-manager" in caplog.text
    assert not household.household(demo, sam).can_manage


def test_a_read_only_agent_is_refused(demo):
    agent = agent_session(demo, RIVERA).principal
    with pytest.raises(ServiceError):
        _invite(demo, agent)
    assert not household.household(demo, agent).can_manage


def test_the_primary_cannot_lock_themselves_out(demo):
    pat = _principal(demo)
    me = demo.get(Contact, pat.contact_id)
    before = footprint(demo)
    with pytest.raises(InvalidInput, match="your own access"):
        household.revoke(demo, pat, me.id)
    with pytest.raises(InvalidInput):
        household.change_access(demo, pat, me.id, "documents")
    assert footprint(demo) == before and demo.get(Contact, me.id).may_log_in


def test_another_accounts_contact_looks_absent(demo):
    pat = _principal(demo)
    jordan = contact_on(demo, account_named(demo, LEE))
    for bad in (jordan.id, "x", None, -1):
        with pytest.raises(NotFound):
            household.revoke(demo, pat, bad)
        with pytest.raises(NotFound):
            household.change_access(demo, pat, bad, "documents")


def test_revoking_ends_their_sessions_and_tells_them(demo):
    pat = _principal(demo)
    member = _joined(demo, pat)
    riley = customer_session(demo, "teen@example.com")
    household.revoke(demo, pat, member.contact_id)
    demo.commit()
    assert not demo.get(Contact, member.contact_id).may_log_in
    assert check_session(demo, riley.token).status != SessionStatus.OK
    notice = demo.exec(
        select(OutboxMessage).where(
            OutboxMessage.template == "household_notice",
            OutboxMessage.to_address == "teen@example.com",
        )
    ).first()
    assert notice and "no longer log in" in notice.body_text
    task = demo.exec(select(Task).where(Task.action_key == household.REVOKE)).first()
    assert task is not None
    with pytest.raises(InvalidInput, match="already cannot"):
        household.revoke(demo, pat, member.contact_id)


def test_changing_access_tells_them_and_applies_at_once(demo):
    pat = _principal(demo)
    member = _joined(demo, pat)
    riley = customer_session(demo, "teen@example.com")
    with pytest.raises(NotAllowed):
        invoices.open_invoices(demo, riley.principal)
    household.change_access(demo, pat, member.contact_id, "everything")
    demo.commit()
    now = check_session(demo, riley.token).principal
    assert now.view == "everything"
    policies.home_view(demo, now)  # opens now
    with pytest.raises(InvalidInput, match="already sees"):
        household.change_access(demo, pat, member.contact_id, "everything")


def _limited(demo, sees="documents"):
    pat = _principal(demo)
    _joined(demo, pat, sees=sees)
    return customer_session(demo, "teen@example.com").principal


def test_documents_only_sees_documents_and_id_cards_and_nothing_else(demo, caplog):
    riley = _limited(demo)
    assert riley.view == "documents"
    assert documents.list_documents(demo, riley)
    idcards.id_card_policies(demo, riley)
    caplog.set_level(logging.WARNING, "clientcenter.security")
    refused = [
        lambda: policies.home_view(demo, riley),
        lambda: policies.list_policies(demo, riley),
        lambda: profile.profile_view(demo, riley),
        lambda: requests.list_requests(demo, riley),
        lambda: household.household(demo, riley),
        lambda: _invite(demo, riley, "x@example.com"),
    ]
    for call in refused:
        with pytest.raises(NotAllowed):
            call()
    assert "refused outside the contact's view" in caplog.text


def test_documents_only_cannot_load_billing(demo):
    riley = _limited(demo)
    for call in (
        invoices.open_invoices,
        invoices.closed_invoices,
        invoices.payment_history,
        billing_summary,
    ):
        with pytest.raises(NotAllowed, match=re.escape(VIEW_REFUSED)):
            call(demo, riley)


def test_certificates_only_on_a_business_account(demo):
    jordan = _principal(demo, JORDAN, STUDIO)
    _invite(demo, jordan, "office@example.com", sees="certificates")
    household.confirm_invitation(demo, _link_token(demo, "office@example.com"))
    demo.commit()
    office = customer_session(demo, "office@example.com").principal
    assert office.view == "certificates"
    certificates.list_certificates(demo, office)
    assert certificates.offered(demo, office)
    for call in (
        lambda: documents.list_documents(demo, office),
        lambda: idcards.id_card_policies(demo, office),
        lambda: policies.home_view(demo, office),
    ):
        with pytest.raises(NotAllowed):
            call()
    # And a documents-only contact is kept out of certificates.
    _invite(demo, jordan, "clerk@example.com", sees="documents")
    household.confirm_invitation(demo, _link_token(demo, "clerk@example.com"))
    demo.commit()
    clerk = customer_session(demo, "clerk@example.com").principal
    assert not certificates.offered(demo, clerk)
    with pytest.raises(NotAllowed):
        certificates.list_certificates(demo, clerk)


def test_the_agency_marks_an_account_manager_who_may_then_manage(demo):
    studio = account_named(demo, STUDIO)
    rae = demo.exec(select(Contact).where(Contact.email == RAE)).one()
    admin = agent_session(demo).principal
    account_admin.mark_account_manager(demo, admin, studio.id, rae.id, True)
    demo.commit()
    assert demo.get(Contact, rae.id).account_manager
    rae.may_log_in = True  # the demo's Rae may not log in yet
    demo.add(rae)
    demo.commit()
    entry = demo.exec(
        select(ActivityLog).where(ActivityLog.action_key == account_admin.MARK_MANAGER)
    ).first()
    assert entry and entry.actor_agent_id == admin.agent_id
    rae_login = customer_session(demo, RAE).principal
    assert household.household(demo, rae_login).can_manage
    _invite(demo, rae_login, "staff2@example.com", sees="certificates")
    # A personal account has no account managers; the primary is refused as one.
    rivera = account_named(demo, RIVERA)
    with pytest.raises(InvalidInput, match="business"):
        account_admin.mark_account_manager(
            demo, admin, rivera.id, contact_on(demo, rivera).id, True
        )


def test_a_customer_cannot_mark_an_account_manager(demo):
    studio = account_named(demo, STUDIO)
    rae = demo.exec(select(Contact).where(Contact.email == RAE)).one()
    with pytest.raises(NotAllowed):
        account_admin.mark_account_manager(
            demo, _principal(demo, JORDAN, STUDIO), studio.id, rae.id, True
        )


def test_a_principal_with_an_unknown_view_sees_nothing(demo):
    pat = _principal(demo)
    odd = Principal.customer(pat.account_id, pat.contact_id, view="admin")
    with pytest.raises(NotAllowed):
        documents.list_documents(demo, odd)


def test_every_account_read_goes_through_the_view_check():
    """Default-deny: only services/access.py calls account_for, after require_view; any other
    service reaching the account directly would open it to a limited contact."""
    from clientcenter.settings import PROJECT_ROOT

    callers = [
        path.relative_to(PROJECT_ROOT).as_posix()
        for path in (PROJECT_ROOT / "clientcenter").rglob("*.py")
        if "account_for(" in path.read_text().replace("def account_for(", "")
    ]
    assert callers == ["clientcenter/services/access.py"]
