"""The agent side's pages, registered on the app (clientcenter.py calls ``register``)."""

from __future__ import annotations

import reflex as rx

from clientcenter.pages.agency import (
    account as agent_account,
    actions as agent_actions,
    login as agent_login,
    queues as agent_queues,
)
from clientcenter.pages.agency import search as agent_search
from clientcenter.pages.portal import shared
from clientcenter.settings import get_settings
from clientcenter.state.agency.desk import AgentAccountState, AgentState
from clientcenter.state.agency.actions import (
    AgentCertificatesState,
    AgentPaymentsState,
    AgentPublishState,
    AgentShareState,
)
from clientcenter.state.agency.login import AgentLoginState
from clientcenter.state.agency.queues import (
    AgentActivityState,
    AgentMoreState,
    AgentOutboxState,
    AgentTasksState,
)
from clientcenter.state.portal.shared import SharedDocumentState

# Pages behind the agent sign-in: (route, page, its own on_load).
AGENT_PAGES = [
    ("/agent", agent_search.search_page, None),
    ("/agent/account", agent_account.account_page, AgentAccountState.open_page),
    ("/agent/account/share", agent_actions.share_document_page, AgentShareState.open_page),
    ("/agent/account/publish", agent_actions.publish_page, AgentPublishState.open_page),
    ("/agent/account/certificates", agent_actions.certificates_page, AgentCertificatesState.open_page),
    ("/agent/account/payments", agent_actions.payments_page, AgentPaymentsState.open_page),
    ("/agent/account/activity", agent_queues.activity_page, AgentActivityState.open_page),
    ("/agent/tasks", agent_queues.tasks_page, AgentTasksState.open_page),
    ("/agent/outbox", agent_queues.outbox_page, AgentOutboxState.open_page),
    ("/agent/more", agent_queues.more_page, AgentMoreState.open_page),
]


def register(app: rx.App) -> None:
    branding = get_settings().branding
    title = f"{branding.short_name} · Agents"
    app.add_page(agent_login.agent_login_page, route="/agent/login", title=title,
                 on_load=AgentLoginState.open_page)
    for route, page, load in AGENT_PAGES:
        # The guard first: it leaves for the sign-in page before the page's load runs.
        app.add_page(page, route=route, title=title,
                     on_load=[AgentState.require_agent_login, *([load] if load else [])])
    app.add_page(shared.shared_document_page, route="/shared/[shared_token]",
                 title=f"{branding.agency_name} · Shared document",
                 on_load=SharedDocumentState.open_page)
