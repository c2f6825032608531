"""The agent's desk, service by service: info pane, activity log, task queue, Invite to Client
Center, and the agency-side actions (share document, publish, share certificate) with their
matrix effects and refusals."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from sqlmodel import Session, select

from clientcenter.models import (
    Account,
    ActivityLog,
    Certificate,
    Contact,
    Document,
    Invoice,
    OutboxMessage,
    Task,
)
from clientcenter.services.agency import actions as agency_actions
from clientcenter.services.agency import certificate_links, invite, tasks
from clientcenter.services.agency.info_pane import info_pane
from clientcenter.services.errors import InvalidInput, NotAllowed, NotFound
from clientcenter.services.notify.activity import record_action
from clientcenter.services.portal import shared_document_links
from clientcenter.services.portal.activity_feed import activity_page
from clientcenter.services.principal import Principal
from tests.support.demo import (
    AGENT,
    AVA,
    ELLIS,
    GRACE,
    KIM,
    MORGAN,
    PAT,
    PRIYA,
    QUINN,
    RAE,
    RIVERA,
    SAM,
    STUDIO,
    account_named,
    agency_agent,
    customer,
)


def _contact(db: Session, email: str) -> Contact:
    return db.exec(select(Contact).where(Contact.email == email)).one()


def _outbox(db: Session, account_id: int) -> list[OutboxMessage]:
    return list(
        db.exec(
            select(OutboxMessage)
            .where(OutboxMessage.account_id == account_id)
            .order_by(OutboxMessage.id)
        ).all()
    )


# --- info pane -----------------------------------------------------------------------------


def test_info_pane_shows_the_whole_account(demo):
    rivera = account_named(demo, RIVERA)
    record_action(
        demo,
        customer(demo, SAM),
        "customer.general_request",
        summary="Please add my new car",
    )
    demo.commit()
    pane = info_pane(demo, agency_agent(demo), rivera.id)
    assert pane.name == RIVERA and pane.active and pane.producer == "Alex Morgan"
    assert [(c.name, c.role_label, c.may_log_in) for c in pane.contacts] == [
        ("Pat Rivera", "Primary applicant", True),
        ("Sam Rivera", "Co-applicant", True),
        ("Ava Rivera", "Additional contact", False),
    ]
    assert pane.contacts[0].phone == "(207) 555-0101"
    assert [p.status for p in pane.policies] == ["active", "active", "expired"]
    assert len(pane.open_invoices) == 2 and all(i.status == "open" for i in pane.open_invoices)
    assert pane.recent_activity[0].label == "Sam Rivera sent a request"
    assert pane.recent_activity[0].actor == "Sam Rivera"
    assert [t.title for t in pane.open_tasks] == ["Sam Rivera sent a request"]
    assert pane.documents and all(d.category for d in pane.documents)
    assert pane.last_invited == ""
    lee = info_pane(demo, agency_agent(demo), account_named(demo, STUDIO).id)
    assert {c.holder for c in lee.certificates} == {
        "Exchange Street Properties LLC",
        "City of Portland",
    }
    assert not info_pane(demo, agency_agent(demo), account_named(demo, QUINN).id).active


def test_info_pane_is_for_agency_side_agents_only(demo):
    rivera = account_named(demo, RIVERA)
    for principal in [
        customer(demo, PAT),
        Principal.agent_viewing(agency_agent(demo).agent_id, rivera.id),
    ]:
        with pytest.raises(NotAllowed):
            info_pane(demo, principal, rivera.id)
    for bad in [999_999, "x", None]:
        with pytest.raises(NotFound):
            info_pane(demo, agency_agent(demo), bad)


# --- activity log --------------------------------------------------------------------------


def test_activity_log_filters_by_action_and_actor_and_pages(demo):
    rivera = account_named(demo, RIVERA)
    pat, sam = customer(demo, PAT), customer(demo, SAM)
    for _ in range(3):
        record_action(demo, pat, "customer.login_email")
    record_action(demo, sam, "customer.general_request", summary="New car")
    viewing = Principal.agent_viewing(agency_agent(demo).agent_id, rivera.id)
    record_action(demo, viewing, "agent.login")
    demo.commit()
    agent = agency_agent(demo)
    everything = activity_page(demo, agent, rivera.id)
    assert everything.total == 5
    assert everything.rows[0].label == "Alex Morgan opened the customer's Client Center read-only"
    assert "read-only" in everything.rows[0].actor
    logins = activity_page(demo, agent, rivera.id, action="customer.login_email")
    assert (logins.total, {r.actor for r in logins.rows}) == (3, {"Pat Rivera"})
    by_sam = activity_page(demo, agent, rivera.id, actor=f"contact:{sam.contact_id}")
    assert [r.summary for r in by_sam.rows] == ["New car"]
    assert activity_page(demo, agent, rivera.id, actor="agent").total == 1
    assert activity_page(demo, agent, rivera.id, actor="customer").total == 4
    assert (
        activity_page(
            demo,
            agent,
            rivera.id,
            action="customer.login_email",
            actor=f"contact:{sam.contact_id}",
        ).total
        == 0
    )
    page2 = activity_page(demo, agent, rivera.id, per_page=2, page=2)
    assert (len(page2.rows), page2.pages) == (2, 3)
    assert {o.value for o in everything.action_options} == {
        "customer.login_email",
        "customer.general_request",
        "agent.login",
    }
    assert {o.label for o in everything.actor_options} >= {
        "Pat Rivera (customer)",
        "Sam Rivera (customer)",
        "Alex Morgan (agent)",
    }
    with pytest.raises(InvalidInput, match="action"):
        activity_page(demo, agent, rivera.id, action="customer.nope")
    for bad in ["contact:x", "boss", "agent:"]:
        with pytest.raises(InvalidInput, match="who acted"):
            activity_page(demo, agent, rivera.id, actor=bad)
    # Another account's log is its own.
    assert activity_page(demo, agent, account_named(demo, KIM).id).total == 0


# --- tasks ---------------------------------------------------------------------------------


def test_task_queue_done_reopen_reassign(demo):
    pat = customer(demo, PAT)
    record_action(demo, pat, "customer.general_request", summary="one")
    record_action(demo, pat, "customer.contact_us", summary="two")
    demo.commit()
    me, priya = agency_agent(demo), agency_agent(demo, PRIYA)
    queue = tasks.task_queue(demo, me)
    assert [t.title for t in queue.rows] == [
        "Pat Rivera sent a request",
        "Pat Rivera sent the agency a message",
    ]
    first = queue.rows[0]
    done = tasks.complete_task(demo, me, first.id)
    assert done.status == "done"
    assert tasks.task_queue(demo, me).total == 1
    assert [t.id for t in tasks.task_queue(demo, me, status="done").rows] == [first.id]
    assert tasks.reopen_task(demo, me, first.id).status == "open"
    with pytest.raises(InvalidInput, match="active colleague"):
        tasks.reassign_task(demo, me, first.id, 999)
    moved = tasks.reassign_task(demo, me, first.id, priya.agent_id)
    assert moved.assigned_to == "Priya Shah"
    assert tasks.task_queue(demo, me).total == 1
    assert [t.id for t in tasks.task_queue(demo, priya).rows] == [first.id]
    assert tasks.task_queue(demo, me, scope="all").total == 2
    tasks.complete_task(demo, priya, first.id)
    with pytest.raises(InvalidInput, match="Reopen"):
        tasks.reassign_task(demo, me, first.id, me.agent_id)
    with pytest.raises(NotFound):
        tasks.complete_task(demo, me, 424242)
    with pytest.raises(InvalidInput):
        tasks.task_queue(demo, me, status="deleted")
    with pytest.raises(NotAllowed):
        tasks.task_queue(demo, pat)


# --- invite --------------------------------------------------------------------------------


def test_invite_emails_the_login_link_to_contacts_who_may_log_in(demo):
    rivera = account_named(demo, RIVERA)
    result = invite.invite(demo, agency_agent(demo), rivera.id)
    assert result.sent == [
        "Pat Rivera <pat.rivera@example.com>",
        "Sam Rivera <sam.rivera@example.com>",
    ]
    assert result.skipped == ["Ava Rivera: not allowed to log in (their login switch is off)"]
    messages = [m for m in _outbox(demo, rivera.id) if m.template == "portal_invite"]
    assert {m.to_address for m in messages} == {PAT, SAM}
    assert all("Open Client Center: http://localhost:3000/" in m.body_text for m in messages)
    assert "Alex Morgan" in messages[0].body_text
    # Twice in a row does not email twice.
    again = invite.invite(demo, agency_agent(demo), rivera.id)
    assert again.sent == [] and "invited less than 10 minutes ago" in again.message
    assert info_pane(demo, agency_agent(demo), rivera.id).last_invited


def test_invite_refusals_say_why(demo):
    agent = agency_agent(demo)
    casey = account_named(demo, QUINN)
    with pytest.raises(InvalidInput, match="no active policy"):
        invite.invite(demo, agent, casey.id)
    sam = _contact(demo, SAM)
    sam.email = None
    demo.commit()
    with pytest.raises(InvalidInput, match="Sam Rivera can't be invited: no email address"):
        invite.invite(demo, agent, sam.account_id, [sam.id])
    ava = _contact(demo, AVA)
    with pytest.raises(InvalidInput, match="login switch is off"):
        invite.invite(demo, agent, ava.account_id, [ava.id])
    other = _contact(demo, GRACE)
    with pytest.raises(NotFound):
        invite.invite(demo, agent, sam.account_id, [other.id])
    morgan = _contact(demo, MORGAN)
    morgan.email = None
    demo.commit()
    with pytest.raises(InvalidInput, match="Nobody on Morgan Ellis can be invited"):
        invite.invite(demo, agent, morgan.account_id)
    assert [
        m for m in demo.exec(select(OutboxMessage)).all() if m.template == "portal_invite"
    ] == []
    with pytest.raises(NotAllowed):
        invite.invite(demo, customer(demo, PAT), sam.account_id)


# --- share document ------------------------------------------------------------------------


def _private_document(db: Session, account: Account) -> Document:
    doc = db.exec(select(Document).where(Document.account_id == account.id)).first()
    doc.shared_with_customer = False
    db.commit()
    return doc


def test_share_document_by_email_and_by_text(demo):
    agent = agency_agent(demo)
    rivera = account_named(demo, RIVERA)
    doc = _private_document(demo, rivera)
    done = agency_actions.share_document(demo, agent, rivera.id, doc.id, "email")
    demo.commit()
    assert "shared with Pat & Sam Rivera by email" in done.message
    assert demo.get(Document, doc.id).shared_with_customer
    entry = demo.get(ActivityLog, done.activity_id)
    assert (entry.action_key, entry.actor_agent_id, entry.channel) == (
        "agency.share_document_email",
        agent.agent_id,
        "email",
    )
    sent = _outbox(demo, rivera.id)
    assert {(m.recipient_kind, m.channel, m.to_address) for m in sent} == {
        ("agent", "email", AGENT),
        ("customer", "email", PAT),
    }
    to_customer = next(m for m in sent if m.recipient_kind == "customer")
    assert "/shared/" in to_customer.body_text and doc.title in to_customer.body_text

    done = agency_actions.share_document(demo, agent, rivera.id, doc.id, "sms")
    demo.commit()
    text = next(m for m in _outbox(demo, rivera.id) if m.channel == "sms")
    assert text.to_address == "+12075550101" and "/shared/" in text.body_text
    assert demo.get(ActivityLog, done.activity_id).action_key == "agency.share_document_text"
    assert demo.exec(select(Task).where(Task.account_id == rivera.id)).all() == []  # no T column


def test_share_document_refusals_change_nothing(demo):
    agent = agency_agent(demo)
    morgan = account_named(demo, ELLIS)  # email only
    doc = _private_document(demo, morgan)
    with pytest.raises(InvalidInput, match="no mobile number on file: share by email"):
        agency_actions.share_document(demo, agent, morgan.id, doc.id, "sms")
    casey = account_named(demo, QUINN)
    with pytest.raises(InvalidInput, match="no active policy"):
        agency_actions.share_document(
            demo, agent, casey.id, _private_document(demo, casey).id, "email"
        )
    other = account_named(demo, KIM)
    with pytest.raises(NotFound):
        agency_actions.share_document(demo, agent, other.id, doc.id, "email")
    with pytest.raises(InvalidInput, match="email or by text"):
        agency_actions.share_document(demo, agent, morgan.id, doc.id, "fax")
    doc.scan_status = "pending"
    demo.commit()
    with pytest.raises(InvalidInput, match="safety check"):
        agency_actions.share_document(demo, agent, morgan.id, doc.id, "email")
    demo.rollback()
    assert not demo.get(Document, doc.id).shared_with_customer
    assert demo.exec(select(ActivityLog)).all() == []
    # (the demo agents' setup-link invitations aside)
    assert (
        demo.exec(select(OutboxMessage).where(OutboxMessage.template != "staff_invite")).all()
        == []
    )
    viewing = Principal.agent_viewing(agent.agent_id, morgan.id)
    with pytest.raises(NotAllowed):
        agency_actions.share_document(demo, viewing, morgan.id, doc.id, "email")


def test_shared_link_opens_only_after_login_on_its_account(demo):
    rivera = account_named(demo, RIVERA)
    doc = _private_document(demo, rivera)
    agency_actions.share_document(demo, agency_agent(demo), rivera.id, doc.id, "email")
    demo.commit()
    body = next(m for m in _outbox(demo, rivera.id) if m.recipient_kind == "customer").body_text
    url = next(w for w in body.split() if "/shared/" in w)
    token = urlparse(url).path.split("/shared/")[1]
    assert shared_document_links.open_shared_document(demo, None, token).state == "login"
    jordan = customer(demo, RAE)
    assert shared_document_links.open_shared_document(demo, jordan, token).state == "other_account"
    landing = shared_document_links.open_shared_document(demo, customer(demo, SAM), token)
    assert (landing.state, landing.document_id) == ("open", doc.id)
    assert (
        shared_document_links.open_shared_document(demo, None, token[:-2] + "xx").state
        == "invalid"
    )
    assert shared_document_links.open_shared_document(demo, None, "").state == "invalid"


# --- publish ---------------------------------------------------------------------------------


def test_publish_invoices_and_documents(demo):
    agent = agency_agent(demo)
    rivera = account_named(demo, RIVERA)
    invoice = demo.exec(
        select(Invoice).where(Invoice.account_id == rivera.id, Invoice.status == "open")
    ).first()
    invoice.published = False
    doc = _private_document(demo, rivera)
    ready = agency_actions.publishable(demo, agent, rivera.id)
    assert [i for i, _ in ready.invoices] == [invoice.id] and doc.id in [
        d for d, _ in ready.documents
    ]
    with pytest.raises(InvalidInput, match="at least one"):
        agency_actions.publish_policies_invoices(demo, agent, rivera.id)
    grace_invoice = demo.exec(
        select(Invoice).join(Account, Account.id == Invoice.account_id).where(Account.name == KIM)
    ).first()
    with pytest.raises(NotFound):
        agency_actions.publish_policies_invoices(
            demo, agent, rivera.id, invoice_ids=[invoice.id, grace_invoice.id]
        )
    demo.rollback()
    done = agency_actions.publish_policies_invoices(
        demo, agent, rivera.id, invoice_ids=[invoice.id], document_ids=[doc.id]
    )
    demo.commit()
    assert (
        demo.get(Invoice, invoice.id).published and demo.get(Document, doc.id).shared_with_customer
    )
    entry = demo.get(ActivityLog, done.activity_id)
    assert entry.action_key == "agency.publish_policies_invoices"
    assert {(m.recipient_kind, m.to_address) for m in _outbox(demo, rivera.id)} == {
        ("customer", PAT)
    }  # CE and L only


# --- share certificate ---------------------------------------------------------------------


def test_share_certificate_emails_the_holder_a_working_link(demo):
    agent = agency_agent(demo)
    lee = account_named(demo, STUDIO)
    cert = demo.exec(select(Certificate).where(Certificate.account_id == lee.id)).first()
    done = agency_actions.share_certificate(demo, agent, cert.id, note="For the lease renewal")
    demo.commit()
    messages = _outbox(demo, lee.id)
    holder_mail = next(m for m in messages if m.recipient_kind == "other")
    assert holder_mail.template == "certificate_to_holder"
    assert "For the lease renewal" in holder_mail.body_text
    assert {m.recipient_kind for m in messages} == {"other", "agent", "customer"}
    url = next(w for w in holder_mail.body_text.split() if "/certificate/" in w)
    found = certificate_links.open_for_holder(demo, url.split("/certificate/")[1])
    assert found is not None and b"".join(found.data.chunks).startswith(b"%PDF")
    assert certificate_links.open_for_holder(demo, "nope.nope") is None
    assert demo.get(ActivityLog, done.activity_id).action_key == "agency.share_certificate"
    other = agency_actions.share_certificate(demo, agent, cert.id, email="Broker@Example.com")
    assert "broker@example.com" in other.message
    for bad in ["not-an-email", "a@b"]:
        with pytest.raises(InvalidInput, match="doesn't look like"):
            agency_actions.share_certificate(demo, agent, cert.id, email=bad)
    with pytest.raises(NotFound):
        agency_actions.share_certificate(demo, agent, 99999)
    with pytest.raises(InvalidInput, match="Keep the note"):
        agency_actions.share_certificate(demo, agent, cert.id, note="x" * 501)
