"""Who is acting. Built from a verified session on every request, never from client state."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True)
class Principal:
    kind: Literal["customer", "agent", "holder"]
    account_id: int | None = None  # the customer account in view (None: agency side)
    contact_id: int | None = None  # the customer contact acting
    agent_id: int | None = None  # the agent acting (read-only view or agency side)
    read_only: bool = False
    session_id: int | None = None
    # What a customer contact may see (models.accounts.ContactSees), read from their contact
    # row each time the session becomes a principal; services/access.py enforces it.
    view: str = "everything"
    # Where this request came from, when the caller knows it (state/base.py, the HTTP
    # routes): the audit trail records it. Not part of who is acting.
    client_ip: str = field(default="", compare=False)
    # A call of the REST API: the key that made it, its name (for the audit trail) and its
    # scopes. The key acts on the agency side for the administrator who created it.
    api_key_id: int | None = None
    api_key_name: str = field(default="", compare=False)
    api_scopes: frozenset[str] = frozenset()

    @classmethod
    def customer(
        cls,
        account_id: int,
        contact_id: int,
        session_id: int | None = None,
        view: str = "everything",
    ):
        return cls(
            "customer",
            account_id=account_id,
            contact_id=contact_id,
            session_id=session_id,
            view=view or "everything",
        )

    @classmethod
    def agent_viewing(cls, agent_id: int, account_id: int, session_id: int | None = None):
        """An agent in a customer's Client Center: read-only by construction."""
        return cls(
            "agent",
            account_id=account_id,
            agent_id=agent_id,
            read_only=True,
            session_id=session_id,
        )

    @classmethod
    def agency(cls, agent_id: int, session_id: int | None = None):
        return cls("agent", agent_id=agent_id, session_id=session_id)

    @classmethod
    def api_key(
        cls, key_id: int, name: str, scopes: frozenset[str], agent_id: int, client_ip: str = ""
    ):
        """A REST API call: never more than the key's scopes, nor than its creator's role."""
        return cls(
            "agent",
            agent_id=agent_id,
            client_ip=client_ip,
            api_key_id=key_id,
            api_key_name=name,
            api_scopes=frozenset(scopes),
        )

    @classmethod
    def certificate_holder(cls, account_id: int):
        """Whoever holds a certificate link the agency sent: no login, no contact, no agent.
        Only the holder section's actions accept it (record_action)."""
        return cls("holder", account_id=account_id)

    @property
    def is_holder(self) -> bool:
        return self.kind == "holder"

    @property
    def is_customer(self) -> bool:
        return self.kind == "customer"

    @property
    def is_agent(self) -> bool:
        return self.kind == "agent"

    @property
    def is_api_key(self) -> bool:
        return self.api_key_id is not None
