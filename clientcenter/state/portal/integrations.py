"""The integrations card: which links this account is offered. Clicks go through the /go/<id>
route (clientcenter/http/routes/integrations.py), which records them before redirecting."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from clientcenter.db import session_scope
from clientcenter.services.errors import ServiceError
from clientcenter.services.portal import integrations
from clientcenter.state.base import PortalState, off_loop


@dataclass
class LinkRow:
    label: str = ""
    detail: str = ""
    href: str = ""


def _rows(views: list[integrations.IntegrationLinkView]) -> list[LinkRow]:
    return [LinkRow(label=v.label, detail=v.carrier, href=v.href) for v in views]


class IntegrationsState(PortalState):
    consumer: list[LinkRow] = []
    non_consumer: list[LinkRow] = []
    cross_sell: list[LinkRow] = []

    @rx.event
    @off_loop
    def load(self):
        principal = self._require_account_principal()
        try:
            with session_scope() as db:
                offered = integrations.links_for(db, principal)
        except ServiceError:
            self.consumer, self.non_consumer, self.cross_sell = [], [], []
            return
        self.consumer = _rows(offered.consumer)
        self.non_consumer = _rows(offered.non_consumer)
        self.cross_sell = _rows(offered.cross_sell)
