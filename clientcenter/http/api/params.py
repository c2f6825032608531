"""Query and path parameters every list and record shares, with their bounds (an id beyond a
32-bit integer, a control character in a filter, refused before any query)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Path, Query

from clientcenter.services.api.resources import DEFAULT_LIMIT, MAX_LIMIT

MAX_ID = 2**31 - 1
NO_CONTROL = r"^[^\x00-\x1f\x7f]*$"

RecordId = Annotated[int, Path(ge=1, le=MAX_ID, description="our id of the record")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"at most {MAX_LIMIT}")]
Cursor = Annotated[
    str | None,
    Query(max_length=512, pattern=NO_CONTROL, description="next_cursor of the previous page"),
]
# A string, read by the service: a bare number is not a time (pydantic would take it as a
# Unix timestamp).
ISO_TIME = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?(Z|[+-]\d{2}:?\d{2})?$"
UpdatedSince = Annotated[
    str | None,
    Query(
        max_length=40,
        pattern=ISO_TIME,
        description="only records changed at or after this time, ISO 8601, e.g. "
        "2026-12-01T00:00:00Z (UTC when it has no offset)",
    ),
]
CustomerId = Annotated[
    str | None,
    Query(max_length=64, pattern=NO_CONTROL, description="only this customer id's records"),
]
IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        description="any unique string (a UUID): a retry with the same key gets the first answer",
    ),
]
DEFAULT = DEFAULT_LIMIT
