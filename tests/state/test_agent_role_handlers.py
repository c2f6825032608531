"""The permission table on the server, handler by handler: an agent whose role may not do
something calls the page's handler directly (as a forged websocket event would) and is
refused with the table's message, and nothing changes. Demo data, SQLite and PostgreSQL."""

from __future__ import annotations

from sqlmodel import select

from clientcenter import routes
from clientcenter.models import Document, Invoice, OutboxMessage
from clientcenter.models.activity import OutboxStatus
from clientcenter.services.agency.roles import Permission, refusal
from clientcenter.state.agency.actions import AgentPublishState, AgentShareState
from clientcenter.state.agency.desk import AgentAccountState, AgentState
from clientcenter.state.agency.queues import AgentOutboxState, AgentTasksState
from tests.support.demo import PRIYA, RIVERA, ROBIN, account_named
from tests.support.handlers import page_state, settle
from tests.support.logins import agent_session


def _unpublished_invoice(db, account_id: int) -> Invoice:
    invoice = db.exec(select(Invoice).where(Invoice.account_id == account_id)).first()
    invoice.published = False
    db.commit()
    return invoice


def test_an_auditor_publishing_over_the_websocket_is_refused_and_nothing_changes(demo):
    rivera = account_named(demo, RIVERA)
    invoice = _unpublished_invoice(demo, rivera.id)
    cookie = agent_session(demo, email=ROBIN).cookie
    state = page_state(AgentPublishState, cookie, path=routes.AGENT_PUBLISH, id=rivera.id)
    settle(state.open_page())
    assert state.error == refusal(Permission.PUBLISH) and state.invoices == []
    state.account_id = str(rivera.id)  # a forged tab skips the page and sends the event
    settle(state.publish({f"invoice-{invoice.id}": "on"}))
    assert state.error == refusal(Permission.PUBLISH) and state.notice == ""
    demo.expire_all()
    assert demo.get(Invoice, invoice.id).published is False


def test_an_auditor_sharing_or_opening_the_read_only_view_is_refused(demo):
    rivera = account_named(demo, RIVERA)
    doc = demo.exec(select(Document).where(Document.account_id == rivera.id)).first()
    doc.shared_with_customer = False
    demo.commit()
    cookie = agent_session(demo, email=ROBIN).cookie
    share = page_state(AgentShareState, cookie, path=routes.AGENT_SHARE, id=rivera.id)
    share.account_id = str(rivera.id)
    settle(share.share({"document_id": str(doc.id), "channel": "email"}))
    assert share.error == refusal(Permission.SHARE_DOCUMENTS)
    pane = page_state(AgentAccountState, cookie, path=routes.AGENT_ACCOUNT, id=rivera.id)
    settle(pane.open_page())
    assert pane.name == rivera.name  # the auditor reads the pane
    assert settle(pane.open_client_center()) is None
    assert pane.error == refusal(Permission.READ_ONLY_VIEW)
    demo.expire_all()
    assert demo.get(Document, doc.id).shared_with_customer is False


def test_a_producer_retrying_a_failed_message_is_refused(demo):
    message = OutboxMessage(
        dedupe_key="roles-test-failed",
        channel="email",
        recipient_kind="customer",
        to_address="bounced@example.com",
        template="agency.share_document_email",
        subject="A document",
        status=OutboxStatus.FAILED,
        attempts=5,
    )
    demo.add(message)
    demo.commit()
    cookie = agent_session(demo, email=PRIYA).cookie
    state = page_state(AgentOutboxState, cookie, path=routes.AGENT_OUTBOX)
    settle(state.retry(message.id))
    assert state.error == refusal(Permission.FAILED_MESSAGES)
    demo.expire_all()
    assert demo.get(OutboxMessage, message.id).status == OutboxStatus.FAILED


def test_the_page_guard_tells_the_pages_what_the_role_allows(demo):
    guard = AgentState.event_handlers["require_agent_login"].fn
    seen = {}
    for email in (ROBIN, PRIYA):
        state = page_state(AgentState, agent_session(demo, email=email).cookie, path="/agent")
        settle(guard(state))
        seen[email] = set(state.permissions)
    assert Permission.READ_ONLY_VIEW not in seen[ROBIN] and Permission.AUDIT_TRAIL in seen[ROBIN]
    assert Permission.PUBLISH in seen[PRIYA] and Permission.FAILED_MESSAGES not in seen[PRIYA]


def test_a_queue_page_the_role_may_not_use_opens_on_the_refusal(demo):
    robin = agent_session(demo, email=ROBIN).cookie
    queue = page_state(AgentTasksState, robin, path=routes.AGENT_TASKS)
    settle(queue.open_page())
    assert queue.error == refusal(Permission.TASK_QUEUE) and queue.rows == []
    priya = agent_session(demo, email=PRIYA).cookie
    failures = page_state(AgentOutboxState, priya, path=routes.AGENT_OUTBOX)
    settle(failures.open_page())
    assert failures.error == refusal(Permission.FAILED_MESSAGES) and failures.rows == []
