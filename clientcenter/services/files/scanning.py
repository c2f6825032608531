"""The upload scan hook: one function that looks at a file before anyone at the agency sees it.

A scanner is any callable ``(data: bytes, content_type: str) -> ScanVerdict``; the one in force
is ``security.upload_scanner`` (``"package.module:function"``). *clean* files are stored and
shown; *pending* ones are stored but shown to nobody until something sets
``Document.scan_status`` to ``"clean"``; *rejected* refuses the upload, stores nothing, and its
``reason`` is shown to the customer.

:func:`basic_scan` (the default) parses the file; it never greps bytes, because PDF names can
be written ``/J#61vaScript``, objects can sit compressed inside object streams, and an Office
part can be called anything:

* PDF, with pikepdf (qpdf): every object, object streams included, names decoded. Refused:
  JavaScript (``/JS``, ``/S /JavaScript``, the ``/JavaScript`` name tree), Launch actions,
  embedded files (``/EmbeddedFiles``, ``/EF``, ``/EmbeddedFile`` streams, FileAttachment
  annotations), RichMedia, XFA forms, and automatic actions (``/OpenAction``, ``/AA``, and
  their ``/Next`` chains) that open a URI, submit or import data, or go to another file
  (GoToR, GoToE). A PDF that does not parse, or needs a password, is refused too. Ordinary
  links that the reader clicks (``/URI`` in a Link annotation) are fine.
* Word (.docx), from its package: ``[Content_Types].xml`` and every ``.rels`` part, parsed
  with defusedxml (no DTDs, so no entity expansion). Refused: a part whose content type is
  VBA, macro-enabled, ActiveX or an OLE object whatever its name; parts named like
  ``vbaProject.bin``, ``embeddings/oleObject*``, ``activeX/``, ``.exe``/``.dll``;
  relationships to VBA, ActiveX controls or OLE objects; any external relationship other
  than a hyperlink (an ``attachedTemplate``, ``oleObject``, ``frame`` or remote image that
  Word would fetch); any OLE compound file inside the package, after oletools' olevba says
  whether it holds macros; embedded Office packages get the same checks.

:func:`clamd_scan` runs those checks and then ClamAV (clamd's INSTREAM command over
``security.clamd_address``). It is not the default because it needs a clamd to talk to.
"""

from __future__ import annotations

import importlib
import io
import logging
import posixpath
import socket
import struct
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import unquote

from clientcenter.models.documents import ScanStatus
from clientcenter.settings import get_settings

log = logging.getLogger("clientcenter.scanning")

DEFAULT_SCANNER = "clientcenter.services.files.scanning:basic_scan"
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class ScanVerdict:
    status: ScanStatus
    reason: str = ""


Scanner = Callable[[bytes, str], ScanVerdict]


def basic_scan(data: bytes, content_type: str) -> ScanVerdict:
    """Structural checks, by parsing; not an antivirus (see :func:`clamd_scan`)."""
    if content_type == PDF:
        problem = pdf_problem(data)
    elif content_type == DOCX:
        problem = docx_problem(data)
    else:
        problem = None  # images: their type was already checked by content
    return ScanVerdict(ScanStatus.REJECTED, problem) if problem else ScanVerdict(ScanStatus.CLEAN)


def get_scanner() -> Scanner:
    """The configured scanner (``security.upload_scanner``), imported by its dotted path."""
    target = get_settings().security.upload_scanner or DEFAULT_SCANNER
    module_name, _, attr = target.partition(":")
    return getattr(importlib.import_module(module_name), attr)


# --- PDF ------------------------------------------------------------------------------------

_PDF_ADVICE = "Please print it to a new PDF or send a photo instead."
_PDF_WHAT = {
    "js": "scripts (JavaScript)",
    "launch": "an action that starts a program (Launch)",
    "embedded": "embedded files (attachments)",
    "richmedia": "rich media (Flash or video, RichMedia)",
    "xfa": "an XFA form, which can run scripts",
}
# Dictionary keys, and name values anywhere, that mean active content or carried files.
_PDF_KEYS = {
    "/JS": "js",
    "/JavaScript": "js",
    "/EmbeddedFiles": "embedded",
    "/EF": "embedded",
    "/RichMediaContent": "richmedia",
    "/RichMediaSettings": "richmedia",
    "/XFA": "xfa",
}
_PDF_NAMES = {
    "/JavaScript": "js",
    "/Launch": "launch",
    "/EmbeddedFile": "embedded",
    "/EmbeddedFiles": "embedded",
    "/FileAttachment": "embedded",
    "/RichMedia": "richmedia",
    "/RichMediaExecute": "richmedia",
    "/XFA": "xfa",
}
# Actions that run by themselves (on opening the file or a page, on a form event): none of
# these may reach out. A link the reader chooses to click is another matter.
_AUTO_ACTIONS = {
    "/URI": "opens a web address",
    "/SubmitForm": "sends form data away",
    "/ImportData": "imports data from another file",
    "/GoToR": "opens another file",
    "/GoToE": "opens an embedded file",
    "/JavaScript": "runs a script",
    "/Launch": "starts a program",
}
_MAX_PDF_OBJECTS = 500_000
_MAX_DEPTH = 100


def pdf_problem(data: bytes) -> str | None:
    """Why this PDF is refused, or None."""
    import pikepdf

    if b"%%EOF" not in data[-2048:]:
        # qpdf would rebuild a cut-off file; a partial upload should be sent again instead.
        return "This PDF looks incomplete or damaged. Please try saving it again."
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            if len(pdf.objects) > _MAX_PDF_OBJECTS:
                return "This PDF is too complex for us to check. " + _PDF_ADVICE
            for obj in [pdf.trailer, *pdf.objects]:
                problem = _pdf_object_problem(obj, 0)
                if problem:
                    return problem
    except pikepdf.PasswordError:
        return (
            "This PDF is password-protected, so we can't check it. Please remove the "
            "password and upload it again."
        )
    except (pikepdf.PdfError, RecursionError, ValueError, RuntimeError):
        return (
            "This PDF could not be read: it looks damaged. Please save it again, print it "
            "to a new PDF, or send a photo instead."
        )
    return None


def _refuse(kind: str) -> str:
    return f"This PDF contains {_PDF_WHAT[kind]}, which we can't accept. {_PDF_ADVICE}"


def _pdf_object_problem(obj, depth: int) -> str | None:
    """Check one object and the direct objects inside it. Indirect ones are checked on their
    own turn in ``pdf.objects`` (which holds the contents of object streams too)."""
    import pikepdf

    if depth > _MAX_DEPTH:
        return "This PDF is nested too deeply for us to check. " + _PDF_ADVICE
    if isinstance(obj, pikepdf.Name):
        kind = _PDF_NAMES.get(str(obj))
        return _refuse(kind) if kind else None
    if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
        for key in obj.keys():
            if key in _PDF_KEYS:
                return _refuse(_PDF_KEYS[key])
            value = obj.get(key)
            if key in ("/OpenAction", "/AA"):
                problem = _automatic_action_problem(value, key)
                if problem:
                    return problem
            if isinstance(value, pikepdf.Object) and not value.is_indirect:
                problem = _pdf_object_problem(value, depth + 1)
                if problem:
                    return problem
        return None
    if isinstance(obj, pikepdf.Array):
        for item in obj:
            if isinstance(item, pikepdf.Object) and not item.is_indirect:
                problem = _pdf_object_problem(item, depth + 1)
                if problem:
                    return problem
    return None


def _actions(value, key: str) -> Iterator:
    """The action dictionaries an /OpenAction or /AA entry runs, /Next chains included."""
    import pikepdf

    pending = (
        [value]
        if key == "/OpenAction"
        else (list(value.values()) if isinstance(value, pikepdf.Dictionary) else [])
    )
    seen: set[tuple[int, int]] = set()
    while pending and len(seen) < 10_000:
        action = pending.pop()
        if isinstance(action, pikepdf.Array):
            pending.extend(action)  # an array of /Next actions (or a destination: harmless)
            continue
        if not isinstance(action, pikepdf.Dictionary):
            continue
        if action.is_indirect:
            if action.objgen in seen:
                continue
            seen.add(action.objgen)
        yield action
        nxt = action.get("/Next")
        if nxt is not None:
            pending.append(nxt)


def _automatic_action_problem(value, key: str) -> str | None:
    where = "when it is opened" if key == "/OpenAction" else "by itself (an /AA action)"
    for action in _actions(value, key):
        kind = str(action.get("/S", ""))
        if kind in _AUTO_ACTIONS:
            return f"This PDF {_AUTO_ACTIONS[kind]} {where}, which we can't accept. {_PDF_ADVICE}"
    return None


# --- Word (.docx) ------------------------------------------------------------------------------

_DOCX_ADVICE = "Please save it as a PDF and upload that instead."
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_MAX_PARTS = 2000
_MAX_UNPACKED = 200 * 2**20
_MAX_XML_PART = 4 * 2**20
_MAX_NESTING = 2  # a package inside a package inside the upload

# Fragments of content types (lower case) that mean code or foreign objects, whatever the
# part is called: word/data.bin declared as application/vnd.ms-office.vbaProject is VBA.
_BAD_CONTENT_TYPES = (
    ("vbaproject", "macros"),
    ("vbadata", "macros"),
    ("macroenabled", "macros"),
    ("keymapcustomizations", "macros"),
    ("attachedtoolbars", "macros"),
    ("activex", "activex"),
    ("oleobject", "ole"),
)
# Relationship types (the last segment of the Type URI, lower case) never accepted.
_BAD_RELATIONSHIPS = {
    "vbaproject": "macros",
    "wordvbadata": "macros",
    "keymapcustomizations": "macros",
    "attachedtoolbars": "macros",
    "control": "activex",
    "activexcontrolbinary": "activex",
    "oleobject": "ole",
}
_EXTERNAL_WORDS = {
    "attachedtemplate": "a template from another address (attachedTemplate)",
    "oleobject": "a linked object from another address (oleObject)",
    "frame": "a frame from another address",
    "subdocument": "a sub-document from another address",
    "image": "a picture from another address",
}
_DOCX_WHAT = {
    "macros": "macros",
    "activex": "ActiveX controls",
    "ole": "an embedded object or program (OLE)",
    "program": "a program",
}


class _Refused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _docx_refusal(kind: str) -> _Refused:
    return _Refused(
        f"This Word file contains {_DOCX_WHAT[kind]}, which we can't accept. {_DOCX_ADVICE}"
    )


def _damaged() -> _Refused:
    return _Refused(f"This Word file looks damaged. {_DOCX_ADVICE}")


def docx_problem(data: bytes) -> str | None:
    """Why this Word file is refused, or None."""
    try:
        _check_package(data, depth=0)
    except _Refused as exc:
        return exc.message
    return None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _parse_xml(zf: zipfile.ZipFile, info: zipfile.ZipInfo):
    from xml.etree.ElementTree import ParseError

    import defusedxml.ElementTree as SafeET
    from defusedxml import DefusedXmlException

    if info.file_size > _MAX_XML_PART:
        raise _Refused(f"This Word file is unusually large inside. {_DOCX_ADVICE}")
    try:
        return SafeET.fromstring(zf.read(info), forbid_dtd=True)
    except (DefusedXmlException, ParseError, ValueError):
        raise _damaged() from None


def _part_name(name: str) -> str:
    """An OPC part name for comparison: percent-decoded, one leading slash, lower case."""
    return "/" + unquote(name).lstrip("/").lower()


def _check_package(data: bytes, depth: int) -> None:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = [i for i in zf.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _damaged() from None
    with zf:
        if len(infos) > _MAX_PARTS or sum(i.file_size for i in infos) > _MAX_UNPACKED:
            raise _Refused(f"This Word file is unusually large inside. {_DOCX_ADVICE}")
        names = {}
        for info in infos:
            key = _part_name(info.filename)
            if key in names:  # two parts of one name: readers disagree on which one counts
                raise _damaged()
            names[key] = info
        types = names.get("/[content_types].xml")
        if types is None:
            raise _damaged()
        defaults, overrides = _content_types(zf, types)
        for key, info in names.items():
            _check_name(key)
            if key == "/[content_types].xml":
                continue
            extension = posixpath.splitext(key)[1].lstrip(".")
            content_type = overrides.get(key) or defaults.get(extension, "")
            for fragment, kind in _BAD_CONTENT_TYPES:
                if fragment in content_type:
                    raise _docx_refusal(kind)
            if key.endswith(".rels"):
                _check_relationships(zf, info)
            _check_content(zf, info, depth)


def _content_types(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[dict, dict]:
    defaults: dict[str, str] = {}
    overrides: dict[str, str] = {}
    for el in _parse_xml(zf, info):
        content_type = (el.get("ContentType") or "").split(";")[0].strip().lower()
        if _local(el.tag) == "Default":
            defaults[(el.get("Extension") or "").lower()] = content_type
        elif _local(el.tag) == "Override":
            overrides[_part_name(el.get("PartName") or "")] = content_type
    return defaults, overrides


def _check_name(key: str) -> None:
    if key.endswith("vbaproject.bin") or "vbadata" in key:
        raise _docx_refusal("macros")
    if "/activex/" in key or key.startswith("/activex"):
        raise _docx_refusal("activex")
    if "/embeddings/" in key and "oleobject" in posixpath.basename(key):
        raise _docx_refusal("ole")
    if key.endswith((".exe", ".dll", ".scr", ".com", ".bat", ".js", ".vbs")):
        raise _docx_refusal("program")


def _check_relationships(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    for rel in _parse_xml(zf, info):
        if _local(rel.tag) != "Relationship":
            continue
        kind = (rel.get("Type") or "").rstrip("/").rsplit("/", 1)[-1].lower()
        if (rel.get("TargetMode") or "").lower() == "external":
            if kind == "hyperlink":
                continue  # a link the reader may click; Word fetches nothing by itself
            what = _EXTERNAL_WORDS.get(kind, f"outside content ({kind or 'unknown type'})")
            raise _Refused(
                f"This Word file loads {what} when it is opened, which we can't "
                f"accept. {_DOCX_ADVICE}"
            )
        if kind in _BAD_RELATIONSHIPS:
            raise _docx_refusal(_BAD_RELATIONSHIPS[kind])


def _check_content(zf: zipfile.ZipFile, info: zipfile.ZipInfo, depth: int) -> None:
    """Look inside a part only by its bytes: an OLE compound file anywhere is refused (olevba
    says whether it carries macros), and an embedded package gets the same checks."""
    try:
        with zf.open(info) as part:
            head = part.read(8)
            if not head.startswith((_OLE_MAGIC, _ZIP_MAGIC)):
                return
            data = head + part.read()
    except (zipfile.BadZipFile, RuntimeError, ValueError, OSError, EOFError):
        raise _damaged() from None
    if head.startswith(_OLE_MAGIC):
        raise _docx_refusal("macros" if ole_has_macros(data, info.filename) else "ole")
    if depth >= _MAX_NESTING:
        raise _Refused(f"This Word file has packages nested too deep to check. {_DOCX_ADVICE}")
    _check_package(data, depth + 1)


def ole_has_macros(data: bytes, name: str = "part") -> bool:
    """oletools' olevba on one OLE compound file: does it hold a VBA project?"""
    from oletools.olevba import VBA_Parser

    try:
        parser = VBA_Parser(name, data=data)
    except Exception:  # olevba refuses what it cannot read; it is refused as OLE anyway
        return False
    try:
        return bool(parser.detect_vba_macros())
    except Exception:
        return False
    finally:
        parser.close()


# --- ClamAV -------------------------------------------------------------------------------------

CLAMD_CHUNK = 64 * 1024
_CLAMD_UNAVAILABLE = (
    "We can't check files for viruses right now, so we didn't keep this "
    "one. Please try again in a few minutes."
)


class ClamdUnavailable(Exception):
    """clamd could not be reached, or did not answer in time."""


def clamd_scan(data: bytes, content_type: str) -> ScanVerdict:
    """basic_scan's checks, then ClamAV. ``upload_scanner =
    "clientcenter.services.files.scanning:clamd_scan"`` with ``security.clamd_address`` (a unix
    socket path, or host:port).

    When clamd cannot be reached or fails, the upload is *rejected* with a message asking to
    try again (fail closed): nothing unscanned is stored, and nothing waits for a re-scan
    that no part of the portal would run. The operator sees the error in the log
    (logger ``clientcenter.scanning``)."""
    verdict = basic_scan(data, content_type)
    if verdict.status != ScanStatus.CLEAN:
        return verdict
    security = get_settings().security
    try:
        reply = clamd_instream(data, security.clamd_address, security.clamd_timeout_seconds)
    except ClamdUnavailable as exc:
        log.error("clamd at %s unavailable: %s", security.clamd_address, exc)
        return ScanVerdict(ScanStatus.REJECTED, _CLAMD_UNAVAILABLE)
    if reply.endswith("FOUND"):
        signature = reply.removeprefix("stream:").removesuffix("FOUND").strip()
        log.warning("clamd found %s in an upload", signature)
        return ScanVerdict(
            ScanStatus.REJECTED,
            f"Our virus scanner flagged this file ({signature}), so we didn't keep it.",
        )
    if reply.endswith("OK"):
        return ScanVerdict(ScanStatus.CLEAN)
    if "size limit" in reply.lower():  # clamd's StreamMaxLength is below our upload cap
        log.error(
            "clamd at %s: %s; raise StreamMaxLength above security.upload_max_bytes",
            security.clamd_address,
            reply,
        )
        return ScanVerdict(
            ScanStatus.REJECTED,
            "This file is too large for our virus scanner. Please "
            "send a smaller file or split it.",
        )
    log.error("clamd at %s answered %r", security.clamd_address, reply)
    return ScanVerdict(ScanStatus.REJECTED, _CLAMD_UNAVAILABLE)


def _clamd_socket(address: str, timeout: float) -> socket.socket:
    if address.startswith("/"):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        sock.connect(address)
        return sock
    host, _, port = address.rpartition(":")
    return socket.create_connection((host.strip("[]"), int(port)), timeout=timeout)


def clamd_instream(data: bytes, address: str, timeout: float) -> str:
    """clamd's INSTREAM: ``zINSTREAM\\0``, then chunks each prefixed with its length (4 bytes,
    network order), then a zero length; the reply ends with a NUL. Returns the reply, e.g.
    ``stream: OK`` or ``stream: Eicar-Signature FOUND``."""
    try:
        sock = _clamd_socket(address, timeout)
    except (OSError, ValueError) as exc:
        raise ClamdUnavailable(f"cannot connect: {exc}") from None
    with sock:
        try:
            sock.sendall(b"zINSTREAM\0")
            view = memoryview(data)
            for start in range(0, len(view), CLAMD_CHUNK):
                chunk = view[start : start + CLAMD_CHUNK]
                sock.sendall(struct.pack("!I", len(chunk)) + chunk)
            sock.sendall(struct.pack("!I", 0))
        except OSError:
            pass  # clamd may answer (a size limit) and close before taking it all
        reply = b""
        try:
            while not reply.endswith(b"\0") and len(reply) < 4096:
                part = sock.recv(4096)
                if not part:
                    break
                reply += part
        except OSError as exc:
            raise ClamdUnavailable(f"no answer: {exc}") from None
    if not reply:
        raise ClamdUnavailable("closed the connection without an answer")
    return reply.rstrip(b"\0").decode("utf-8", "replace").strip()
