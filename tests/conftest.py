"""Shared fixtures: isolated settings, and a fresh database on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy import text
from sqlmodel import Session, SQLModel

import clientcenter.models  # noqa: F401  (registers the tables)
from clientcenter import db
from clientcenter.settings import reset_settings_cache

POSTGRES_ADMIN_URL = os.environ.get(
    "CC_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
TEST_SECRET = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz"


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Each test sees only its own settings: no local clientcenter.toml, no stray CC_ vars."""
    for key in list(os.environ):
        if key.startswith("CC_") and key != "CC_TEST_POSTGRES_URL":
            monkeypatch.delenv(key)
    monkeypatch.setenv("CLIENTCENTER_CONFIG", str(tmp_path / "absent.toml"))
    monkeypatch.setenv("CC_SECRET_KEY", TEST_SECRET)
    monkeypatch.setenv("CC_STORAGE_DIR", str(tmp_path / "files"))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'default.db'}")
    reset_settings_cache()
    db.reset_engine_cache()
    yield tmp_path
    reset_settings_cache()
    db.reset_engine_cache()


def _postgres_url(name: str) -> str:
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


@contextmanager
def _settings_for(url: str, storage_dir: Path) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DATABASE_URL", url)
        mp.setenv("CC_STORAGE_DIR", str(storage_dir))
        mp.setenv("CC_SECRET_KEY", TEST_SECRET)
        mp.setenv("CLIENTCENTER_CONFIG", str(storage_dir / "absent.toml"))
        reset_settings_cache()
        try:
            yield
        finally:
            reset_settings_cache()


def _load_demo_into(engine, storage_dir: Path) -> None:
    from clientcenter.demo.agency import load_demo

    with _settings_for(str(engine.url), storage_dir), Session(engine) as s:
        load_demo(s)
        s.commit()


class Databases:
    """Fresh databases for tests, cheaply. Loading the demo agency (dozens of generated PDFs)
    happens once per run; SQLite tests get a copy of a template file, PostgreSQL tests share one
    database that is emptied (and refilled from a template schema) before each test, because
    CREATE/DROP DATABASE cost seconds each with fsync on."""

    TEMPLATE_SCHEMA = "demo_template"

    def __init__(self, root: Path):
        self.root = root
        self.tag = uuid.uuid4().hex[:8]
        self.demo_files = root / "files-demo"
        self._sqlite: dict[str, Path] = {}
        self._admin = None
        self._pg_url: str | None = None
        self._created: list[str] = []

    # SQLite: template files, copied per test.
    def _sqlite_template(self, template: str) -> Path:
        if template not in self._sqlite:
            path = self.root / f"{template}.db"
            engine = sa_create_engine(f"sqlite:///{path}")
            SQLModel.metadata.create_all(engine)
            if template == "demo":
                self.demo_files.mkdir(exist_ok=True)
                _load_demo_into(engine, self.demo_files)
            engine.dispose()
            self._sqlite[template] = path
        return self._sqlite[template]

    # PostgreSQL: one database per run, reset per test.
    @property
    def admin(self):
        if self._admin is None:
            self._admin = sa_create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        return self._admin

    def _create_database(self) -> str:
        name = f"cc_test_{self.tag}_{len(self._created)}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        self._created.append(name)
        return _postgres_url(name)

    def _shared_postgres(self) -> str:
        if self._pg_url is None:
            url = self._create_database()
            engine = sa_create_engine(url)
            SQLModel.metadata.create_all(engine)
            with engine.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{self.TEMPLATE_SCHEMA}"'))
            engine.dispose()
            # public stays on the path for extension types (pg_trgm); checkfirst would see the
            # public tables through it and skip creating the template's own.
            template = sa_create_engine(
                url, connect_args={"options": f"-c search_path={self.TEMPLATE_SCHEMA},public"}
            )
            SQLModel.metadata.create_all(template, checkfirst=False)
            self.demo_files.mkdir(exist_ok=True)
            _load_demo_into(template, self.demo_files)
            template.dispose()
            self._pg_url = url
        return self._pg_url

    def _reset_postgres(self, url: str, with_demo: bool) -> None:
        engine = sa_create_engine(url)
        tables = SQLModel.metadata.sorted_tables
        with engine.begin() as conn:
            for table in reversed(tables):
                conn.execute(table.delete())
            for table in tables:
                if with_demo:
                    conn.execute(
                        text(
                            f'INSERT INTO public."{table.name}" '
                            f'SELECT * FROM "{self.TEMPLATE_SCHEMA}"."{table.name}"'
                        )
                    )
                if "id" in table.c and table.c.id.primary_key:
                    conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('public.\"{table.name}\"', 'id'), "
                            f'COALESCE((SELECT MAX(id) FROM public."{table.name}"), 0) + 1, false)'
                        )
                    )
        engine.dispose()

    def new_database(self, kind: str, template: str | None, where: Path) -> str:
        """A database for one test: empty, with the schema, or with the demo agency."""
        if kind == "sqlite":
            target = where / "test.db"
            if template:
                shutil.copyfile(self._sqlite_template(template), target)
            return f"sqlite:///{target}"
        if template is None:
            return self._create_database()  # a truly empty database (migration tests)
        url = self._shared_postgres()
        self._reset_postgres(url, with_demo=template == "demo")
        return url

    def close(self) -> None:
        if self._admin is None:
            return
        db.reset_engine_cache()
        with self.admin.connect() as conn:
            for name in self._created:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self._admin.dispose()


@pytest.fixture(scope="session")
def databases(tmp_path_factory) -> Iterator[Databases]:
    made = Databases(tmp_path_factory.mktemp("databases"))
    yield made
    made.close()


def _wanted_template(request) -> str | None:
    if "demo" in request.fixturenames:
        return "demo"
    if "engine" in request.fixturenames:
        return "schema"
    return None


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(
    request, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, databases: Databases
) -> Iterator[str]:
    """A database of each kind, selected the way production selects it: DATABASE_URL.
    Empty for a test that asks only for this; with the schema when it asks for ``engine``, with
    the demo agency (and its files in the private store) when it asks for ``demo``."""
    template = _wanted_template(request)
    url = databases.new_database(request.param, template, tmp_path)
    if template == "demo":
        shutil.copytree(databases.demo_files, tmp_path / "files", dirs_exist_ok=True)
    monkeypatch.setenv("DATABASE_URL", url)
    reset_settings_cache()
    db.reset_engine_cache()
    yield url
    db.reset_engine_cache()


@pytest.fixture
def engine(database_url: str):
    """A database with the schema of the models (migrations are tested apart)."""
    return db.get_engine()


@pytest.fixture
def session(engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as s:
        yield s


@pytest.fixture
def demo(session: Session) -> Session:
    """A session on a database holding the demo agency (and its files in the private store)."""
    return session
