"""Certificate-holder links (issue 11, item 10): the agency can revoke them, they expire after
``security.certificate_link_days``, every download re-checks the link, the policy and the
document, and each download is recorded in the account's activity log. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from clientcenter.http import build_http_app
from clientcenter.models import (
    Account,
    ActivityLog,
    Certificate,
    CertificateLink,
    Document,
    OutboxMessage,
    Policy,
    Task,
)
from clientcenter.models.base import utcnow
from clientcenter.services.agency import actions as agency_actions
from clientcenter.services.agency import certificate_links, info_pane
from clientcenter.services.dates import date_text
from clientcenter.services.errors import InvalidInput, NotAllowed, NotFound, ReadOnlyRefused
from clientcenter.services.principal import Principal
from clientcenter.settings import reset_settings_cache
from tests.support.demo import (
    JORDAN,
    RIVERA,
    STUDIO,
    account_named,
    agency_agent,
    customer,
)
from tests.support.handlers import page_state, settle
from tests.support.logins import agent_session

ORIGIN = "http://localhost:3000"


@pytest.fixture
def client(demo):
    return TestClient(build_http_app(), base_url=ORIGIN, follow_redirects=False)


def _studio(db) -> Account:
    return account_named(db, STUDIO)


def _certificate(db) -> Certificate:
    return db.exec(select(Certificate).where(Certificate.account_id == _studio(db).id)).first()


def _share(db, **kwargs) -> tuple[str, CertificateLink]:
    """Share the studio's certificate; the link's path and its row."""
    done = agency_actions.share_certificate(db, agency_agent(db), _certificate(db).id, **kwargs)
    db.commit()
    mail = db.exec(
        select(OutboxMessage).where(
            OutboxMessage.template == "certificate_to_holder",
            OutboxMessage.activity_id == done.activity_id,
        )
    ).one()
    url = next(w for w in mail.body_text.split() if "/certificate/" in w)
    share = db.exec(
        select(CertificateLink).where(CertificateLink.activity_id == done.activity_id)
    ).one()
    return url.replace(ORIGIN, ""), share


def _downloads(db) -> list[ActivityLog]:
    db.expire_all()
    return list(
        db.exec(
            select(ActivityLog)
            .where(ActivityLog.action_key == "holder.certificate_download")
            .order_by(ActivityLog.id)
        ).all()
    )


def _ok(response) -> bool:
    return response.status_code == 200 and response.content.startswith(b"%PDF")


def _refused(response) -> bool:
    return response.status_code == 404 and "not valid or has expired" in response.text


# --- a stored, revocable link ----------------------------------------------------------------


def test_share_stores_a_link_row_holding_only_the_tokens_hash(demo, client):
    path, share = _share(demo, note="For the lease renewal")
    token = path.rsplit("/", 1)[1]
    assert token not in share.token_hash and len(share.token_hash) == 64
    assert (share.certificate_id, share.account_id) == (_certificate(demo).id, _studio(demo).id)
    assert share.download_count == 0 and share.revoked_at is None
    assert _ok(client.get(path))


def test_agency_revokes_a_link_and_the_holder_gets_nothing(demo, client):
    """Before: a certificate link could not be taken back (a stateless signed value, good for
    30 days whatever happened). After: revoke_link, and the next download is the refusal."""
    path, share = _share(demo)
    assert _ok(client.get(path))
    done = certificate_links.revoke_link(
        demo, agency_agent(demo), share.id, account_id=share.account_id
    )
    demo.commit()
    assert "no longer works" in done.message
    assert _refused(client.get(path))
    assert len(_downloads(demo)) == 1  # the refused one is not a download
    entry = demo.get(ActivityLog, done.activity_id)
    assert entry.action_key == "agency.revoke_certificate_link" and entry.actor_agent_id
    assert (
        demo.exec(select(OutboxMessage).where(OutboxMessage.activity_id == done.activity_id)).all()
        == []
    )  # log-only by default
    with pytest.raises(InvalidInput, match="already revoked"):
        certificate_links.revoke_link(
            demo, agency_agent(demo), share.id, account_id=share.account_id
        )


def test_only_the_agency_side_revokes_and_only_on_the_links_account(demo):
    _path, share = _share(demo)
    rivera = account_named(demo, RIVERA)
    agent_id = agency_agent(demo).agent_id
    with pytest.raises(NotFound):
        certificate_links.revoke_link(demo, agency_agent(demo), share.id, account_id=rivera.id)
    with pytest.raises(NotFound):
        certificate_links.revoke_link(demo, agency_agent(demo), "x", account_id=share.account_id)
    with pytest.raises(ReadOnlyRefused):
        certificate_links.revoke_link(
            demo,
            Principal.agent_viewing(agent_id, share.account_id),
            share.id,
            account_id=share.account_id,
        )
    with pytest.raises(NotAllowed):
        certificate_links.revoke_link(
            demo,
            customer(demo, JORDAN, STUDIO),
            share.id,
            account_id=share.account_id,
        )
    demo.rollback()
    assert demo.get(CertificateLink, share.id).revoked_at is None


def test_the_agency_page_lists_links_and_revokes_one(demo):
    from clientcenter.state.agency.actions import AgentCertificatesState

    path, share = _share(demo)
    state = page_state(
        AgentCertificatesState,
        agent_session(demo).cookie,
        path="/agent/account/certificates",
        id=share.account_id,
    )
    settle(state.open_page())
    assert state.link_days == 30
    [row] = state.links
    assert (row.id, row.status, row.downloads) == (share.id, "active", 0)
    settle(state.revoke(row.id))
    assert "no longer works" in state.notice and state.links[0].status == "revoked"
    settle(state.revoke(row.id))
    assert "already revoked" in state.error


# --- expiry ------------------------------------------------------------------------------------


def test_links_expire_after_the_configured_days(demo, client, monkeypatch):
    """Before: always 30 days (there was no setting: CC_SECURITY__CERTIFICATE_LINK_DAYS stopped
    start-up as unknown). After: the setting decides, and past it the link opens nothing."""
    monkeypatch.setenv("CC_SECURITY__CERTIFICATE_LINK_DAYS", "7")
    reset_settings_cache()
    path, share = _share(demo)
    left = certificate_links._aware(share.expires_at) - utcnow()
    assert timedelta(days=6, hours=23) < left <= timedelta(days=7)
    mail = demo.exec(
        select(OutboxMessage).where(OutboxMessage.template == "certificate_to_holder")
    ).one()
    assert date_text(share.expires_at) in mail.body_text
    assert _ok(client.get(path))
    share.expires_at = utcnow() - timedelta(seconds=1)
    demo.add(share)
    demo.commit()
    assert _refused(client.get(path))


# --- every download re-checks ------------------------------------------------------------------


def _toggle(db, obj, **values):
    for k, v in values.items():
        setattr(obj, k, v)
    db.add(obj)
    db.commit()


def test_every_download_rechecks_document_scan_and_policy(demo, client, monkeypatch):
    """Before: a link kept serving the PDF after the document was unshared, failed its scan, or
    the account lost its last active policy. After: each of these refuses the next download,
    and putting it right makes the same link work again."""
    path, share = _share(demo)
    document = demo.get(Document, _certificate(demo).document_id)
    assert _ok(client.get(path))

    _toggle(demo, document, shared_with_customer=False)
    assert _refused(client.get(path))
    _toggle(demo, document, shared_with_customer=True, scan_status="pending")
    assert _refused(client.get(path))
    _toggle(demo, document, scan_status="clean")
    assert _ok(client.get(path))

    policies = demo.exec(select(Policy).where(Policy.account_id == share.account_id)).all()
    saved = {p.id: p.status for p in policies}
    for p in policies:
        _toggle(demo, p, status="cancelled")
    assert _refused(client.get(path))  # no active policy left on the account
    for p in policies:
        _toggle(demo, p, status=saved[p.id])
    # a certificate for one policy follows that policy
    tied = next(p for p in policies if saved[p.id] == "active")
    _toggle(demo, document, policy_id=tied.id)
    assert _ok(client.get(path))
    _toggle(demo, tied, status="expired")
    assert _refused(client.get(path))
    _toggle(demo, tied, status="active")

    monkeypatch.setenv("CC_FEATURES__CERTIFICATES", "false")
    reset_settings_cache()
    assert _refused(client.get(path))
    monkeypatch.delenv("CC_FEATURES__CERTIFICATES")
    reset_settings_cache()
    assert _ok(client.get(path))
    assert len(_downloads(demo)) == 4  # only the ones that served the PDF


def test_sharing_refuses_a_certificate_the_holder_could_not_open(demo):
    document = demo.get(Document, _certificate(demo).document_id)
    _toggle(demo, document, shared_with_customer=False)
    with pytest.raises(InvalidInput, match="not shared with the customer"):
        agency_actions.share_certificate(demo, agency_agent(demo), _certificate(demo).id)
    demo.rollback()
    assert demo.exec(select(CertificateLink)).all() == []


def test_an_unknown_or_malformed_token_opens_nothing(demo, client):
    path, _share_row = _share(demo)
    for bad in (path[:-4] + "AAAA", "/certificate/nope.nope", "/certificate/" + "x" * 300):
        assert _refused(client.get(bad)), bad
    assert _downloads(demo) == []


# --- each download is in the activity log -----------------------------------------------------


def test_each_download_is_recorded_in_the_accounts_activity_log(demo, client):
    """Before: a holder's download left no trace. After: one holder.certificate_download row
    per download on the account (log-only by default), counted on the link."""
    path, share = _share(demo)
    tasks_before = len(demo.exec(select(Task)).all())
    mails_before = len(demo.exec(select(OutboxMessage)).all())
    assert _ok(client.get(path)) and _ok(client.get(path))
    first, second = _downloads(demo)
    assert (first.account_id, first.actor_kind, first.actor_contact_id, first.actor_agent_id) == (
        share.account_id,
        "holder",
        None,
        None,
    )
    assert first.details["share_id"] == share.id and second.details["download"] == 2
    assert share.holder_name in first.summary and share.to_address in first.summary
    demo.expire_all()
    assert demo.get(CertificateLink, share.id).download_count == 2
    assert len(demo.exec(select(Task)).all()) == tasks_before
    assert len(demo.exec(select(OutboxMessage)).all()) == mails_before
    pane = info_pane.info_pane(demo, agency_agent(demo), share.account_id)
    assert pane.recent_activity[0].actor == "Certificate holder"
    assert (
        pane.recent_activity[0].label
        == "A certificate holder downloaded the certificate of insurance"
    )
    # a HEAD (a mail scanner's preview) is not a download
    assert client.head(path).status_code == 405 and len(_downloads(demo)) == 2


def test_the_holder_principal_records_nothing_else(demo):
    from clientcenter.services.notify.activity import record_action

    holder = Principal.certificate_holder(_studio(demo).id)
    for key in ("customer.certificates_download", "agency.share_certificate", "agent.login"):
        with pytest.raises(NotAllowed):
            record_action(demo, holder, key)
    with pytest.raises(NotAllowed):
        record_action(demo, customer(demo, JORDAN, STUDIO), "holder.certificate_download")
    with pytest.raises(NotFound):
        record_action(demo, holder, "holder.certificate_download", account_id=999999)
