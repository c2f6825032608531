"""What the browser tests do in a page: log in by hand, read the dev mailbox page as a person
would, and check the layout at phone widths (screenshots land in screenshots/)."""

from __future__ import annotations

import re
import time
from pathlib import Path

from playwright.sync_api import expect

from clientcenter.settings import PROJECT_ROOT

SCREENSHOTS = PROJECT_ROOT / "screenshots"
HOME = re.compile(r"/home/?$")  # the static server may add the slash


def screenshot(page, name: str) -> Path:
    """A full-page screenshot; axe-core and the contrast walk record the page's state in
    screenshots/a11y.json as well, and fail the test on a blocking finding
    (tests/support/a11y.py ``gate``), after the picture is taken so that it shows the page."""
    from tests.support.a11y import gate, record

    SCREENSHOTS.mkdir(exist_ok=True)
    found = record(page, name)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    gate(found)
    return path


def assert_no_horizontal_scroll(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"page scrolls sideways by {overflow}px"


def look(page, name: str) -> None:
    """Screenshot at phone size, then make sure nothing scrolls sideways at 320 px."""
    assert_no_horizontal_scroll(page)
    screenshot(page, name)
    page.set_viewport_size({"width": 320, "height": 640})
    assert_no_horizontal_scroll(page)
    page.set_viewport_size({"width": 390, "height": 844})


def mailbox(page, app, address: str, containing: str = "sign-in code") -> list[str]:
    """Messages to an address that contain ``containing``, as the dev mailbox page shows them
    (the in-app relay delivers them), oldest first. Read in a second tab, as a person would."""
    tab = page.context.new_page()
    try:
        tab.goto(app.url + "/dev/mailbox")
        found = []
        for article in tab.locator("article").all():
            text = article.locator("pre").inner_text()
            if address in article.locator(".to").inner_text() and containing in text:
                found.append(text)
    finally:
        tab.close()
    return list(reversed(found))


def code_for(
    page, app, address: str, containing: str = "sign-in code", *, timeout: float = 20
) -> str:
    """The code in the newest message the mailbox shows for ``address``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = mailbox(page, app, address, containing)
        if found:
            return re.search(r"\b(\d{6})\b", found[-1]).group(1)
        time.sleep(0.3)
    raise AssertionError(f"no code reached {address}")


def enter_email(page, app, email: str) -> None:
    page.goto(app.url + "/")
    page.locator("#login-email").fill(email)
    page.locator("#login-continue").click()


def enter_code(page, code: str) -> None:
    box = page.locator("#login-code")
    expect(box).to_be_visible()
    box.fill(code)
    page.locator("#login-submit-code").click()


SETUP_PATH = re.compile(r"/agent/enrol/[A-Za-z0-9_-]+")


def setup_path_in(text: str) -> str | None:
    """The setup link's path in a message (its address may name another host)."""
    found = SETUP_PATH.findall(text)
    return found[-1] if found else None


def setup_link_for(page, app, address: str, *, timeout: float = 20) -> str:
    """The newest setup link the dev mailbox shows for ``address`` (an invitation or reset)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = mailbox(page, app, address, "/agent/enrol/")
        if found:
            return app.url + setup_path_in(found[-1])
        time.sleep(0.3)
    raise AssertionError(f"no setup link reached {address}")


async def setup_cookie(base_url: str, database_url: str, address: str, browser_key: str) -> str:
    """For a scripted tab (bench/wsclient.py): the newest setup link delivered to ``address``
    opened by the browser with ``browser_key``, as the agent would; the cookie it sets, as a
    Cookie header part."""
    import asyncio

    import httpx
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    query = text(
        "SELECT body_text FROM dev_mailbox_message WHERE to_address = :a "
        "AND body_text LIKE '%/agent/enrol/%' ORDER BY id DESC LIMIT 1"
    )
    try:
        for _ in range(300):
            with engine.connect() as conn:
                body = conn.execute(query, {"a": address}).scalar()
            if body:
                break
            await asyncio.sleep(0.1)
        else:
            raise AssertionError(f"no setup link reached {address}")
    finally:
        engine.dispose()
    async with httpx.AsyncClient() as http:
        answer = await http.get(
            base_url + setup_path_in(body), headers={"cookie": f"cc_browser={browser_key}"}
        )
    assert answer.status_code == 303, answer.text
    return f"cc_setup={answer.cookies['cc_setup']}"
