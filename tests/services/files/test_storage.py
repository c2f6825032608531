"""The private store's contract, the same for the disk store and the S3 store (moto's server
on 127.0.0.1): server-chosen names, streamed reads, deletes, and files that live only if the
transaction that wrote them commits."""

from __future__ import annotations

import os
import urllib.error
import urllib.request

import pytest
from sqlmodel import Session

from clientcenter import cli
from clientcenter.services.files import storage
from clientcenter.settings import SettingsError, get_settings, load_settings, reset_settings_cache
from tests.support.s3 import PREFIX, S3Bucket, s3_server, s3_store  # noqa: F401  (fixtures)

BIG = os.urandom(3 * storage.CHUNK_BYTES + 123)


class Backend:
    """What a backend holds, seen from outside the store."""

    def __init__(self, s3: S3Bucket | None):
        self.s3 = s3

    @property
    def name(self) -> str:
        return "s3" if self.s3 else "disk"

    def stored_names(self) -> set[str]:
        if self.s3:
            return self.s3.object_keys()
        root = get_settings().storage_dir
        return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}

    def name_of(self, key: str) -> str:
        return f"{PREFIX if self.s3 else ''}{key[:2]}/{key}"


@pytest.fixture(params=["disk", "s3"])
def backend(request) -> Backend:
    return Backend(request.getfixturevalue("s3_store") if request.param == "s3" else None)


def test_the_backend_in_force_is_the_one_configured(backend):
    assert storage.store().name == backend.name


def test_a_written_file_reads_back_and_is_named_by_the_server(backend):
    stored = storage.save_bytes(b"%PDF-1.4 declarations\n")
    assert len(stored.storage_key) == 40 and stored.storage_key.isalnum()
    assert stored.size_bytes == 22 and len(stored.sha256) == 64
    assert storage.read_bytes(stored.storage_key) == b"%PDF-1.4 declarations\n"
    assert backend.stored_names() == {backend.name_of(stored.storage_key)}
    assert storage.save_bytes(b"x").storage_key != stored.storage_key


def test_a_large_file_streams_in_chunks_with_its_size(backend):
    key = storage.save_bytes(BIG).storage_key
    sent = storage.open_stream(key)
    assert sent.size_bytes == len(BIG)
    chunks = list(sent.chunks)
    assert len(chunks) >= 4 and max(map(len, chunks)) <= storage.CHUNK_BYTES
    assert b"".join(chunks) == BIG


def test_deleted_and_unknown_files_are_missing_alike(backend):
    key = storage.save_bytes(b"gone soon").storage_key
    storage.delete(key)
    storage.delete(key)  # deleting what is gone is no error
    unknown = "0" * 40
    for missing in (key, unknown):
        with pytest.raises(FileNotFoundError):
            storage.read_bytes(missing)
        with pytest.raises(FileNotFoundError):
            storage.open_stream(missing)
    assert backend.stored_names() == set()


@pytest.mark.parametrize("key", ["../../etc/passwd", "ab/cd", "", "a b"])
def test_a_key_the_server_did_not_choose_is_refused(backend, key):
    for use in (storage.read_bytes, storage.open_stream, storage.delete):
        with pytest.raises(ValueError, match="invalid storage key"):
            use(key)


def test_a_committed_file_stays(backend, session: Session):
    key = storage.save_bytes(b"kept", session=session).storage_key
    session.commit()
    session.close()
    assert storage.read_bytes(key) == b"kept"


@pytest.mark.parametrize("ending", ["rollback", "close"])
def test_a_file_whose_transaction_does_not_commit_is_deleted(backend, session: Session, ending):
    key = storage.save_bytes(b"orphan", session=session).storage_key
    assert backend.stored_names() == {backend.name_of(key)}
    getattr(session, ending)()
    assert backend.stored_names() == set()
    with pytest.raises(FileNotFoundError):
        storage.read_bytes(key)


def test_a_released_savepoint_leaves_the_decision_to_the_outer_transaction(
    backend, session: Session
):
    with session.begin_nested():
        key = storage.save_bytes(b"inner", session=session).storage_key
    assert storage.read_bytes(key) == b"inner"
    session.rollback()
    assert backend.stored_names() == set()


# --- the S3 store in particular ----------------------------------------------------------


def test_objects_are_encrypted_at_rest_with_sse_s3_by_default(s3_store):
    key = storage.save_bytes(b"sealed").storage_key
    head = s3_store.client.head_object(Bucket=s3_store.name, Key=f"{PREFIX}{key[:2]}/{key}")
    assert head["ServerSideEncryption"] == "AES256"


def test_a_kms_key_id_asks_for_sse_kms(s3_store, monkeypatch):
    monkeypatch.setenv("CC_STORAGE__KMS_KEY_ID", "alias/client-center")
    reset_settings_cache()
    key = storage.save_bytes(b"sealed").storage_key
    head = s3_store.client.head_object(Bucket=s3_store.name, Key=f"{PREFIX}{key[:2]}/{key}")
    assert head["ServerSideEncryption"] == "aws:kms"
    assert head["SSEKMSKeyId"].endswith("alias/client-center")


def test_the_s3_store_talks_http_to_a_private_bucket(s3_store):
    """No patched boto3: what the store writes is on the loopback server, which refuses it to
    an unsigned request, and what is put there is what the store reads."""
    key = storage.save_bytes(b"over the wire").storage_key
    name = f"{PREFIX}{key[:2]}/{key}"
    assert s3_store.client.get_object(Bucket=s3_store.name, Key=name)["Body"].read() == (
        b"over the wire"
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{s3_store.endpoint}/{s3_store.name}/{name}")
    assert refused.value.code == 403
    s3_store.client.put_object(Bucket=s3_store.name, Key=name, Body=b"new")
    assert storage.read_bytes(key) == b"new"


def test_the_check_reports_the_store(backend):
    described = storage.store().check()
    assert described.startswith(backend.name)
    if backend.s3:
        assert f"bucket {backend.s3.name} reachable" in described


def test_cli_check_reaches_the_bucket_and_fails_without_it(s3_store, monkeypatch, capsys):
    assert cli.main(["check"]) == 0
    assert f"storage ok: s3, bucket {s3_store.name} reachable" in capsys.readouterr().out
    monkeypatch.setenv("CC_STORAGE__BUCKET", "no-such-bucket-here")
    reset_settings_cache()
    assert cli.main(["check"]) == 1
    assert "storage not reachable" in capsys.readouterr().err


def test_the_s3_backend_needs_a_bucket_and_takes_no_credentials(monkeypatch):
    monkeypatch.setenv("CC_STORAGE__BACKEND", "s3")
    with pytest.raises(SettingsError, match="storage.bucket is required"):
        load_settings()
    monkeypatch.setenv("CC_STORAGE__BUCKET", "agency-files")
    monkeypatch.setenv("CC_STORAGE__SECRET_ACCESS_KEY", "not-here")
    with pytest.raises(SettingsError, match="storage.secret_access_key"):
        load_settings()
