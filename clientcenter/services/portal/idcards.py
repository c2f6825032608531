"""Auto ID cards: a proof-of-insurance card per vehicle, as one branded PDF.

Only active auto policies on the principal's own account have ID cards; a vehicle id that is
not on that policy is refused as absent, never silently dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlmodel import Session, select

from clientcenter.models import Account, Policy, Vehicle
from clientcenter.models.policies import POLICY_LINES, PolicyStatus
from clientcenter.services.errors import InvalidInput, NotAllowed, NotFound
from clientcenter.services.files.pdf import BrandedPDF, pdf_text
from clientcenter.services.notify.activity import record_action
from clientcenter.services.portal.documents import FileToSend
from clientcenter.services.portal.policies import (
    AUTO_LINES,
    PolicySummary,
    get_policy_row,
    policy_summary,
)
from clientcenter.services.principal import Principal
from clientcenter.settings import get_settings

MAX_VEHICLES_PER_REQUEST = 50


@dataclass(frozen=True)
class CardVehicle:
    id: int
    label: str
    vin: str


@dataclass(frozen=True)
class IdCardPolicy:
    policy: PolicySummary
    vehicles: list[CardVehicle]


def _card_policy(session: Session, principal: Principal, policy_id: int) -> Policy:
    policy = get_policy_row(session, principal, policy_id)
    if policy.line not in AUTO_LINES:
        raise NotAllowed("ID cards are only issued for auto policies.")
    if policy.status != PolicyStatus.ACTIVE:
        raise NotAllowed("ID cards are only available while the policy is active.")
    return policy


def _vehicles(session: Session, policy_id: int) -> list[Vehicle]:
    return list(
        session.exec(
            select(Vehicle).where(Vehicle.policy_id == policy_id).order_by(Vehicle.id)
        ).all()
    )


def id_card_policies(session: Session, principal: Principal) -> list[IdCardPolicy]:
    """Every active auto policy on the account with the vehicles it can print cards for."""
    from clientcenter.services.access import account_in_view

    account = account_in_view(session, principal, area="documents")
    policies = session.exec(
        select(Policy)
        .where(
            Policy.account_id == account.id,
            Policy.status == PolicyStatus.ACTIVE,
            Policy.line.in_(AUTO_LINES),
        )
        .order_by(Policy.number)
    ).all()
    return [
        IdCardPolicy(
            policy_summary(p),
            [
                CardVehicle(v.id, f"{v.year} {v.make} {v.model}", v.vin)
                for v in _vehicles(session, p.id)
            ],
        )
        for p in policies
    ]


def _chosen_vehicles(
    session: Session, policy: Policy, vehicle_ids: list[int] | tuple[int, ...] | None
) -> list[Vehicle]:
    vehicles = _vehicles(session, policy.id)
    if not vehicles:
        raise NotFound("There are no vehicles on this policy.")
    if not vehicle_ids:
        return vehicles
    if len(vehicle_ids) > MAX_VEHICLES_PER_REQUEST:
        raise InvalidInput("Too many vehicles in one request.", field="vehicles")
    by_id = {v.id: v for v in vehicles}
    wanted = []
    for vid in dict.fromkeys(vehicle_ids):  # keep order, drop repeats
        if vid not in by_id:
            raise NotFound("We couldn't find that vehicle on this policy.")
        wanted.append(by_id[vid])
    return wanted


def check_request(
    session: Session,
    principal: Principal,
    policy_id: int,
    vehicle_ids: list[int] | tuple[int, ...] | None = None,
) -> tuple[int, ...]:
    """Refuse now what :func:`build_id_cards` would refuse, before a link is handed out.
    Returns the vehicle ids the cards will cover."""
    policy = _card_policy(session, principal, policy_id)
    return tuple(v.id for v in _chosen_vehicles(session, policy, vehicle_ids))


def build_id_cards(
    session: Session,
    principal: Principal,
    policy_id: int,
    vehicle_ids: list[int] | tuple[int, ...] | None = None,
) -> FileToSend:
    """The PDF for the chosen vehicles (all when none are chosen); recorded as a download."""
    policy = _card_policy(session, principal, policy_id)
    vehicles = _chosen_vehicles(session, policy, vehicle_ids)
    account = session.get(Account, policy.account_id)
    data = render_id_cards(account, policy, vehicles)
    key = "agent.download_id_cards" if principal.is_agent else "customer.id_card_download"
    record_action(
        session,
        principal,
        key,
        account_id=account.id,
        summary=f"Downloaded ID card(s) for {policy.number}"[:300],
        details={"policy_id": policy.id, "vehicle_ids": [v.id for v in vehicles]},
    )
    suffix = "" if len(vehicles) != 1 else "-" + re.sub(r"[^A-Za-z0-9]+", "-", vehicles[0].make)
    return FileToSend(f"ID-cards-{policy.number}{suffix}.pdf", "application/pdf", data)


# --- the PDF ---------------------------------------------------------------------------------

CARD_W, CARD_H = 171.0, 84.0  # millimetres: two cards fit one Letter page
_BAND = (38, 50, 56)  # dark slate, prints well in grayscale too


def render_id_cards(account: Account, policy: Policy, vehicles: list[Vehicle]) -> bytes:
    branding = get_settings().branding
    pdf = BrandedPDF(
        branding, f"{POLICY_LINES.get(policy.line, policy.line)} - Proof of Insurance"
    )
    for index, vehicle in enumerate(vehicles):
        if index and index % 2 == 0:
            pdf.add_page()
        _draw_card(pdf, branding, account, policy, vehicle)
    pdf.paragraph(
        "Keep this card in the vehicle. Show it to law enforcement on request and "
        "after an accident. It is not valid after the expiration date above or if "
        "the policy is cancelled."
    )
    return pdf.to_bytes()


def _draw_card(
    pdf: BrandedPDF, branding, account: Account, policy: Policy, vehicle: Vehicle
) -> None:
    x, y = pdf.l_margin, pdf.get_y()
    pdf.set_draw_color(*_BAND)
    pdf.set_line_width(0.5)
    pdf.rect(x, y, CARD_W, CARD_H, round_corners=True, corner_radius=4)
    # The title band: what the card is, and who issued it.
    pdf.set_fill_color(*_BAND)
    pdf.rect(x, y, CARD_W, 15, style="F", round_corners=("TOP_LEFT", "TOP_RIGHT"), corner_radius=4)
    pdf.set_text_color(255, 255, 255)
    pdf.set_xy(x + 6, y + 2.5)
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(CARD_W - 12, 6, pdf_text("INSURANCE IDENTIFICATION CARD"), new_x="LEFT", new_y="NEXT")
    pdf.set_font("Helvetica", "", 8.5)
    pdf.cell(CARD_W - 12, 5, pdf_text(branding.agency_name), new_x="LEFT", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.set_y(y + 19)
    rows = [
        ("Insured", account.name),
        ("Insurance company", policy.carrier),
        ("Policy number", policy.number),
        ("Policy term", f"{policy.effective_date:%m/%d/%Y} to {policy.expiration_date:%m/%d/%Y}"),
        ("Vehicle", f"{vehicle.year} {vehicle.make} {vehicle.model}"),
        ("VIN", vehicle.vin),
    ]
    for label, value in rows:
        pdf.set_x(x + 6)
        pdf.set_font("Helvetica", "B", 9.5)
        pdf.cell(40, 7, pdf_text(label))
        pdf.set_font(
            "Courier" if label == "VIN" else "Helvetica", "B" if label == "VIN" else "", 11
        )
        pdf.cell(CARD_W - 52, 7, pdf_text(value), new_x="LMARGIN", new_y="NEXT")
    pdf.set_xy(x + 6, y + CARD_H - 11)
    pdf.set_font("Helvetica", "", 8.5)
    pdf.set_text_color(90, 90, 90)
    pdf.cell(
        CARD_W - 12,
        6,
        pdf_text(f"Questions or an accident? Call {branding.short_name} at {branding.phone}."),
    )
    pdf.set_text_color(0, 0, 0)
    pdf.set_y(y + CARD_H + 6)
