"""Response headers for every page and route: no framing by other sites (clickjacking),
except the embeddable login page, which only the origins in
``settings.security.frame_ancestors`` may frame; no MIME sniffing."""

from __future__ import annotations

from urllib.parse import urlparse

from clientcenter import paths
from clientcenter.settings import get_settings


def _origin(url: str) -> str:
    parsed = urlparse(str(url))
    return f"{parsed.scheme}://{parsed.netloc}"


def embed_frame_ancestors() -> str:
    allowed = " ".join(_origin(u) for u in get_settings().security.frame_ancestors)
    return f"frame-ancestors 'self' {allowed}".strip()


def is_embed_path(path: str) -> bool:
    path = path.rstrip("/")
    return path in (paths.EMBED_LOGIN, paths.EMBED_LOGIN + ".html",
                    paths.EMBED_LOGIN + "/index.html")


def headers_for(path: str) -> dict[str, str]:
    if is_embed_path(path):
        return {"content-security-policy": embed_frame_ancestors(),
                "x-content-type-options": "nosniff"}
    return {"content-security-policy": "frame-ancestors 'self'",
            "x-frame-options": "SAMEORIGIN",
            "x-content-type-options": "nosniff"}


class SecurityHeaders:
    """Pure ASGI middleware (websockets pass untouched). A header a route set itself wins."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        extra = headers_for(scope.get("path", ""))

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                added = [(k.encode(), v.encode()) for k, v in extra.items()
                         if k.encode() not in present]
                message = {**message, "headers": [*message.get("headers", []), *added]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
