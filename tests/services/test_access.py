"""services/access.py: every "who may" rule, once, with one message per rule. For each rule: a
principal that may, one that may not, and the message; then a scan of clientcenter/ for the
inline checks access.py replaced, so that they do not come back."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from clientcenter.models import Agent, Contact
from clientcenter.services import access
from clientcenter.services.billing.providers.interface import METHOD_LABELS
from clientcenter.services.errors import InvalidInput, NotAllowed, NotFound, ReadOnlyRefused
from clientcenter.services.principal import Principal
from clientcenter.settings import PROJECT_ROOT
from tests.support.demo import (
    AVA,
    LEE,
    PAT,
    QUINN,
    RIVERA,
    account_named,
    agent_named,
    agent_viewing,
    customer,
)
from tests.support.settings import set_feature

CLOSED = QUINN  # only expired or cancelled policies


def _agency(session) -> Principal:
    return Principal.agency(agent_named(session).id, session_id=303)


def _deactivate(session, agent: Agent) -> None:
    agent.is_active = False
    session.add(agent)
    session.flush()


# --------------------------------------------------------------------------- account in view


def test_the_account_in_view_is_read_by_its_customer_or_a_read_only_agent(demo):
    rivera = account_named(demo, RIVERA)
    assert access.viewable_account(demo, customer(demo, PAT)).id == rivera.id
    assert access.viewable_account(demo, agent_viewing(demo, RIVERA)).id == rivera.id
    with pytest.raises(NotAllowed) as refused:
        access.viewable_account(demo, _agency(demo))
    assert refused.value.message == access.PORTAL_VIEW_ONLY
    with pytest.raises(NotFound, match="no active policy"):
        access.viewable_account(demo, agent_viewing(demo, CLOSED))


def test_billing_sees_the_account_in_view_and_the_agency_side_has_none(demo):
    rivera = account_named(demo, RIVERA)
    assert access.billing_account_id(demo, customer(demo, PAT)) == rivera.id
    assert access.billing_account_id(demo, agent_viewing(demo, RIVERA)) == rivera.id
    with pytest.raises(NotFound) as refused:
        access.billing_account_id(demo, _agency(demo))
    assert refused.value.message == access.NO_ACCOUNT


def test_only_the_customer_changes_the_account_in_view(demo):
    pat = customer(demo, PAT)
    assert access.writable_account(demo, pat, "customer.general_request").id == pat.account_id
    with pytest.raises(NotAllowed) as refused:
        access.writable_account(demo, _agency(demo), "customer.general_request")
    assert not isinstance(refused.value, ReadOnlyRefused)
    assert refused.value.message == access.CUSTOMER_ONLY
    with pytest.raises(ReadOnlyRefused):
        access.writable_account(demo, agent_viewing(demo, RIVERA), "customer.general_request")


# --------------------------------------------------------------------------- read-only


def test_the_read_only_refusal_is_logged_with_agent_and_account(demo, caplog):
    access.refuse_read_only(customer(demo, PAT), "customer.upload_documents")  # may
    viewing = Principal.agent_viewing(agent_named(demo).id, account_named(demo, RIVERA).id, 202)
    with caplog.at_level(logging.WARNING, logger="clientcenter.security"):
        with pytest.raises(ReadOnlyRefused) as refused:
            access.refuse_read_only(viewing, "customer.upload_documents")
    assert refused.value.message == "Read-only mode: agents can look but not change."
    assert [r.getMessage() for r in caplog.records] == [
        "refused write in read-only mode: action=customer.upload_documents "
        f"agent_id={viewing.agent_id} account_id={viewing.account_id} session_id=202"
    ]


# --------------------------------------------------------------------------- features


@pytest.mark.parametrize("name", sorted(access.FEATURE_OFF_MESSAGES))
def test_a_feature_switched_off_is_refused_with_its_message(monkeypatch, name):
    set_feature(monkeypatch, name, True)
    assert access.feature_enabled(name)
    access.require_feature(name)  # may
    set_feature(monkeypatch, name, False)
    assert not access.feature_enabled(name)
    with pytest.raises(NotAllowed) as refused:
        access.require_feature(name)
    assert refused.value.message == access.FEATURE_OFF_MESSAGES[name]


# --------------------------------------------------------------------------- agents


def test_an_active_agent_is_re_read_and_a_deactivated_one_refused_with_one_message(demo):
    agent = agent_named(demo)
    viewing = agent_viewing(demo, RIVERA)
    assert access.is_active_agent(agent) and not access.is_active_agent(None)
    assert access.active_agent(demo, viewing).id == agent.id
    assert access.require_agency_agent(demo, _agency(demo)).id == agent.id
    _deactivate(demo, agent)
    assert not access.is_active_agent(agent)
    for check, principal in (
        (access.active_agent, viewing),
        (access.require_agency_agent, _agency(demo)),
    ):
        with pytest.raises(NotAllowed) as refused:
            check(demo, principal)
        assert refused.value.message == access.AGENT_NOT_ACTIVE == "This agent is not active."


def test_the_agency_side_is_for_agency_staff_outside_the_read_only_view(demo):
    for principal in (None, customer(demo, PAT)):
        with pytest.raises(NotAllowed) as refused:
            access.require_agency_agent(demo, principal)
        assert refused.value.message == access.AGENCY_ONLY
    with pytest.raises(ReadOnlyRefused) as refused:
        access.require_agency_agent(demo, agent_viewing(demo, RIVERA))
    assert refused.value.message == access.LEAVE_READ_ONLY


def test_services_share_the_active_agent_message(demo):
    """The agency side (search), the outbox and billing answered a deactivated agent in two
    ways; now in one."""
    from clientcenter.services.agency import search
    from clientcenter.services.billing import invoices
    from clientcenter.services.notify import outbox

    agency = _agency(demo)
    viewing = agent_viewing(demo, RIVERA)
    _deactivate(demo, agent_named(demo))
    for call in (
        lambda: search.super_search(demo, agency, "Rivera"),
        lambda: outbox.list_failed(demo, agency),
        lambda: invoices.open_invoices(demo, viewing),
    ):
        with pytest.raises(NotAllowed) as refused:
            call()
        assert refused.value.message == access.AGENT_NOT_ACTIVE


# --------------------------------------------------------------------------- contacts


def test_a_contact_still_on_this_account_and_allowed_to_log_in(demo):
    pat = customer(demo, PAT)
    ava = customer(demo, AVA)
    contact = demo.get(Contact, pat.contact_id)
    other = account_named(demo, LEE)
    assert access.contact_may_log_in(contact, pat.account_id)
    assert not access.contact_may_log_in(contact, other.id)
    assert not access.contact_may_log_in(None, pat.account_id)
    assert not access.contact_may_log_in(demo.get(Contact, ava.contact_id), ava.account_id)
    assert access.contact_on_account(demo.get(Contact, ava.contact_id), ava.account_id)


def test_the_acting_contact_must_still_be_on_the_account(demo):
    pat = customer(demo, PAT)
    assert access.acting_contact(demo, pat).id == pat.contact_id
    with pytest.raises(NotAllowed) as refused:
        access.acting_contact(demo, agent_viewing(demo, RIVERA))
    assert refused.value.message == access.CUSTOMER_ONLY
    contact = demo.get(Contact, pat.contact_id)
    contact.account_id = account_named(demo, LEE).id
    demo.add(contact)
    demo.flush()
    for check in (access.acting_contact, access.customer_account, access.billing_account_id):
        with pytest.raises(NotFound) as refused:
            check(demo, pat)
        assert refused.value.message == access.CONTACT_GONE


# --------------------------------------------------------------------------- payment methods


@dataclass(frozen=True)
class Offered:
    customer_methods: tuple[str, ...]
    redirects: bool


OFFLINE = Offered(("bank_transfer", "check"), redirects=False)
CARDS = Offered(("card",), redirects=True)


def test_the_payment_methods_an_agent_may_record():
    pat = Principal.customer(1, 1)
    viewing = Principal.agent_viewing(1, 1)
    assert access.AGENT_RECEIVED_METHODS == ("check", "bank_transfer", "cash")
    assert access.payment_methods(pat, OFFLINE) == ("bank_transfer", "check")
    assert access.payment_methods(pat, CARDS) == ("card",)
    assert access.payment_methods(viewing, OFFLINE) == access.AGENT_RECEIVED_METHODS
    assert access.payment_methods(viewing, CARDS) == ("card", *access.AGENT_RECEIVED_METHODS)
    assert access.require_payment_method(viewing, OFFLINE, "cash", METHOD_LABELS) == "cash"
    with pytest.raises(InvalidInput) as refused:
        access.require_payment_method(viewing, OFFLINE, "card", METHOD_LABELS)
    assert refused.value.field == "method"
    assert refused.value.message == "Choose how you are paying: check or bank transfer or cash."
    with pytest.raises(InvalidInput):
        access.require_payment_method(pat, OFFLINE, "cash", METHOD_LABELS)


# --------------------------------------------------------------------------- no inline copies

ROOT = PROJECT_ROOT / "clientcenter"
SERVICES = ROOT / "services"

# (what it was, where it went, pattern, a line the pattern must catch)
REMOVED_FROM_SERVICES = [
    (
        "an agent row's is_active read inline",
        "access.is_active_agent / active_agent / require_agency_agent",
        r"\b[a-z_]\w*\.is_active\b",
        "    if agent is None or not agent.is_active:",
    ),
    (
        "the acting contact re-read and checked against the account inline",
        "access.acting_contact / customer_account",
        r"get\(Contact, principal\.contact_id\)[^\n]*\n\s*if\b",
        "contact = session.get(Contact, principal.contact_id)\n        if contact is None:",
    ),
    (
        "a session's contact checked against its account inline",
        "access.contact_may_log_in",
        r"contact\.account_id\s*!=\s*record\.account_id",
        "        or contact.account_id != record.account_id",
    ),
    (
        "a read-only refusal raised or logged inline",
        "access.refuse_read_only / writable_account / require_agency_agent",
        r"raise ReadOnlyRefused\b|refused upload|in read-only mode: action=",
        '            "refused upload: action=customer.upload_documents agent_id=%s "',
    ),
    (
        "a feature switch read inline",
        "access.require_feature / feature_enabled",
        r"\.features\.(?:certificates|proposals|referrals|feedback|surveys|payments)\b",
        "    if not settings.features.payments:",
    ),
    (
        "the agency-side check imported from its old home",
        "access.require_agency_agent",
        r"from clientcenter\.services\.agency\.agents import [^\n]*\brequire_agent\b",
        "from clientcenter.services.agency.agents import require_agent",
    ),
    (
        "a second wording of an access rule",
        "the message constants in access.py",
        r"This agent account is not active|Only agency staff see undelivered"
        r"|Online payments are turned off|can't upload documents for the customer",
        '        raise NotAllowed("This agent account is not active.")',
    ),
]
# Anywhere in the package, the UI included: the list an agent may record is access.py's.
AGENT_METHODS_LITERAL = r"""["']check["']\s*,\s*["']bank_transfer["']\s*,\s*["']cash["']"""


def _sources(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if p != SERVICES / "access.py")


@pytest.mark.parametrize(
    ("what", "where", "pattern", "example"),
    REMOVED_FROM_SERVICES,
    ids=[row[0] for row in REMOVED_FROM_SERVICES],
)
def test_no_service_writes_an_access_rule_inline(what, where, pattern, example):
    regex = re.compile(pattern)
    assert regex.search(example), "the pattern no longer catches what it was written for"
    found = [
        f"{path.relative_to(ROOT.parent)}:{text[: m.start()].count(chr(10)) + 1}"
        for path in _sources(SERVICES)
        for text in [path.read_text()]
        for m in regex.finditer(text)
    ]
    assert found == [], f"{what} (use {where}): {found}"


def test_the_agent_payment_methods_are_listed_once():
    regex = re.compile(AGENT_METHODS_LITERAL)
    assert regex.search('("check", "bank_transfer", "cash")')
    assert regex.search((SERVICES / "access.py").read_text())
    found = [
        str(p.relative_to(ROOT.parent)) for p in _sources(ROOT) if regex.search(p.read_text())
    ]
    assert found == [], f"use access.AGENT_RECEIVED_METHODS / payment_methods: {found}"
