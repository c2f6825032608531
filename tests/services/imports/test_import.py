"""Imports on both databases, beside the demo agency: keys, updates that write only what
changed, refusals that change nothing, status flowing through to who may log in, full mode."""

from __future__ import annotations

import zipfile
from contextlib import contextmanager

import pytest
from sqlalchemy import event, func
from sqlmodel import Session, select

from clientcenter.models import Account, Contact, Policy
from clientcenter.models.policies import PolicyStatus
from clientcenter.services.accounts import is_account_active, loginable_contacts
from clientcenter.services.errors import NotFound
from clientcenter.services.imports.mappings import load_mapping, save_mapping
from clientcenter.services.imports.run import ImportOptions, run_import
from clientcenter.services.imports.sources import open_source
from tests.services.imports.conftest import (
    ACCOUNTS,
    CONTACTS,
    POLICIES,
    producer_id,
    run,
    write_export,
)


def _account(session: Session, customer_id: str) -> Account:
    return session.exec(select(Account).where(Account.external_id == customer_id)).one()


def _counts(report, entity: str) -> tuple[int, int, int, int]:
    e = report.entity(entity)
    return (e.created, e.updated, e.unchanged, e.refused)


def _table_sizes(session: Session) -> tuple[int, ...]:
    return tuple(
        session.exec(select(func.count()).select_from(model)).one()
        for model in (Account, Contact, Policy)
    )


@contextmanager
def _writes(session: Session):
    """The INSERT/UPDATE/DELETE statements the block sends (not db.begin_before_savepoints'
    write that changes nothing)."""
    seen: list[str] = []

    def listen(_conn, _cursor, statement, *_args):
        if statement.lstrip().split(" ", 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            if not statement.endswith("WHERE 0 = 1"):
                seen.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listen)


def test_first_import_creates_keyed_records(demo, export):
    report = run(demo, export)
    assert report.errors == []
    assert _counts(report, "accounts") == (2, 0, 0, 0)
    assert _counts(report, "contacts") == (3, 0, 0, 0)
    assert _counts(report, "policies") == (3, 0, 0, 0)
    dana = _account(demo, "C100")
    assert (dana.name, dana.state, dana.postal_code, dana.kind) == (
        "Dana Whitfield",
        "ME",
        "04101",
        "personal",
    )
    assert dana.data_as_of is not None
    policy = demo.exec(select(Policy).where(Policy.external_id == "X1")).one()
    assert (policy.number, policy.premium_cents, policy.line, policy.bill_method) == (
        "PA-9000001",
        123450,
        "auto",
        "direct",
    )
    assert str(policy.expiration_date) == "2027-01-15" and policy.carrier_naic == "12345"
    lee = demo.exec(select(Contact).where(Contact.email == "lee@example.org")).one()
    assert (lee.role, lee.may_log_in, lee.external_id) == ("co_applicant", True, "P2")
    assert [a.name for _c, a in loginable_contacts(demo, "dana@example.org")] == ["Dana Whitfield"]
    assert report.customers_notified == 0


def test_dry_run_writes_nothing_and_counts_the_same(demo, export):
    before = _table_sizes(demo)
    with _writes(demo) as writes:
        report = run(demo, export, dry_run=True)
    assert writes == [] and _table_sizes(demo) == before
    assert _counts(report, "policies") == (3, 0, 0, 0)
    assert "would be created" in report.text()


def test_reimporting_the_same_files_writes_nothing_but_the_freshness(demo, export):
    run(demo, export)
    stamped = _account(demo, "C100").data_as_of
    with _writes(demo) as writes:
        report = run(demo, export)
    assert _counts(report, "accounts") == (0, 0, 2, 0)
    assert _counts(report, "contacts") == (0, 0, 3, 0)
    assert _counts(report, "policies") == (0, 0, 3, 0)
    assert writes and all(w.startswith("UPDATE account SET data_as_of") for w in writes), writes
    demo.expire_all()
    assert _account(demo, "C100").data_as_of > stamped


def test_a_changed_row_updates_only_that_record(demo, export, tmp_path):
    run(demo, export)
    changed = write_export(
        tmp_path / "changed",
        accounts=ACCOUNTS.replace("1 Elm St", "2 Oak Ave"),
        policies=POLICIES.replace('"$1,234.50"', '"$1,300.00"'),
    )
    with _writes(demo) as writes:
        report = run(demo, changed)
    assert _counts(report, "accounts") == (0, 1, 1, 0)
    assert _counts(report, "policies") == (0, 1, 2, 0)
    assert sum(w.startswith("UPDATE policy") for w in writes) == 1
    assert _account(demo, "C100").street == "2 Oak Ave"
    assert (
        demo.exec(select(Policy.premium_cents).where(Policy.external_id == "X1")).one() == 130000
    )


def test_cancelled_status_closes_the_account(demo, export, tmp_path):
    run(demo, export)
    cancelled = write_export(
        tmp_path / "cancel",
        policies=POLICIES.replace(
            "BOP,2026-02-01,2027-02-01,active", "BOP,2026-02-01,2027-02-01,Canceled"
        ),
    )
    report = run(demo, cancelled)
    assert _counts(report, "policies") == (0, 1, 2, 0)
    assert not is_account_active(demo, _account(demo, "C200").id)
    assert loginable_contacts(demo, "morgan@example.org") == []


def test_policies_key_on_carrier_and_number_without_ids(demo, tmp_path):
    no_ids = (
        POLICIES.replace("Policy ID,", "")
        .replace(",X1,", ",")
        .replace(",X2,", ",")
        .replace(",X3,", ",")
    )
    folder = write_export(tmp_path / "noids", accounts=ACCOUNTS, policies=no_ids)
    assert _counts(run(demo, folder), "policies") == (3, 0, 0, 0)
    assert _counts(run(demo, folder), "policies") == (0, 0, 3, 0)
    other_carrier = write_export(tmp_path / "other", policies=no_ids.replace("Granite Re", "Acme"))
    report = run(demo, other_carrier, valid_rows_only=True)
    assert _counts(report, "policies") == (0, 0, 2, 1)
    assert "already Granite Re's policy" in report.errors[0].reason


def _refused_changes_nothing(demo, folder, file: str, column: str, reason: str):
    """The file's table is as it was (accounts.csv beside it may apply)."""
    table = {"accounts.csv": 0, "contacts.csv": 1, "policies.csv": 2}[file]
    before = _table_sizes(demo)[table]
    report = run(demo, folder)
    assert _table_sizes(demo)[table] == before
    error = next(e for e in report.errors if e.file == file)
    assert (error.column, reason in error.reason) == (column, True), error
    return report, error


def test_a_policy_for_an_unknown_account_refuses_the_file(demo, tmp_path):
    folder = write_export(
        tmp_path / "x", accounts=ACCOUNTS, policies=POLICIES.replace("C200,X3", "C999,X3")
    )
    before = _table_sizes(demo)
    report = run(demo, folder)
    assert _counts(report, "accounts") == (2, 0, 0, 0)  # accounts.csv was fine
    assert _counts(report, "policies") == (2, 0, 0, 1) and not report.entity("policies").applied
    assert _table_sizes(demo)[2] == before[2]
    error = report.errors[0]
    assert (error.file, error.line, error.column, error.value) == (
        "policies.csv",
        4,
        "customer_id",
        "C999",
    )
    assert "no account has this customer id" in error.reason


def test_valid_rows_only_applies_the_rest(demo, tmp_path):
    folder = write_export(
        tmp_path / "x", accounts=ACCOUNTS, policies=POLICIES.replace("C200,X3", "C999,X3")
    )
    report = run(demo, folder, valid_rows_only=True)
    assert _counts(report, "policies") == (2, 0, 0, 1) and report.entity("policies").applied
    assert (
        demo.exec(select(func.count()).where(Policy.external_id.in_(["X1", "X2", "X3"]))).one()
        == 2
    )


def test_the_same_key_twice_in_a_file(demo, tmp_path):
    twice = ACCOUNTS + "C100,Dana W.,personal,,,,\n"
    folder = write_export(tmp_path / "x", accounts=twice)
    _report, error = _refused_changes_nothing(
        demo, folder, "accounts.csv", "customer_id", "line 2 has the same key"
    )
    assert error.line == 4


def test_bad_cells_are_reported_with_file_line_column_value(demo, tmp_path):
    bad = POLICIES.replace("01/15/2026", "15/01/2026").replace('"$1,234.50"', "$12.345")
    folder = write_export(tmp_path / "x", accounts=ACCOUNTS, policies=bad)
    report = run(demo, folder)
    found = {(e.line, e.column, e.value) for e in report.errors}
    assert found == {(2, "effective_date", "15/01/2026"), (2, "premium", "$12.345")}
    assert report.entity("policies").refused == 1 and report.refused_rows == 1


def test_bad_emails_and_phones_are_refused(demo, tmp_path):
    bad = CONTACTS.replace("lee@example.org", "lee@").replace("207-555-0177", "555-01")
    folder = write_export(tmp_path / "x", accounts=ACCOUNTS, contacts=bad)
    report = run(demo, folder)
    assert {(e.line, e.column) for e in report.errors} == {(3, "email"), (4, "mobile")}
    assert demo.exec(select(func.count()).where(Contact.email == "dana@example.org")).one() == 0


def test_one_email_under_two_names_on_two_accounts(demo, tmp_path):
    conflict = CONTACTS + "C200,P4,Danielle,Smith,dana@example.org,,Additional\n"
    folder = write_export(tmp_path / "x", accounts=ACCOUNTS, contacts=conflict)
    _report, error = _refused_changes_nothing(
        demo, folder, "contacts.csv", "email", "one person cannot have two names"
    )
    assert error.line == 5
    # The same person on two accounts is fine.
    same = CONTACTS + "C200,P4,Dana,Whitfield,dana@example.org,,Additional\n"
    assert run(demo, write_export(tmp_path / "y", contacts=same)).errors == []


def test_an_email_already_under_another_name_in_the_database(demo, tmp_path):
    taken = CONTACTS.replace("lee@example.org", "casey.quinn@example.com")
    folder = write_export(tmp_path / "x", accounts=ACCOUNTS, contacts=taken)
    _refused_changes_nothing(demo, folder, "contacts.csv", "email", "Casey Quinn")


def test_a_contact_a_later_import_puts_on_another_account_under_another_name(demo, tmp_path):
    run(demo, write_export(tmp_path / "a", accounts=ACCOUNTS, contacts=CONTACTS))
    header = "Client Code,Contact ID,First Name,Last Name,Email\n"
    other = header + "C200,P9,Dana,Smith,DANA@example.org\n"
    _report, error = _refused_changes_nothing(
        demo, write_export(tmp_path / "b", contacts=other), "contacts.csv", "email", "C100"
    )
    assert "dana whitfield's" in error.reason and "cannot have two names" in error.reason
    same = header + "C200,P9,DANA,WHITFIELD,dana@example.org\n"
    assert run(demo, write_export(tmp_path / "c", contacts=same)).errors == []


def test_a_file_refused_whole_says_why_and_changes_nothing(demo, tmp_path):
    folder = write_export(
        tmp_path / "x",
        accounts="Customer ID,Name\nC1,Ann\n".encode("utf-16"),
        contacts='Client Code,First,Last,Email\nC100,"Dana,Whitfield,d@example.org\n',
    )
    before = _table_sizes(demo)
    report = run(demo, folder)
    assert _table_sizes(demo) == before
    assert [(e.file, e.line) for e in report.errors] == [
        ("accounts.csv", None),
        ("contacts.csv", 2),
    ]
    assert "UTF-16" in report.errors[0].reason and "quote" in report.errors[1].reason


def test_full_mode_says_what_it_would_retire_then_retires(demo, export, tmp_path):
    run(demo, export)
    demo_accounts_open = demo.exec(select(func.count()).where(Policy.status == "active")).one() - 3
    smaller = write_export(
        tmp_path / "smaller",
        accounts="\n".join(ACCOUNTS.splitlines()[:2]) + "\n",
        contacts="\n".join(CONTACTS.splitlines()[:2]) + "\n",
        policies="\n".join(POLICIES.splitlines()[:2]) + "\n",
    )
    plain = run(demo, smaller)
    assert all(e.retired == 0 for e in plain.entities)
    preview = run(demo, smaller, full=True, dry_run=True)
    assert [e.retired for e in preview.entities] == [1, 2, 2]
    assert "1 would be retired" in preview.text()
    assert is_account_active(demo, _account(demo, "C200").id)
    report = run(demo, smaller, full=True)
    assert [e.retired for e in report.entities] == [1, 2, 2]
    demo.expire_all()
    assert not is_account_active(demo, _account(demo, "C200").id)
    assert (
        demo.exec(select(Policy.status).where(Policy.external_id == "X2")).one()
        == PolicyStatus.CANCELLED
    )
    assert not demo.exec(select(Contact.may_log_in).where(Contact.external_id == "P2")).one()
    # The demo agency's own records carry no import key: never retired.
    assert (
        demo.exec(select(func.count()).where(Policy.status == "active")).one() - 1
        == demo_accounts_open
    )


def test_a_first_full_import_retires_nothing_it_brought_in(demo, export):
    report = run(demo, export, full=True)
    assert [e.retired for e in report.entities] == [0, 0, 0]
    assert _counts(report, "policies") == (3, 0, 0, 0)
    assert is_account_active(demo, _account(demo, "C200").id)


def test_full_mode_retires_nothing_when_rows_were_refused(demo, export, tmp_path):
    run(demo, export)
    folder = write_export(
        tmp_path / "x", accounts="Customer ID,Name\nC100,Dana Whitfield\nC300,\n"
    )
    report = run(demo, folder, full=True, valid_rows_only=True)
    assert report.entity("accounts").retired == 0
    assert "nothing retired" in report.entity("accounts").note


def test_a_saved_mapping_maps_renamed_columns(demo, tmp_path):
    renamed = ACCOUNTS.replace("Account Name", "Insured Full Nm")
    folder = write_export(tmp_path / "x", accounts=renamed)
    refused = run(demo, folder)
    assert "required column missing: name" in refused.errors[0].reason
    assert "Insured Full Nm" in refused.errors[0].reason
    save_mapping(demo, "nightly", {"accounts": {"Insured Full Nm": "name", "Type": ""}})
    demo.commit()
    report = run(demo, folder, mapping=load_mapping(demo, "nightly"))
    assert _counts(report, "accounts") == (2, 0, 0, 0)
    assert _account(demo, "C200").kind == "personal"  # Type was ignored
    with pytest.raises(NotFound):
        load_mapping(demo, "weekly")


def test_zip_sources_ignore_nested_and_climbing_names_and_refuse_bombs(demo, tmp_path):
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("accounts.csv", ACCOUNTS)
        z.writestr("../policies.csv", POLICIES)
        z.writestr("nested/contacts.csv", CONTACTS)
    source = open_source(archive)
    assert list(source.files) == ["accounts"]
    assert sorted(source.ignored) == ["../policies.csv", "nested/contacts.csv"]
    assert _counts(run(demo, archive), "accounts") == (2, 0, 0, 0)
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("accounts.csv", "Customer ID,Name\n" + "0" * 20_000_000)
    with pytest.raises(Exception, match="zip bomb"):
        open_source(bomb)


def test_the_documented_templates_import_cleanly(demo):
    from clientcenter.settings import PROJECT_ROOT

    report = run(demo, PROJECT_ROOT / "docs" / "import-templates")
    assert report.errors == [], report.text()
    assert [e.created for e in report.entities] == [2, 3, 3, 2, 3, 2, 2, 2]


def test_a_row_with_more_cells_than_headers_and_a_contact_without_account(demo, tmp_path):
    contacts = CONTACTS + "C100,P9,Ann,Lee,ann@example.org,,Primary,extra\nC404,P8,Bo,Ray,,,\n"
    folder = write_export(tmp_path / "x", accounts=ACCOUNTS, contacts=contacts)
    report = run(demo, folder, valid_rows_only=True)
    assert _counts(report, "contacts") == (3, 0, 0, 2)
    assert [(e.line, e.column) for e in report.errors] == [(5, ""), (6, "customer_id")]
    assert "8 cells but the header 7" in report.errors[0].reason


def test_a_caller_that_rolls_back_keeps_nothing_of_the_import(demo, export):
    # The files' savepoints nest inside the caller's transaction on SQLite as on PostgreSQL:
    # releasing the first must not commit it (pysqlite begins only before a write).
    before = _table_sizes(demo)
    demo.commit()
    report = run_import(
        demo,
        open_source(export).files,
        mapping={},
        default_producer_id=producer_id(demo),
        options=ImportOptions(),
    )
    assert report.entity("accounts").applied and _table_sizes(demo) != before
    demo.rollback()
    assert _table_sizes(demo) == before
