"""The embedded default: every email and text is kept in the database and shown at
/dev/mailbox (localhost only). The dedupe key is unique there, so a retry never stores a
message twice."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from clientcenter.delivery.base import Accepted, Outgoing, SendResult
from clientcenter.models import DevMailboxMessage


class DevMailbox:
    name = "dev"

    def __init__(self, engine: Engine):
        self._engine = engine

    def send(self, message: Outgoing) -> SendResult:
        row = DevMailboxMessage(
            outbox_id=message.id,
            dedupe_key=message.dedupe_key,
            channel=message.channel,
            to_address=message.to_address,
            subject=message.subject,
            body_text=message.body_text,
            body_html=message.body_html,
        )
        with Session(self._engine) as session:
            session.add(row)
            try:
                session.commit()
            except IntegrityError:  # an earlier attempt already stored it
                session.rollback()
                return Accepted(self.find_accepted(message) or f"dev:{message.dedupe_key}")
            return Accepted(f"dev:{row.id}")

    def find_accepted(self, message: Outgoing) -> str | None:
        with Session(self._engine) as session:
            row = session.exec(
                select(DevMailboxMessage).where(DevMailboxMessage.dedupe_key == message.dedupe_key)
            ).first()
            return f"dev:{row.id}" if row else None


def recent_messages(session: Session, limit: int = 50) -> list[DevMailboxMessage]:
    return list(
        session.exec(
            select(DevMailboxMessage).order_by(DevMailboxMessage.id.desc()).limit(limit)
        ).all()
    )


def format_mailbox(session: Session, limit: int = 10) -> str:
    rows = recent_messages(session, limit)
    if not rows:
        return "the dev mailbox is empty"
    out = []
    for m in rows:
        when = m.created_at.strftime("%Y-%m-%d %H:%M:%S")
        head = f"#{m.id}  {when}  {m.channel.upper():5}  to {m.to_address}"
        out.append(head)
        if m.subject:
            out.append(f"  Subject: {m.subject}")
        lines = [line for line in m.body_text.splitlines() if line.strip()]
        out.extend("  " + line for line in lines[:6])
        out.append("")
    return "\n".join(out).rstrip()
