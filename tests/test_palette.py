"""The theme's colour shades pass WCAG AA for every accent an agency may choose, and a
scale that cannot be made to pass is refused with its name (clientcenter/palette.py)."""

from __future__ import annotations

import pytest

from clientcenter import palette
from clientcenter.radix_scales import CONTRAST_TEXT, SCALES
from clientcenter.settings import ACCENT_COLORS


def _shade(scale: str, step: int) -> str:
    return palette.passing_shades(scale).get(str(step), SCALES[scale][step - 1])


def test_radix_teal_fails_as_shipped_and_passes_once_darkened():
    teal = SCALES["teal"]
    assert round(palette.contrast("#ffffff", teal[8]), 2) == 3.07  # the figure
    assert palette.contrast(teal[10], teal[2]) < 4.5
    assert palette.contrast("#ffffff", _shade("teal", 9)) >= 4.5
    assert palette.contrast(_shade("teal", 11), teal[2]) >= 4.5


@pytest.mark.parametrize("scale", sorted(SCALES))
def test_every_scale_carries_text_at_aa(scale):
    steps = SCALES[scale]
    for background in ("#ffffff", steps[2], steps[3], steps[4]):
        assert palette.contrast(_shade(scale, 11), background) >= 4.5
    text = "#ffffff" if CONTRAST_TEXT[scale] == "white" else CONTRAST_TEXT[scale]
    for step in (9, 10):
        assert palette.contrast(text, _shade(scale, step)) >= 4.5


def test_every_accent_colour_the_settings_allow_is_checked():
    for accent in ACCENT_COLORS:
        palette.check_accent(accent)
    assert "--teal-9:" in palette.stylesheet() and "!important" in palette.stylesheet()


def test_a_scale_that_cannot_pass_is_refused(monkeypatch):
    # A scale whose darkest step still is light: no shade of it carries white text.
    light = tuple(["#fafafa"] * 12)
    monkeypatch.setitem(SCALES, "chalk", light)
    monkeypatch.setitem(CONTRAST_TEXT, "chalk", "white")
    palette.passing_shades.cache_clear()
    try:
        with pytest.raises(ValueError, match="reaches 4.5:1"):
            palette.check_accent("chalk")
        with pytest.raises(ValueError, match="not a Radix colour scale"):
            palette.check_accent("chartreuse")
    finally:
        palette.passing_shades.cache_clear()
