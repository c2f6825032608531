"""A re-import compares existing records as rows of their columns: an unchanged row builds no
model object at all, a changed one loads just its own (both databases)."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import event
from sqlmodel import select

from clientcenter.models import (
    Account,
    CertificateHolder,
    Contact,
    Coverage,
    Driver,
    Invoice,
    Policy,
    Vehicle,
)
from tests.services.imports.conftest import run
from tests.services.imports.test_children import COVERAGES, DRIVERS, INVOICES, _export

IMPORTED = (Account, Contact, Policy, Vehicle, Coverage, Driver, Invoice, CertificateHolder)


def _loads(session, folder):
    """The report of importing ``folder``, and the imported models' objects it loaded."""
    loaded: Counter = Counter()

    def count(_session, instance):
        if isinstance(instance, IMPORTED):
            loaded[type(instance).__name__] += 1

    session.expunge_all()
    event.listen(session, "loaded_as_persistent", count)
    try:
        report = run(session, folder)
    finally:
        event.remove(session, "loaded_as_persistent", count)
    return report, loaded


def test_an_unchanged_reimport_loads_no_model_object(demo, tmp_path):
    folder = _export(tmp_path)
    run(demo, folder)
    report, loaded = _loads(demo, folder)
    assert report.errors == []
    assert all(e.created == e.updated == 0 and e.unchanged for e in report.entities)
    assert loaded == Counter()


def test_a_changed_row_loads_only_its_own_record_and_writes_it(demo, tmp_path):
    run(demo, _export(tmp_path))
    changed = _export(
        tmp_path,
        "changed",
        coverages=COVERAGES.replace("$500,$288.00", "$250,$320.00"),
        drivers=DRIVERS.replace("1986-06-30,ME,Spouse", "1986-06-30,NH,Spouse"),
        invoices=INVOICES.replace("$617.25", "$600.00"),
    )
    report, loaded = _loads(demo, changed)
    assert report.errors == [], report.text()
    assert loaded == Counter(Coverage=1, Driver=1, Invoice=1)
    demo.expire_all()
    assert (
        demo.exec(select(Invoice).where(Invoice.number == "INV-9000001")).one().amount_cents
        == 60000
    )
    collision = demo.exec(select(Coverage).where(Coverage.premium_cents == 32000)).one()
    assert (collision.deductible, collision.name) == ("$250", "Collision")
