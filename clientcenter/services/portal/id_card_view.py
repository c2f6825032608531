"""The on-screen ID card: one card per insured vehicle, with what an officer asks for.

A card exists only while the policy is in force today (active, and today inside its term): a
lapsed or future policy has none. For a vehicle garaged in a carrier-only state
(``settings.wallet.carrier_only_states``, New York by default) nothing is generated: the card
offers the carrier's own ID-card documents on that policy instead.

Opening the cards is the catalog's "ID Card(s) Download" action, recorded once per view: a
refresh (or a reconnect that re-runs the page's load) within ``VIEW_WINDOW`` records nothing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

from sqlmodel import Session, select

from clientcenter.models import Account, ActivityLog, Document, Driver, Policy, Vehicle
from clientcenter.models.base import utcnow
from clientcenter.models.policies import PolicyStatus
from clientcenter.services.notify.activity import record_action
from clientcenter.services.portal.documents import visible_to_customer
from clientcenter.services.portal.policies import AUTO_LINES
from clientcenter.services.principal import Principal
from clientcenter.settings import get_settings

VIEW_WINDOW = timedelta(minutes=15)
VIEW_VIA = "card_view"  # details["via"]: a view of the on-screen card (not the PDF)


@dataclass(frozen=True)
class CarrierCard:
    """A carrier-issued ID card document the customer may download."""

    document_id: int
    title: str


@dataclass(frozen=True)
class IdCard:
    policy_id: int
    vehicle_id: int
    carrier: str
    naic: str  # "" when the carrier's NAIC number is not known
    policy_number: str
    effective: str  # MM/DD/YYYY, as printed cards show it
    expires: str
    expires_on: str  # ISO date: the offline copy hides the card once this has passed
    named_insureds: list[str]
    vehicle: str  # year make model
    vin: str
    agency_name: str
    agency_phone: str
    garaging_state: str = ""
    carrier_only: bool = False  # garaged in a carrier-only state: nothing generated
    carrier_cards: list[CarrierCard] = field(default_factory=list)

    def public(self) -> dict:
        """What the offline copy keeps on the phone: the card's printed facts, nothing else."""
        data = asdict(self)
        data.pop("carrier_cards")
        return data


def in_force(policy: Policy, today: date) -> bool:
    return (
        policy.status == PolicyStatus.ACTIVE
        and policy.effective_date <= today <= policy.expiration_date
    )


def named_insureds(session: Session, policy: Policy, account_name: str) -> list[str]:
    """Personal auto: the drivers listed as named insureds; otherwise (or with none listed)
    the account, which is the named insured of a business policy."""
    if policy.line == "auto":
        drivers = session.exec(
            select(Driver).where(Driver.policy_id == policy.id).order_by(Driver.id)
        ).all()
        names = [
            f"{d.first_name} {d.last_name}".strip()
            for d in drivers
            if d.relationship.strip().lower() == "named insured"
        ]
        if names:
            return names
    return [account_name]


def _carrier_cards(session: Session, policy: Policy) -> list[CarrierCard]:
    docs = session.exec(
        select(Document)
        .where(
            Document.account_id == policy.account_id,
            Document.policy_id == policy.id,
            Document.category == "id_card",
            visible_to_customer(),
        )
        .order_by(Document.created_at.desc(), Document.id.desc())
    ).all()
    return [CarrierCard(d.id, d.title) for d in docs]


def id_cards(session: Session, principal: Principal, *, today: date | None = None) -> list[IdCard]:
    """Every card of the account in view, policy by policy, vehicle by vehicle."""
    from clientcenter.services.access import account_in_view

    account = account_in_view(session, principal, area="documents")
    today = today or utcnow().date()
    carrier_only_states = set(get_settings().wallet.carrier_only_states)
    policies = session.exec(
        select(Policy)
        .where(
            Policy.account_id == account.id,
            Policy.status == PolicyStatus.ACTIVE,
            Policy.line.in_(AUTO_LINES),
        )
        .order_by(Policy.number)
    ).all()
    cards: list[IdCard] = []
    for policy in policies:
        if not in_force(policy, today):
            continue
        vehicles = session.exec(
            select(Vehicle).where(Vehicle.policy_id == policy.id).order_by(Vehicle.id)
        ).all()
        if not vehicles:
            continue
        insureds = named_insureds(session, policy, account.name)
        carrier_docs: list[CarrierCard] | None = None
        for v in vehicles:
            carrier_only = (v.garaging_state or "").upper() in carrier_only_states
            if carrier_only and carrier_docs is None:
                carrier_docs = _carrier_cards(session, policy)
            cards.append(_card(policy, v, insureds, carrier_only_states, carrier_docs or []))
    return cards


def _card(
    policy: Policy,
    v: Vehicle,
    insureds: list[str],
    carrier_only_states: set[str],
    carrier_docs: list[CarrierCard],
) -> IdCard:
    branding = get_settings().branding
    state = (v.garaging_state or "").upper()
    carrier_only = state in carrier_only_states
    return IdCard(
        policy_id=policy.id,
        vehicle_id=v.id,
        carrier=policy.carrier,
        naic=policy.carrier_naic or "",
        policy_number=policy.number,
        effective=f"{policy.effective_date:%m/%d/%Y}",
        expires=f"{policy.expiration_date:%m/%d/%Y}",
        expires_on=policy.expiration_date.isoformat(),
        named_insureds=insureds,
        vehicle=f"{v.year} {v.make} {v.model}",
        vin=v.vin,
        agency_name=branding.agency_name,
        agency_phone=branding.phone,
        garaging_state=state,
        carrier_only=carrier_only,
        carrier_cards=list(carrier_docs) if carrier_only else [],
    )


def card_of_vehicle(
    session: Session, vehicle_id: int, *, today: date | None = None
) -> IdCard | None:
    """The card of one vehicle with no one signed in (Apple Wallet asking for the latest pass
    of a pass it holds): the same card :func:`id_cards` shows, or None when the vehicle is
    gone or its policy is not an auto policy in force today. The caller checks
    ``carrier_only``; carrier documents are not looked up (nothing is offered here)."""
    vehicle = session.get(Vehicle, vehicle_id)
    policy = session.get(Policy, vehicle.policy_id) if vehicle is not None else None
    if policy is None or policy.line not in AUTO_LINES:
        return None
    if not in_force(policy, today or utcnow().date()):
        return None
    account = session.get(Account, policy.account_id)
    insureds = named_insureds(session, policy, account.name if account else "")
    states = set(get_settings().wallet.carrier_only_states)
    return _card(policy, vehicle, insureds, states, [])


def offline_copy(cards: list[IdCard]) -> list[dict]:
    """The cards the phone may keep: generated ones only (a carrier-only state's card is the
    carrier's document, which the phone does not keep)."""
    return [c.public() for c in cards if not c.carrier_only]


def _recently_viewed(session: Session, principal: Principal, key: str, account_id: int) -> set:
    query = select(ActivityLog).where(
        ActivityLog.action_key == key,
        ActivityLog.account_id == account_id,
        ActivityLog.created_at >= utcnow() - VIEW_WINDOW,
    )
    if principal.is_agent:
        query = query.where(ActivityLog.actor_agent_id == principal.agent_id)
    else:
        query = query.where(ActivityLog.actor_contact_id == principal.contact_id)
    return {
        (row.details or {}).get("policy_id")
        for row in session.exec(query).all()
        if (row.details or {}).get("via") == VIEW_VIA
    }


def record_view(session: Session, principal: Principal, cards: list[IdCard]) -> int:
    """Record the view of ``cards`` (one row per policy), unless this person viewed that
    policy's cards within VIEW_WINDOW. Returns how many rows were written."""
    if not cards:
        return 0
    key = "agent.download_id_cards" if principal.is_agent else "customer.id_card_download"
    account_id = principal.account_id
    seen = _recently_viewed(session, principal, key, account_id)
    by_policy: dict[int, list[IdCard]] = {}
    for card in cards:
        by_policy.setdefault(card.policy_id, []).append(card)
    written = 0
    for policy_id, policy_cards in by_policy.items():
        if policy_id in seen:
            continue
        record_action(
            session,
            principal,
            key,
            account_id=account_id,
            summary=f"Viewed ID card(s) for {policy_cards[0].policy_number}"[:300],
            details={
                "policy_id": policy_id,
                "vehicle_ids": [c.vehicle_id for c in policy_cards],
                "via": VIEW_VIA,
            },
        )
        written += 1
    return written
