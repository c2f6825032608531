"""The upload scan hook: one function that looks at a file before anyone at the agency sees it.

A scanner is any callable ``(data: bytes, content_type: str) -> ScanVerdict``. The default,
:func:`basic_scan`, runs cheap structural checks and answers *clean* or *rejected* on the spot.
To plug in a real scanner (ClamAV, a cloud API), point ``security.upload_scanner`` in
``clientcenter.toml`` (or ``CC_SECURITY__UPLOAD_SCANNER``) at ``"package.module:function"``.
A scanner that cannot decide at once answers *pending*: the file is stored but shown to nobody
until something sets ``Document.scan_status`` to ``"clean"``. *rejected* refuses the upload
and nothing is stored; its ``reason`` is shown to the customer.
"""

from __future__ import annotations

import importlib
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from clientcenter.settings import get_settings

DEFAULT_SCANNER = "clientcenter.services.scanning:basic_scan"


@dataclass(frozen=True)
class ScanVerdict:
    status: Literal["clean", "pending", "rejected"]
    reason: str = ""


Scanner = Callable[[bytes, str], ScanVerdict]

# PDF features that run code or carry other files: never needed in an insurance upload.
_PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|RichMedia|XFA)\b")
_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def basic_scan(data: bytes, content_type: str) -> ScanVerdict:
    """Structural checks only; not an antivirus. Good enough to keep active content out."""
    if content_type == "application/pdf":
        if _PDF_ACTIVE.search(data):
            return ScanVerdict("rejected", "This PDF contains scripts or embedded files, which "
                                           "we can't accept. Please print it to a new PDF or "
                                           "send a photo instead.")
        if b"%%EOF" not in data[-2048:]:
            return ScanVerdict("rejected", "This PDF looks incomplete or damaged. Please try "
                                           "saving it again.")
    elif content_type == _DOCX:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = zf.namelist()
                if len(names) > 2000 or sum(i.file_size for i in zf.infolist()) > 200 * 2**20:
                    return ScanVerdict("rejected", "This Word file is unusually large inside. "
                                                   "Please save it as a PDF and try again.")
        except zipfile.BadZipFile:
            return ScanVerdict("rejected", "This Word file looks damaged. Please save it as a "
                                           "PDF and try again.")
        if any(n.lower().endswith(("vbaproject.bin", ".exe", ".dll")) or "activex" in n.lower()
               for n in names):
            return ScanVerdict("rejected", "This Word file contains macros or programs, which we "
                                           "can't accept. Please save it as a PDF instead.")
    return ScanVerdict("clean")


def get_scanner() -> Scanner:
    """The configured scanner (``security.upload_scanner``), imported by its dotted path."""
    target = get_settings().security.upload_scanner or DEFAULT_SCANNER
    module_name, _, attr = target.partition(":")
    return getattr(importlib.import_module(module_name), attr)
