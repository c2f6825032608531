"""The portal's production ASGI stack, for tests that send it real requests."""

from __future__ import annotations

from functools import cache


@cache
def portal_asgi():
    """What `reflex run` serves, built the way App.__call__ builds it, minus compiling the
    front end (pages are not needed to reach the HTTP routes)."""
    from clientcenter.clientcenter import app as rx_app

    rx_app._compile = lambda **_: rx_app._add_optional_endpoints()
    return rx_app()
