"""Documents: list, filter, search, download, upload from a phone, and ID cards.

Uploads: Reflex's ``/_upload`` endpoint hands the handler the file (we never call its helpers
that save under the public upload directory); the handler reads the bytes, up to the cap, and
gives them to services/documents.upload_document, which checks them and writes them to the
private store.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import reflex as rx

from clientcenter.db import session_scope
from clientcenter.services.errors import ServiceError
from clientcenter.services.portal import documents, idcards
from clientcenter.services.portal.documents import format_size
from clientcenter.services.portal.policies import format_date
from clientcenter.settings import get_settings
from clientcenter.state.base import PortalState, off_loop
from clientcenter.state.downloads import parse_id, start_download, start_id_cards

ALL = "all"
NO_POLICY = "none"
UPLOAD_FILE_ID = "upload-file"
UPLOAD_PHOTO_ID = "upload-photo"
UPLOAD_TITLE_ID = "upload-title"


@dataclass
class DocRow:
    id: int = 0
    title: str = ""
    category_label: str = ""
    policy_line: str = ""  # "Personal Auto"
    policy_number: str = ""  # "PA-1234567"
    date: str = ""
    size: str = ""
    kind: str = ""  # "PDF", "Photo", "Word"
    yours: bool = False


@dataclass
class Choice:
    value: str = ""
    label: str = ""


@dataclass
class CardVehicleRow:
    id: int = 0
    label: str = ""
    vin: str = ""


@dataclass
class CardPolicyRow:
    policy_id: int = 0
    title: str = ""  # "Personal Auto · PA-1234567"
    carrier: str = ""
    vehicles: list[CardVehicleRow] = field(default_factory=list)


def _kind(content_type: str) -> str:
    if content_type == "application/pdf":
        return "PDF"
    if content_type.startswith("image/"):
        return "Photo"
    return "Word"


def _row(item: documents.DocumentItem) -> DocRow:
    line, _, number = item.policy_label.partition(" · ")
    return DocRow(
        id=item.id,
        title=item.title,
        category_label=item.category_label,
        policy_line=line,
        policy_number=number,
        date=format_date(item.created_at),
        size=item.size_label,
        kind=_kind(item.content_type),
        yours=item.uploaded_by_customer,
    )


class DocumentsState(PortalState):
    loaded: bool = False
    error: str = ""
    read_only: bool = False
    items: list[DocRow] = []
    policy_choices: list[Choice] = []
    category_choices: list[Choice] = []
    filter_policy: str = ALL
    filter_category: str = ALL
    query: str = ""
    card_policies: list[CardPolicyRow] = []
    card_error: str = ""
    # Upload form (UI choices only; the service validates them again).
    upload_policy: str = NO_POLICY
    uploading: bool = False
    upload_percent: int = 0
    # Progress events travel over the websocket while the file goes over HTTP, so one can
    # arrive after the upload has finished; only those of an upload still open count.
    _upload_open: bool = False
    upload_error: str = ""
    upload_notice: str = ""

    @rx.var
    def upload_limit_label(self) -> str:
        return format_size(get_settings().security.upload_max_bytes)

    def _refresh(self, principal) -> None:
        """The filter choices and the list, for the current filters."""
        policy_id = parse_id(self.filter_policy) if self.filter_policy != ALL else None
        category = self.filter_category if self.filter_category != ALL else None
        try:
            with session_scope() as db:
                policy_choices, category_choices = documents.document_filters(db, principal)
                found = documents.list_documents(
                    db, principal, policy_id=policy_id, category=category, query=self.query
                )
        except ServiceError as exc:
            self.error = exc.message
            return
        self.error = ""
        self.policy_choices = [Choice(str(pid), label) for pid, label in policy_choices]
        self.category_choices = [Choice(key, label) for key, label in category_choices]
        self.items = [_row(i) for i in found]

    @rx.event
    @off_loop
    def load(self):
        principal = self._require_account_principal()
        wanted_policy = parse_id(self.router.page.params.get("policy"))
        self.filter_policy = str(wanted_policy) if wanted_policy else ALL
        self.filter_category, self.query = ALL, ""
        self.upload_error = self.upload_notice = self.card_error = ""
        self.uploading, self.upload_percent = False, 0
        try:
            with session_scope() as db:
                cards = idcards.id_card_policies(db, principal)
        except ServiceError as exc:
            self.error, self.loaded = exc.message, True
            return
        self.read_only = principal.read_only
        self.card_policies = [
            CardPolicyRow(
                c.policy.id,
                f"{c.policy.line_label} · {c.policy.number}",
                c.policy.carrier,
                [CardVehicleRow(v.id, v.label, v.vin) for v in c.vehicles],
            )
            for c in cards
        ]
        self._refresh(principal)
        if self.filter_policy != ALL and self.filter_policy not in {
            c.value for c in self.policy_choices
        }:
            self.filter_policy = ALL
            self._refresh(principal)
        self.loaded = True
        # /documents#id-cards from Home: the section exists only now that data is here.
        return rx.call_script(
            "setTimeout(() => { const el = location.hash && "
            "document.getElementById(location.hash.slice(1)); "
            "if (el) el.scrollIntoView({block: 'start'}); }, 100)"
        )

    @rx.event
    @off_loop
    def set_filter_policy(self, value: str):
        principal = self._require_account_principal()
        self.filter_policy = value if isinstance(value, str) else ALL
        self._refresh(principal)

    @rx.event
    @off_loop
    def set_filter_category(self, value: str):
        principal = self._require_account_principal()
        self.filter_category = value if isinstance(value, str) else ALL
        self._refresh(principal)

    @rx.event
    @off_loop
    def search(self, value: str):
        principal = self._require_account_principal()
        self.query = value if isinstance(value, str) else ""
        self._refresh(principal)

    @rx.event
    @off_loop
    def search_form(self, form_data: dict):
        principal = self._require_account_principal()
        value = form_data.get("q", "") if isinstance(form_data, dict) else ""
        self.query = value.strip() if isinstance(value, str) else ""
        self._refresh(principal)

    @rx.event
    @off_loop
    def clear_filters(self):
        principal = self._require_account_principal()
        self.filter_policy, self.filter_category, self.query = ALL, ALL, ""
        self._refresh(principal)

    @rx.event
    @off_loop
    def download(self, document_id: int):
        principal = self._require_account_principal()
        doc_id = parse_id(document_id)
        try:
            with session_scope() as db:
                item = documents.get_document(db, principal, doc_id or 0)
        except ServiceError as exc:
            self.error = exc.message
            return None
        return start_download(principal, "document", item.id)

    @rx.event
    @off_loop
    def download_cards(self, policy_id: int, vehicle_id: int):
        """One vehicle's card, or every vehicle's when ``vehicle_id`` is 0."""
        principal = self._require_account_principal()
        wanted = [parse_id(vehicle_id) or -1] if vehicle_id else None
        download, self.card_error = start_id_cards(principal, policy_id, wanted)
        return download

    # --- upload ---------------------------------------------------------------------------

    @rx.event
    @off_loop
    def set_upload_policy(self, value: str):
        self.upload_policy = value if isinstance(value, str) else NO_POLICY

    @rx.event
    @off_loop
    def upload_started(self):
        """A file was picked: clear the last outcome before its bytes go up."""
        self._upload_open = True
        self.uploading, self.upload_percent = False, 0
        self.upload_error = self.upload_notice = ""

    @rx.event
    @off_loop
    def upload_progress(self, progress: dict):
        """Progress of the phone's upload (client-side numbers, display only)."""
        if not self._upload_open:
            return  # a late report from an upload that has already finished
        try:
            fraction = float(progress.get("progress", 0))
        except (TypeError, ValueError, AttributeError):
            fraction = 0.0
        self.uploading = fraction < 1
        self.upload_percent = max(0, min(100, round(fraction * 100)))

    @rx.event
    @off_loop
    def upload_rejected(self, codes: list[str]):
        """The browser refused the file before sending it; ``codes`` are react-dropzone's
        error codes (the page sends only these, never the file)."""
        codes = {c for c in codes if isinstance(c, str)} if isinstance(codes, list) else set()
        if "file-too-large" in codes:
            self.upload_error = (
                f"The file is too large. The limit is "
                f"{format_size(get_settings().security.upload_max_bytes)}."
            )
        elif "too-many-files" in codes:
            self.upload_error = "Please send one file at a time."
        else:
            self.upload_error = (
                "This type of file can't be uploaded. Please send a "
                f"{documents.ALLOWED_DESCRIPTION} file."
            )
        self.upload_notice, self.uploading = "", False

    @rx.event
    async def handle_upload(
        self, files: list[rx.UploadFile], title: str = "", policy: str = NO_POLICY
    ):
        """``title`` and ``policy`` travel with the file (read from the form when the file
        was picked), so a just-typed title can't lose a race with the upload."""
        self._upload_open = False
        principal = self._require_account_principal()
        if not files:
            return None  # the browser refused the pick; upload_rejected explains why
        self.uploading, self.upload_notice, self.upload_error = False, "", ""
        if len(files) > 1:
            self.upload_error = "Please send one file at a time."
            return None
        upload = files[0]
        limit = get_settings().security.upload_max_bytes
        # Read one byte past the cap: enough to tell "too large" without holding more.
        data = await upload.read(limit + 1)
        policy_id = parse_id(policy) if isinstance(policy, str) and policy != NO_POLICY else None
        try:
            with session_scope() as db:
                item = documents.upload_document(
                    db,
                    principal,
                    original_name=upload.filename or "",
                    data=data,
                    title=title if isinstance(title, str) else "",
                    policy_id=policy_id,
                )
        except ServiceError as exc:
            self.upload_error, self.upload_percent = exc.message, 0
            return None
        self.upload_percent = 100
        self.upload_policy = NO_POLICY
        self.filter_policy, self.filter_category, self.query = ALL, ALL, ""
        self._refresh(principal)
        listed = any(row.id == item.id for row in self.items)
        self.upload_notice = f"Thanks! “{item.title}” was sent to your agency. " + (
            "You'll find it at the top of your documents."
            if listed
            else "It will appear here once our safety check has finished."
        )
        return rx.set_value(UPLOAD_TITLE_ID, "")
