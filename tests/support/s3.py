"""A real S3 server (moto's) on 127.0.0.1, and settings that point the private store at a
fresh bucket on it. boto3 is never patched: every call is an HTTP request to that server."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import boto3
import pytest
from moto.server import ThreadedMotoServer

from clientcenter.settings import reset_settings_cache

REGION = "us-east-1"
PREFIX = "files/"


@dataclass(frozen=True)
class S3Bucket:
    endpoint: str
    name: str
    client: object  # a boto3 S3 client, to look at the bucket behind the store's back

    def object_keys(self) -> set[str]:
        listed = self.client.list_objects_v2(Bucket=self.name)
        return {item["Key"] for item in listed.get("Contents", [])}


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Bucket]:
    """The server and one bucket for the run; s3_store empties it around each test."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    with pytest.MonkeyPatch.context() as mp:
        _aws_test_credentials(mp)
        client = boto3.session.Session().client("s3", region_name=REGION, endpoint_url=endpoint)
    bucket = S3Bucket(endpoint, f"cc-test-{uuid.uuid4().hex[:12]}", client)
    client.create_bucket(Bucket=bucket.name)
    yield bucket
    server.stop()


def _aws_test_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Credentials through the standard chain (the environment), and nothing else from it: no
    local ~/.aws files, no instance metadata lookups."""
    for key in ("AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/aws-config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def _empty(bucket: S3Bucket) -> None:
    for key in bucket.object_keys():
        bucket.client.delete_object(Bucket=bucket.name, Key=key)


@pytest.fixture
def s3_store(s3_server: S3Bucket, monkeypatch: pytest.MonkeyPatch) -> Iterator[S3Bucket]:
    """settings.storage.backend = "s3" on the loopback server's bucket, empty."""
    _aws_test_credentials(monkeypatch)
    _empty(s3_server)
    for key, value in {
        "BACKEND": "s3",
        "BUCKET": s3_server.name,
        "PREFIX": PREFIX,
        "ENDPOINT_URL": s3_server.endpoint,
        "REGION": REGION,
    }.items():
        monkeypatch.setenv(f"CC_STORAGE__{key}", value)
    reset_settings_cache()
    yield s3_server
    _empty(s3_server)
