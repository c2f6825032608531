"""The Documents section of the agency account page: the account's documents with where each
stands (draft, published, internal), an upload form, and Publish. Thin: every handler takes
the agent from this connection's session and calls services/agency/documents.py.

Uploads: Reflex's ``/_upload`` hands the handler the file, which reads the bytes (up to the
cap) and passes them to the service, which writes them to the private store. Nothing calls
Reflex's helpers that save under the public upload directory. The form's fields are read in
the browser when the file is picked and travel with it, so none can lose a race with it.
"""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from clientcenter.db import session_scope
from clientcenter.services.agency import documents as service
from clientcenter.services.errors import ServiceError
from clientcenter.services.portal.documents import ALLOWED_DESCRIPTION, format_size
from clientcenter.settings import get_settings
from clientcenter.state.agency.desk import AgentState, query_param
from clientcenter.state.base import off_loop

NO_POLICY = "none"
UPLOAD_ID = "agent-document-file"


@dataclass
class AgentDocumentRow:
    id: int = 0
    title: str = ""
    kind: str = ""
    policy: str = ""
    created: str = ""
    status: str = ""  # draft | published | internal | checking | from_customer
    status_label: str = ""
    may_publish: bool = False


@dataclass
class DocumentChoice:
    value: str = ""
    label: str = ""


def _row(d: service.AccountDocument) -> AgentDocumentRow:
    return AgentDocumentRow(
        id=d.id,
        title=d.title,
        kind=d.kind_label,
        policy=d.policy_label,
        created=d.created,
        status=d.status,
        status_label=d.status_label,
        may_publish=d.may_publish,
    )


class AgentDocumentsState(AgentState):
    account_id: str = ""
    documents: list[AgentDocumentRow] = []
    kinds: list[DocumentChoice] = []
    policies: list[DocumentChoice] = []
    docs_error: str = ""
    docs_notice: str = ""
    uploading: bool = False
    more_documents: bool = False  # the list stops at the newest MAX_LISTED

    @rx.var
    def upload_limit_label(self) -> str:
        return format_size(get_settings().security.upload_max_bytes)

    def _refresh(self, principal) -> None:
        with session_scope() as db:
            found = service.account_documents(db, principal, self.account_id)
            policies = service.policy_choices(db, principal, self.account_id)
        self.documents = [_row(d) for d in found]
        self.more_documents = len(found) >= service.MAX_LISTED
        self.policies = [DocumentChoice(str(pid), label) for pid, label in policies]
        self.kinds = [DocumentChoice(key, label) for key, label in service.kinds()]

    @rx.event
    @off_loop
    def open_page(self):
        principal = self._require_agent()
        self.account_id = query_param(self, "id")
        self.docs_error = self.docs_notice = ""
        self.uploading = False
        self.documents, self.policies = [], []
        try:
            self._refresh(principal)
        except ServiceError:
            # The section is hidden from a role without share_documents; the info pane
            # reports an unknown account itself.
            self.documents = []

    @rx.event
    @off_loop
    def upload_started(self):
        self._require_agent()
        self.uploading, self.docs_error, self.docs_notice = True, "", ""

    @rx.event
    @off_loop
    def upload_rejected(self, codes: list[str]):
        """The browser refused the file before sending it (react-dropzone's codes only)."""
        self._require_agent()
        codes = {c for c in codes if isinstance(c, str)} if isinstance(codes, list) else set()
        if "file-too-large" in codes:
            self.docs_error = f"The file is too large. The limit is {self.upload_limit_label}."
        elif "too-many-files" in codes:
            self.docs_error = "Upload one file at a time."
        else:
            self.docs_error = f"This type of file can't be uploaded: use a {ALLOWED_DESCRIPTION}."
        self.uploading, self.docs_notice = False, ""

    @rx.event
    async def handle_upload(
        self,
        files: list[rx.UploadFile],
        title: str = "",
        kind: str = "",
        policy: str = NO_POLICY,
        visibility: str = "shared",
    ):
        principal = self._require_agent()
        self.uploading = False
        if not files:
            return None  # refused in the browser; upload_rejected said why
        if len(files) > 1:
            self.docs_error = "Upload one file at a time."
            return None
        upload = files[0]
        data = await upload.read(get_settings().security.upload_max_bytes + 1)
        policy_id = policy if isinstance(policy, str) and policy != NO_POLICY else None
        try:
            with session_scope() as db:
                item = service.upload_agency_document(
                    db,
                    principal,
                    self.account_id,
                    original_name=upload.filename or "",
                    data=data,
                    kind=kind if isinstance(kind, str) else "",
                    title=title if isinstance(title, str) else "",
                    internal=visibility == "internal",
                    policy_id=policy_id,
                )
        except ServiceError as exc:
            self.docs_error, self.docs_notice = exc.message, ""
            return None
        self.docs_error = ""
        self.docs_notice = (
            f"“{item.title}” is on the account, internal to the agency."
            if item.status == "internal"
            else f"“{item.title}” is on the account as a draft: the customer sees it once "
            "you publish it."
        )
        self._refresh(principal)
        return rx.set_value("agent-document-title", "")

    @rx.event
    @off_loop
    def publish(self, document_id: int):
        principal = self._require_agent()
        try:
            with session_scope() as db:
                done = service.publish_document(db, principal, self.account_id, document_id)
        except ServiceError as exc:
            self.docs_error, self.docs_notice = exc.message, ""
            return
        self.docs_error, self.docs_notice = "", done.message
        self._refresh(principal)
