"""One policy: coverages, vehicles, drivers, and its ID cards. Thin over services."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from clientcenter.db import session_scope
from clientcenter.services.errors import NotFound, ServiceError
from clientcenter.services.portal import policies
from clientcenter.state.base import PortalState, off_loop
from clientcenter.state.downloads import parse_id, start_id_cards
from clientcenter.state.portal.home import PolicyRow, policy_row


@dataclass
class CoverageRow:
    name: str = ""
    limit: str = ""
    deductible: str = ""
    applies_to: str = ""


@dataclass
class VehicleRow:
    id: int = 0
    label: str = ""
    vin: str = ""
    usage: str = ""


@dataclass
class DriverRow:
    name: str = ""
    relationship: str = ""
    license_state: str = ""


class PolicyState(PortalState):
    loaded: bool = False
    error: str = ""
    policy: PolicyRow = PolicyRow()
    coverages: list[CoverageRow] = []
    vehicles: list[VehicleRow] = []
    drivers: list[DriverRow] = []
    selected_vehicles: list[int] = []
    card_error: str = ""
    as_of: str = ""

    @rx.event
    @off_loop
    def load(self):
        principal = self._require_account_principal()
        self.loaded, self.card_error, self.selected_vehicles = False, "", []
        policy_id = parse_id(self.router.page.params.get("policy_id"))
        try:
            if policy_id is None:
                raise NotFound("We couldn't find that policy on your account.")
            with session_scope() as db:
                detail = policies.policy_detail(db, principal, policy_id)
        except ServiceError as exc:
            self.error, self.loaded, self.as_of = exc.message, True, ""
            self.policy, self.coverages, self.vehicles, self.drivers = PolicyRow(), [], [], []
            return
        self.error, self.as_of = "", detail.as_of
        self.policy = policy_row(detail.policy)
        self.coverages = [
            CoverageRow(c.name, c.limit, c.deductible or "—", c.applies_to)
            for c in detail.coverages
        ]
        self.vehicles = [VehicleRow(v.id, v.label, v.vin, v.usage) for v in detail.vehicles]
        self.drivers = [DriverRow(d.name, d.relationship, d.license_state) for d in detail.drivers]
        self.loaded = True

    @rx.event
    @off_loop
    def toggle_vehicle(self, vehicle_id: int, checked: bool):
        """Which vehicles' cards to download (a UI choice; the server re-checks each id)."""
        chosen = [v for v in self.selected_vehicles if v != vehicle_id]
        self.selected_vehicles = chosen + [vehicle_id] if checked else chosen

    @rx.event
    @off_loop
    def download_cards(self, policy_id: int, only_selected: bool):
        principal = self._require_account_principal()
        wanted = list(self.selected_vehicles) if only_selected else None
        if only_selected and not wanted:
            self.card_error = "Choose at least one vehicle, or tap Download all."
            return None
        download, self.card_error = start_id_cards(principal, policy_id, wanted)
        return download
