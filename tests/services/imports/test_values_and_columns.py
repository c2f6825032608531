"""Cells as exports write them, headers as exports name them, and the error CSV's escaping."""

from __future__ import annotations

from datetime import date

import pytest

from clientcenter.services import form_input
from clientcenter.services.errors import InvalidInput
from clientcenter.services.imports import values as v
from clientcenter.services.imports.columns import map_headers
from clientcenter.services.imports.entities import ENTITIES
from clientcenter.services.imports.reader import FileRefused
from clientcenter.services.imports.report import ImportReport, RowError

ACCOUNTS, CONTACTS, POLICIES = ENTITIES[:3]


@pytest.mark.parametrize("cell", ["2026-01-05", "01/05/2026", "1/5/26", "01-05-2026"])
def test_dates_in_export_formats(cell):
    assert v.a_date(cell) == date(2026, 1, 5)


@pytest.mark.parametrize("cell", ["2026-13-01", "5 Jan 2026", "02/30/2026", "yesterday"])
def test_wrong_dates_refused(cell):
    with pytest.raises(v.CellRefused, match="not a date"):
        v.a_date(cell)


@pytest.mark.parametrize(
    ("cell", "cents"),
    [("$1,234.50", 123450), ("980", 98000), ("(12.00)", -1200), ("-7.5", -750), ("$ 0.99", 99)],
)
def test_amounts_with_dollars_commas_and_parentheses(cell, cents):
    assert v.amount_cents(cell) == cents


@pytest.mark.parametrize("cell", ["12.345", "1.2.3", "USD 5", "$", "1e400"])
def test_wrong_amounts_refused(cell):
    with pytest.raises(v.CellRefused):
        v.amount_cents(cell)


def test_emails_and_phones_follow_the_form_rules():
    assert v.email("Dana@Example.ORG") == "dana@example.org"
    assert v.phone("(207) 555-0142") == "+12075550142"
    with pytest.raises(v.CellRefused, match="not valid"):
        v.email("dana@")
    with pytest.raises(v.CellRefused):
        v.phone("555-01")


def test_headers_match_synonyms_case_and_punctuation_insensitively():
    headers = [
        "LOOKUPCODE",
        "pol #",
        "Carrier",
        "line of business",
        "Eff Date",
        "exp_date",
        "Policy Status",
        "Annual Premium",
        "Notes",
    ]
    mapped = map_headers("policies.csv", headers, POLICIES.columns)
    assert mapped.index["customer_id"] == 0 and mapped.index["policy_number"] == 1
    assert mapped.index["premium"] == 7
    assert mapped.unmatched == ["Notes"]


def test_a_missing_required_column_is_refused_by_name():
    with pytest.raises(FileRefused, match="required column missing: name"):
        map_headers("accounts.csv", ["Client Code", "City"], ACCOUNTS.columns)


def test_a_header_mapping_twice_is_refused_with_both_names():
    with pytest.raises(FileRefused, match='"Customer ID" and "Client Code" both map'):
        map_headers("accounts.csv", ["Customer ID", "Client Code", "Name"], ACCOUNTS.columns)


def test_a_saved_mapping_names_or_ignores_headers():
    saved = {"Acct": "customer_id", "Client Code": "", "Insured": "name"}
    mapped = map_headers(
        "accounts.csv", ["Acct", "Client Code", "Insured"], ACCOUNTS.columns, saved
    )
    assert mapped.index == {"customer_id": 0, "name": 2} and mapped.unmatched == []
    with pytest.raises(FileRefused, match='"nickname", which is not one of our fields'):
        map_headers("accounts.csv", ["Acct", "Name"], ACCOUNTS.columns, {"Acct": "nickname"})


def test_error_csv_escapes_formula_cells():
    report = ImportReport(dry_run=True)
    report.errors.append(RowError("a.csv", 2, "name", '=HYPERLINK("x")', "bad"))
    report.errors.append(RowError("a.csv", 3, "premium", "-5", "+negative"))
    text = report.errors_csv()
    assert "'=HYPERLINK" in text and "'-5" in text and "'+negative" in text


def test_docs_list_every_column_and_the_templates_use_our_names():
    from clientcenter.settings import PROJECT_ROOT

    docs = (PROJECT_ROOT / "docs" / "import.md").read_text()
    for entity in ENTITIES:
        template = (PROJECT_ROOT / "docs" / "import-templates" / entity.file).read_text()
        assert template.splitlines()[0].split(",") == [c.name for c in entity.columns]
        for column in entity.columns:
            assert f"| `{column.name}` |" in docs, column.name


@pytest.mark.parametrize(
    "address",
    [
        "Dana@Example.org",
        "o'brien+tag@example.org",
        "a..b@example.org",
        ".a@example.org",
        "a@b@example.org",
        '"quoted"@example.org',
        "a b@example.org",
        "jose@exämple.org",
        "x" * 65 + "@example.org",
        "user@localhost",
        "a@EXAMPLE.ORG",
    ],
)
def test_an_email_at_a_domain_seen_before_gets_the_forms_verdict(address):
    """The import remembers domains that passed; an address at one is judged as the forms
    judge it, however often it comes."""
    v.email("first@example.org")  # the domain has passed once
    try:
        expected = form_input.email({"v": address}, "v")
    except InvalidInput:
        expected = None
    for _ in range(2):
        try:
            got = v.email(address)
        except v.CellRefused:
            got = None
        assert got == expected
