"""A name a person recognises for a browser: what Profile lists passkeys and remembered
browsers by."""

from __future__ import annotations


def device_label(user_agent: str) -> str:
    """A name a person recognises: the browser and system the passkey was made on."""
    ua = user_agent or ""
    system = next(
        (
            name
            for key, name in (
                ("iPhone", "iPhone"),
                ("iPad", "iPad"),
                ("Android", "Android"),
                ("Mac OS", "Mac"),
                ("Windows", "Windows"),
                ("Linux", "Linux"),
            )
            if key in ua
        ),
        "this device",
    )
    browser = next(
        (
            name
            for key, name in (
                ("Edg/", "Edge"),
                ("Chrome/", "Chrome"),
                ("Firefox/", "Firefox"),
                ("Safari/", "Safari"),
            )
            if key in ua
        ),
        "a browser",
    )
    return f"{browser} on {system}"
