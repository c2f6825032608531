"""HTTP routes of the delivery engine: the dev mailbox page and the providers' webhooks."""

from __future__ import annotations

import html
import ipaddress
import logging

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from clientcenter import routes
from clientcenter.db import session_scope
from clientcenter.delivery import webhooks
from clientcenter.delivery.dev_mailbox import recent_messages
from clientcenter.http.deps import NO_STORE, request_client_ip, run_in_threadpool
from clientcenter.services.dates import time_text
from clientcenter.settings import get_settings

log = logging.getLogger("clientcenter.delivery")

MAX_WEBHOOK_BYTES = 1024 * 1024


def _is_loopback(request: Request) -> bool:
    # Anything a proxy relayed came from somewhere else, whatever the socket says.
    if request.headers.get("x-forwarded-for") or request.headers.get("forwarded"):
        return False
    try:
        return ipaddress.ip_address(request_client_ip(request)).is_loopback
    except ValueError:
        return False


def _is_localhost_name(request: Request) -> bool:
    """The Host the browser asked for is a loopback name. A loopback peer is not enough: a
    site whose DNS name re-resolves to 127.0.0.1 (DNS rebinding) reaches us from this
    machine's own browser, with its own name in Host, and could read the login codes."""
    host = (request.headers.get("host") or "").strip().lower()
    if host.startswith("["):  # [::1]:3000
        name = host[1:].split("]", 1)[0]
    else:
        name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    if name == "localhost" or name.endswith(".localhost"):  # RFC 6761: always loopback
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


async def dev_mailbox(request: Request) -> Response:
    """Every message the dev backend kept, newest first; only on localhost, only in dev."""
    settings = get_settings()
    if not settings.uses_dev_mailbox:
        return PlainTextResponse("Not Found", status_code=404)
    if not _is_loopback(request):
        return PlainTextResponse("The dev mailbox answers only on this machine.", status_code=403)
    if not _is_localhost_name(request):
        log.warning(
            "dev mailbox refused: Host %r is not a localhost name", request.headers.get("host")
        )
        return PlainTextResponse(
            "The dev mailbox answers only at a localhost address "
            "(http://localhost:<port>/dev/mailbox).",
            status_code=403,
        )

    def load():
        with session_scope() as session:
            return [
                (m.id, m.created_at, m.channel, m.to_address, m.subject, m.body_text, m.body_html)
                for m in recent_messages(session, limit=100)
            ]

    rows = await run_in_threadpool(load)
    return HTMLResponse(
        render_mailbox(rows, settings.branding.agency_name),
        headers={
            **NO_STORE,
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
            "img-src 'self' data:; frame-ancestors 'none'",
            "X-Content-Type-Options": "nosniff",
        },
    )


def render_mailbox(rows, agency_name: str) -> str:
    items = []
    for id_, created, channel, to, subject, text, body_html in rows:
        when = time_text(created)
        badge = "Text" if channel == "sms" else "Email"
        preview = ""
        if body_html:
            # The branded email as the customer sees it, sandboxed (no scripts, no forms).
            preview = (
                "<details><summary>Show the email</summary><iframe sandbox "
                f'title="email {id_}" srcdoc="{html.escape(body_html, quote=True)}">'
                "</iframe></details>"
            )
        items.append(
            f'<article id="m{id_}"><header><span class="badge {channel}">{badge}</span> '
            f"<time>{html.escape(when)}</time></header>"
            f'<p class="to">To <strong>{html.escape(to)}</strong></p>'
            + (f"<h2>{html.escape(subject)}</h2>" if subject else "")
            + f"<pre>{html.escape(text)}</pre>{preview}</article>"
        )
    body = (
        "\n".join(items)
        or '<p class="empty">No messages yet. Log in or act in the portal, '
        "and what would be emailed or texted shows up here.</p>"
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Dev mailbox · {html.escape(agency_name)}</title>
<style>
*{{box-sizing:border-box}}
body{{margin:0;font:16px/1.5 -apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;
background:#f4f5f7;color:#1c2024}}
main{{max-width:720px;margin:0 auto;padding:16px}}
h1{{font-size:22px;margin:8px 0 4px}} .note{{color:#60646c;margin:0 0 16px;font-size:14px}}
article{{background:#fff;border-radius:12px;padding:14px 16px;margin:0 0 12px;
box-shadow:0 1px 2px rgba(0,0,0,.06);overflow-wrap:anywhere}}
header{{display:flex;gap:8px;align-items:center;flex-wrap:wrap;font-size:13px;color:#60646c}}
.badge{{border-radius:999px;padding:2px 10px;font-weight:600;font-size:12px}}
.email{{background:#e0f2fe;color:#075985}} .sms{{background:#dcfce7;color:#166534}}
.to{{margin:6px 0;font-size:14px}} h2{{font-size:17px;margin:4px 0 8px}}
pre{{white-space:pre-wrap;word-break:break-word;font:15px/1.5 ui-monospace,Menlo,Consolas,monospace;
margin:0;background:#f8f9fa;border-radius:8px;padding:10px}}
details{{margin-top:10px}} summary{{cursor:pointer;color:#0d74ce;min-height:44px;
display:flex;align-items:center}}
iframe{{width:100%;height:480px;border:1px solid #e8e8ec;border-radius:8px;background:#fff}}
a.refresh{{display:inline-block;padding:10px 16px;background:#108477;color:#fff;border-radius:8px;
text-decoration:none;font-weight:600;margin-bottom:16px}}
.empty{{color:#60646c}}
</style></head><body><main>
<h1>Dev mailbox</h1>
<p class="note">{html.escape(agency_name)} · what the portal would have emailed or texted,
newest first. This page exists only with the dev delivery backend and only on this machine.</p>
<a class="refresh" href="{routes.DEV_MAILBOX}">Refresh</a>
{body}
</main></body></html>"""


async def sendgrid_events(request: Request) -> Response:
    settings = get_settings()
    body = await request.body()
    if len(body) > MAX_WEBHOOK_BYTES:
        return JSONResponse({"error": "too large"}, status_code=413)
    try:
        events = webhooks.verify_sendgrid(settings, body, request.headers)
    except webhooks.WebhookRefused as exc:
        log.warning("sendgrid webhook refused from %s: %s", request_client_ip(request), exc)
        return JSONResponse({"error": str(exc)}, status_code=exc.status)

    def apply():
        with session_scope() as session:
            return webhooks.apply_sendgrid_events(session, events)

    new = await run_in_threadpool(apply)
    return JSONResponse({"received": len(events), "new": new})


async def twilio_status(request: Request) -> Response:
    settings = get_settings()
    body = await request.body()
    if len(body) > MAX_WEBHOOK_BYTES:
        return JSONResponse({"error": "too large"}, status_code=413)
    form = await request.form()
    params = {k: str(v) for k, v in form.items()}
    # Twilio signed the URL it was given: our public URL, path and query.
    url = str(settings.public_url).rstrip("/") + request.url.path
    if request.url.query:
        url += "?" + request.url.query
    try:
        webhooks.verify_twilio(settings, url, params, request.headers)
    except webhooks.WebhookRefused as exc:
        log.warning("twilio webhook refused from %s: %s", request_client_ip(request), exc)
        return JSONResponse({"error": str(exc)}, status_code=exc.status)
    dedupe_key = request.query_params.get("k")

    def apply():
        with session_scope() as session:
            return webhooks.apply_twilio_status(session, params, dedupe_key)

    try:
        new = await run_in_threadpool(apply)
    except webhooks.WebhookRefused as exc:
        return JSONResponse({"error": str(exc)}, status_code=exc.status)
    return JSONResponse({"new": bool(new)})


ROUTES = [
    Route(routes.DEV_MAILBOX, dev_mailbox, methods=["GET"]),
    Route(routes.SENDGRID_WEBHOOK, sendgrid_events, methods=["POST"]),
    Route(routes.TWILIO_WEBHOOK, twilio_status, methods=["POST"]),
]
