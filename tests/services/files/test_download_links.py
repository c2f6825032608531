"""Signed download links: authentic, short-lived, bound to one session and one account."""

import time

import pytest

from clientcenter import routes
from clientcenter.services.errors import NotAllowed
from clientcenter.services.files import download_links
from clientcenter.services.principal import Principal
from clientcenter.settings import reset_settings_cache

PAT = Principal.customer(account_id=7, contact_id=3, session_id=41)


def _token(path: str) -> str:
    assert path.startswith(routes.FILES_PREFIX)
    return path[len(routes.FILES_PREFIX) :]


def test_round_trip_carries_the_target():
    token = _token(download_links.sign(PAT, "idcards", 12, vehicle_ids=[5, 6]))
    target = download_links.verify(token)
    assert (target.kind, target.object_id, target.vehicle_ids) == ("idcards", 12, (5, 6))
    assert (target.session_id, target.account_id) == (41, 7)
    assert target.expires_at - time.time() <= download_links.LINK_TTL_SECONDS
    assert download_links.matches(target, PAT)


def test_expired_link_is_refused():
    token = _token(
        download_links.sign(
            PAT, "document", 9, now=time.time() - download_links.LINK_TTL_SECONDS - 1
        )
    )
    with pytest.raises(download_links.LinkExpired, match="expired"):
        download_links.verify(token)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # signature changed
        lambda t: t.split(".")[0] + ".",  # signature removed
        lambda t: "eyJrIjoiZG9jdW1lbnQiLCJvIjo5OTl9." + t.split(".")[1],  # body swapped
        lambda t: t + ".x",
        lambda t: "not a token",
        lambda t: "",
    ],
)
def test_tampered_links_are_invalid(tamper):
    token = _token(download_links.sign(PAT, "document", 9))
    with pytest.raises(download_links.LinkInvalid):
        download_links.verify(tamper(token))


def test_a_link_signed_with_another_key_is_invalid(monkeypatch):
    token = _token(download_links.sign(PAT, "document", 9))
    monkeypatch.setenv("CC_SECRET_KEY", "another-secret-0123456789-abcdefghijklmnopqrstuv")
    reset_settings_cache()
    with pytest.raises(download_links.LinkInvalid):
        download_links.verify(token)


def test_the_link_only_matches_its_own_session_and_account():
    target = download_links.verify(_token(download_links.sign(PAT, "document", 9)))
    assert not download_links.matches(target, None)
    assert not download_links.matches(
        target, Principal.customer(7, 3, session_id=42)
    )  # new session
    assert not download_links.matches(
        target, Principal.customer(8, 3, session_id=41)
    )  # switched account


def test_no_link_without_a_session_or_for_unknown_kinds():
    with pytest.raises(NotAllowed):
        download_links.sign(Principal.customer(7, 3), "document", 9)
    with pytest.raises(ValueError):
        download_links.sign(PAT, "policy", 9)
