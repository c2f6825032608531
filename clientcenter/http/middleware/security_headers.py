"""Response headers for every page and route: a Content-Security-Policy, a Referrer-Policy, no
framing by other sites (clickjacking) except the embeddable login page, which only the origins
in ``settings.security.frame_ancestors`` may frame, and no MIME sniffing. A header a route set
itself wins (the dev mailbox, downloads, the "Continue to …" page have stricter ones).

The policy is as strict as a Reflex 0.10 production build allows, checked in Chromium
(tests/e2e/test_security_headers.py listens for violations):

- ``script-src 'self'`` plus the SHA-256 of each inline ``<script>`` of the page being served.
  The prerendered pages carry about ten inline scripts (React Router's context and module
  imports, the colour-mode and scroll restorers, React's streaming helpers); they are fixed at
  build time, so this middleware hashes them from the HTML it passes on instead of allowing
  every inline script.
- ``'unsafe-eval'``: Reflex runs the scripts a handler sends (``rx.call_script``,
  ``rx.scroll_to`` from a handler, downloads, the login's form post) with ``eval`` in its event
  loop (``.web/utils/state.js``); without it those events fail.
- ``style-src 'unsafe-inline'``: emotion and Radix write ``<style>`` elements and style
  attributes at run time.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import logging
import os
import re
import zlib
from pathlib import Path
from urllib.parse import urlparse

from clientcenter import routes
from clientcenter.settings import get_settings

log = logging.getLogger("clientcenter.security")

# Pages whose address carries a bearer token. Reflex pages (SPA documents that go on to log in
# and post forms) send only our origin as Referer: "no-referrer" would make Chromium send
# "Origin: null" on every later POST from the same document, which our Origin check refuses.
# The file routes never post anything, so they send nothing at all.
TOKEN_PAGE_PREFIXES = (routes.SHARED_PREFIX, routes.PAY_PREFIX, routes.JOIN_PREFIX)
TOKEN_ROUTE_PREFIXES = (
    routes.FILES_PREFIX,
    routes.HOLDER_CERTIFICATE_PREFIX,
    routes.AGENT_SETUP_PREFIX,
)
DEFAULT_REFERRER_POLICY = "same-origin"
MAX_HTML_BYTES = 2 * 1024 * 1024  # prerendered pages are ~15 KB; anything bigger is not one

_INLINE_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.I | re.S)
_SRC_ATTR = re.compile(r"\ssrc\s*=", re.I)


def _origin(url: str) -> str:
    parsed = urlparse(str(url))
    return f"{parsed.scheme}://{parsed.netloc}"


def embed_frame_ancestors() -> str:
    allowed = " ".join(_origin(u) for u in get_settings().security.frame_ancestors)
    return f"frame-ancestors 'self' {allowed}".strip()


def is_embed_path(path: str) -> bool:
    path = path.rstrip("/")
    return path in (
        routes.EMBED_LOGIN,
        routes.EMBED_LOGIN + ".html",
        routes.EMBED_LOGIN + "/index.html",
    )


def referrer_policy(path: str) -> str:
    if path.startswith(TOKEN_ROUTE_PREFIXES):
        return "no-referrer"
    if path.startswith(TOKEN_PAGE_PREFIXES):
        return "strict-origin"
    return DEFAULT_REFERRER_POLICY


def _websocket_origins() -> list[str]:
    """The event socket's origin (rxconfig.py: api_url, REFLEX_API_URL or the public URL) in
    ws/wss form: browsers that predate CSP 3 do not count ws: as 'self'."""
    urls = [str(get_settings().public_url), os.environ.get("REFLEX_API_URL", "")]
    found = []
    for url in filter(None, urls):
        parsed = urlparse(url)
        scheme = "wss" if parsed.scheme == "https" else "ws"
        for origin in (f"{scheme}://{parsed.netloc}", _origin(url)):
            if origin not in found:
                found.append(origin)
    return found


def _image_origins() -> list[str]:
    logo = get_settings().branding.logo_url
    return [_origin(logo)] if logo.startswith("https://") else []


def content_security_policy(
    path: str, script_hashes: list[str] | None = None, *, inline_fallback: bool = False
) -> str:
    hashes = [f"'sha256-{h}'" for h in (script_hashes or [])]
    scripts = ["'self'", *hashes, "'unsafe-eval'"]
    if inline_fallback:  # a page we could not read: working beats blank
        scripts.append("'unsafe-inline'")
    frame = embed_frame_ancestors() if is_embed_path(path) else "frame-ancestors 'self'"
    directives = [
        "default-src 'self'",
        "script-src " + " ".join(scripts),
        "style-src 'self' 'unsafe-inline'",
        "img-src " + " ".join(["'self'", "data:", "blob:", *_image_origins()]),
        "font-src 'self' data:",
        "connect-src " + " ".join(["'self'", *_websocket_origins()]),
        "object-src 'none'",
        # The installable app: its service worker (/sw.js) and web app manifest.
        "worker-src 'self'",
        "manifest-src 'self'",
        "base-uri 'self'",
        "form-action 'self'",
        frame,
    ]
    return "; ".join(directives)


def inline_script_hashes(html: str) -> list[str]:
    """Base64 SHA-256 of every inline script's text, in page order, without repeats."""
    found: list[str] = []
    for attrs, body in _INLINE_SCRIPT.findall(html):
        if _SRC_ATTR.search(" " + attrs):
            continue
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        if digest not in found:
            found.append(digest)
    return found


def headers_for(path: str) -> dict[str, str]:
    """The headers of a response that is not an HTML page (no inline scripts to allow)."""
    headers = {
        "content-security-policy": content_security_policy(path),
        "referrer-policy": referrer_policy(path),
        "x-content-type-options": "nosniff",
    }
    if not is_embed_path(path):
        headers["x-frame-options"] = "SAMEORIGIN"
    return headers


def _decoded(body: bytes, encoding: str) -> str | None:
    try:
        if encoding in ("", "identity"):
            return body.decode("utf-8")
        if encoding == "gzip":
            return gzip.decompress(body).decode("utf-8")
        if encoding == "deflate":
            return zlib.decompress(body).decode("utf-8")
    except (OSError, EOFError, zlib.error, UnicodeDecodeError):
        return None
    return None  # br, zstd: Reflex's build precompresses gzip only


class SecurityHeaders:
    """Pure ASGI middleware (websockets pass untouched). A header a route set itself wins.

    An HTML page's response is held until its body is complete, so its inline scripts can be
    hashed into the policy (pages are a few KB)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        held: dict = {}
        chunks: list[bytes] = []

        def with_headers(message, extra: dict[str, str]):
            present = {k.lower() for k, _ in message.get("headers", [])}
            added = [
                (k.encode(), v.encode()) for k, v in extra.items() if k.encode() not in present
            ]
            return {**message, "headers": [*message.get("headers", []), *added]}

        async def release(body_message):
            start = held.pop("start")
            raw = b"".join(chunks)
            headers = {k.lower(): v for k, v in start.get("headers", [])}
            encoding = headers.get(b"content-encoding", b"").decode("latin-1").strip().lower()
            text = _decoded(raw, encoding) if len(raw) <= MAX_HTML_BYTES else None
            extra = headers_for(path)
            if text is None:
                log.warning(
                    "CSP for %s allows inline scripts: body not readable (%s)",
                    path,
                    encoding or "identity",
                )
                extra["content-security-policy"] = content_security_policy(
                    path, inline_fallback=True
                )
            else:
                extra["content-security-policy"] = content_security_policy(
                    path, inline_script_hashes(text)
                )
            await send(with_headers(start, extra))
            chunks.clear()
            await send({**body_message, "body": raw})

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = {k.lower(): v for k, v in message.get("headers", [])}
                is_html = headers.get(b"content-type", b"").lower().startswith(b"text/html")
                extra = headers_for(path)
                if message.get("status") == 304:
                    # A 304 updates the cached page's headers: a policy without that page's
                    # script hashes would replace the one it was served with.
                    extra.pop("content-security-policy")
                elif is_html and b"content-security-policy" not in headers:
                    held["start"] = message
                    return
                await send(with_headers(message, extra))
                return
            if message["type"] == "http.response.pathsend" and "start" in held:
                # Granian's file-sending extension: the page is a small prerendered file.
                chunks.append(Path(message["path"]).read_bytes())
                await release({"type": "http.response.body", "body": b""})
                return
            if message["type"] == "http.response.body" and "start" in held:
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False) or sum(map(len, chunks)) > MAX_HTML_BYTES:
                    await release(message)
                return
            await send(message)

        await self.app(scope, receive, send_with_headers)
