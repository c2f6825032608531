"""The client's IP address for rate limits and logs.

The socket peer, unless the deployment declares ``security.trusted_proxy_hops`` reverse
proxies in front of it: then the address that many hops back in X-Forwarded-For (the one our
own outermost proxy saw). Entries further left are whatever the client wrote, so they are
never used; without trusted hops the header is ignored entirely.
"""

from __future__ import annotations

from clientcenter.settings import get_settings


def client_ip(peer: str | None, forwarded_for: str | None, hops: int | None = None) -> str:
    hops = get_settings().security.trusted_proxy_hops if hops is None else hops
    address = peer or ""
    if hops and forwarded_for:
        chain = [part.strip() for part in forwarded_for.split(",") if part.strip()]
        # Same rule as Reflex applies to its websocket (rxconfig passes the same setting).
        if len(chain) >= hops:
            address = chain[-hops]
    return address[:64]


def request_client_ip(request) -> str:
    """For a Starlette request."""
    peer = request.client.host if request.client else ""
    return client_ip(peer, request.headers.get("x-forwarded-for"))
