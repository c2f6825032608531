"""A pass's change tag: the last change of what its card prints (the policy, the vehicle, the
policy's drivers), from their ``updated_at``, which ``stamp_updates`` keeps on every ORM
change. Both the web service (services/wallet/passkit.py) and the push sweep
(services/wallet/pass_updates.py) read it; it imports only models, so the relay can."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func
from sqlmodel import Session, select

from clientcenter.models import Driver, Policy, Vehicle


def aware(moment: datetime) -> datetime:
    """In UTC's own tzinfo: SQLite hands back naive datetimes (every stored time is UTC),
    PostgreSQL its session's zone (HTTP dates need datetime.UTC itself)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def tag_of(moment: datetime) -> str:
    """A change tag: microseconds since the epoch, as Wallet keeps it (an opaque string)."""
    return str(int(aware(moment).timestamp() * 1_000_000))


def card_changed_at(session: Session, vehicle: Vehicle) -> datetime:
    """The last change of what the vehicle's card prints."""
    policy = session.get(Policy, vehicle.policy_id)
    drivers = session.exec(
        select(func.max(Driver.updated_at)).where(Driver.policy_id == vehicle.policy_id)
    ).one()
    moments = [vehicle.updated_at, policy.updated_at if policy else None, drivers]
    return max(aware(m) for m in moments if m is not None)
