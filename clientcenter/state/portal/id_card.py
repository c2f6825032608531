"""The ID card page (routes.ID_CARD): every insured vehicle's card on screen, its PDF, the
carrier's card where only the carrier may issue it, and the wallet buttons when configured.

Loading the page records the view (once per view: services/portal/id_card_view.py) and, for
a customer, asks the service worker to keep a copy for offline use (assets: /sw.js).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import reflex as rx

from clientcenter.db import session_scope
from clientcenter.services.errors import ServiceError
from clientcenter.services.portal import documents, id_card_view
from clientcenter.services.wallet import google_wallet
from clientcenter.settings import get_settings
from clientcenter.state.base import PortalState, off_loop
from clientcenter.state.downloads import parse_id, start_download, start_id_cards

# Tell the service worker (if the browser has one for us) to fetch and keep the cards now.
SAVE_FOR_OFFLINE = rx.call_script(
    "navigator.serviceWorker && navigator.serviceWorker.ready.then("
    "r => r.active && r.active.postMessage('save-cards')).catch(() => {})"
)


@dataclass
class CarrierCardRow:
    document_id: int = 0
    title: str = ""


@dataclass
class CardRow:
    policy_id: int = 0
    vehicle_id: int = 0
    carrier: str = ""
    naic: str = ""
    policy_number: str = ""
    effective: str = ""
    expires: str = ""
    named_insureds: str = ""
    vehicle: str = ""
    vin: str = ""
    agency_name: str = ""
    agency_phone: str = ""
    garaging_state: str = ""
    carrier_only: bool = False
    carrier_cards: list[CarrierCardRow] = field(default_factory=list)
    google_url: str = ""


class IdCardState(PortalState):
    loaded: bool = False
    error: str = ""
    action_error: str = ""
    cards: list[CardRow] = []
    apple_wallet: bool = False

    @rx.event
    @off_loop
    def load(self):
        principal = self._require_account_principal()
        wallet = get_settings().wallet
        try:
            with session_scope() as db:
                cards = id_card_view.id_cards(db, principal)
                id_card_view.record_view(db, principal, cards)
        except ServiceError as exc:
            self.error, self.loaded = exc.message, True
            return None
        self.error = self.action_error = ""
        self.apple_wallet = wallet.apple_configured
        self.cards = [
            CardRow(
                policy_id=c.policy_id,
                vehicle_id=c.vehicle_id,
                carrier=c.carrier,
                naic=c.naic,
                policy_number=c.policy_number,
                effective=c.effective,
                expires=c.expires,
                named_insureds=", ".join(c.named_insureds),
                vehicle=c.vehicle,
                vin=c.vin,
                agency_name=c.agency_name,
                agency_phone=c.agency_phone,
                garaging_state=c.garaging_state,
                carrier_only=c.carrier_only,
                carrier_cards=[CarrierCardRow(d.document_id, d.title) for d in c.carrier_cards],
                google_url=(
                    google_wallet.save_url(c)
                    if wallet.google_configured and not c.carrier_only
                    else ""
                ),
            )
            for c in cards
        ]
        self.loaded = True
        # An agent's read-only view is not the customer's phone: nothing is kept there.
        return None if principal.is_agent else SAVE_FOR_OFFLINE

    @rx.event
    @off_loop
    def download_pdf(self, policy_id: int, vehicle_id: int):
        principal = self._require_account_principal()
        download, self.action_error = start_id_cards(
            principal, policy_id, [parse_id(vehicle_id) or -1]
        )
        return download

    @rx.event
    @off_loop
    def download_carrier_card(self, document_id: int):
        principal = self._require_account_principal()
        try:
            with session_scope() as db:
                item = documents.get_document(db, principal, parse_id(document_id) or 0)
        except ServiceError as exc:
            self.action_error = exc.message
            return None
        return start_download(principal, "document", item.id)

    @rx.event
    @off_loop
    def download_pass(self, vehicle_id: int):
        """The Apple Wallet pass of one card (when the agency configured its certificate)."""
        principal = self._require_account_principal()
        from clientcenter.services.wallet import apple_pass

        try:
            with session_scope() as db:
                checked = apple_pass.check_request(db, principal, parse_id(vehicle_id) or 0)
        except ServiceError as exc:
            self.action_error = exc.message
            return None
        return start_download(principal, "pkpass", checked)
