"""Shared helpers for the self-service tests: principals from the demo, PDF text, sample files."""

from __future__ import annotations

import io
import re
import zipfile
import zlib

from sqlmodel import Session, func, select

from clientcenter.models import (
    Account,
    ActivityLog,
    Agent,
    Contact,
    Document,
    OutboxMessage,
    Policy,
    Task,
)
from clientcenter.services.files.pdf import BrandedPDF
from clientcenter.services.principal import Principal
from clientcenter.settings import get_settings


def account_named(session: Session, name: str) -> Account:
    return session.exec(select(Account).where(Account.name == name)).one()


def contact_on(session: Session, account: Account, role: str = "primary") -> Contact:
    return session.exec(
        select(Contact).where(Contact.account_id == account.id, Contact.role == role)
    ).first()


def customer(session: Session, name: str, role: str = "primary", session_id: int = 101):
    account = account_named(session, name)
    contact = contact_on(session, account, role)
    return Principal.customer(account.id, contact.id, session_id=session_id)


def agent_viewing(session: Session, name: str, session_id: int = 202) -> Principal:
    account = account_named(session, name)
    agent = session.exec(select(Agent).where(Agent.email == "agent@example.com")).one()
    return Principal.agent_viewing(agent.id, account.id, session_id=session_id)


def policy_of(session: Session, account_name: str, line: str) -> Policy:
    account = account_named(session, account_name)
    return session.exec(
        select(Policy).where(Policy.account_id == account.id, Policy.line == line)
    ).first()


def count(session: Session, model, *where) -> int:
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def footprint(session: Session) -> dict[str, int]:
    """Rows that any action could leave behind, plus the files in the private store."""
    root = get_settings().storage_dir
    files = sum(1 for p in root.rglob("*") if p.is_file()) if root.exists() else 0
    return {
        "documents": count(session, Document),
        "activity": count(session, ActivityLog),
        "tasks": count(session, Task),
        "outbox": count(session, OutboxMessage),
        "files": files,
    }


def pdf_text(data: bytes) -> str:
    """The text-drawing operators of a PDF, inflating compressed streams (fpdf2 output)."""
    out = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        chunk = match.group(1)
        try:
            chunk = zlib.decompress(chunk)
        except zlib.error:
            pass
        out.append(chunk.decode("latin-1"))
    return "\n".join(out)


def sample_pdf(text: str = "Photo of the new car's window sticker") -> bytes:
    pdf = BrandedPDF(get_settings().branding, "Customer upload")
    pdf.paragraph(text)
    return pdf.to_bytes()


# A real 1x1 PNG and a JPEG header: enough for type detection by content.
PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082"
)
JPEG_HEAD = bytes.fromhex("ffd8ffe000104a46494600010100000100010000") + b"\x00" * 200 + b"\xff\xd9"
EXE_HEAD = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


def sample_docx(*, with_macros: bool = False) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("_rels/.rels", "<Relationships/>")
        zf.writestr("word/document.xml", "<w:document/>")
        if with_macros:
            zf.writestr("word/vbaProject.bin", b"\x00" * 64)
    return buf.getvalue()
