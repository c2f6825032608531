"""Certificates for business accounts: list, download, add a holder, request a certificate."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from clientcenter.models import Certificate, CertificateHolder
from clientcenter.services.errors import InvalidInput, NotAllowed, NotFound, ReadOnlyRefused
from clientcenter.services.portal import certificates as certs
from clientcenter.services.portal import requests as rq
from tests.support.checks import SecurityLog, effects, refused
from tests.support.demo import (
    BAKERY,
    DAN,
    JORDAN,
    PAT,
    STUDIO,
    account_named,
    agent_viewing,
    customer,
)
from tests.support.settings import set_feature

HOLDER = {
    "name": "Harbor Lofts LLC",
    "street": "1 Commercial Street",
    "city": "Portland",
    "state": "me",
    "postal_code": "04101",
    "email": "Leasing@HarborLofts.example",
}


def studio(s):
    return customer(s, JORDAN, STUDIO)


def test_business_account_lists_its_certificates_and_holders(demo):
    s = demo
    p = studio(s)
    assert certs.offered(s, p)
    listed = certs.list_certificates(s, p)
    assert {c.holder_name for c in listed} == {
        "Exchange Street Properties LLC",
        "City of Portland",
    }
    holders = certs.list_holders(s, p)
    assert [h.name for h in holders] == ["City of Portland", "Exchange Street Properties LLC"]
    assert holders[0].address == "1 Main Street, Portland, ME 04101"
    assert [c.holder_name for c in certs.list_certificates(s, agent_viewing(s, STUDIO))]


def test_certificate_download_checks_the_account_and_is_logged(demo):
    s = demo
    p = studio(s)
    cert = certs.list_certificates(s, p)[0]
    doc = certs.certificate_document(s, p, cert.id)
    assert doc.id == cert.document_id
    activity, sent, tasks = effects(s)
    assert activity.action_key == "customer.certificates_download"
    assert sent == set() and tasks == []  # log only
    certs.certificate_document(s, agent_viewing(s, STUDIO), cert.id)
    assert effects(s)[0].action_key == "agent.download_documents"
    bakery_cert = s.exec(
        select(Certificate).where(Certificate.account_id == account_named(s, BAKERY).id)
    ).first()
    refused(s, certs.certificate_document, p, bakery_cert.id, error=NotFound)
    refused(s, certs.certificate_document, p, 999999, error=NotFound)


def test_add_holder_validates_and_follows_the_matrix(demo):
    s = demo
    p = studio(s)
    holder = certs.add_holder(s, p, {**HOLDER, "account_id": "1", "id": "5"})
    assert holder.account_id == p.account_id and holder.state == "ME"
    assert holder.email == "leasing@harborlofts.example"
    activity, sent, tasks = effects(s)
    assert activity.action_key == "customer.add_certificate_holder"
    # AE to the commercial producer and CE to Jordan; no PA, a task for the producer.
    assert {(k, a) for k, _, a in sent} == {
        ("agent", DAN),
        ("customer", JORDAN),
    }
    assert len(tasks) == 1
    error = refused(s, certs.add_holder, p, HOLDER, error=InvalidInput)
    assert "already one of your certificate holders" in error.message
    for field, value, message in [
        ("postal_code", "4101", "5 digits"),
        ("state", "Maine", "two-letter"),
        ("email", "leasing@", "not valid"),
        ("name", "", "Holder name is required"),
    ]:
        error = refused(
            s,
            certs.add_holder,
            p,
            {**HOLDER, "name": "Other LLC", field: value},
            error=InvalidInput,
        )
        assert message in error.message and error.field == field


def test_request_certificate(demo):
    s = demo
    p = studio(s)
    holder = certs.list_holders(s, p)[0]
    due = date.today() + timedelta(days=7)
    request = certs.request_certificate(
        s,
        p,
        {
            "holder_id": str(holder.id),
            "operations": "Interior design services at 5 Fore St.",
            "due_date": due.isoformat(),
            "status": "done",
        },
    )
    assert request.reference.startswith("CT-") and request.kind == "certificate"
    assert request.due_date == due and request.status == "submitted"
    assert holder.name in request.summary
    activity, sent, tasks = effects(s)
    assert activity.action_key == "customer.request_certificate"
    assert {k for k, _, _ in sent} == {"agent", "customer"} and len(tasks) == 1
    mine = rq.list_requests(s, p)
    assert mine[0].reference == request.reference
    assert mine[0].kind_label == "Request New Certificate"


def test_request_certificate_refusals(demo):
    s = demo
    p = studio(s)
    holder = certs.list_holders(s, p)[0]
    bakery_holder = s.exec(
        select(CertificateHolder).where(
            CertificateHolder.account_id == account_named(s, BAKERY).id
        )
    ).first()
    good = {
        "holder_id": str(holder.id),
        "operations": "Design work",
        "due_date": (date.today() + timedelta(days=3)).isoformat(),
    }
    refused(
        s,
        certs.request_certificate,
        p,
        {**good, "holder_id": str(bakery_holder.id)},
        error=NotFound,
    )
    error = refused(
        s,
        certs.request_certificate,
        p,
        {**good, "due_date": (date.today() - timedelta(days=1)).isoformat()},
        error=InvalidInput,
    )
    assert "cannot be before" in error.message
    error = refused(
        s, certs.request_certificate, p, {**good, "operations": ""}, error=InvalidInput
    )
    assert "Description of operations is required" in error.message
    with SecurityLog() as log:
        refused(
            s, certs.request_certificate, agent_viewing(s, STUDIO), good, error=ReadOnlyRefused
        )
        refused(s, certs.add_holder, agent_viewing(s, STUDIO), HOLDER, error=ReadOnlyRefused)
    assert len(log.messages) == 2


def test_personal_accounts_and_a_switched_off_feature_are_refused(demo, monkeypatch):
    s = demo
    pat = customer(s, PAT)
    assert not certs.offered(s, pat)
    refused(s, certs.list_certificates, pat, error=NotAllowed)
    refused(s, certs.add_holder, pat, HOLDER, error=NotAllowed)
    set_feature(monkeypatch, "certificates", False)
    p = studio(s)
    assert not certs.offered(s, p)
    for fn, args in [
        (certs.list_certificates, ()),
        (certs.list_holders, ()),
        (certs.add_holder, (HOLDER,)),
        (certs.request_certificate, ({},)),
        (certs.certificate_document, (1,)),
    ]:
        error = refused(s, fn, p, *args, error=NotAllowed)
        assert "not offered" in error.message
