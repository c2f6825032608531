"""The private store in an S3-compatible bucket (AWS S3, MinIO, ...), for more than one machine.

Objects are named <prefix><first two characters>/<key>, like the disk store's paths, and are
written with server-side encryption (SSE-S3, or SSE-KMS when a key id is set). Credentials
come from boto3's standard chain (environment, shared files, instance or task role), never
from our settings. The bucket stays private: files leave only through the download route.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from clientcenter.settings import FileStorage

_MISSING = {"NoSuchKey", "404", "NotFound"}


class S3Store:
    name = "s3"

    def __init__(self, config: FileStorage):
        self.bucket = config.bucket
        self.prefix = config.prefix
        endpoint = str(config.endpoint_url) if config.endpoint_url else None
        self.client = boto3.session.Session().client(
            "s3",
            region_name=config.region,
            endpoint_url=endpoint,
            config=Config(
                # Other S3-compatible servers (MinIO and most others) expect path-style URLs,
                # and not all of them accept the CRC checksums boto3 now adds by default.
                s3={"addressing_style": "path" if endpoint else "auto"},
                request_checksum_calculation="when_required" if endpoint else "when_supported",
                response_checksum_validation="when_required" if endpoint else "when_supported",
                retries={"mode": "standard", "max_attempts": 3},
                connect_timeout=5,
                read_timeout=60,
            ),
        )
        self.encryption = (
            {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": config.kms_key_id}
            if config.kms_key_id
            else {"ServerSideEncryption": "AES256"}
        )

    def object_key(self, key: str) -> str:
        return f"{self.prefix}{key[:2]}/{key}"

    def write(self, key: str, data: bytes) -> None:
        # One PUT: the object appears whole or not at all.
        self.client.put_object(
            Bucket=self.bucket, Key=self.object_key(key), Body=data, **self.encryption
        )

    def size(self, key: str) -> int:
        with _absent_as_missing_file(key):
            head = self.client.head_object(Bucket=self.bucket, Key=self.object_key(key))
        return head["ContentLength"]

    def chunks(self, key: str, chunk_bytes: int) -> Iterator[bytes]:
        body = self._get(key)
        try:
            yield from body.iter_chunks(chunk_bytes)
        finally:
            body.close()

    def read(self, key: str) -> bytes:
        body = self._get(key)
        try:
            return body.read()
        finally:
            body.close()

    def delete(self, key: str) -> None:
        # S3 answers a DELETE of an absent object with success, as unlink(missing_ok) does.
        self.client.delete_object(Bucket=self.bucket, Key=self.object_key(key))

    def check(self) -> str:
        self.client.head_bucket(Bucket=self.bucket)
        return f"s3, bucket {self.bucket} reachable"

    def _get(self, key: str):
        with _absent_as_missing_file(key):
            return self.client.get_object(Bucket=self.bucket, Key=self.object_key(key))["Body"]


@contextmanager
def _absent_as_missing_file(key: str) -> Iterator[None]:
    """A missing object raises what a missing file raises on disk: FileNotFoundError."""
    try:
        yield
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in _MISSING:
            raise FileNotFoundError(f"no stored file {key}") from exc
        raise
