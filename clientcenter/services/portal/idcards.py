"""Auto ID cards: a proof-of-insurance card per vehicle, as one branded PDF.

Only active auto policies on the principal's own account have ID cards; a vehicle id that is
not on that policy is refused as absent, never silently dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlmodel import Session, select

from clientcenter.models import Account, Policy, Vehicle
from clientcenter.models.base import utcnow
from clientcenter.models.policies import POLICY_LINES, PolicyStatus
from clientcenter.services.errors import InvalidInput, NotAllowed, NotFound
from clientcenter.services.files.pdf import BrandedPDF, pdf_text
from clientcenter.services.notify.activity import record_action
from clientcenter.services.portal.documents import FileToSend
from clientcenter.services.portal.id_card_view import in_force, named_insureds
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
    if not in_force(policy, utcnow().date()):
        raise NotAllowed("ID cards are only available during the policy's term.")
    return policy


def _vehicles(session: Session, policy_id: int) -> list[Vehicle]:
    """The policy's vehicles we may make a card for: not those garaged in a carrier-only state
    (their card is the carrier's document, services/portal/id_card_view.py)."""
    carrier_only = set(get_settings().wallet.carrier_only_states)
    return [
        v
        for v in session.exec(
            select(Vehicle).where(Vehicle.policy_id == policy_id).order_by(Vehicle.id)
        ).all()
        if (v.garaging_state or "").upper() not in carrier_only
    ]


def id_card_policies(session: Session, principal: Principal) -> list[IdCardPolicy]:
    """Every active auto policy on the account with the vehicles it can print cards for."""
    from clientcenter.services.access import account_in_view

    account = account_in_view(session, principal, area="documents")
    today = utcnow().date()
    policies = [
        p
        for p in session.exec(
            select(Policy)
            .where(
                Policy.account_id == account.id,
                Policy.status == PolicyStatus.ACTIVE,
                Policy.line.in_(AUTO_LINES),
            )
            .order_by(Policy.number)
        ).all()
        if in_force(p, today)
    ]
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
        raise NotFound("There are no vehicles on this policy we can make a card for.")
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
    data = render_id_cards(policy, vehicles, named_insureds(session, policy, account.name))
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
# One card per vehicle at the size of a wallet card (3.375 x 2.125 in), two cards to a Letter
# page, each beside its back so it can be cut out along the dashed line and folded.

CARD_W, CARD_H = 85.725, 53.975  # millimetres
CARDS_PER_PAGE = 2
_BAND = (38, 50, 56)  # dark slate, prints well in grayscale too
_GRAY = (96, 100, 108)


def render_id_cards(policy: Policy, vehicles: list[Vehicle], insureds: list[str]) -> bytes:
    branding = get_settings().branding
    pdf = BrandedPDF(
        branding, f"{POLICY_LINES.get(policy.line, policy.line)} - Proof of Insurance"
    )
    pdf.set_auto_page_break(False)
    insureds = ", ".join(insureds)
    for index, vehicle in enumerate(vehicles):
        if index and index % CARDS_PER_PAGE == 0:
            pdf.add_page()
        if index % CARDS_PER_PAGE == 0:
            pdf.paragraph(
                "Cut along the dashed line and fold in the middle: the card fits a wallet. "
                "Keep it in the vehicle and show it to law enforcement on request and after "
                "an accident. It is not valid after its expiration date or if the policy is "
                "cancelled."
            )
            top = pdf.get_y() + 2
        y = top + (index % CARDS_PER_PAGE) * (CARD_H + 14)
        x = pdf.l_margin
        _cut_line(pdf, x - 3, y - 3, 2 * CARD_W + 6, CARD_H + 6)
        _draw_front(pdf, branding, policy, vehicle, insureds, x, y)
        _draw_back(pdf, branding, x + CARD_W, y)
    return pdf.to_bytes()


def _cut_line(pdf: BrandedPDF, x: float, y: float, w: float, h: float) -> None:
    pdf.set_draw_color(150, 150, 150)
    pdf.set_line_width(0.2)
    pdf.set_dash_pattern(dash=1.5, gap=1.2)
    pdf.rect(x, y, w, h)
    pdf.line(x + w / 2, y, x + w / 2, y + h)  # the fold
    pdf.set_dash_pattern()


def _label(pdf: BrandedPDF, x: float, y: float, w: float, text: str) -> None:
    pdf.set_xy(x, y)
    pdf.set_font("Helvetica", "B", 5.5)
    pdf.set_text_color(*_GRAY)
    pdf.cell(w, 2.6, pdf_text(text.upper()))


def _value(pdf, x, y, w, text, *, size=8.0, font="Helvetica", style="B") -> None:
    pdf.set_xy(x, y)
    pdf.set_font(font, style, size)
    pdf.set_text_color(0, 0, 0)
    value = pdf_text(text)
    while size > 5 and pdf.get_string_width(value) > w:  # long names shrink, never spill
        size -= 0.25
        pdf.set_font(font, style, size)
    pdf.cell(w, 4, value)


def _draw_front(pdf, branding, policy: Policy, vehicle: Vehicle, insureds, x, y) -> None:
    pdf.set_draw_color(*_BAND)
    pdf.set_line_width(0.4)
    pdf.rect(x, y, CARD_W, CARD_H, round_corners=True, corner_radius=3)
    pdf.set_fill_color(*_BAND)
    pdf.rect(x, y, CARD_W, 12, style="F", round_corners=("TOP_LEFT", "TOP_RIGHT"), corner_radius=3)
    pdf.set_text_color(255, 255, 255)
    pdf.set_xy(x + 3, y + 1.2)
    pdf.set_font("Helvetica", "B", 5.5)
    pdf.cell(CARD_W - 6, 3, pdf_text("INSURANCE IDENTIFICATION CARD"))
    pdf.set_xy(x + 3, y + 4.2)
    pdf.set_font("Helvetica", "B", 9.5)
    pdf.cell(CARD_W - 30, 4.5, pdf_text(policy.carrier))
    pdf.set_xy(x + 3, y + 8.2)
    pdf.set_font("Helvetica", "", 6.5)
    naic = f"NAIC {policy.carrier_naic}" if policy.carrier_naic else "NAIC number not on file"
    pdf.cell(CARD_W - 6, 3, pdf_text(naic))
    half = (CARD_W - 6) / 2
    left, right = x + 3, x + 3 + half + 1
    rows = y + 13.5
    _label(pdf, left, rows, half, "Policy number")
    _value(pdf, left, rows + 2.4, half, policy.number, size=9)
    _label(pdf, right, rows, half, "Effective - Expires")
    _value(
        pdf,
        right,
        rows + 2.4,
        half - 1,
        f"{policy.effective_date:%m/%d/%Y} - {policy.expiration_date:%m/%d/%Y}",
    )
    _label(pdf, left, rows + 8, CARD_W - 6, "Named insured")
    _value(pdf, left, rows + 10.4, CARD_W - 6, insureds)
    _label(pdf, left, rows + 16, CARD_W - 6, "Vehicle")
    _value(pdf, left, rows + 18.4, CARD_W - 6, f"{vehicle.year} {vehicle.make} {vehicle.model}")
    _label(pdf, left, rows + 24, CARD_W - 6, "VIN")
    _value(pdf, left, rows + 26.4, CARD_W - 6, vehicle.vin, size=9, font="Courier")
    pdf.set_xy(x + 3, y + CARD_H - 5.2)
    pdf.set_font("Helvetica", "", 6)
    pdf.set_text_color(*_GRAY)
    pdf.cell(CARD_W - 6, 3, pdf_text(f"{branding.agency_name}  |  {branding.phone}"))
    pdf.set_text_color(0, 0, 0)


def _draw_back(pdf: BrandedPDF, branding, x: float, y: float) -> None:
    pdf.set_draw_color(*_BAND)
    pdf.set_line_width(0.4)
    pdf.rect(x + 0.6, y, CARD_W - 0.6, CARD_H, round_corners=True, corner_radius=3)
    pdf.set_xy(x + 4, y + 3)
    pdf.set_font("Helvetica", "B", 7.5)
    pdf.cell(CARD_W - 8, 4, pdf_text("In case of an accident"), new_x="LEFT", new_y="NEXT")
    pdf.set_font("Helvetica", "", 6.5)
    steps = (
        "1. Make sure everyone is safe; call 911 if anyone is hurt.",
        "2. Exchange names, insurance and plate numbers with the other drivers.",
        "3. Take photos of the vehicles, the scene and any damage.",
        "4. Do not admit fault. Report the claim to your agency or insurance company.",
    )
    for step in steps:
        pdf.set_x(x + 4)
        pdf.multi_cell(CARD_W - 8, 3.1, pdf_text(step), new_x="LEFT", new_y="NEXT")
    pdf.set_xy(x + 4, y + CARD_H - 13)
    pdf.set_font("Helvetica", "B", 7)
    pdf.cell(CARD_W - 8, 3.5, pdf_text(branding.agency_name), new_x="LEFT", new_y="NEXT")
    pdf.set_font("Helvetica", "", 6.5)
    pdf.cell(CARD_W - 8, 3.2, pdf_text(branding.phone), new_x="LEFT", new_y="NEXT")
    pdf.cell(CARD_W - 8, 3.2, pdf_text(branding.email))
