"""The on-screen ID card: one per vehicle while the policy is in force, the carrier's own card
in carrier-only states, and one recorded view per visit."""

from datetime import timedelta

from sqlmodel import select

from clientcenter.models import ActivityLog, Document, Driver, Vehicle
from clientcenter.models.base import utcnow
from clientcenter.services.portal import id_card_view
from tests.support.checks import footprint
from tests.support.demo import MORGAN, PAT, RIVERA, agent_viewing, customer, policy_of
from tests.support.settings import use_settings


def _vehicles(session, policy):
    return session.exec(
        select(Vehicle).where(Vehicle.policy_id == policy.id).order_by(Vehicle.id)
    ).all()


def _carrier_document(session, policy, **overrides) -> Document:
    values = {
        "account_id": policy.account_id,
        "policy_id": policy.id,
        "category": "id_card",
        "title": "Carrier ID card",
        "filename": "carrier-card.pdf",
        "storage_key": f"test-{utcnow().timestamp()}-{overrides.get('title', '')}",
        "content_type": "application/pdf",
        "size_bytes": 10,
        "sha256": "0" * 64,
        "shared_with_customer": True,
    }
    doc = Document(**{**values, **overrides})
    session.add(doc)
    session.commit()
    return doc


def test_one_card_per_vehicle_with_what_an_officer_asks_for(demo):
    auto = policy_of(demo, RIVERA, "auto")
    auto.carrier_naic = "24260"
    demo.commit()
    cards = id_card_view.id_cards(demo, customer(demo, PAT))
    vehicles = _vehicles(demo, auto)
    assert [c.vehicle_id for c in cards] == [v.id for v in vehicles]
    first = cards[0]
    assert (first.carrier, first.naic, first.policy_number) == (auto.carrier, "24260", auto.number)
    assert first.effective == f"{auto.effective_date:%m/%d/%Y}"
    assert first.expires == f"{auto.expiration_date:%m/%d/%Y}"
    assert first.vin == vehicles[0].vin
    assert first.vehicle == f"{vehicles[0].year} {vehicles[0].make} {vehicles[0].model}"
    assert (first.agency_name, first.agency_phone) == (
        "Harbor & Main Insurance",
        "+1 555 010 2000",
    )
    named = demo.exec(select(Driver).where(Driver.policy_id == auto.id)).all()
    assert first.named_insureds == [
        f"{d.first_name} {d.last_name}" for d in named if d.relationship == "Named insured"
    ]
    assert not first.carrier_only
    assert id_card_view.id_cards(demo, customer(demo, MORGAN)) == []


def test_named_insured_falls_back_to_the_account(demo):
    auto = policy_of(demo, RIVERA, "auto")
    for driver in demo.exec(select(Driver).where(Driver.policy_id == auto.id)).all():
        driver.relationship = "Household member"
    demo.commit()
    [card, *_] = id_card_view.id_cards(demo, customer(demo, PAT))
    assert card.named_insureds == [RIVERA]


def test_lapsed_or_future_policy_has_no_card(demo):
    pat = customer(demo, PAT)
    auto = policy_of(demo, RIVERA, "auto")
    today = utcnow().date()
    auto.expiration_date = today - timedelta(days=1)  # still "active" in the import: lapsed
    demo.commit()
    assert id_card_view.id_cards(demo, pat) == []
    auto.effective_date, auto.expiration_date = today + timedelta(days=1), today + timedelta(365)
    demo.commit()
    assert id_card_view.id_cards(demo, pat) == []
    auto.effective_date = today
    demo.commit()
    assert id_card_view.id_cards(demo, pat) != []
    auto.status = "pending"
    demo.commit()
    assert id_card_view.id_cards(demo, pat) == []


def test_carrier_only_state_gets_the_carrier_card_and_nothing_generated(demo, monkeypatch):
    pat = customer(demo, PAT)
    auto = policy_of(demo, RIVERA, "auto")
    ny, me = _vehicles(demo, auto)
    ny.garaging_state = "NY"
    demo.commit()
    cards = {c.vehicle_id: c for c in id_card_view.id_cards(demo, pat)}
    assert cards[ny.id].carrier_only and cards[ny.id].carrier_cards == []
    assert not cards[me.id].carrier_only
    # Only documents the customer may see: shared, not internal, scanned clean.
    shown = _carrier_document(demo, auto, title="Progressive ID card")
    _carrier_document(demo, auto, title="Not shared", shared_with_customer=False)
    _carrier_document(demo, auto, title="Internal", internal=True)
    _carrier_document(demo, auto, title="Declarations", category="declarations")
    cards = {c.vehicle_id: c for c in id_card_view.id_cards(demo, pat)}
    assert [d.document_id for d in cards[ny.id].carrier_cards] == [shown.id]
    # The phone keeps only generated cards.
    assert [c["vehicle_id"] for c in id_card_view.offline_copy(list(cards.values()))] == [me.id]
    # Another agency's states: the setting decides.
    use_settings(monkeypatch, WALLET__CARRIER_ONLY_STATES='["NJ"]')
    cards = {c.vehicle_id: c for c in id_card_view.id_cards(demo, pat)}
    assert not cards[ny.id].carrier_only


def test_offline_copy_holds_the_printed_facts_only(demo):
    cards = id_card_view.id_cards(demo, customer(demo, PAT))
    [kept, *_] = id_card_view.offline_copy(cards)
    assert set(kept) == {
        "policy_id",
        "vehicle_id",
        "carrier",
        "naic",
        "policy_number",
        "effective",
        "expires",
        "expires_on",
        "named_insureds",
        "vehicle",
        "vin",
        "agency_name",
        "agency_phone",
        "garaging_state",
        "carrier_only",
    }


def _views(session):
    return session.exec(
        select(ActivityLog).where(ActivityLog.details["via"].as_string() == "card_view")
    ).all()


def test_a_view_is_recorded_once_not_per_refresh(demo):
    pat = customer(demo, PAT)
    cards = id_card_view.id_cards(demo, pat)
    before = footprint(demo)
    assert id_card_view.record_view(demo, pat, cards) == 1
    demo.commit()
    [entry] = _views(demo)
    assert entry.action_key == "customer.id_card_download"
    assert entry.details["vehicle_ids"] == [c.vehicle_id for c in cards]
    after = footprint(demo)
    assert after["activity"] == before["activity"] + 1
    # A refresh, or the page's load run again on a reconnect: nothing more.
    assert id_card_view.record_view(demo, pat, cards) == 0
    demo.commit()
    assert len(_views(demo)) == 1
    # Later, a new view.
    entry.created_at = utcnow() - id_card_view.VIEW_WINDOW - timedelta(minutes=1)
    demo.commit()
    assert id_card_view.record_view(demo, pat, cards) == 1
    demo.commit()
    assert len(_views(demo)) == 2


def test_an_agent_view_is_the_agents_action(demo):
    agent = agent_viewing(demo, RIVERA)
    cards = id_card_view.id_cards(demo, agent)
    assert id_card_view.record_view(demo, agent, cards) == 1
    demo.commit()
    [entry] = _views(demo)
    assert entry.action_key == "agent.download_id_cards" and entry.read_only
    # The customer's own view is theirs, not deduplicated against the agent's.
    assert id_card_view.record_view(demo, customer(demo, PAT), cards) == 1


def test_no_cards_no_record(demo):
    assert id_card_view.record_view(demo, customer(demo, MORGAN), []) == 0
