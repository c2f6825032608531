"""Profile edit sections (components/portal/profile_sections.py): personal information, contact
preferences, co-applicant. Thin over services/portal/profile.py (and contact_change.py for a new
email or mobile, which needs a code sent to the new address)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import reflex as rx

from clientcenter.db import session_scope
from clientcenter.services.auth.step_up import SecondFactorNeeded
from clientcenter.services.errors import ServiceError
from clientcenter.services.portal import contact_change, profile
from clientcenter.state import form_errors
from clientcenter.state.base import PortalState, off_loop
from clientcenter.state.portal.account import AccountState
from clientcenter.state.portal.passkeys import PasskeysState


@dataclass
class ContactRow:
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    mobile: str = ""
    mobile_display: str = ""
    role_label: str = ""
    notify_by_email: bool = False
    notify_by_sms: bool = False


def contact_row(v: profile.ContactView | None) -> ContactRow:
    if v is None:
        return ContactRow()
    return ContactRow(
        first_name=v.first_name,
        last_name=v.last_name,
        email=v.email,
        mobile=v.mobile,
        mobile_display=v.mobile_display,
        role_label=v.role_label,
        notify_by_email=v.notify_by_email,
        notify_by_sms=v.notify_by_sms,
    )


class ProfileEditState(PortalState):
    profile_loaded: bool = False
    profile_error: str = ""
    read_only: bool = False
    is_customer: bool = False
    me: ContactRow = ContactRow()
    co: ContactRow = ContactRow()
    has_co_applicant: bool = False
    can_edit_co: bool = False
    # Which section is open for editing: "" | "personal" | "preferences" | "co".
    editing: str = ""
    field_errors: dict[str, str] = {}
    form_error: str = ""
    saved_message: str = ""
    # A new email or mobile waiting for its code: what the page shows.
    verify_field: str = ""  # "" | email | mobile
    verify_message: str = ""
    verify_error: str = ""
    # The signed ticket and any second change queued behind it stay on the server.
    _ticket: str = ""
    _queued: list[tuple[int, str, str]] = []

    def _apply(self, view: profile.ProfileView, principal) -> None:
        self.me, self.co = contact_row(view.me), contact_row(view.co_applicant)
        self.has_co_applicant = view.co_applicant is not None
        self.can_edit_co = view.can_edit_co_applicant
        self.read_only, self.is_customer = principal.read_only, principal.is_customer

    @rx.event
    @off_loop
    def load(self):
        principal = self._require_account_principal()
        self.editing, self.field_errors, self.form_error, self.saved_message = "", {}, "", ""
        try:
            with session_scope() as db:
                self._apply(profile.profile_view(db, principal), principal)
        except ServiceError as exc:
            self.profile_error, self.profile_loaded = exc.message, True
            return
        self.profile_error, self.profile_loaded = "", True

    @rx.event
    @off_loop
    def edit(self, section: str):
        self._require_account_principal()
        self.editing = section if section in ("personal", "preferences", "co") else ""
        self.field_errors, self.form_error, self.saved_message = {}, "", ""

    def _save(self, action, form_data: dict[str, Any], done: str):
        principal = self._require_account_principal()
        self.field_errors, self.form_error, self.saved_message = {}, "", ""
        try:
            with session_scope() as db:
                result = action(db, principal, form_data)
                view = profile.profile_view(db, principal)
        except ServiceError as exc:
            self.field_errors, self.form_error = form_errors.split(exc)
            return None
        self._apply(view, principal)
        self.editing = ""
        pending = getattr(result, "needs_verification", ())
        if not pending:
            self.saved_message = done
            return AccountState.refresh_name
        if result.applied:
            self.saved_message = done
        self._queued = [
            (result.contact_id, f, result.new_email if f == "email" else result.new_mobile)
            for f in pending
        ]
        prompt = self._start_next(principal)
        return [AccountState.refresh_name, prompt] if prompt else AccountState.refresh_name

    def _start_next(self, principal):
        """Send a code to the next new address waiting to be confirmed. When the agency
        asks a fresh second factor for a new login email or mobile, the prompt opens (the
        event returned); once confirmed, the customer saves the new address again."""
        self.verify_field, self.verify_message, self.verify_error, self._ticket = "", "", "", ""
        if not self._queued:
            return None
        contact_id, field, value = self._queued[0]
        self._queued = self._queued[1:]
        try:
            with contact_change.code_scope() as db:
                pending = contact_change.start(
                    db, principal, contact_id, field, value, client_ip=self._client_ip()
                )
        except SecondFactorNeeded as exc:
            self.form_error, self._queued = exc.message, []
            return PasskeysState.ask_step_up("")
        except ServiceError as exc:
            self.form_error = exc.message
            self._queued = []
            return None
        self._ticket, self.verify_field = pending.ticket, pending.field
        self.verify_message = pending.message
        return None

    def _code_step(self, step):
        """One step of the code check, committed even when refused (a wrong code must still
        count). Its answer, or None: the refusal shows under the code, and an ended ticket
        closes the code card."""
        self.verify_error = ""
        try:
            with contact_change.code_scope() as db:
                return step(db)
        except contact_change.TicketEnded as exc:
            self.verify_field, self._ticket, self._queued = "", "", []
            self.form_error = exc.message
        except ServiceError as exc:
            self.verify_error = exc.message
        return None

    @rx.event
    @off_loop
    def confirm_code(self, form_data: dict[str, Any]):
        principal = self._require_account_principal()
        contact = self._code_step(
            lambda db: contact_change.confirm(
                db,
                principal,
                self._ticket,
                str(form_data.get("code", ""))[:32],
                client_ip=self._client_ip(),
            )
        )
        if contact is None:
            return
        with session_scope() as db:
            self._apply(profile.profile_view(db, principal), principal)
        words = "email address" if self.verify_field == "email" else "mobile number"
        if contact.id == principal.contact_id:
            self.saved_message = f"Your new {words} is confirmed and saved."
        else:
            self.saved_message = f"{contact.first_name} agreed: the {words} change is saved."
        return self._start_next(principal)

    @rx.event
    @off_loop
    def resend_code(self):
        principal = self._require_account_principal()
        pending = self._code_step(
            lambda db: contact_change.resend(
                db, principal, self._ticket, client_ip=self._client_ip()
            )
        )
        if pending is not None:
            self.verify_message = pending.message

    @rx.event
    @off_loop
    def cancel_code(self):
        self._require_account_principal()
        self.verify_field, self.verify_message, self.verify_error = "", "", ""
        self._ticket, self._queued = "", []
        self.saved_message = "The change was cancelled; your details stay as they were."

    @rx.event
    @off_loop
    def save_personal(self, form_data: dict[str, Any]):
        return self._save(profile.edit_personal_info, form_data, "Your information was saved.")

    @rx.event
    @off_loop
    def save_preferences(self, form_data: dict[str, Any]):
        return self._save(
            profile.edit_contact_preferences, form_data, "Your preferences were saved."
        )

    @rx.event
    @off_loop
    def save_co_applicant(self, form_data: dict[str, Any]):
        return self._save(
            profile.edit_coapplicant_info, form_data, "The co-applicant's information was saved."
        )
