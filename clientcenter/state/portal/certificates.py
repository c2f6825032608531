"""Certificates page: thin state over services/portal/certificates.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import reflex as rx

from clientcenter.db import session_scope
from clientcenter.services.auth.step_up import SecondFactorNeeded
from clientcenter.services.dates import date_text
from clientcenter.services.errors import NotFound, ServiceError
from clientcenter.services.portal import certificates
from clientcenter.state import form_errors
from clientcenter.state.base import PortalState, off_loop
from clientcenter.state.downloads import start_download
from clientcenter.state.portal.passkeys import PasskeysState


@dataclass
class CertificateRow:
    id: int = 0
    holder: str = ""
    description: str = ""
    issued_on: str = ""


@dataclass
class HolderRow:
    id: int = 0
    name: str = ""
    address: str = ""
    email: str = ""


class CertificatesState(PortalState):
    loaded: bool = False
    error: str = ""
    read_only: bool = False
    certificates: list[CertificateRow] = []
    holders: list[HolderRow] = []
    holder_options: list[list[str]] = []
    field_errors: dict[str, str] = {}
    holder_error: str = ""
    holder_done: str = ""
    request_error: str = ""
    sent_reference: str = ""
    download_error: str = ""

    def _refresh(self, db, principal) -> None:
        self.certificates = [
            CertificateRow(
                c.id,
                c.holder_name or "No named holder",
                c.description,
                f"{date_text(c.issued_on)}",
            )
            for c in certificates.list_certificates(db, principal)
        ]
        self.holders = [
            HolderRow(h.id, h.name, h.address, h.email)
            for h in certificates.list_holders(db, principal)
        ]
        self.holder_options = [[str(h.id), h.name] for h in self.holders]

    @rx.event
    @off_loop
    def load(self):
        principal = self._require_account_principal()
        self.field_errors, self.holder_error, self.holder_done = {}, "", ""
        self.request_error, self.sent_reference, self.download_error = "", "", ""
        try:
            with session_scope() as db:
                self._refresh(db, principal)
        except ServiceError as exc:
            self.error, self.loaded = exc.message, True
            self.certificates, self.holders = [], []
            return
        self.error, self.read_only, self.loaded = "", principal.read_only, True

    @rx.event
    @off_loop
    def download(self, certificate_id: int):
        principal = self._require_account_principal()
        try:
            if not isinstance(certificate_id, int) or isinstance(certificate_id, bool):
                raise NotFound("That certificate is not on your account.")
            with session_scope() as db:
                checked = certificates.check_certificate(db, principal, certificate_id)
        except ServiceError as exc:
            self.download_error = exc.message
            return
        self.download_error = ""
        # A short-lived link bound to this session; the route re-checks and records it.
        return start_download(principal, "certificate", checked)

    def _fail(self, exc: ServiceError, target: str) -> None:
        self.field_errors, message = form_errors.split(exc)
        setattr(self, target, message)

    @rx.event
    @off_loop
    def add_holder(self, form_data: dict[str, Any]):
        principal = self._require_account_principal()
        self.field_errors, self.holder_error, self.holder_done = {}, "", ""
        try:
            with session_scope() as db:
                holder = certificates.add_holder(db, principal, form_data)
                name = holder.name
                self._refresh(db, principal)
        except SecondFactorNeeded as exc:
            # The prompt opens over the form (which keeps what was typed) and adds it after.
            self._fail(exc, "holder_error")
            return PasskeysState.ask_step_up("holder-submit")
        except ServiceError as exc:
            self._fail(exc, "holder_error")
            return
        self.holder_done = f"{name} was added. Your agent has been told."
        return rx.call_script("document.getElementById('holder-form')?.reset()")

    @rx.event
    @off_loop
    def request_certificate(self, form_data: dict[str, Any]):
        principal = self._require_account_principal()
        self.field_errors, self.request_error, self.sent_reference = {}, "", ""
        try:
            with session_scope() as db:
                request = certificates.request_certificate(db, principal, form_data)
                self.sent_reference = request.reference
        except ServiceError as exc:
            self._fail(exc, "request_error")
