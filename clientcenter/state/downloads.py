"""Starting a download from a handler: mint a download link for this session, then navigate.

The link (services/files/download_links.py) is bound to the session the handler just verified
and expires in minutes; the route answers with an attachment, so the page stays where it is.
"""

from __future__ import annotations

import json

import reflex as rx

from clientcenter.db import session_scope
from clientcenter.services.errors import ServiceError
from clientcenter.services.files import download_links
from clientcenter.services.portal import idcards
from clientcenter.services.principal import Principal


def download_script(path: str) -> rx.event.EventSpec:
    """Fetch ``path`` as a download through a clicked ``<a download>``. Navigating the window
    instead would fire ``beforeunload``, on which Reflex drops the websocket; the reconnect
    then re-runs the page's on_load and wipes what the page was showing."""
    return rx.call_script(
        "(() => {const a = document.createElement('a');"
        f" a.href = {json.dumps(path)}; a.download = ''; a.rel = 'noopener';"
        " document.body.appendChild(a); a.click(); a.remove();})()"
    )


def start_download(
    principal: Principal, kind: str, object_id: int, *, vehicle_ids: tuple[int, ...] = ()
) -> rx.event.EventSpec:
    return download_script(
        download_links.sign(principal, kind, object_id, vehicle_ids=vehicle_ids)
    )


def parse_id(value) -> int | None:
    """An id from the URL or the browser: a plain positive integer, or nothing."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, str) and value.isdigit() and len(value) < 12:
        return int(value)
    return None


def start_id_cards(
    principal: Principal, policy_id, vehicle_ids: list[int] | None
) -> tuple[rx.event.EventSpec | None, str]:
    """The ID-card download (every vehicle's card when ``vehicle_ids`` is None), checked by
    the service first; returns the download to start, or the reason it can't."""
    try:
        with session_scope() as db:
            checked = idcards.check_request(db, principal, parse_id(policy_id) or 0, vehicle_ids)
    except ServiceError as exc:
        return None, exc.message
    return start_download(
        principal,
        "idcards",
        int(policy_id),
        vehicle_ids=checked if vehicle_ids is not None else (),
    ), ""
