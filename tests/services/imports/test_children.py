"""vehicles.csv, coverages.csv, drivers.csv, invoices.csv and certificate_holders.csv on both
databases: keyed re-imports that write nothing, children that must name a policy or account,
refusals with file/line/column, the money rules an import never breaks, and full mode."""

from __future__ import annotations

import zipfile
from datetime import timedelta

import pytest
from sqlmodel import Session, func, select

from clientcenter import cli
from clientcenter.models import (
    Account,
    Certificate,
    CertificateHolder,
    Coverage,
    Document,
    Driver,
    ImportRowDigest,
    Invoice,
    Payment,
    PaymentRequest,
    Policy,
    Vehicle,
)
from clientcenter.models.base import utcnow
from clientcenter.models.billing import InvoiceStatus, PaymentRequestStatus, PaymentStatus
from clientcenter.services.errors import InvalidInput
from clientcenter.services.imports.mappings import validate
from clientcenter.services.imports.run import run_import
from clientcenter.services.imports.sources import open_source
from tests.services.imports.conftest import (
    ACCOUNTS,
    CONTACTS,
    POLICIES,
    producer_id,
    run,
    write_export,
)
from tests.services.imports.test_import import _counts, _writes

# Headers as the big management systems export them (Epic, AMS360, HawkSoft, EZLynx, QQ).
VEHICLES = """Policy ID,Vehicle ID,Model Year,Make,Model,VIN,Vehicle Use
X1,V1,2021,Subaru,Outback,4S4BSANC2K3200001,Commute
X1,V2,2018,Toyota,Corolla,2t1burhe5jc034461,P
"""
COVERAGES = """Pol #,Company,Coverage Description,Limits,Ded,Cov Premium,Vehicle VIN
PA-9000001,Casco Mutual,Bodily Injury Liability,"$100,000/$300,000",,$412.00,
PA-9000001,Casco Mutual,Collision,ACV,$500,$288.00,4S4BSANC2K3200001
PA-9000001,Casco Mutual,Collision,ACV,"$1,000",$199.00,2T1BURHE5JC034461
HO-9000002,Casco Mutual,Dwelling,"$350,000","$1,000",$980.00,
"""
DRIVERS = """Policy ID,Driver #,First Name,Last Name,DOB,DL State,Relationship
X1,D1,Dana,Whitfield,06/02/1984,me,I
X1,,Lee,Whitfield,1986-06-30,ME,Spouse
"""
INVOICES = """Customer Number,Invoice ID,Invoice #,Policy Number,Carrier,Memo,Amount Due,Due Date,Invoice Status
C100,B1,INV-9000001,PA-9000001,Casco Mutual,Auto installment 1,$617.25,2026-02-15,Due
C100,B2,INV-9000002,,,Policy fee,$25.00,2026-02-15,Paid in Full
C200,B3,INV-9000003,BOP-9000003,Granite Re,BOP annual,"$4,410.00",03/01/2026,Unpaid
"""
HOLDERS = """Client Code,Holder Code,Certificate Holder Name,Address 1,City,State,Zip Code,Email Address
C200,H1,Harbor Property Management LLC,200 Commercial St,Portland,ME,04101,Certs@Harbor.example.com
C200,,Town of Bath,55 Front St,Bath,ME,04530,
"""
PARENTS = {"accounts": ACCOUNTS, "contacts": CONTACTS, "policies": POLICIES}
CHILDREN = {
    "vehicles": VEHICLES,
    "coverages": COVERAGES,
    "drivers": DRIVERS,
    "invoices": INVOICES,
    "certificate_holders": HOLDERS,
}


def _export(tmp_path, name="export", **changed):
    return write_export(tmp_path / name, **{**PARENTS, **CHILDREN, **changed})


def _policy(session: Session, external_id: str) -> Policy:
    return session.exec(select(Policy).where(Policy.external_id == external_id)).one()


def _invoice(session: Session, number: str) -> Invoice:
    session.expire_all()
    return session.exec(select(Invoice).where(Invoice.number == number)).one()


def _sizes(session: Session) -> tuple[int, ...]:
    return tuple(
        session.exec(select(func.count()).select_from(model)).one()
        for model in (Vehicle, Coverage, Driver, Invoice, CertificateHolder)
    )


def _only_error(report, file: str):
    errors = [e for e in report.errors if e.file == file]
    assert len(errors) == 1, report.text()
    return errors[0]


# ------------------------------------------------------------------------ the happy path


def test_a_dry_run_counts_children_of_policies_it_would_create(demo, tmp_path):
    before = _sizes(demo)
    report = run(demo, _export(tmp_path), dry_run=True)
    assert report.errors == [], report.text()
    assert _counts(report, "vehicles") == (2, 0, 0, 0)
    assert _counts(report, "coverages") == (4, 0, 0, 0)
    assert _counts(report, "drivers") == (2, 0, 0, 0)
    assert _counts(report, "invoices") == (3, 0, 0, 0)
    assert _counts(report, "certificate_holders") == (2, 0, 0, 0)
    assert _sizes(demo) == before


def test_children_are_created_on_their_policies_and_accounts(demo, tmp_path):
    report = run(demo, _export(tmp_path))
    assert report.errors == [], report.text()
    auto, home = _policy(demo, "X1"), _policy(demo, "X2")
    vehicles = {
        v.external_id: v for v in demo.exec(select(Vehicle).where(Vehicle.policy_id == auto.id))
    }
    assert vehicles["V2"].vin == "2T1BURHE5JC034461" and vehicles["V2"].usage == "Pleasure"
    assert (vehicles["V1"].year, vehicles["V1"].make, vehicles["V1"].model) == (
        2021,
        "Subaru",
        "Outback",
    )
    coverages = demo.exec(
        select(Coverage).where(Coverage.policy_id == auto.id).order_by(Coverage.position)
    ).all()
    assert [(c.name, c.vehicle_id, c.deductible) for c in coverages] == [
        ("Bodily Injury Liability", None, ""),
        ("Collision", vehicles["V1"].id, "$500"),
        ("Collision", vehicles["V2"].id, "$1,000"),
    ]
    assert coverages[0].limit == "$100,000/$300,000" and coverages[0].premium_cents == 41200
    assert demo.exec(select(Coverage.name).where(Coverage.policy_id == home.id)).all() == [
        "Dwelling"
    ]
    drivers = demo.exec(select(Driver).where(Driver.policy_id == auto.id)).all()
    assert {(d.first_name, d.external_id, d.license_state, d.relationship) for d in drivers} == {
        ("Dana", "D1", "ME", "Named insured"),
        ("Lee", None, "ME", "Spouse"),
    }
    first = _invoice(demo, "INV-9000001")
    assert (first.policy_id, first.amount_cents, first.status) == (auto.id, 61725, "open")
    assert first.published and first.imported and first.external_id == "B1"
    assert first.currency == "USD" and first.account_id == auto.account_id
    fee = _invoice(demo, "INV-9000002")
    assert (fee.policy_id, fee.status) == (None, InvoiceStatus.PAID)
    holders = demo.exec(select(CertificateHolder).where(CertificateHolder.imported)).all()
    assert {(h.name, h.external_id, h.email) for h in holders} == {
        ("Harbor Property Management LLC", "H1", "certs@harbor.example.com"),
        ("Town of Bath", None, None),
    }
    lobster = demo.exec(select(Account).where(Account.external_id == "C200")).one()
    assert {h.account_id for h in holders} == {lobster.id}


def test_a_reimport_writes_nothing_but_the_freshness(demo, tmp_path):
    folder = _export(tmp_path)
    run(demo, folder)
    with _writes(demo) as writes:
        report = run(demo, folder)
    assert report.errors == []
    for entity in CHILDREN:
        created, updated, unchanged, _refused = _counts(report, entity)
        assert (created, updated) == (0, 0) and unchanged > 0, entity
    assert all(w.lstrip().upper().startswith("UPDATE ACCOUNT") for w in writes), writes


def test_a_changed_child_updates_only_itself(demo, tmp_path):
    run(demo, _export(tmp_path))
    changed = _export(
        tmp_path,
        "changed",
        coverages=COVERAGES.replace("$500,$288.00", "$250,$320.00"),
        drivers=DRIVERS.replace("1986-06-30,ME,Spouse", "1986-06-30,NH,Spouse"),
        invoices=INVOICES.replace("$617.25", "$600.00"),
    )
    report = run(demo, changed)
    assert report.errors == [], report.text()
    assert _counts(report, "coverages") == (0, 1, 3, 0)
    assert _counts(report, "drivers") == (0, 1, 1, 0)
    assert _counts(report, "invoices") == (0, 1, 2, 0)
    assert _invoice(demo, "INV-9000001").amount_cents == 60000
    lee = demo.exec(
        select(Driver).where(Driver.first_name == "Lee", Driver.last_name == "Whitfield")
    ).one()
    assert lee.license_state == "NH"


def test_children_may_name_policies_already_on_file_by_number(demo, tmp_path):
    run(demo, _export(tmp_path))
    later = write_export(
        tmp_path / "later",
        vehicles="Policy Number,Carrier,Year,Make,Model,VIN\n"
        "PA-9000001,casco mutual,2021,Subaru,Outback,4S4BSANC2K3200001\n",
    )
    report = run(demo, later)
    assert report.errors == [] and _counts(report, "vehicles") == (0, 0, 1, 0)


# ------------------------------------------------------------------------ refusals


def test_bad_cells_name_file_line_column_and_value(demo, tmp_path):
    folder = _export(
        tmp_path,
        vehicles=VEHICLES.replace("4S4BSANC2K3200001", "4S4BSANC2K32O0001").replace(
            "2t1burhe5jc034461", "2T1BURHE5JC03446"
        ),
        drivers=DRIVERS.replace("06/02/1984", "13/45/1984").replace(
            "1986-06-30,ME", "1986-06-30,ZZ"
        ),
        invoices=INVOICES.replace("$617.25", "$12.345").replace("$25.00", "-25.00"),
        certificate_holders=HOLDERS.replace("Certs@Harbor.example.com", "certs@"),
    )
    before = _sizes(demo)
    report = run(demo, folder)
    found = {
        (e.file, e.line, e.column, e.value) for e in report.errors if e.file != "coverages.csv"
    }
    assert found == {
        ("vehicles.csv", 2, "vin", "4S4BSANC2K32O0001"),
        ("vehicles.csv", 3, "vin", "2T1BURHE5JC03446"),
        ("drivers.csv", 2, "birth_date", "13/45/1984"),
        ("drivers.csv", 3, "license_state", "ZZ"),
        ("invoices.csv", 2, "amount", "$12.345"),
        ("invoices.csv", 3, "amount", "-25.00"),
        ("certificate_holders.csv", 2, "email", "certs@"),
    }
    reasons = {e.value: e.reason for e in report.errors}
    assert "never I, O or Q" in reasons["4S4BSANC2K32O0001"]
    assert "17 characters (it has 16)" in reasons["2T1BURHE5JC03446"]
    assert "more than zero" in reasons["-25.00"]
    # Each of those files is refused whole; coverages.csv then finds no vehicles for its VINs.
    assert _sizes(demo) == before
    assert not any(report.entity(entity).applied for entity in CHILDREN)
    assert {(e.line, e.column) for e in report.errors if e.file == "coverages.csv"} == {
        (3, "vin"),
        (4, "vin"),
    }


def test_a_coverage_naming_a_vin_not_on_its_policy(demo, tmp_path):
    folder = _export(
        tmp_path, coverages=COVERAGES.replace("2T1BURHE5JC034461", "1HGCM82633A004352")
    )
    report = run(demo, folder)
    error = _only_error(report, "coverages.csv")
    assert (error.line, error.column, error.value) == (4, "vin", "1HGCM82633A004352")
    assert "no vehicle on this policy has this VIN" in error.reason
    assert not report.entity("coverages").applied
    assert report.entity("vehicles").applied


def test_children_of_an_unknown_or_refused_policy_are_refused(demo, tmp_path):
    run(demo, _export(tmp_path))
    folder = _export(
        tmp_path,
        "x",
        # X4's account is unknown, so policies.csv is refused and X4 never comes in.
        policies=POLICIES + "C999,X4,PA-9000004,Casco Mutual,,AUTOP,2026-01-01,2027-01-01,A,$1\n",
        vehicles=VEHICLES
        + "X4,V4,2020,Ford,F-150,1FTFW1E51NFA00001,Commute\n"
        + "X9,V5,2020,Ford,F-150,1FTFW1E51NFA00001,Commute\n",
        drivers=DRIVERS + ",D3,Sam,Whitfield,,,\n",
        coverages=COVERAGES + "HO-9000002,Granite Re,Liability,,,,\n",
        invoices=INVOICES + "C100,B5,INV-9000005,PA-9000004,Casco Mutual,x,$5.00,2026-01-01,Due\n",
    )
    report = run(demo, folder)
    errors = {(e.file, e.line, e.column): e.reason for e in report.errors}
    assert errors == {
        ("policies.csv", 5, "customer_id"): "no account has this customer id",
        ("vehicles.csv", 4, "policy_id"): "no policy has this policy id",
        ("vehicles.csv", 5, "policy_id"): "no policy has this policy id",
        ("drivers.csv", 4, "policy_number"): (
            "name the policy: its policy_id, or its carrier and policy_number"
        ),
        ("coverages.csv", 6, "policy_number"): "no policy of this carrier has this number",
        ("invoices.csv", 5, "policy_number"): "no policy of this carrier has this number",
    }
    assert not any(report.entity(e).applied for e in CHILDREN if e != "certificate_holders")


def test_an_invoice_on_another_customers_policy_and_an_unknown_customer(demo, tmp_path):
    run(demo, _export(tmp_path))
    folder = write_export(
        tmp_path / "x",
        invoices=INVOICES.replace("C200,B3", "C100,B3").replace("C100,B2", "C404,B2"),
        certificate_holders=HOLDERS.replace("C200,,Town", "C404,,Town"),
    )
    report = run(demo, folder, valid_rows_only=True)
    errors = {(e.file, e.line, e.column): e.reason for e in report.errors}
    assert errors == {
        ("invoices.csv", 3, "customer_id"): "no account has this customer id",
        ("invoices.csv", 4, "policy_number"): "this policy is on another customer's account",
        ("certificate_holders.csv", 3, "customer_id"): "no account has this customer id",
    }


def test_the_same_record_twice_in_a_file(demo, tmp_path):
    folder = _export(
        tmp_path,
        # The same vehicle once by policy id and once by carrier + number.
        vehicles="Policy ID,Policy Number,Carrier,Vehicle ID,Year,Make,Model,VIN\n"
        "X1,,,V1,2021,Subaru,Outback,4S4BSANC2K3200001\n"
        "X1,,,V2,2018,Toyota,Corolla,2T1BURHE5JC034461\n"
        ",PA-9000001,Casco Mutual,V1,2021,Subaru,Outback,4S4BSANC2K3200001\n",
        invoices=INVOICES + "C200,B4,INV-9000003,,,Again,$5.00,2026-03-01,Due\n",
        drivers=DRIVERS + "X1,,lee,WHITFIELD,06/30/1986,ME,Spouse\n",
        certificate_holders=HOLDERS + "C200,,TOWN OF BATH,,,,,\n",
    )
    before = _sizes(demo)
    report = run(demo, folder)
    errors = {(e.file, e.line, e.column): e.reason for e in report.errors}
    assert "line 2 names the same vehicle" in errors[("vehicles.csv", 4, "vin")]
    assert "line 4 has the same invoice number" in errors[("invoices.csv", 5, "invoice_number")]
    assert "line 3 has the same key" in errors[("drivers.csv", 4, "last_name")]
    assert "line 3 has the same key" in errors[("certificate_holders.csv", 4, "name")]
    # coverages.csv then finds none of the vehicles it names: nothing of any file applied.
    assert len([key for key in errors if key[0] != "coverages.csv"]) == 4
    assert _sizes(demo) == before


# ------------------------------------------------------------------------ money


def _pay(session: Session, invoice: Invoice, cents: int, status=PaymentStatus.SUCCEEDED):
    """What the portal leaves behind: a payment and, once it settled, paid_cents."""
    session.add(
        Payment(
            account_id=invoice.account_id,
            invoice_id=invoice.id,
            amount_cents=cents,
            method="card",
            provider="stripe",
            status=status,
            idempotency_key=f"test-{invoice.id}-{cents}-{status}",
        )
    )
    if status == PaymentStatus.SUCCEEDED:
        invoice.paid_cents += cents
        if invoice.paid_cents == invoice.amount_cents:
            invoice.status = InvoiceStatus.PAID
    elif status == PaymentStatus.PENDING:
        invoice.status = InvoiceStatus.PENDING
    session.add(invoice)
    session.commit()


def _invoices_row(**cells) -> str:
    row = {
        "customer_id": "C100",
        "invoice_id": "B1",
        "invoice_number": "INV-9000001",
        "amount": "$617.25",
        "due_date": "2026-02-15",
        "status": "open",
        **cells,
    }
    return ",".join(row) + "\n" + ",".join(row.values()) + "\n"


def _refused_money(demo, tmp_path, name, column, reason, **cells):
    before = _invoice(demo, "INV-9000001").model_dump()
    report = run(demo, write_export(tmp_path / name, invoices=_invoices_row(**cells)))
    error = _only_error(report, "invoices.csv")
    assert (error.line, error.column) == (2, column), error
    assert reason in error.reason, error.reason
    assert _invoice(demo, "INV-9000001").model_dump() == before


def test_an_import_never_undoes_a_portal_payment(demo, tmp_path):
    run(demo, _export(tmp_path))
    invoice = _invoice(demo, "INV-9000001")
    _pay(demo, invoice, 61725)  # paid in full in the portal
    _refused_money(demo, tmp_path, "a", "status", "does not reopen it")
    _refused_money(demo, tmp_path, "b", "status", "does not cancel it", status="void")
    _refused_money(
        demo, tmp_path, "c", "amount", "cannot go below", amount="$600.00", status="paid"
    )
    _refused_money(
        demo, tmp_path, "d", "amount", "does not change its amount", amount="$700", status="paid"
    )
    _refused_money(
        demo, tmp_path, "e", "published", "does not hide it", status="paid", published="no"
    )
    # The export catching up with the portal is fine, and changes nothing of the money.
    report = run(demo, write_export(tmp_path / "f", invoices=_invoices_row(status="Paid in Full")))
    assert report.errors == [] and _counts(report, "invoices") == (0, 0, 1, 0)


def test_a_partly_paid_invoice_keeps_what_was_paid(demo, tmp_path):
    run(demo, _export(tmp_path))
    _pay(demo, _invoice(demo, "INV-9000001"), 20000)
    _refused_money(demo, tmp_path, "a", "amount", "$200.00 was paid", amount="$150.00")
    _refused_money(demo, tmp_path, "b", "amount", "mark it paid", amount="$200.00")
    _refused_money(demo, tmp_path, "c", "status", "does not cancel it", status="cancelled")
    # A higher amount, or paid (the rest paid at the office), is the management system's call.
    report = run(demo, write_export(tmp_path / "d", invoices=_invoices_row(amount="$650.00")))
    assert report.errors == [] and _invoice(demo, "INV-9000001").amount_cents == 65000
    report = run(
        demo, write_export(tmp_path / "e", invoices=_invoices_row(amount="$650", status="P"))
    )
    invoice = _invoice(demo, "INV-9000001")
    assert report.errors == [] and (invoice.status, invoice.paid_cents) == ("paid", 20000)


def test_a_payment_waiting_for_confirmation_holds_amount_and_status(demo, tmp_path):
    run(demo, _export(tmp_path))
    _pay(demo, _invoice(demo, "INV-9000001"), 61725, status=PaymentStatus.PENDING)
    _refused_money(demo, tmp_path, "a", "amount", "waiting to be confirmed", amount="$600.00")
    _refused_money(demo, tmp_path, "b", "status", "waiting to be confirmed", status="paid")
    # "open" from an export that does not know of the payment leaves it pending: no change.
    report = run(demo, write_export(tmp_path / "c", invoices=_invoices_row()))
    assert report.errors == [] and _counts(report, "invoices") == (0, 0, 1, 0)
    assert _invoice(demo, "INV-9000001").status == InvoiceStatus.PENDING


def test_an_invoice_with_payments_does_not_move_to_another_customer(demo, tmp_path):
    run(demo, _export(tmp_path))
    _pay(demo, _invoice(demo, "INV-9000002"), 100, status=PaymentStatus.FAILED)
    folder = write_export(tmp_path / "x", invoices=INVOICES.replace("C100,B2", "C200,B2"))
    report = run(demo, folder)
    error = _only_error(report, "invoices.csv")
    assert (error.line, error.column) == (3, "customer_id") and "does not move it" in error.reason
    # Without payments the management system may move one, to a policy of its new customer.
    moved = INVOICES.replace("C100,B1", "C200,B1").replace(
        "PA-9000001,Casco Mutual", "BOP-9000003,Granite Re"
    )
    report = run(
        demo,
        write_export(tmp_path / "y", invoices=moved.replace("C100,B2", "C200,B2")),
        valid_rows_only=True,
    )
    assert _counts(report, "invoices") == (0, 1, 1, 1)  # B2 still refused
    moved_one = _invoice(demo, "INV-9000001")
    assert (moved_one.account_id, moved_one.policy_id) == (
        _policy(demo, "X3").account_id,
        _policy(demo, "X3").id,
    )


def test_an_invoice_marked_paid_by_the_export_may_reopen(demo, tmp_path):
    run(demo, _export(tmp_path))
    report = run(demo, _export(tmp_path, "x", invoices=INVOICES.replace("Paid in Full", "Open")))
    assert report.errors == [] and _invoice(demo, "INV-9000002").status == InvoiceStatus.OPEN


# ------------------------------------------------------------------------ full mode


def _digest_counts(session) -> dict[str, int]:
    return dict(
        session.exec(
            select(ImportRowDigest.entity, func.count())
            .where(ImportRowDigest.entity.in_(CHILDREN))
            .group_by(ImportRowDigest.entity)
        ).all()
    )


def test_full_mode_removes_absent_children_but_keeps_what_is_referenced(demo, tmp_path):
    run(demo, _export(tmp_path))
    auto = _policy(demo, "X1")
    portal_holder = CertificateHolder(account_id=auto.account_id, name="Added In Portal")
    demo.add(portal_holder)
    agent_invoice = Invoice(
        account_id=auto.account_id, number="AG-1", amount_cents=100, due_date=auto.effective_date
    )
    demo.add(agent_invoice)
    demo.commit()
    certified = demo.exec(
        select(CertificateHolder).where(CertificateHolder.external_id == "H1")
    ).one()
    document = demo.exec(select(Document)).first()  # any file: the certificate's PDF
    demo.add(
        Certificate(
            account_id=certified.account_id,
            holder_id=certified.id,
            document_id=document.id,
            issued_on=auto.effective_date,
        )
    )
    partly = _invoice(demo, "INV-9000003")
    _pay(demo, partly, 100)
    installment = _invoice(demo, "INV-9000001")
    demo.add(
        PaymentRequest(
            account_id=installment.account_id,
            invoice_id=installment.id,
            channel="email",
            token_hash="t" * 64,
            expires_at=utcnow() + timedelta(days=3),
            created_by_agent_id=producer_id(demo),
        )
    )
    demo.commit()

    smaller = _export(
        tmp_path,
        "smaller",
        vehicles="\n".join(VEHICLES.splitlines()[:2]) + "\n",  # V2 gone, but a coverage names it
        coverages="\n".join(COVERAGES.splitlines()[:3]) + "\n",  # Dwelling gone
        drivers="\n".join(DRIVERS.splitlines()[:2]) + "\n",  # Lee gone
        invoices="\n".join(INVOICES.splitlines()[:1]) + "\n",  # all gone
        certificate_holders="\n".join(HOLDERS.splitlines()[:1]) + "\n",  # both gone
    )
    before = _sizes(demo)
    dry = run(demo, smaller, full=True, dry_run=True)
    assert _sizes(demo) == before
    retired = {e: dry.entity(e).retired for e in CHILDREN}
    # V2 stays (a coverage names it); B2 is paid, B3 partly paid; H1 has a certificate.
    assert retired == {
        "vehicles": 0,
        "coverages": 2,
        "drivers": 1,
        "invoices": 1,
        "certificate_holders": 1,
    }
    digests = _digest_counts(demo)
    applied = run(demo, smaller, full=True)
    assert {e: applied.entity(e).retired for e in CHILDREN} == retired
    demo.expire_all()
    # Removed records take their row digests with them; kept ones (V2, the cancelled and
    # paid invoices, the certified holder) keep theirs.
    removed = {"coverages": 2, "drivers": 1, "certificate_holders": 1}
    assert _digest_counts(demo) == {e: n - removed.get(e, 0) for e, n in digests.items()}
    assert demo.exec(select(func.count()).where(Vehicle.policy_id == auto.id)).one() == 2
    assert demo.exec(
        select(Coverage.name).where(Coverage.policy_id == auto.id).order_by(Coverage.position)
    ).all() == [
        "Bodily Injury Liability",
        "Collision",
    ]
    assert demo.exec(select(Driver.first_name).where(Driver.policy_id == auto.id)).all() == [
        "Dana"
    ]
    statuses = {
        i.number: i.status
        for i in demo.exec(
            select(Invoice).where(Invoice.account_id.in_([auto.account_id, partly.account_id]))
        )
    }
    assert statuses["INV-9000001"] == InvoiceStatus.CANCELLED
    assert statuses["INV-9000002"] == InvoiceStatus.PAID
    assert statuses["INV-9000003"] == InvoiceStatus.OPEN  # partly paid: never cancelled
    assert statuses["AG-1"] == InvoiceStatus.OPEN  # an agent's, not the import's
    request = demo.exec(
        select(PaymentRequest).where(PaymentRequest.invoice_id == installment.id)
    ).one()
    assert request.status == PaymentRequestStatus.CANCELLED
    names = set(
        demo.exec(
            select(CertificateHolder.name).where(
                CertificateHolder.account_id.in_([auto.account_id, certified.account_id])
            )
        )
    )
    assert names == {"Harbor Property Management LLC", "Added In Portal"}
    # Its coverage gone, V2 goes with the next full import; nothing else is left to retire.
    again = run(demo, smaller, full=True)
    assert {e: again.entity(e).retired for e in CHILDREN} == {
        "vehicles": 1,
        "coverages": 0,
        "drivers": 0,
        "invoices": 0,
        "certificate_holders": 0,
    }


def test_a_closed_policy_keeps_its_children_in_full_mode(demo, tmp_path):
    run(demo, _export(tmp_path))
    closed = _export(
        tmp_path,
        "closed",
        policies=POLICIES.replace("In Force", "Cancelled"),
        vehicles="Policy ID,VIN,Year,Make,Model\n",
        drivers="Policy ID,First Name,Last Name\n",
    )
    report = run(demo, closed, full=True)
    assert report.errors == [], report.text()
    assert report.entity("vehicles").retired == 0 and report.entity("drivers").retired == 0


# ------------------------------------------------------------------------ the ways in


def test_cli_says_which_files_it_looked_for(demo, tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert cli.main(["import", str(tmp_path / "empty"), "--mapping", "auto"]) == 2
    err = capsys.readouterr().err
    assert "vehicles.csv" in err and "certificate_holders.csv" in err


def test_a_zip_and_a_saved_mapping_reach_the_new_files(demo, tmp_path):
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for name, text in {**PARENTS, **CHILDREN}.items():
            z.writestr(f"{name}.csv", text.replace("Vehicle Use", "Garaging Use"))
    source = open_source(archive)
    assert set(source.files) == {*PARENTS, *CHILDREN} and source.ignored == []
    report = run_import(
        demo,
        source.files,
        mapping=validate({"vehicles": {"Garaging Use": "usage"}}),
        default_producer_id=producer_id(demo),
    )
    assert report.errors == [] and report.entity("vehicles").unmatched_columns == []
    with pytest.raises(InvalidInput, match='"Garaging Use" maps to "colour"'):
        validate({"vehicles": {"Garaging Use": "colour"}})
