import pytest
from sqlmodel import func, select

from clientcenter.demo.agency import ACCOUNTS, DemoContact, DemoDataError, load_demo
from clientcenter.models import (
    Account,
    Agent,
    CertificateHolder,
    Contact,
    Document,
    Invoice,
    Policy,
    Proposal,
    Vehicle,
)
from clientcenter.services.accounts import is_account_active, loginable_contacts
from clientcenter.services.files import storage


def count(session, model):
    return session.exec(select(func.count()).select_from(model)).one()


def test_demo_is_rich_and_loading_twice_changes_nothing(demo):
    s = demo
    assert count(s, Agent) >= 3
    assert count(s, Account) >= 12
    kinds = set(s.exec(select(Account.kind)).all())
    assert kinds == {"personal", "commercial"}
    assert len(set(s.exec(select(Policy.line)).all())) >= 6
    assert count(s, Vehicle) >= 5
    assert count(s, CertificateHolder) >= 3 and count(s, Proposal) >= 1
    assert {"open", "paid"} <= set(s.exec(select(Invoice.status)).all())
    before = {m: count(s, m) for m in (Agent, Account, Contact, Policy, Document)}
    assert load_demo(s) is False
    assert {m: count(s, m) for m in before} == before


def test_demo_documents_are_real_pdfs_in_the_private_store(demo):
    doc = demo.exec(select(Document).where(Document.category == "declarations")).first()
    data = storage.read_bytes(doc.storage_key)
    assert data.startswith(b"%PDF") and len(data) == doc.size_bytes


def test_readme_logins(demo):
    pat = loginable_contacts(demo, "Pat.Rivera@example.com ")
    assert len(pat) == 1 and pat[0][0].mobile and pat[0][0].role == "primary"
    assert [
        c.email
        for c in demo.exec(
            select(Contact).where(
                Contact.account_id == pat[0][1].id, Contact.role == "co_applicant"
            )
        ).all()
    ] == ["sam.rivera@example.com"]
    lines = set(
        demo.exec(
            select(Policy.line).where(Policy.account_id == pat[0][1].id, Policy.status == "active")
        ).all()
    )
    assert {"auto", "home"} <= lines
    jordan = loginable_contacts(demo, "jordan.lee@example.com")
    assert sorted(a.kind for _, a in jordan) == ["commercial", "personal"]
    assert loginable_contacts(demo, "casey.quinn@example.com") == []
    morgan = loginable_contacts(demo, "morgan.ellis@example.com")
    assert len(morgan) == 1 and morgan[0][0].mobile is None
    assert demo.exec(select(Agent).where(Agent.email == "agent@example.com")).one()
    # Additional contacts may not log in by default.
    assert loginable_contacts(demo, "ava.rivera@example.com") == []


def test_account_active_iff_it_has_an_active_policy(demo):
    casey = demo.exec(select(Account).where(Account.name == "Casey Quinn")).one()
    assert not is_account_active(demo, casey.id)
    pat = demo.exec(select(Account).where(Account.name == "Pat & Sam Rivera")).one()
    assert is_account_active(demo, pat.id)
    for policy in demo.exec(select(Policy).where(Policy.account_id == pat.id)).all():
        policy.status = "expired"
    demo.flush()
    assert not is_account_active(demo, pat.id)
    assert loginable_contacts(demo, "pat.rivera@example.com") == []


def test_malformed_demo_email_stops_the_load(session, monkeypatch):
    bad = ACCOUNTS[0].__class__(
        **{**ACCOUNTS[0].__dict__, "contacts": [DemoContact("primary", "X", "Y", "x@@bad")]}
    )
    monkeypatch.setattr("clientcenter.demo.agency.ACCOUNTS", [bad])
    with pytest.raises(DemoDataError, match="x@@bad"):
        load_demo(session)
    assert count(session, Agent) == 0


def test_every_demo_agent_has_an_invitation_with_a_live_setup_link(demo):
    from clientcenter.models import OutboxMessage, StaffEnrolmentLink
    from clientcenter.services.agency.roles import Role

    agents = demo.exec(select(Agent)).all()
    assert [a.email for a in agents if a.role == Role.ADMINISTRATOR] == ["agent@example.com"]
    for agent in agents:
        (link,) = demo.exec(
            select(StaffEnrolmentLink).where(StaffEnrolmentLink.agent_id == agent.id)
        ).all()
        assert link.purpose == "invite" and link.used_at is None and link.revoked_at is None
        (mail,) = demo.exec(
            select(OutboxMessage).where(
                OutboxMessage.to_address == agent.email, OutboxMessage.template == "staff_invite"
            )
        ).all()
        assert "/agent/enrol/" in mail.body_text
