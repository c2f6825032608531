"""Row digests (services/imports/digests.py) on both databases: an unchanged re-import skips
its rows without parsing them, and yet every rule holds: a record changed since (by an agent,
a payment, a retirement) is compared again, a file that names a record twice is refused, a
coverage's place on its policy follows the file, and a file rolled back keeps no digest."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import update
from sqlmodel import func, select

from clientcenter.models import Account, Coverage, ImportRowDigest, Invoice, Policy
from clientcenter.models.billing import InvoiceStatus
from clientcenter.models.policies import PolicyStatus
from clientcenter.services.imports import run as run_module
from tests.services.imports.conftest import POLICIES, run, write_export
from tests.services.imports.test_children import COVERAGES, _export
from tests.services.imports.test_import import _counts


@contextmanager
def _parsed(monkeypatch):
    """How many rows the block parsed (the import's own _parse, counted)."""
    calls: list[int] = []
    real = run_module._parse

    def counting(entity, headers, row, file, result):
        calls.append(row.line)
        return real(entity, headers, row, file, result)

    monkeypatch.setattr(run_module, "_parse", counting)
    yield calls
    monkeypatch.setattr(run_module, "_parse", real)


def _digests(session, entity: str) -> int:
    return session.exec(
        select(func.count()).select_from(ImportRowDigest).where(ImportRowDigest.entity == entity)
    ).one()


def test_an_unchanged_reimport_parses_no_row(demo, tmp_path, monkeypatch):
    folder = _export(tmp_path)
    run(demo, folder)
    assert _digests(demo, "coverages") == 4 and _digests(demo, "policies") == 3
    with _parsed(monkeypatch) as parsed:
        report = run(demo, folder)
        preview = run(demo, folder, dry_run=True)
    assert parsed == [] and report.errors == [] and preview.errors == []
    for entity in report.entities:
        assert (entity.created, entity.updated, entity.refused) == (0, 0, 0), entity
        assert entity.unchanged > 0
    assert [e.unchanged for e in preview.entities] == [e.unchanged for e in report.entities]


def test_only_the_changed_rows_are_parsed(demo, tmp_path, monkeypatch):
    run(demo, _export(tmp_path))
    changed = _export(
        tmp_path, "changed", coverages=COVERAGES.replace("$500,$288.00", "$250,$320.00")
    )
    with _parsed(monkeypatch) as parsed:
        report = run(demo, changed)
    assert report.errors == [] and parsed == [3]  # coverages.csv's line 3
    assert _counts(report, "coverages") == (0, 1, 3, 0)
    # The changed row's digest is the new one: importing it again parses nothing.
    with _parsed(monkeypatch) as parsed:
        assert _counts(run(demo, changed), "coverages") == (0, 0, 4, 0)
    assert parsed == []


def test_a_record_an_agent_changed_is_compared_again(demo, tmp_path):
    folder = _export(tmp_path)
    run(demo, folder)
    account = demo.exec(select(Account).where(Account.external_id == "C100")).one()
    account.name = "Renamed in the app"
    demo.add(account)
    demo.commit()
    report = run(demo, folder)
    assert _counts(report, "accounts") == (0, 1, 1, 0)
    demo.expire_all()
    assert demo.get(Account, account.id).name == "Dana Whitfield"


def test_a_payment_that_moved_an_invoice_by_a_bulk_update_is_seen(demo, tmp_path):
    """The payment code settles an invoice with an UPDATE that leaves updated_at alone: the
    digest holds status and paid amount too, so the money rules still refuse the row."""
    folder = _export(tmp_path)
    run(demo, folder)
    demo.execute(
        update(Invoice)
        .where(Invoice.number == "INV-9000001")
        .values(paid_cents=61725, status=InvoiceStatus.PAID)
    )
    demo.commit()
    report = run(demo, folder)
    errors = [e for e in report.errors if e.file == "invoices.csv"]
    assert [(e.line, e.column) for e in errors] == [(2, "status")], report.text()
    assert "does not reopen it" in errors[0].reason


def test_a_retired_policy_is_compared_again(demo, tmp_path):
    folder = _export(tmp_path)
    run(demo, folder)
    fewer = write_export(
        tmp_path / "fewer", policies=POLICIES.replace(POLICIES.splitlines()[3], "")
    )
    assert run(demo, fewer, full=True).entity("policies").retired == 1
    assert _counts(run(demo, folder), "policies") == (0, 1, 2, 0)
    bop = demo.exec(select(Policy).where(Policy.external_id == "X3")).one()
    assert bop.status == PolicyStatus.ACTIVE


def test_full_mode_counts_skipped_rows_as_named(demo, tmp_path, monkeypatch):
    folder = _export(tmp_path)
    run(demo, folder)
    with _parsed(monkeypatch) as parsed:
        report = run(demo, folder, full=True)
    assert parsed == [] and report.errors == []
    assert all(e.retired == 0 for e in report.entities), report.text()


@pytest.mark.parametrize("extra_first", [False, True], ids=["after", "before"])
def test_a_row_naming_a_skipped_rows_record_again_is_refused(demo, tmp_path, extra_first):
    run(demo, _export(tmp_path))
    lines = POLICIES.splitlines()
    # The auto policy again, by carrier and number instead of its policy id.
    again = "C100,,PA-9000001,Casco Mutual,12345,AUTOP,01/15/2026,1/15/27,In Force,$1.00,Direct"
    body = [again, *lines[1:]] if extra_first else [*lines[1:], again]
    report = run(demo, write_export(tmp_path / "twice", policies="\n".join([lines[0], *body])))
    errors = [e for e in report.errors if e.file == "policies.csv"]
    assert len(errors) == 1, report.text()
    assert "another line of this file names the same record" in errors[0].reason
    assert errors[0].line == (2 if extra_first else 5)
    auto = demo.exec(select(Policy).where(Policy.external_id == "X1")).one()
    assert auto.premium_cents == 123450  # the file was not applied


def test_a_coverage_added_above_unchanged_ones_moves_them_down(demo, tmp_path):
    run(demo, _export(tmp_path))
    header, *rows = COVERAGES.splitlines()
    added = "PA-9000001,Casco Mutual,Roadside Assistance,Included,,$12.00,"
    report = run(demo, _export(tmp_path, "added", coverages="\n".join([header, added, *rows])))
    assert report.errors == [] and _counts(report, "coverages") == (1, 3, 1, 0)
    auto = demo.exec(select(Policy).where(Policy.external_id == "X1")).one()
    on_auto = demo.exec(
        select(Coverage.position, Coverage.name, Coverage.deductible)
        .where(Coverage.policy_id == auto.id)
        .order_by(Coverage.position)
    ).all()
    assert on_auto == [
        (1, "Roadside Assistance", ""),
        (2, "Bodily Injury Liability", ""),
        (3, "Collision", "$500"),
        (4, "Collision", "$1,000"),
    ]


def test_another_mapping_reads_every_row_again(demo, tmp_path, monkeypatch):
    folder = _export(tmp_path)
    run(demo, folder)
    with _parsed(monkeypatch) as parsed:
        report = run(demo, folder, mapping={"contacts": {"Cell Phone": ""}})
    assert len(parsed) > 0 and report.errors == []
    assert _counts(report, "contacts") == (0, 0, 3, 0)  # an ignored column changes nothing


def test_a_file_rolled_back_keeps_no_digest(demo, tmp_path):
    bad = COVERAGES + "PA-9000001,Casco Mutual,Towing,,,not money,\n"
    report = run(demo, _export(tmp_path, coverages=bad))
    assert report.entity("coverages").applied is False
    assert _digests(demo, "coverages") == 0 and _digests(demo, "policies") == 3
