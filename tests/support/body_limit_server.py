"""The production ASGI stack for a real server in tests/http/test_body_limits.py:
``granian --interface asgi tests.support.body_limit_server:app`` (settings come from the
environment)."""

from sqlmodel import SQLModel

import clientcenter.models  # noqa: F401  (registers the tables)
from clientcenter import db
from tests.support.asgi import portal_asgi

SQLModel.metadata.create_all(db.get_engine())
app = portal_asgi()
