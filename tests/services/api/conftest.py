"""API keys made through the service, as an administrator would."""

from __future__ import annotations

import pytest

from clientcenter.services.api import keys, rate_limit
from tests.support.demo import agency_agent


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    rate_limit.reset()
    yield
    rate_limit.reset()


def make_key(session, *scopes: str, name: str = "AMS sync"):
    """A new key of the demo's administrator, and the principal its secret opens."""
    created = keys.create_key(session, agency_agent(session), name, scopes or ("read",))
    return created, keys.authenticate(session, f"Bearer {created.secret}", "203.0.113.9")
