"""Integration links: which ones an account is offered, and every click recorded."""

from __future__ import annotations

import pytest
from sqlmodel import select

from clientcenter.demo.agency import sync_integration_links
from clientcenter.models import IntegrationLink, Policy
from clientcenter.services.errors import NotAllowed, NotFound
from clientcenter.services.portal import integrations
from clientcenter.services.principal import Principal
from clientcenter.settings import load_settings
from tests.support.checks import effects, table_counts
from tests.support.demo import (
    AGENT,
    JORDAN,
    PAT,
    RIVERA,
    STUDIO,
    account_named,
    agent_viewing,
    customer,
)


@pytest.fixture
def links(demo):
    """Known links instead of the demo's, with the carrier of Pat's auto policy."""
    s = demo
    auto = s.exec(
        select(Policy).where(
            Policy.account_id == account_named(s, RIVERA).id, Policy.line == "auto"
        )
    ).one()
    for link in s.exec(select(IntegrationLink)).all():
        s.delete(link)
    rows = [
        (
            "consumer",
            f"Claims with {auto.carrier}",
            "https://carrier.example/claims",
            auto.carrier.upper(),
            None,
        ),
        ("consumer", "Pay Nowhere Mutual", "https://nowhere.example/pay", "Nowhere Mutual", None),
        ("consumer", "Roadside help", "https://roadside.example/", None, None),
        ("non_consumer", "Document vault", "https://vault.example/", None, None),
        ("cross_sell", "Get an auto quote", "https://agency.example/q/auto", None, "auto"),
        ("cross_sell", "Get a boat quote", "https://agency.example/q/boat", None, "boat"),
        (
            "cross_sell",
            "Get an umbrella quote",
            "https://agency.example/q/umbrella",
            None,
            "umbrella",
        ),
        ("cross_sell", "Get a BOP quote", "https://agency.example/q/bop", None, "bop"),
        ("cross_sell", "Talk about coverage", "https://agency.example/review", None, None),
    ]
    for pos, (kind, label, url, carrier, line) in enumerate(rows):
        s.add(
            IntegrationLink(
                kind=kind, label=label, url=url, carrier=carrier, line=line, position=pos
            )
        )
    s.flush()
    return s


def label_of(views):
    return [v.label for v in views]


def test_an_account_sees_its_carriers_and_quotes_for_lines_it_lacks(links):
    s = links
    offered = integrations.links_for(s, customer(s, PAT))
    assert label_of(offered.consumer)[0].startswith("Claims with ")
    assert "Pay Nowhere Mutual" not in label_of(offered.consumer)
    assert "Roadside help" in label_of(offered.consumer)
    assert label_of(offered.non_consumer) == ["Document vault"]
    # Pat has auto and home in force; the umbrella expired, so it is offered again.
    assert label_of(offered.cross_sell) == [
        "Get a boat quote",
        "Get an umbrella quote",
        "Talk about coverage",
    ]
    assert all(v.href == f"/go/{v.id}" for v in offered.consumer + offered.cross_sell)
    business = integrations.links_for(s, customer(s, JORDAN, STUDIO))
    assert "Get a BOP quote" not in label_of(business.cross_sell)  # it has a BOP
    assert "Get a boat quote" not in label_of(business.cross_sell)  # a personal line


def test_clicks_are_recorded_with_the_right_row(links):
    s = links
    pat = customer(s, PAT)
    offered = integrations.links_for(s, pat)
    cases = [
        (offered.consumer[0], "customer.consumer_integration", set()),
        (offered.non_consumer[0], "customer.non_consumer_integration", set()),
        (
            offered.cross_sell[0],
            "customer.cross_sell_integration",
            {("agent", "email", AGENT)},
        ),
    ]
    for view, key, expected_messages in cases:
        url = integrations.follow_link(s, pat, view.id)
        assert url == s.get(IntegrationLink, view.id).url
        activity, sent, tasks = effects(s)
        assert activity.action_key == key and activity.details["label"] == view.label
        assert sent == expected_messages
        assert len(tasks) == (1 if key.endswith("cross_sell_integration") else 0)


def test_read_only_agents_clicks_use_the_agent_rows(links):
    s = links
    agent = agent_viewing(s, RIVERA)
    offered = integrations.links_for(s, agent)
    for view, key in [
        (offered.consumer[0], "agent.consumer_integration"),
        (offered.non_consumer[0], "agent.non_consumer_integration"),
        (offered.cross_sell[0], "agent.cross_sell_integration"),
    ]:
        integrations.follow_link(s, agent, view.id)
        activity, sent, tasks = effects(s)
        assert activity.action_key == key and activity.read_only
        assert sent == set() and tasks == []


def test_links_not_offered_to_the_account_are_refused(links):
    s = links
    pat = customer(s, PAT)
    hidden = [
        s.exec(select(IntegrationLink).where(IntegrationLink.label == label)).one().id
        for label in ("Pay Nowhere Mutual", "Get an auto quote", "Get a BOP quote")
    ]
    for link_id in hidden + [999999]:
        before = table_counts(s)
        with pytest.raises(NotFound):
            integrations.follow_link(s, pat, link_id)
        assert table_counts(s) == before
    with pytest.raises(NotAllowed):
        integrations.follow_link(s, Principal.agency(1), hidden[0])


def test_configured_links_replace_the_demos(demo):
    s = demo
    settings = load_settings(
        integrations=[{"kind": "consumer", "label": "Only this", "url": "https://only.example/"}]
    )
    sync_integration_links(s, settings)
    s.flush()
    assert [link.label for link in s.exec(select(IntegrationLink))] == ["Only this"]


def test_setup_syncs_configured_links_and_keeps_ids_when_unchanged(demo):
    s = demo
    demo_links = [link.id for link in s.exec(select(IntegrationLink))]
    assert integrations.sync_from_settings(s, load_settings()) is False  # none configured
    assert [link.id for link in s.exec(select(IntegrationLink))] == demo_links
    settings = load_settings(
        integrations=[
            {
                "kind": "cross_sell",
                "label": "Get a boat quote",
                "url": "https://a.example/boat",
                "line": "boat",
            },
            {"kind": "consumer", "label": "Claims", "url": "https://c.example/", "carrier": "X"},
        ]
    )
    assert integrations.sync_from_settings(s, settings) is True
    first = [
        (link.id, link.label)
        for link in s.exec(select(IntegrationLink).order_by(IntegrationLink.position))
    ]
    assert [label for _, label in first] == ["Get a boat quote", "Claims"]
    assert integrations.sync_from_settings(s, settings) is False
    assert [
        (link.id, link.label)
        for link in s.exec(select(IntegrationLink).order_by(IntegrationLink.position))
    ] == first
