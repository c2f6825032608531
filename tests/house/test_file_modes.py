"""Files the app writes are not readable by other users of the machine (clientcenter/__init__
sets the process umask): the private store's documents and the SQLite database."""

from __future__ import annotations

import stat

from sqlalchemy import create_engine, text

import clientcenter  # noqa: F401  (sets the umask)
from clientcenter.services.files import storage


def _others_bits(path) -> int:
    return stat.S_IMODE(path.stat().st_mode) & 0o077


def test_a_stored_document_is_readable_by_its_owner_only(tmp_path, monkeypatch):
    from clientcenter.settings import reset_settings_cache

    monkeypatch.setenv("CC_STORAGE_DIR", str(tmp_path / "files"))
    reset_settings_cache()
    try:
        stored = storage.save_bytes(b"%PDF-1.4 private\n")
        path = storage.store().path(stored.storage_key)
        assert path.exists() and _others_bits(path) == 0
        assert _others_bits(path.parent) == 0
    finally:
        reset_settings_cache()


def test_a_new_sqlite_database_is_readable_by_its_owner_only(tmp_path):
    db = tmp_path / "app.db"
    engine = create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    engine.dispose()
    assert _others_bits(db) == 0
