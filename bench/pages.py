"""Page load at phone size in Chromium: the portal's home and documents pages beside a blank
Reflex page (the framework's floor), in the same run.

    python -m bench.pages [--runs 10]

Each load is a first visit (fresh browser context, empty cache) at 390x844; the blank app and
the portal are served at once and their pages loaded in turn, round after round. Figures:
- interactive: navigation start → the first state update over the websocket (the page is
  hydrated and its event handlers live);
- content: navigation start → the page's own content visible (for the portal, its data);
- JS: bytes of JavaScript fetched (on the wire, and decoded).

A second table breaks the load down (p50, ms from navigation start): the last JavaScript file
received, DOMContentLoaded (module scripts evaluated), the websocket open (Reflex opens it
while React is still starting), the hydrate sent (Reflex sends it from the root's effect, so:
React has hydrated the page) and the first delta (= interactive).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

from bench.blank_app import serve_blank_app
from clientcenter.demo.serve import serve_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}

# Records when Reflex's websocket opens, when the hydrate goes out (in the socket.io CONNECT
# packet, "40") and when the first state delta arrives ("42" packets).
WATCH_SOCKET = """
(() => {
  window.__ccFirstDelta = null;
  window.__ccSocketOpen = null;
  window.__ccHydrateSent = null;
  const Native = window.WebSocket;
  function Watched(...args) {
    const ws = new Native(...args);
    ws.addEventListener('open', () => {
      if (window.__ccSocketOpen === null) window.__ccSocketOpen = performance.now();
    });
    const send = ws.send.bind(ws);
    ws.send = (data) => {
      if (window.__ccHydrateSent === null && typeof data === 'string' && data.startsWith('40')) {
        window.__ccHydrateSent = performance.now();
      }
      return send(data);
    };
    ws.addEventListener('message', (ev) => {
      if (window.__ccFirstDelta === null && typeof ev.data === 'string'
          && ev.data.startsWith('42') && ev.data.includes('"delta"')) {
        window.__ccFirstDelta = performance.now();
      }
    });
    return ws;
  }
  Watched.prototype = Native.prototype;
  for (const k of ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED']) Watched[k] = Native[k];
  window.WebSocket = Watched;
})();
"""

COLLECT = """
() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const js = performance.getEntriesByType('resource').filter(r => r.name.split('?')[0].endsWith('.js'));
  return {
    load: nav.loadEventEnd,
    js_done: js.reduce((a, r) => Math.max(a, r.responseEnd), 0),
    dom_ready: nav.domContentLoadedEventEnd,
    socket_open: window.__ccSocketOpen,
    hydrate_sent: window.__ccHydrateSent,
    interactive: window.__ccFirstDelta,
    js_wire: js.reduce((a, r) => a + r.transferSize, 0),
    js_decoded: js.reduce((a, r) => a + r.decodedBodySize, 0),
    js_files: js.length,
  };
}
"""


@dataclass
class PageFigures:
    name: str
    interactive: list[float]
    content: list[float]
    js_wire: int
    js_decoded: int
    js_files: int
    # The load's milestones, one list per BREAKDOWN key (ms from navigation start).
    milestones: dict[str, list[float]]

    def p50(self, xs: list[float]) -> float:
        return statistics.median(xs)

    def p95(self, xs: list[float]) -> float:
        xs = sorted(xs)
        return xs[min(len(xs) - 1, round(0.95 * (len(xs) - 1)))]


BREAKDOWN = [
    ("js_done", "JS done"),
    ("dom_ready", "DOM ready"),
    ("socket_open", "ws open"),
    ("hydrate_sent", "hydrate sent"),
    ("interactive", "1st delta"),
]


def load_once(browser, url: str, ready_selector: str, cookies=None) -> tuple[dict, float]:
    """One first visit: the page's figures (COLLECT) and when its content showed."""
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    try:
        if cookies:
            context.add_cookies(cookies)
        page = context.new_page()
        page.add_init_script(WATCH_SOCKET)
        page.goto(url, wait_until="load")
        page.wait_for_function("window.__ccFirstDelta !== null", timeout=30000)
        page.locator(ready_selector).first.wait_for(state="visible", timeout=30000)
        shown = page.evaluate("performance.now()")
        return page.evaluate(COLLECT), shown
    finally:
        context.close()


def figures(url: str, loads: list[tuple[dict, float]]) -> PageFigures:
    last = loads[-1][0]
    return PageFigures(
        url,
        [f["interactive"] for f, _ in loads],
        [max(shown, f["interactive"]) for f, shown in loads],
        last["js_wire"],
        last["js_decoded"],
        last["js_files"],
        {key: [f[key] or 0.0 for f, _ in loads] for key, _ in BREAKDOWN},
    )


def customer_cookie(app) -> list[dict]:
    from bench.sessions import customer_session_tokens
    from clientcenter.http.cookies import BASE_NAME

    token = customer_session_tokens(app, 1)[0]
    return [
        {"name": BASE_NAME, "value": token, "url": app.url, "httpOnly": True, "sameSite": "Lax"}
    ]


def run(runs: int) -> list[tuple[str, PageFigures]]:
    """Both apps are served at once and the pages are loaded in turn, round after round, so
    a change in the machine's load falls on all of them alike rather than on one phase."""
    with (
        tempfile.TemporaryDirectory(prefix="cc-bench-pages-") as tmp,
        sync_playwright() as pw,
        serve_blank_app() as blank_url,
        serve_app(Path(tmp) / "app") as app,
    ):
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        cookies = customer_cookie(app)
        targets = [
            ("blank Reflex page", blank_url, "#blank-text", None),
            ("portal: login page", app.url + "/", "#login-email", None),
            *((name, app.url + path, selector, cookies) for name, path, selector in PORTAL_PAGES),
        ]
        loads: dict[str, list] = {name: [] for name, *_ in targets}
        for _ in range(runs):
            for name, url, selector, page_cookies in targets:
                if loads[name] is None:
                    continue
                try:
                    loads[name].append(load_once(browser, url, selector, page_cookies))
                except PlaywrightTimeout:
                    print(f"{name}: {selector!r} never appeared at {url}; page left out")
                    loads[name] = None
        browser.close()
        return [(name, figures(url, loads[name])) for name, url, *_ in targets if loads[name]]


# The logged-in pages and an element that shows their data has arrived. (On /documents, a
# document row: the filter's native <select> also has a hidden "Declarations" option.)
PORTAL_PAGES = [
    ("portal: home", "/home", "text=Personal Auto"),
    ("portal: documents", "/documents", '.document-row:has-text("declarations")'),
]


def print_table(results: list[tuple[str, PageFigures]]) -> None:
    floor = statistics.median(results[0][1].interactive)
    print(
        f"{'page (390x844, first visit)':32} {'interactive p50':>15} {'p95':>7} "
        f"{'content p50':>11} {'× floor':>8} {'JS wire':>9} {'JS decoded':>10} {'files':>5}"
    )
    for name, f in results:
        i50 = f.p50(f.interactive)
        print(
            f"{name:32} {i50:13.0f}ms {f.p95(f.interactive):5.0f}ms {f.p50(f.content):9.0f}ms "
            f"{i50 / floor:7.2f}× {f.js_wire / 1024:7.0f}KB {f.js_decoded / 1024:8.0f}KB "
            f"{f.js_files:5d}"
        )
    print()
    print(
        f"{'where the time goes (p50, ms)':32} "
        + " ".join(f"{label:>12}" for _, label in BREAKDOWN)
    )
    for name, f in results:
        print(
            f"{name:32} " + " ".join(f"{f.p50(f.milestones[key]):12.0f}" for key, _ in BREAKDOWN)
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    print_table(run(args.runs))


if __name__ == "__main__":
    main()
