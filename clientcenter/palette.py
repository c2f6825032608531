"""Theme colours that pass WCAG AA. Radix's light scales put white on a step 9 as light as
teal's (3.07:1) and text in step 11 at 4.3-4.5:1 on its own soft backgrounds, so every scale
is checked here and the steps that carry text are darkened (mixed towards step 12) until they
pass: step 11 (links, soft buttons, badges) on steps 3-5, and step 9/10 under their contrast
text (solid buttons). The result is a style sheet (components/brand.py puts it in <head>);
settings refuse an accent colour that could not be made to pass."""

from __future__ import annotations

from functools import cache

from clientcenter.radix_scales import CONTRAST_TEXT, SCALES

AA = 4.5
_TEXT_ON_SOLID = {"white": "#ffffff"}


def _rgb(hex_: str) -> tuple[int, int, int]:
    return tuple(int(hex_[i : i + 2], 16) for i in (1, 3, 5))


def _hex(rgb) -> str:
    return "#" + "".join(f"{round(c):02x}" for c in rgb)


def luminance(hex_: str) -> float:
    def channel(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in _rgb(hex_))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _mix(a: str, b: str, t: float) -> str:
    return _hex(x + (y - x) * t for x, y in zip(_rgb(a), _rgb(b), strict=True))


def _darken_until(colour: str, towards: str, *against: str) -> str:
    """``colour`` mixed towards ``towards`` in 2% steps until it reaches AA on each of
    ``against``; ValueError when even ``towards`` itself does not."""
    for step in range(51):
        shade = _mix(colour, towards, step / 50)
        if all(contrast(shade, other) >= AA for other in against):
            return shade
    raise ValueError(f"no shade of {colour} reaches {AA}:1")


@cache
def passing_shades(scale: str) -> dict[str, str]:
    """The steps of ``scale`` to override (step name -> hex) so its text passes AA."""
    steps = SCALES[scale]
    out: dict[str, str] = {}
    eleven = _darken_until(steps[10], steps[11], "#ffffff", steps[2], steps[3], steps[4])
    if eleven != steps[10]:
        out["11"] = out["a11"] = eleven
    text = _TEXT_ON_SOLID.get(CONTRAST_TEXT[scale], CONTRAST_TEXT[scale])
    if text == "#ffffff":
        for step in ("9", "10"):
            shade = _darken_until(steps[int(step) - 1], steps[11], text)
            if shade != steps[int(step) - 1]:
                out[step] = shade
    else:
        for step in ("9", "10"):
            if contrast(steps[int(step) - 1], text) < AA:
                raise ValueError(f"{scale} step {step} fails under its own text")
    return out


def solid_shade(scale: str) -> str:
    """The scale's step 9 as the theme shows it (darkened when its text would fail)."""
    return passing_shades(scale).get("9", SCALES[scale][8])


def check_accent(scale: str) -> None:
    """Refuse a colour scale whose text cannot be brought to AA (ValueError saying why)."""
    if scale not in SCALES:
        raise ValueError(f"{scale!r} is not a Radix colour scale")
    passing_shades(scale)


def stylesheet() -> str:
    """CSS custom properties overriding every scale's failing steps (and the p3 variants
    Radix switches to on wide-gamut screens: ``!important`` wins over both)."""
    rules = []
    for scale in SCALES:
        for step, shade in passing_shades(scale).items():
            rules.append(f"--{scale}-{step}:{shade}!important;")
    return ":root,.light,.light-theme,.radix-themes{" + "".join(rules) + "}"
