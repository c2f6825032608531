"""Browser tests: one production build of the app per test session, served on one free port
with its own SQLite database, private store and dev mailbox; Debian's Chromium at phone size."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC
from pathlib import Path

import pytest
from sqlmodel import Session, SQLModel, create_engine

import clientcenter.models  # noqa: F401
from clientcenter.demo.serve import serve_app
from clientcenter.settings import PROJECT_ROOT
from tests.support.demo import account_named

PHONE = {"width": 390, "height": 844}
CHROMIUM = os.environ.get("CC_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = PROJECT_ROOT / "screenshots"
E2E_SECRET = "e2e-secret-0123456789-abcdefghijklmnopqrstuvwxyz"


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if Path(item.fspath).is_relative_to(here):
            item.add_marker(pytest.mark.e2e)


class RunningApp:
    def __init__(self, url: str, env: dict[str, str], database_url: str):
        self.url = url
        self.env = env
        self.database_url = database_url

    def reset_data(self) -> None:
        """Fresh demo data for the next test: empty every table, load the demo again."""
        from clientcenter.demo.agency import load_demo
        from clientcenter.settings import load_settings

        engine = create_engine(self.database_url)
        with engine.begin() as conn:
            for table in reversed(SQLModel.metadata.sorted_tables):
                conn.execute(table.delete())
        saved = dict(os.environ)
        try:
            os.environ.update(self.env)
            settings = load_settings()
            with Session(engine) as session:
                load_demo(session, settings)
                session.commit()
        finally:
            os.environ.clear()
            os.environ.update(saved)
            engine.dispose()

    @contextmanager
    def settings(self):
        """This app's settings (its secret key above all) in force in the test process."""
        from clientcenter.settings import reset_settings_cache

        saved = dict(os.environ)
        os.environ.update(self.env)
        reset_settings_cache()
        try:
            yield
        finally:
            os.environ.clear()
            os.environ.update(saved)
            reset_settings_cache()

    def log_in(
        self, page, email: str, account_name: str | None = None, *, agent: bool = False
    ) -> None:
        """Skip the code flow (tests/e2e/test_login.py covers it): put a live session cookie
        for ``email`` in the page's browser context. Customers land on their account (or
        ``account_name``); ``agent=True`` makes an agent session with the second factor done,
        read-only on ``account_name`` when given."""
        from datetime import datetime, timedelta

        from sqlmodel import select

        from clientcenter.models import Agent, UserSession
        from clientcenter.services.accounts import loginable_contacts
        from clientcenter.services.auth.tokens import keyed_hash, new_token

        now = datetime.now(UTC)
        token = new_token()
        engine = create_engine(self.database_url)
        try:
            with Session(engine) as db:
                record = UserSession(
                    token_hash=keyed_hash("session", token, key=E2E_SECRET.encode()),
                    kind="agent" if agent else "customer",
                    email=email.lower(),
                    created_at=now,
                    last_seen_at=now,
                    absolute_expires_at=now + timedelta(hours=12),
                )
                account = account_named(db, account_name) if account_name else None
                if agent:
                    record.agent_id = db.exec(select(Agent.id).where(Agent.email == email)).one()
                    record.second_factor_at = now
                    record.account_id = account.id if account else None
                    record.read_only = account is not None
                else:
                    pairs = [
                        (c, a)
                        for c, a in loginable_contacts(db, email)
                        if account is None or a.id == account.id
                    ]
                    assert pairs, f"{email} cannot log in to {account_name or 'any account'}"
                    record.contact_id, record.account_id = pairs[0][0].id, pairs[0][1].id
                db.add(record)
                db.commit()
        finally:
            engine.dispose()
        page.context.add_cookies(
            [
                {
                    "name": "cc_session",
                    "value": token,
                    "url": self.url,
                    "httpOnly": True,
                    "sameSite": "Lax",
                }
            ]
        )


@pytest.fixture(scope="session")
def running_app(tmp_path_factory) -> Iterator[RunningApp]:
    port = int(os.environ["CC_E2E_PORT"]) if os.environ.get("CC_E2E_PORT") else None
    with serve_app(
        tmp_path_factory.mktemp("app"), port=port, extra_env={"CC_SECRET_KEY": E2E_SECRET}
    ) as served:
        yield RunningApp(served.url, served.env, served.database_url)


@pytest.fixture
def app(running_app: RunningApp) -> RunningApp:
    running_app.reset_data()
    return running_app


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "viewport": PHONE,
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    }


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def assert_no_horizontal_scroll(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"page scrolls sideways by {overflow}px"
