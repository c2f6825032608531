"""The installable app's icons and the wallet passes' images: the agency's monogram (the
initials of its short name) in white on its accent colour, drawn with Pillow. The logo is an
SVG, which Pillow cannot draw; a monogram stays legible at 29 px where a logo would not."""

from __future__ import annotations

import io
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from clientcenter.palette import solid_shade
from clientcenter.settings import get_settings

ICON_SIZES = (192, 512)  # the web app manifest's
_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def brand_colour() -> str:
    """The accent's solid shade, as the theme shows it (white text passes AA on it)."""
    return solid_shade(get_settings().branding.accent_color)


def monogram_letters(name: str) -> str:
    words = [w for w in name.replace("&", " ").split() if w[:1].isalnum()]
    return "".join(w[0].upper() for w in words[:2]) or "CC"


def _font(px: int):
    try:
        return ImageFont.truetype(_FONT, px)
    except OSError:  # no DejaVu on this machine: Pillow's own scalable default
        return ImageFont.load_default(px)


@lru_cache(maxsize=16)
def _icon(size: int, letters: str, colour: str, maskable: bool) -> bytes:
    image = Image.new("RGB", (size, size), colour)
    draw = ImageDraw.Draw(image)
    # A maskable icon keeps its content inside the central 80 % safe zone.
    font = _font(int(size * (0.34 if maskable else 0.42)))
    draw.text((size / 2, size / 2), letters, fill="white", font=font, anchor="mm")
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def icon_png(size: int, *, maskable: bool = False) -> bytes:
    branding = get_settings().branding
    return _icon(size, monogram_letters(branding.short_name), brand_colour(), maskable)
