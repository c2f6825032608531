"""Files for upload and download tests: sample uploads, and the text of a PDF we served."""

from __future__ import annotations

import io
import re
import zipfile
import zlib

from clientcenter.services.files.pdf import BrandedPDF
from clientcenter.settings import get_settings


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
