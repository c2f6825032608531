"""Browser tests: one production build of the app per test session, served on one free port
with its own SQLite database, private store and dev mailbox; Debian's Chromium at phone size."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlmodel import Session, SQLModel, create_engine

import clientcenter.models  # noqa: F401
from clientcenter.demo.serve import serve_app
from tests.support import a11y

PHONE = {"width": 390, "height": 844}
CHROMIUM = os.environ.get("CC_CHROMIUM", "/usr/bin/chromium")
E2E_SECRET = "e2e-secret-0123456789-abcdefghijklmnopqrstuvwxyz"


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if Path(item.fspath).is_relative_to(here):
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """The accessibility gate (tests/support/a11y.py) on every browser test's last page, as
    well as on each ``screenshot()``; ``a11y_known`` turns it into a record only."""
    marker = item.get_closest_marker("a11y_known")
    a11y.waiver = marker.args[0] if marker else None
    try:
        result = yield  # the test raised: its own failure is the one to see
        page = item.funcargs.get("page")
        if page is not None:
            a11y.gate_page(page, f"end-{item.name}")
        return result
    finally:
        a11y.waiver = None


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

    @contextmanager
    def db(self) -> Iterator[Session]:
        """A session on this app's database, with its settings (its secret key) in force."""
        engine = create_engine(self.database_url)
        try:
            with self.settings(), Session(engine, expire_on_commit=False) as db:
                yield db
        finally:
            engine.dispose()

    def session_token(
        self, email: str, account_name: str | None = None, *, agent: bool = False
    ) -> str:
        """A live session for ``email``, made by ``create_session`` as the login routes make
        one (tests/support/logins.py), under this app's secret key. Customers are on their
        account (or ``account_name``); ``agent=True`` makes an agent session with the second
        factor done, read-only on ``account_name`` when given."""
        from tests.support.logins import agent_session, customer_session

        with self.db() as db:
            if agent:
                return agent_session(db, account_name, email).token
            return customer_session(db, email, account_name).token

    def log_in(
        self, page, email: str, account_name: str | None = None, *, agent: bool = False
    ) -> None:
        """Skip the code flow (tests/e2e/test_login.py covers it): put a live session cookie
        for ``email`` (see ``session_token``) in the page's browser context."""
        token = self.session_token(email, account_name, agent=agent)
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
