"""Documents in bulk: documents.csv and the files under documents/, in a folder or a zip.

Every refusal names file, line and column and keeps nothing, stored bytes included; the limits
on a zip are checked before anything is decompressed; names are matched, never used as paths.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pikepdf
import pytest
from sqlmodel import select

from clientcenter.models import Account, ActivityLog, Document, OutboxMessage
from clientcenter.services.imports import sources
from clientcenter.services.imports.documents import COLUMNS, import_documents
from clientcenter.services.imports.reader import FileRefused
from clientcenter.services.imports.run import ImportOptions
from clientcenter.services.imports.sources import open_source
from clientcenter.services.portal import documents as portal_documents
from tests.services.imports.conftest import run, write_export
from tests.support.files import EXE_HEAD, PNG_1PX, sample_pdf

HEADER = "customer_id,policy_id,policy_number,kind,title,date,visibility,file_name\n"
MANIFEST = HEADER + (
    "C100,X1,,Dec Page,2026 Auto Declarations,01/15/2026,shared,auto-dec.pdf\n"
    "C100,,HO-9000002,ID Card,Home evidence,2026-03-01,Shared,home-card.png\n"
    "C200,,,Note,Underwriting notes,,internal,notes.pdf\n"
)


def _files() -> dict[str, bytes]:
    return {
        "auto-dec.pdf": sample_pdf("Declarations"),
        "home-card.png": PNG_1PX,
        "notes.pdf": sample_pdf("Internal notes"),
    }


def _folder(base: Path, manifest: str = MANIFEST, files: dict[str, bytes] | None = None) -> Path:
    folder = base / "export"
    from tests.services.imports.conftest import ACCOUNTS, CONTACTS, POLICIES

    write_export(folder, accounts=ACCOUNTS, contacts=CONTACTS, policies=POLICIES)
    (folder / "documents.csv").write_text(manifest, encoding="utf-8")
    (folder / "documents").mkdir(exist_ok=True)
    for name, data in (files if files is not None else _files()).items():
        (folder / "documents" / name).write_bytes(data)
    return folder


def _zip(path: Path, members: dict[str, bytes | str], method=zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", method) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def _import(session, path: Path, **options):
    """The CSV entities first (they create the accounts), then the documents; commits."""
    report = run(session, path, **options)
    import_documents(session, open_source(path), options=ImportOptions(**options), report=report)
    session.commit()
    return report


def _docs(session) -> list[Document]:
    return list(
        session.exec(
            select(Document)
            .where(Document.uploaded_by_contact_id.is_(None))
            .join(Account)
            .where(Account.external_id.is_not(None))
        )
    )


def _stored_files(root: Path) -> set[str]:
    return {p.name for p in (root / "files").rglob("*") if p.is_file()}


def _counts(report):
    e = report.entity("documents")
    return (e.created, e.updated, e.unchanged, e.refused)


def test_a_folder_imports_shared_and_internal_documents_and_notifies_nobody(
    demo, tmp_path, isolated_settings
):
    before_files = _stored_files(isolated_settings)
    before_log = len(demo.exec(select(ActivityLog)).all())
    before_outbox = len(demo.exec(select(OutboxMessage)).all())
    report = _import(demo, _folder(tmp_path))
    assert report.errors == [], report.text()
    assert _counts(report) == (3, 0, 0, 0)
    by_title = {d.title: d for d in _docs(demo)}
    dec = by_title["2026 Auto Declarations"]
    assert (dec.category, dec.shared_with_customer, dec.internal) == ("declarations", True, False)
    assert dec.policy_id is not None and dec.filename == "auto-dec.pdf"
    assert dec.content_type == "application/pdf" and dec.created_at.day == 15
    assert by_title["Home evidence"].category == "id_card"
    note = by_title["Underwriting notes"]
    assert (note.category, note.shared_with_customer, note.internal) == (
        "internal_note",
        False,
        True,
    )
    assert len(_stored_files(isolated_settings) - before_files) == 3
    # An import is no action: no activity, no message to anyone.
    assert len(demo.exec(select(ActivityLog)).all()) == before_log
    assert len(demo.exec(select(OutboxMessage)).all()) == before_outbox
    # The customer of C100 sees the two shared ones; nobody sees the internal one.
    account = demo.exec(select(Account).where(Account.external_id == "C200")).one()
    from clientcenter.models import Contact

    contact = demo.exec(select(Contact).where(Contact.account_id == account.id)).first()
    seen = portal_documents.list_documents(demo, customer_principal(account.id, contact.id))
    assert "Underwriting notes" not in [i.title for i in seen]
    with pytest.raises(Exception, match="couldn't find"):
        portal_documents.download_document(
            demo, customer_principal(account.id, contact.id), note.id
        )


def customer_principal(account_id: int, contact_id: int):
    from clientcenter.services.principal import Principal

    return Principal.customer(account_id, contact_id)


def test_re_import_writes_nothing_and_a_dry_run_stores_nothing(demo, tmp_path, isolated_settings):
    folder = _folder(tmp_path)
    before = _stored_files(isolated_settings)
    dry = _import(demo, folder, dry_run=True)
    # A dry run of a first import counts the documents of the accounts and policies it would
    # create as created, as the apply will, and stores nothing.
    assert _stored_files(isolated_settings) == before
    assert not _docs(demo)
    assert _counts(dry) == (3, 0, 0, 0) and dry.errors == []
    _import(demo, folder)
    after_first = _stored_files(isolated_settings)
    again = _import(demo, folder)
    assert _counts(again) == (0, 0, 3, 0)
    assert _stored_files(isolated_settings) == after_first
    dry_again = _import(demo, folder, dry_run=True)
    assert _counts(dry_again) == (0, 0, 3, 0) and dry_again.errors == []


def test_refused_rows_name_file_line_column_and_keep_no_bytes(demo, tmp_path, isolated_settings):
    manifest = HEADER + (
        "C100,X1,,declarations,Good one,2026-01-15,shared,auto-dec.pdf\n"  # line 2: fine
        "C999,,,declarations,Nobody's,2026-01-15,shared,auto-dec.pdf\n"  # unknown account
        "C100,,PA-0000000,declarations,No policy,2026-01-15,shared,auto-dec.pdf\n"
        "C100,X3,,declarations,Not theirs,2026-01-15,shared,auto-dec.pdf\n"  # C200's policy
        "C100,,,horoscope,Bad kind,2026-01-15,shared,auto-dec.pdf\n"
        "C100,,,declarations,Bad date,31/31/2026,shared,auto-dec.pdf\n"
        "C100,,,declarations,Missing,2026-01-15,shared,absent.pdf\n"
        "C100,X1,,declarations,Good one,2026-01-15,shared,auto-dec.pdf\n"  # duplicate of 2
        "C100,,,declarations,Climbing,2026-01-15,shared,../auto-dec.pdf\n"
        "C100,,,declarations,Windows,2026-01-15,shared,docs\\auto-dec.pdf\n"
        "C100,,,declarations,Program,2026-01-15,shared,setup.pdf\n"  # an .exe named .pdf
        "C100,,,declarations,Script,2026-01-15,shared,script.pdf\n"  # a PDF with JavaScript
        "C100,,,declarations,Sometimes,2026-01-15,maybe,auto-dec.pdf\n"
    )
    files = {**_files(), "setup.pdf": EXE_HEAD, "script.pdf": _pdf_with_javascript()}
    before = _stored_files(isolated_settings)
    report = _import(demo, _folder(tmp_path, manifest, files))
    got = {(e.line, e.column): e.reason for e in report.errors if e.file == "documents.csv"}
    assert "no account has this customer id" in got[(3, "customer_id")]
    assert got[(4, "policy_number")] == "no policy has this number"
    assert got[(5, "policy_id")] == "this policy is not on account C100"
    assert got[(6, "kind")] == "not a known kind of document"
    assert got[(7, "date")].startswith("not a date")
    assert got[(8, "file_name")] == "no such file under documents/ in the import"
    assert "line 2 names the same file" in got[(9, "file_name")]
    assert "a path, not a file name" in got[(10, "file_name")]
    assert "backslash" in got[(11, "file_name")]
    assert "can't be uploaded" in got[(12, "file_name")]
    assert "script" in got[(13, "file_name")]
    assert got[(14, "visibility")] == "not a known visibility (shared or internal)"
    assert len(got) == 12
    assert _counts(report)[3] == 12 and report.entity("documents").note.startswith("nothing")
    # The good row was stored, then rolled back with the manifest: no row, no bytes.
    assert not _docs(demo)
    assert _stored_files(isolated_settings) == before
    # valid rows only: the good one stays.
    report = _import(demo, _folder(tmp_path / "again", manifest, files), valid_rows_only=True)
    assert _counts(report)[0] == 1
    assert [d.title for d in _docs(demo)] == ["Good one"]
    assert len(_stored_files(isolated_settings) - before) == 1


def _pdf_with_javascript() -> bytes:
    import io

    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.Root.OpenAction = pdf.make_indirect(
        pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
    )
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def test_a_rollback_of_the_whole_import_leaves_no_stored_bytes(demo, tmp_path, isolated_settings):
    folder = _folder(tmp_path)
    run(demo, folder)
    before = _stored_files(isolated_settings)
    import_documents(demo, open_source(folder))
    assert len(_stored_files(isolated_settings) - before) == 3  # written before the commit
    demo.rollback()
    assert _stored_files(isolated_settings) == before
    assert not _docs(demo)


def test_a_zip_with_documents_imports_and_unsafe_names_are_reported(demo, tmp_path):
    from tests.services.imports.conftest import ACCOUNTS, POLICIES

    members = {
        "accounts.csv": ACCOUNTS,
        "policies.csv": POLICIES,
        "documents.csv": MANIFEST,
        **{f"documents/{name}": data for name, data in _files().items()},
        "documents/../../etc/passwd.pdf": sample_pdf(),
        "/documents/abs.pdf": sample_pdf(),
        "documents\\win.pdf": sample_pdf(),
        "documents/sub/deep.pdf": sample_pdf(),
    }
    archive = _zip(tmp_path / "export.zip", members)
    source = open_source(archive)
    assert sorted(source.documents) == ["auto-dec.pdf", "home-card.png", "notes.pdf"]
    assert len(source.unsafe_names) == 4
    report = _import(demo, archive)
    assert _counts(report) == (3, 0, 0, 0)
    unsafe = [e for e in report.errors if e.file != "documents.csv"]
    assert {e.file for e in unsafe} == {
        "documents/../../etc/passwd.pdf",
        "/documents/abs.pdf",
        "documents\\win.pdf",
        "documents/sub/deep.pdf",
    }
    assert all("(ignored)" in e.reason for e in unsafe)


def test_zip_limits_are_checked_before_anything_is_read(demo, tmp_path, monkeypatch):
    # A bomb: a "PDF" of zeros compressed a thousand to one.
    bomb = _zip(
        tmp_path / "bomb.zip", {"documents.csv": MANIFEST, "documents/a.pdf": b"0" * 30 * 2**20}
    )
    with pytest.raises(FileRefused, match="zip bomb"):
        open_source(bomb)
    # Too many members.
    monkeypatch.setattr(sources, "MAX_ZIP_MEMBERS", 3)
    many = _zip(tmp_path / "many.zip", {f"documents/{i}.pdf": b"x" for i in range(4)})
    with pytest.raises(FileRefused, match="at most 3"):
        open_source(many)
    monkeypatch.setattr(sources, "MAX_ZIP_MEMBERS", 10_000)
    # Too much altogether (declared sizes, nothing decompressed).
    monkeypatch.setattr(sources, "MAX_DOCUMENTS_TOTAL_BYTES", 2 * 2**20)
    big = {f"documents/{i}.png": PNG_1PX + bytes(range(256)) * 4096 for i in range(3)}
    with pytest.raises(FileRefused, match="uncompressed"):
        open_source(_zip(tmp_path / "big.zip", big, zipfile.ZIP_STORED))
    monkeypatch.setattr(sources, "MAX_DOCUMENTS_TOTAL_BYTES", 4 * 2**30)
    # One file over the per-file limit: its row is refused, the others stand.
    monkeypatch.setattr(sources, "MAX_DOCUMENT_BYTES", 64 * 1024)
    files = {**_files(), "auto-dec.pdf": sample_pdf("x") + b"\n%" + b"y" * 100_000}
    from tests.services.imports.conftest import ACCOUNTS, POLICIES

    archive = _zip(
        tmp_path / "one.zip",
        {
            "accounts.csv": ACCOUNTS,
            "policies.csv": POLICIES,
            "documents.csv": MANIFEST,
            **{f"documents/{n}": d for n, d in files.items()},
        },
        zipfile.ZIP_STORED,
    )
    report = _import(demo, archive, valid_rows_only=True)
    [error] = [e for e in report.errors if e.file == "documents.csv"]
    assert (error.line, error.column) == (2, "file_name")
    assert error.reason.endswith("a document may be at most 64 KB")
    assert _counts(report)[0] == 2


def test_a_member_that_grows_past_its_declared_size_is_cut_off(demo, tmp_path, monkeypatch):
    """Reading stops at the limit even if the directory understated the size."""
    folder = _folder(tmp_path)
    run(demo, folder)
    source = open_source(folder)
    monkeypatch.setattr(sources, "MAX_DOCUMENT_BYTES", 1024)  # after the directory was read
    report = import_documents(demo, source, options=ImportOptions(valid_rows_only=True))
    reasons = [e.reason for e in report.errors]
    assert sum("is larger than" in r for r in reasons) == 2  # the two PDFs; the PNG is tiny


def test_the_template_matches_the_columns_and_the_docs():
    from clientcenter.settings import PROJECT_ROOT

    template = (PROJECT_ROOT / "docs" / "import-templates" / "documents.csv").read_text()
    assert template.splitlines()[0].split(",") == [c.name for c in COLUMNS]
    docs = (PROJECT_ROOT / "docs" / "import.md").read_text()
    for column in COLUMNS:
        assert f"| `{column.name}` |" in docs, column.name


def test_the_documented_template_imports_cleanly(demo):
    from clientcenter.settings import PROJECT_ROOT

    report = _import(demo, PROJECT_ROOT / "docs" / "import-templates")
    assert report.errors == [], report.text()
    assert _counts(report) == (3, 0, 0, 0)
    assert sorted(d.internal for d in _docs(demo)) == [False, False, True]


def test_the_import_page_entry_needs_a_role_that_may_import(demo, tmp_path):
    from clientcenter.services.errors import NotAllowed
    from clientcenter.services.imports.documents import import_documents_for_agent
    from tests.support.demo import AGENT, PRIYA, agency_agent, agent_named

    folder = _folder(tmp_path)
    run(demo, folder)
    with pytest.raises(NotAllowed, match="import data"):
        import_documents_for_agent(demo, agency_agent(demo, PRIYA), open_source(folder))
    report = import_documents_for_agent(demo, agency_agent(demo, AGENT), open_source(folder))
    demo.commit()
    assert _counts(report) == (3, 0, 0, 0)
    assert {d.uploaded_by_agent_id for d in _docs(demo)} == {agent_named(demo, AGENT).id}


def test_the_command_line_imports_the_documents_too(demo, tmp_path, capsys):
    from clientcenter import cli

    folder = _folder(tmp_path)
    assert cli.main(["import", str(folder), "--mapping", "auto"]) == 0
    out = capsys.readouterr().out
    assert "documents (documents.csv): 3 created" in out and "customers notified: 0" in out
    assert cli.main(["import", str(folder), "--mapping", "auto"]) == 0
    assert (
        "documents (documents.csv): 0 created, 0 updated, 3 unchanged" in capsys.readouterr().out
    )


def test_a_damaged_member_refuses_its_row(demo, tmp_path):
    from tests.services.imports.conftest import ACCOUNTS, POLICIES

    pdf = sample_pdf("Declarations")
    archive = _zip(
        tmp_path / "damaged.zip",
        {
            "accounts.csv": ACCOUNTS,
            "policies.csv": POLICIES,
            "documents.csv": MANIFEST,
            **{f"documents/{n}": d for n, d in _files().items()},
        },
        zipfile.ZIP_STORED,
    )
    raw = bytearray(archive.read_bytes())
    at = raw.index(pdf[:200]) + 100  # a byte inside auto-dec.pdf: its CRC no longer matches
    raw[at] ^= 0xFF
    archive.write_bytes(bytes(raw))
    report = _import(demo, archive, valid_rows_only=True)
    [error] = [e for e in report.errors if e.file == "documents.csv"]
    assert error.line == 2 and "could not be read (encrypted or damaged)" in error.reason
    assert _counts(report)[0] == 2
