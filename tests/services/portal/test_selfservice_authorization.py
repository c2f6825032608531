"""Authorisation sweep for requests, profile, certificates, proposals, integrations, referral,
feedback and surveys: a customer of one account aims every id-taking call and route at another
account's records, and nothing is read, written or recorded."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from clientcenter.http import build_http_app
from clientcenter.http.cookies import session_cookie_name
from clientcenter.models import (
    Certificate,
    CertificateHolder,
    Claim,
    Contact,
    Document,
    Driver,
    IntegrationLink,
    Policy,
    Proposal,
    Vehicle,
)
from clientcenter.services.errors import NotAllowed, NotFound
from clientcenter.services.files import download_links
from clientcenter.services.portal import (
    certificates,
    engagement,
    integrations,
    proposals,
)
from clientcenter.services.portal import (
    requests as rq,
)
from clientcenter.services.principal import Principal
from tests.support.checks import table_counts
from tests.support.demo import BAKERY, JORDAN, LEE, PAT, RIVERA, STUDIO, account_named, customer
from tests.support.logins import customer_session


def _ids(s, model, account_name, *where):
    account = account_named(s, account_name)
    stmt = select(model.id).where(model.account_id == account.id, *where)
    return list(s.exec(stmt).all())


def _other_account_records(s):
    """Ids that belong to the Rivera account (the victim)."""
    rivera = account_named(s, RIVERA)
    auto = s.exec(
        select(Policy).where(Policy.account_id == rivera.id, Policy.line == "auto")
    ).one()
    claim = s.exec(select(Claim).where(Claim.account_id == rivera.id)).one()
    return {
        "policy": auto.id,
        "vehicle": s.exec(select(Vehicle.id).where(Vehicle.policy_id == auto.id)).first(),
        "driver": s.exec(select(Driver.id).where(Driver.policy_id == auto.id)).first(),
        "document": s.exec(select(Document.id).where(Document.account_id == rivera.id)).first(),
        "proposal": s.exec(select(Proposal.id).where(Proposal.account_id == rivera.id)).one(),
        "claim": claim.id,
        "co_applicant": s.exec(
            select(Contact.id).where(
                Contact.account_id == rivera.id, Contact.role == "co_applicant"
            )
        ).one(),
    }


def test_every_id_taking_service_refuses_another_accounts_ids(demo):
    s = demo
    victim = _other_account_records(s)
    pat = customer(s, PAT)
    request = rq.submit_request(
        s, pat, "general", "general", {"subject": "Mine", "message": "private"}
    )
    s.commit()
    jordan = customer(s, JORDAN, LEE)
    studio = customer(s, JORDAN, STUDIO)
    bakery_cert = _ids(s, Certificate, BAKERY)[0]
    bakery_holder = _ids(s, CertificateHolder, BAKERY)[0]
    day = (date.today() + timedelta(days=2)).isoformat()
    calls = [
        (
            rq.submit_request,
            jordan,
            "personal",
            "coverage",
            {"policy_id": str(victim["policy"]), "change": "x", "effective_date": day},
        ),
        (
            rq.submit_request,
            jordan,
            "personal",
            "vehicle_remove",
            {"vehicle_id": str(victim["vehicle"]), "reason": "sold", "effective_date": day},
        ),
        (
            rq.submit_request,
            jordan,
            "personal",
            "driver_remove",
            {"driver_id": str(victim["driver"]), "reason": "other", "effective_date": day},
        ),
        (
            rq.submit_request,
            jordan,
            "general",
            "general",
            {"subject": "a", "message": "b"},
            ("attachment", victim["document"]),
        ),
        (rq.get_request, jordan, request.reference),
        (certificates.certificate_document, studio, bakery_cert),
        (certificates.certificate_file, studio, bakery_cert),
        (
            certificates.request_certificate,
            studio,
            {"holder_id": str(bakery_holder), "operations": "x", "due_date": day},
        ),
        (proposals.get_proposal, jordan, victim["proposal"]),
        (proposals.decide, jordan, victim["proposal"], {"decision": "accept"}),
        (engagement.get_survey_claim, jordan, victim["claim"]),
        (engagement.submit_claim_survey, jordan, victim["claim"], {"rating": "5"}),
    ]
    before = table_counts(s)
    for fn, principal, *args in calls:
        kwargs = {}
        if args and isinstance(args[-1], tuple) and args[-1][0] == "attachment":
            kwargs["attachment_document_id"] = args.pop()[1]
        with pytest.raises((NotFound, NotAllowed)):
            fn(s, principal, *args, **kwargs)
        assert table_counts(s) == before, fn.__name__
    # Nothing of Rivera's leaks into Jordan's lists either.
    assert rq.list_requests(s, jordan) == []
    assert proposals.list_proposals(s, jordan) == []
    assert engagement.claims_awaiting_survey(s, jordan) == []
    assert not {c.id for c in certificates.list_certificates(s, studio)} & {bakery_cert}


def test_a_forged_principal_mixing_accounts_is_refused(demo):
    """A contact id from one account with another account's id changes nothing."""
    s = demo
    pat = customer(s, PAT)
    jordan_account = account_named(s, LEE)
    forged = Principal.customer(jordan_account.id, pat.contact_id)
    before = table_counts(s)
    for fn, args in [
        (rq.submit_request, ("general", "general", {"subject": "a", "message": "b"})),
        (engagement.give_feedback, ({"rating": "5"},)),
        (engagement.refer_friend, ({"friend_name": "A", "friend_email": "a@example.com"},)),
    ]:
        with pytest.raises((NotFound, NotAllowed)):
            fn(s, forged, *args)
    assert table_counts(s) == before


@pytest.fixture
def client(demo):
    with TestClient(build_http_app(), base_url="http://localhost:3000") as c:
        yield c


def test_go_route_records_only_links_the_account_is_offered(client, demo):
    s = demo
    principal, token, _ = customer_session(s, PAT, RIVERA)
    offered = integrations.links_for(s, principal).cross_sell[0]
    hidden = s.exec(select(IntegrationLink).where(IntegrationLink.line == "auto")).one()
    cookies = {session_cookie_name(): token}
    client.cookies.clear()
    # A tap on the card's link (tests/http/test_cross_site.py: clicks from elsewhere record nothing).
    ok = client.get(
        f"/go/{offered.id}",
        cookies=cookies,
        follow_redirects=False,
        headers={"sec-fetch-site": "same-origin"},
    )
    assert ok.status_code == 303
    assert ok.headers["location"] == s.get(IntegrationLink, offered.id).url
    assert ok.headers["cache-control"] == "no-store"
    before = table_counts(s)
    for path in (f"/go/{hidden.id}", "/go/999999", "/go/abc", "/go/-1"):
        client.cookies.clear()
        refused = client.get(path, cookies=cookies, follow_redirects=False)
        assert refused.status_code in (303, 404)
        assert not refused.headers.get("location", "").startswith("http")
    client.cookies.clear()
    anonymous = client.get(f"/go/{offered.id}", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/?")
    s.expire_all()
    assert table_counts(s) == before


def test_certificate_download_link_is_bound_to_account_and_session(client, demo):
    s = demo
    studio, token, _ = customer_session(s, JORDAN, STUDIO)
    own = certificates.list_certificates(s, studio)[0]
    cookies = {session_cookie_name(): token}
    client.cookies.clear()
    ok = client.get(download_links.sign(studio, "certificate", own.id), cookies=cookies)
    assert ok.status_code == 200 and ok.content.startswith(b"%PDF")
    assert ok.headers["content-disposition"].startswith("attachment")
    bakery_cert = _ids(s, Certificate, BAKERY)[0]
    client.cookies.clear()
    refused = client.get(download_links.sign(studio, "certificate", bakery_cert), cookies=cookies)
    assert refused.status_code == 404
    _, other_token, _ = customer_session(s, JORDAN, LEE)
    before = table_counts(s)
    client.cookies.clear()
    wrong_session = client.get(
        download_links.sign(studio, "certificate", own.id),
        cookies={session_cookie_name(): other_token},
    )
    assert wrong_session.status_code == 404
    s.expire_all()
    assert table_counts(s) == before
