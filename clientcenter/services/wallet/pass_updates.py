"""Which Wallet devices to push, and what the push is (docs/id-cards.md).

Nothing marks a pass by hand: a registration is *due* once its card changed after what the
device was last pushed (``pushed_through``). The change comes from ``updated_at`` of the
policy, the vehicle and the policy's drivers, which ``stamp_updates`` keeps on every ORM
change, whoever made it: an agent's edit, an import, the REST API. So a new writer of those
tables needs no hook here.

The sweep (delivery/apns.py, from the relay every ``wallet.apple_push_seconds``) sends one
APNs request per push token (a device holding several of our passes gets one push, then asks
which changed), then calls :func:`pushed` or :func:`forget`. A failed push leaves the row due,
so the next sweep tries again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, exists, or_
from sqlmodel import Session, col, select

from clientcenter.models import Driver, Policy, Vehicle, WalletRegistration
from clientcenter.services.wallet.change_tags import aware, card_changed_at
from clientcenter.settings import Settings

BATCH = 500  # registrations one sweep looks at; the rest wait for the next


@dataclass(frozen=True)
class PushRequest:
    """One APNs request: HTTP/2 POST, an empty JSON body, the pass type as topic."""

    url: str
    headers: dict[str, str]
    body: bytes = b"{}"


@dataclass
class DuePush:
    push_token: str
    # registration id -> the card's change this push announces
    registrations: dict[int, datetime] = field(default_factory=dict)


def push_request(push_token: str, settings: Settings) -> PushRequest:
    base = str(settings.wallet.apns_url).rstrip("/")
    return PushRequest(
        url=f"{base}/3/device/{push_token}",
        headers={
            "apns-topic": settings.wallet.apple_pass_type_id or "",
            "apns-push-type": "background",  # no alert: Wallet fetches the pass itself
            "apns-priority": "5",
            "content-type": "application/json",
        },
    )


def forget_orphans(session: Session) -> int:
    """Delete registrations whose vehicle is gone (an import removed it): no card to push."""
    orphan = ~exists().where(Vehicle.id == WalletRegistration.vehicle_id)
    result = session.exec(delete(WalletRegistration).where(orphan))
    return result.rowcount or 0


def due_pushes(session: Session, *, limit: int = BATCH) -> list[DuePush]:
    """The push tokens to push now, each with the registrations it announces."""
    reg = WalletRegistration
    changed = or_(
        col(Policy.updated_at) > reg.pushed_through,
        col(Vehicle.updated_at) > reg.pushed_through,
        exists().where(Driver.policy_id == Policy.id, Driver.updated_at > reg.pushed_through),
    )
    rows = session.exec(
        select(reg, Vehicle)
        .join(Vehicle, Vehicle.id == reg.vehicle_id)
        .join(Policy, Policy.id == Vehicle.policy_id)
        .where(changed)
        .order_by(reg.id)
        .limit(limit)
    ).all()
    by_token: dict[str, DuePush] = {}
    for registration, vehicle in rows:
        moment = card_changed_at(session, vehicle)
        if moment <= aware(registration.pushed_through):
            continue  # SQLite compares the stored text: a false positive is skipped here
        due = by_token.setdefault(registration.push_token, DuePush(registration.push_token))
        due.registrations[registration.id] = moment
    return list(by_token.values())


def pushed(session: Session, due: DuePush) -> None:
    """APNs took the push: these registrations are current up to the change announced."""
    for registration_id, moment in due.registrations.items():
        row = session.get(WalletRegistration, registration_id)
        if row is not None and moment > aware(row.pushed_through):
            row.pushed_through = moment
            session.add(row)


def forget(session: Session, push_token: str) -> int:
    """APNs says the token is no longer valid (410, or a bad token): drop its registrations,
    as Apple asks. The device registers again if the pass is still in its Wallet."""
    result = session.exec(
        delete(WalletRegistration).where(WalletRegistration.push_token == push_token)
    )
    return result.rowcount or 0
