"""What the agency pastes into its website to reach the portal: a button in the agency's colour
that opens the stable login URL, or the login card itself in a frame (only origins listed in
``security.frame_ancestors`` may frame it; see http/middleware/security_headers.py)."""

from __future__ import annotations

import html

from clientcenter import routes
from clientcenter.services.notify.templates import ACCENT_HEX, LIGHT_ACCENTS
from clientcenter.settings import get_settings


def embed_snippet() -> str:
    """HTML for the agency's website: a button in the agency's colour that opens the login
    page, and (optional) the login card itself in a frame."""
    settings = get_settings()
    b = settings.branding
    accent = ACCENT_HEX.get(b.accent_color, ACCENT_HEX["teal"])
    text = "#111111" if b.accent_color in LIGHT_ACCENTS else "#ffffff"
    base = str(settings.public_url).rstrip("/")
    label = html.escape(f"Log in to {b.short_name} Client Center", quote=True)
    title = html.escape(f"{b.agency_name} Client Center login", quote=True)
    return (
        f"<!-- {html.escape(b.agency_name)} Client Center: a login button -->\n"
        f'<a href="{base}{routes.CUSTOMER_LOGIN}" style="display:inline-block;padding:12px 20px;border-radius:8px;background:{accent};'
        f'color:{text};font:600 16px/1.2 system-ui,sans-serif;text-decoration:none">'
        f"{label}</a>\n\n"
        f"<!-- or the login card on your page (this site must be listed in "
        f"security.frame_ancestors) -->\n"
        f'<iframe src="{base}{routes.EMBED_LOGIN}" title="{title}" '
        f'style="width:100%;max-width:440px;height:560px;border:0" loading="lazy"></iframe>'
    )
