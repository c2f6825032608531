"""Client IP for limits: the peer, or X-Forwarded-For only across trusted proxy hops."""

import pytest

from clientcenter.http.deps import client_ip


@pytest.mark.parametrize(
    "peer, xff, hops, expected",
    [
        ("198.51.100.7", None, 0, "198.51.100.7"),
        # No trusted proxy: a client-written header is ignored.
        ("198.51.100.7", "1.2.3.4", 0, "198.51.100.7"),
        # One proxy: the address it appended (the rightmost), not what the client wrote.
        ("10.0.0.2", "6.6.6.6, 203.0.113.5", 1, "203.0.113.5"),
        # Two proxies: the second from the right.
        ("10.0.0.2", "6.6.6.6, 203.0.113.5, 10.0.0.9", 2, "203.0.113.5"),
        # A chain shorter than the configured hops is not trusted at all.
        ("10.0.0.2", "203.0.113.5", 2, "10.0.0.2"),
        ("10.0.0.2", " , ", 1, "10.0.0.2"),
        (None, None, 0, ""),
    ],
)
def test_client_ip(peer, xff, hops, expected):
    assert client_ip(peer, xff, hops) == expected


def test_hops_come_from_settings(monkeypatch):
    from clientcenter.settings import reset_settings_cache

    monkeypatch.setenv("CC_SECURITY__TRUSTED_PROXY_HOPS", "1")
    reset_settings_cache()
    assert client_ip("10.0.0.2", "6.6.6.6, 203.0.113.5") == "203.0.113.5"


def test_reflex_websocket_uses_the_same_setting(monkeypatch):
    """rxconfig hands our setting to Reflex, which applies it to the websocket's client_ip."""
    import importlib

    import rxconfig
    from clientcenter.settings import reset_settings_cache

    monkeypatch.setenv("CC_SECURITY__TRUSTED_PROXY_HOPS", "2")
    reset_settings_cache()
    try:
        assert importlib.reload(rxconfig).config.trusted_proxy_hops == 2
    finally:
        monkeypatch.undo()
        reset_settings_cache()
        importlib.reload(rxconfig)
