"""Auto ID cards: one card per chosen vehicle, for active auto policies on the account only."""

import pytest
from sqlmodel import select

from clientcenter.models import ActivityLog, Vehicle
from clientcenter.services.errors import InvalidInput, NotAllowed, NotFound
from clientcenter.services.portal import idcards
from tests.support.checks import footprint
from tests.support.demo import DANA, LEE, MORGAN, PAT, RIVERA, agent_viewing, customer, policy_of
from tests.support.files import pdf_text


def _vehicles(session, policy):
    return session.exec(
        select(Vehicle).where(Vehicle.policy_id == policy.id).order_by(Vehicle.id)
    ).all()


def test_id_card_policies_list_active_auto_policies_with_vehicles(demo):
    cards = idcards.id_card_policies(demo, customer(demo, PAT))
    auto = policy_of(demo, RIVERA, "auto")
    assert [c.policy.id for c in cards] == [auto.id]
    assert [v.vin for v in cards[0].vehicles] == [v.vin for v in _vehicles(demo, auto)]
    # Bright Bakery's commercial auto policy has cards too.
    bakery = idcards.id_card_policies(demo, customer(demo, DANA))
    assert [c.policy.line for c in bakery] == ["commercial_auto"]
    assert idcards.id_card_policies(demo, customer(demo, MORGAN)) == []


def test_all_vehicles_in_one_branded_pdf_and_logged(demo):
    pat = customer(demo, PAT)
    auto = policy_of(demo, RIVERA, "auto")
    before = footprint(demo)
    sent = idcards.build_id_cards(demo, pat, auto.id)
    demo.commit()
    assert sent.content_type == "application/pdf" and sent.data.startswith(b"%PDF")
    assert sent.filename == f"ID-cards-{auto.number}.pdf"
    text = pdf_text(sent.data)
    for vehicle in _vehicles(demo, auto):
        assert vehicle.vin in text and vehicle.make in text
    for needed in (
        "Harbor & Main Insurance",
        "Pat Rivera, Sam Rivera",  # the named insureds
        auto.carrier,
        auto.number,
        f"{auto.effective_date:%m/%d/%Y}",
        f"{auto.expiration_date:%m/%d/%Y}",
    ):
        assert needed in text, needed
    after = footprint(demo)
    assert after["activity"] == before["activity"] + 1
    assert (after["tasks"], after["outbox"]) == (before["tasks"], before["outbox"])
    entry = demo.exec(select(ActivityLog).order_by(ActivityLog.id.desc())).first()
    assert entry.action_key == "customer.id_card_download"
    assert entry.details["vehicle_ids"] == [v.id for v in _vehicles(demo, auto)]


def test_cards_are_card_sized_two_to_a_page_with_the_naic_number(demo):
    auto = policy_of(demo, RIVERA, "auto")
    auto.carrier_naic = "24260"
    demo.add(
        Vehicle(policy_id=auto.id, year=2019, make="Ford", model="Escape", vin="1FMCU9GD5KUA00001")
    )
    demo.commit()
    sent = idcards.build_id_cards(demo, customer(demo, PAT), auto.id)
    assert "NAIC 24260" in pdf_text(sent.data)
    assert sent.data.count(b"/Type /Page\n") + sent.data.count(b"/Type /Page ") == 2  # 3 cards
    assert idcards.CARD_W == pytest.approx(3.375 * 25.4) and idcards.CARD_H == pytest.approx(
        2.125 * 25.4
    )


def test_no_pdf_for_a_vehicle_garaged_where_only_the_carrier_issues_cards(demo):
    pat = customer(demo, PAT)
    auto = policy_of(demo, RIVERA, "auto")
    ny, me = _vehicles(demo, auto)
    ny.garaging_state = "NY"
    demo.commit()
    before = footprint(demo)
    with pytest.raises(NotFound, match="vehicle"):
        idcards.build_id_cards(demo, pat, auto.id, [ny.id])
    assert footprint(demo) == before
    text = pdf_text(idcards.build_id_cards(demo, pat, auto.id).data)
    assert me.vin in text and ny.vin not in text


def test_one_chosen_vehicle_only(demo):
    auto = policy_of(demo, RIVERA, "auto")
    first, second = _vehicles(demo, auto)
    sent = idcards.build_id_cards(demo, customer(demo, PAT), auto.id, [second.id])
    text = pdf_text(sent.data)
    assert second.vin in text and first.vin not in text
    assert sent.filename.endswith(f"-{second.make}.pdf")


def test_agent_in_read_only_mode_downloads_as_the_agent_action(demo):
    auto = policy_of(demo, RIVERA, "auto")
    idcards.build_id_cards(demo, agent_viewing(demo, RIVERA), auto.id)
    demo.commit()
    entry = demo.exec(select(ActivityLog).order_by(ActivityLog.id.desc())).first()
    assert entry.action_key == "agent.download_id_cards" and entry.read_only


def test_refusals_record_nothing(demo):
    pat = customer(demo, PAT)
    auto = policy_of(demo, RIVERA, "auto")
    jordan_auto = policy_of(demo, LEE, "auto")
    jordan_vehicle = _vehicles(demo, jordan_auto)[0]
    before = footprint(demo)
    with pytest.raises(NotFound, match="policy"):
        idcards.build_id_cards(demo, pat, jordan_auto.id)
    with pytest.raises(NotFound, match="vehicle"):  # someone else's vehicle on my policy
        idcards.build_id_cards(demo, pat, auto.id, [jordan_vehicle.id])
    with pytest.raises(NotAllowed, match="auto policies"):
        idcards.build_id_cards(demo, pat, policy_of(demo, RIVERA, "home").id)
    with pytest.raises(NotAllowed, match="auto policies"):  # expired, and not auto either
        idcards.build_id_cards(demo, pat, policy_of(demo, RIVERA, "umbrella").id)
    with pytest.raises(InvalidInput):
        idcards.build_id_cards(demo, pat, auto.id, list(range(1, 60)))
    assert footprint(demo) == before


def test_cards_stop_when_the_auto_policy_is_no_longer_active(demo):
    pat = customer(demo, PAT)
    auto = policy_of(demo, RIVERA, "auto")
    auto.status = "cancelled"
    demo.commit()
    assert idcards.id_card_policies(demo, pat) == []
    with pytest.raises(NotAllowed, match="active"):
        idcards.build_id_cards(demo, pat, auto.id)


def test_check_request_refuses_like_build_and_records_nothing(demo):
    pat = customer(demo, PAT)
    auto = policy_of(demo, RIVERA, "auto")
    vehicles = _vehicles(demo, auto)
    before = footprint(demo)
    assert idcards.check_request(demo, pat, auto.id) == tuple(v.id for v in vehicles)
    assert idcards.check_request(demo, pat, auto.id, [vehicles[1].id, vehicles[1].id]) == (
        vehicles[1].id,
    )
    with pytest.raises(NotFound):
        idcards.check_request(demo, pat, policy_of(demo, LEE, "auto").id)
    assert footprint(demo) == before
