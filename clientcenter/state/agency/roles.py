"""State of the permission table page (/agent/admin/roles): which role the signed-in agent has,
so the page can say what it allows them. The table itself is code (services/agency/roles.py)."""

from __future__ import annotations

import reflex as rx

from clientcenter.db import session_scope
from clientcenter.services.agency.agents import role_label, signed_in_agent
from clientcenter.state.agency.desk import AgentState
from clientcenter.state.base import off_loop


class AgentRolesState(AgentState):
    role: str = ""  # a Role value: the column of the signed-in agent
    role_label: str = ""

    @rx.event
    @off_loop
    def open_page(self):
        principal = self._require_agent()
        with session_scope() as db:
            agent = signed_in_agent(db, principal)
            self.role, self.role_label = agent.role, role_label(agent)
