"""Accessibility checks for a page in the browser: axe-core's findings by impact, and a
contrast check of our own. axe cannot see most of the portal's contrast problems because the
Radix kit paints button, card and badge backgrounds in ``::before``; the check here walks every
visible text node, stacks the backgrounds under it (own, ``::before`` and ``::after`` of the
element and each ancestor) and computes the WCAG ratio itself.

Every ``screenshot()`` (tests/support/browser.py) records both into ``screenshots/a11y.json`` so a
run of the browser suite gives the totals, and ``gate`` fails the test on any critical, serious
or moderate axe finding or a failed contrast there; tests/e2e/conftest.py runs the same gate on
the page each browser test ends on. A test whose page has a known finding not yet fixed says
so with ``@pytest.mark.a11y_known("why")``: recorded, not failed."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

from axe_playwright_python.sync_playwright import Axe

from clientcenter.settings import PROJECT_ROOT

REPORT = PROJECT_ROOT / "screenshots" / "a11y.json"
BLOCKING = ("critical", "serious", "moderate")
_axe = Axe()

# In the page: every visible text node's foreground and effective background, and the ratio.
CONTRAST_JS = r"""
() => {
  const canvas = document.createElement('canvas'); canvas.width = canvas.height = 1;
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  const rgba = (css) => {  // any CSS colour (hex, rgb, color(display-p3 ..), oklch) as sRGB
    if (!css || css === 'transparent') return [0, 0, 0, 0];
    ctx.clearRect(0, 0, 1, 1); ctx.fillStyle = '#000'; ctx.fillStyle = css;
    ctx.fillRect(0, 0, 1, 1);
    const d = ctx.getImageData(0, 0, 1, 1).data;
    return [d[0], d[1], d[2], d[3] / 255];
  };
  const over = (top, under) => {  // top composited over an opaque colour
    const a = top[3];
    return [0, 1, 2].map(i => top[i] * a + under[i] * (1 - a)).concat([1]);
  };
  const lum = (c) => {
    const ch = c.slice(0, 3).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2];
  };
  const layers = (el) => {  // backgrounds painted under el's text, top first
    const out = [];
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      for (const pseudo of ['::after', '::before', null]) {
        const s = getComputedStyle(e, pseudo);
        if (pseudo && (s.content === 'none' || s.content === 'normal')) continue;
        if (s.backgroundImage && s.backgroundImage !== 'none' && !pseudo) return null; // image: unknowable
        const bg = rgba(s.backgroundColor);
        if (bg[3] > 0) out.push(bg);
        if (bg[3] >= 1) return out;
      }
    }
    out.push([255, 255, 255, 1]);
    return out;
  };
  const results = [];
  const seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.textContent.trim();
    const el = n.parentElement;
    if (!text || !el || seen.has(el)) continue;
    seen.add(el);
    if (el.closest('script,style,noscript,[aria-hidden="true"],[disabled],[aria-disabled="true"],[data-disabled]')) continue;
    const s = getComputedStyle(el);
    if (s.visibility !== 'visible' || parseFloat(s.opacity) === 0) continue;
    const r = el.getBoundingClientRect();
    if (r.width < 2 || r.height < 2) continue;
    let opacity = 1;
    for (let e = el; e; e = e.parentElement) opacity *= parseFloat(getComputedStyle(e).opacity);
    if (opacity < 0.1) continue;
    const stack = layers(el);
    if (!stack) continue;
    let bg = stack[stack.length - 1];
    for (let i = stack.length - 2; i >= 0; i--) bg = over(stack[i], bg);
    const fgc = rgba(s.color); fgc[3] *= opacity;
    const fg = over(fgc, bg);
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    const size = parseFloat(s.fontSize), weight = parseInt(s.fontWeight, 10);
    const large = size >= 24 || (size >= 18.66 && weight >= 700);
    results.push({text: text.slice(0, 40), ratio: Math.round(ratio * 100) / 100, large,
                  fg: s.color, id: el.id || (el.closest('[id]') || {}).id || ''});
  }
  return results;
}
"""


@dataclass
class Findings:
    state: str
    axe: Counter = field(default_factory=Counter)  # impact -> nodes
    axe_rules: dict[str, list[str]] = field(default_factory=dict)  # impact -> "rule: target"
    contrast_failures: list[dict] = field(default_factory=list)
    lowest_ratio: float = 21.0

    @property
    def blocking(self) -> list[str]:
        found = [line for impact in BLOCKING for line in self.axe_rules.get(impact, [])]
        found += [
            f"contrast {f['ratio']}:1 for {f['text']!r} ({f['fg']}, #{f['id']})"
            for f in self.contrast_failures
        ]
        return found


# A dialog fading in or out is part-transparent: measured mid-fade, its colours read as low
# contrast. Finite animations are let finish first (spinners loop forever and are not waited).
_SETTLED_JS = (
    "() => document.getAnimations().every(a => a.playState !== 'running'"
    " || (a.effect && a.effect.getTiming().iterations === Infinity))"
)


def _settle(page) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(_SETTLED_JS, timeout=3000)
    except PlaywrightTimeout:
        pass  # still moving after 3 s: measured as it is


def check(page, state: str) -> Findings:
    """axe-core and the contrast walk on the page as it is now, once its transitions end."""
    found = Findings(state)
    _settle(page)
    results = _axe.run(page).response
    for violation in results["violations"]:
        impact = violation.get("impact") or "minor"
        for node in violation["nodes"]:
            found.axe[impact] += 1
            found.axe_rules.setdefault(impact, []).append(
                f"{violation['id']}: {' '.join(map(str, node['target']))}"
            )
    for item in page.evaluate(CONTRAST_JS):
        need = 3.0 if item["large"] else 4.5
        found.lowest_ratio = min(found.lowest_ratio, item["ratio"])
        if item["ratio"] < need:
            found.contrast_failures.append(item)
    return found


# The reason of the running test's ``a11y_known`` marker (set by tests/e2e/conftest.py).
waiver: str | None = None


def gate(found: Findings) -> None:
    """Fail on the page state's blocking findings, unless the test is marked as knowing them."""
    if found.blocking and waiver is None:
        raise AssertionError(
            f"accessibility findings on {found.state!r} (see screenshots/a11y.json):\n"
            + "\n".join(found.blocking)
        )


# Pages no customer or agent sees, not held to the gate: the dev mailbox, the REST API.
UNGATED_PATHS = ("/dev/", "/api/")


def gate_page(page, state: str) -> None:
    """``record`` and ``gate`` the page a browser test ends on, when it is one of the app's
    pages (not a closed tab, a blank page, a download or an ungated path)."""
    from urllib.parse import urlsplit

    if page.is_closed():
        return
    url = urlsplit(page.url)
    if url.scheme not in ("http", "https") or url.path.startswith(UNGATED_PATHS):
        return
    from playwright.sync_api import Error as PlaywrightError

    for attempt in range(3):
        try:
            page.wait_for_load_state("load")
            if not page.locator("main").count():  # not a portal page (a file, a JSON answer)
                return
            found = record(page, state)
            break
        except PlaywrightError as error:  # the test ended as a redirect began: its next page
            if "context was destroyed" not in str(error) or attempt == 2:
                raise
            page.wait_for_timeout(500)
    gate(found)


def record(page, state: str) -> Findings:
    """``check`` and add the result to the run's report (screenshots/a11y.json)."""
    found = check(page, state)
    REPORT.parent.mkdir(exist_ok=True)
    report = json.loads(REPORT.read_text()) if REPORT.exists() else {}
    report[state] = {
        "axe": dict(found.axe),
        "contrast_failures": len(found.contrast_failures),
        "lowest_ratio": found.lowest_ratio,
        "blocking": found.blocking[:40],
    }
    REPORT.write_text(json.dumps(report, indent=1, sort_keys=True))
    return found


def totals(report: dict) -> dict:
    """The report's sums: axe nodes by impact, contrast failures, the lowest ratio."""
    axe = Counter()
    for entry in report.values():
        axe.update(entry["axe"])
    return {
        "states": len(report),
        "axe": dict(axe),
        "contrast_failures": sum(e["contrast_failures"] for e in report.values()),
        "lowest_ratio": min((e["lowest_ratio"] for e in report.values()), default=21.0),
    }


# In the page: every visible button and link smaller than ``min`` px either way. Links in
# running text (inside a <p>) are exempt, as WCAG 2.5.8 exempts inline targets; so is anything
# out of sight (the skip link until it has the focus) or disabled.
SMALL_TARGETS_JS = r"""
(min) => {
  const small = [];
  for (const el of document.querySelectorAll('a[href], button, [role=button], summary')) {
    if (el.closest('p') || el.disabled) continue;
    const s = getComputedStyle(el);
    if (s.visibility !== 'visible' || s.display === 'none') continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || r.right <= 0 || r.left >= innerWidth) continue;
    if (Math.round(r.width) < min || Math.round(r.height) < min) {
      small.push({id: el.id, text: (el.innerText || el.getAttribute('aria-label') || '').trim().slice(0, 30),
                  width: Math.round(r.width), height: Math.round(r.height)});
    }
  }
  return small;
}
"""
TARGET_PX = 44


def small_targets(page, minimum: int = TARGET_PX) -> list[dict]:
    """The page's buttons and links under ``minimum`` px wide or tall (see SMALL_TARGETS_JS)."""
    return page.evaluate(SMALL_TARGETS_JS, minimum)


def smallest_target(page) -> int:
    """The smallest side of any visible non-inline button or link, in px."""
    return page.evaluate(
        "() => Math.min(1000, ...[...document.querySelectorAll('a[href], button, [role=button],"
        " summary')].filter(e => !e.closest('p') && !e.disabled && e.offsetParent !== null)"
        ".map(e => e.getBoundingClientRect()).filter(r => r.width && r.right > 0)"
        ".map(r => Math.round(Math.min(r.width, r.height))))"
    )
