"""What a delivery backend is: send one message, and (where the provider allows) find out
whether an earlier attempt of the same message was already accepted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class Outgoing:
    """A detached copy of an outbox row: backends never touch the database session."""

    id: int
    dedupe_key: str
    channel: str
    to_address: str
    to_name: str
    subject: str
    body_text: str
    body_html: str
    sensitive: bool
    created_at: datetime
    webhook_endpoint_id: int | None = None  # a webhook delivery's endpoint


@dataclass(frozen=True)
class Accepted:
    provider_message_id: str


@dataclass(frozen=True)
class Retry:
    """429, 5xx, timeout, connection trouble: try again later."""

    error: str
    retry_after: float | None = None


@dataclass(frozen=True)
class Rejected:
    """The provider refused the message itself (4xx): trying again cannot help."""

    error: str


SendResult = Accepted | Retry | Rejected


class Backend(Protocol):
    name: str

    def send(self, message: Outgoing) -> SendResult: ...

    def find_accepted(self, message: Outgoing) -> str | None:
        """The provider's id if an earlier attempt of ``message`` was accepted, else None.
        Raises LookupUnavailable when the provider cannot tell."""
        ...


class LookupUnavailable(Exception):
    """The provider cannot say whether it already accepted a message."""


def short_error(text: str) -> str:
    return " ".join(str(text).split())[:480]
