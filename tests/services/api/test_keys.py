"""API keys: only an administrator makes, lists and revokes them; the secret is shown once and
stored as a keyed hash; a revoked key, a bad one, or one whose creator left opens nothing; a
key reaches only what its scopes give, never key management, and its calls name it in the
audit trail."""

from __future__ import annotations

import pytest
from sqlmodel import select

from clientcenter.models import Agent, ApiKey
from clientcenter.models.audit import AuditEvent
from clientcenter.services import access
from clientcenter.services.agency.roles import Permission
from clientcenter.services.api import keys
from clientcenter.services.auth.tokens import keyed_hash
from clientcenter.services.errors import InvalidInput, NotAllowed, NotFound
from tests.services.api.conftest import make_key
from tests.support.demo import PRIYA, ROBIN, agency_agent, agent_named


def test_a_key_is_shown_once_and_kept_only_as_a_keyed_hash(demo):
    created, principal = make_key(demo, "read", "write")
    assert created.secret.startswith("cck_") and len(created.secret) > 40
    row = demo.get(ApiKey, created.id)
    assert row.key_hash == keyed_hash("api-key", created.secret)
    assert created.secret not in (row.key_hash, row.prefix, row.name, row.scopes)
    assert row.prefix == created.secret[:12]
    assert (row.scopes, row.created_by) == ("read write", agent_named(demo).id)
    [listed] = keys.list_keys(demo, agency_agent(demo))
    assert (listed.name, listed.prefix, listed.scopes) == (
        "AMS sync",
        row.prefix,
        ("read", "write"),
    )
    assert not hasattr(listed, "secret")
    assert principal.is_api_key and principal.api_key_name == "AMS sync"
    assert principal.api_scopes == {"read", "write"} and principal.agent_id == row.created_by


@pytest.mark.parametrize("email", [PRIYA, ROBIN])
def test_only_an_administrator_manages_keys(demo, email):
    who = agency_agent(demo, email)
    message = "Your role does not allow you to manage API keys."
    with pytest.raises(NotAllowed, match=message):
        keys.create_key(demo, who, "x", ["read"])
    with pytest.raises(NotAllowed, match=message):
        keys.list_keys(demo, who)
    created, _ = make_key(demo)
    with pytest.raises(NotAllowed, match=message):
        keys.revoke_key(demo, who, created.id)
    assert demo.get(ApiKey, created.id).revoked_at is None


def test_bad_names_and_scopes_are_refused_by_field(demo):
    admin = agency_agent(demo)
    cases = [
        ("", ["read"], "name"),
        ("x" * 81, ["read"], "name"),
        ("ok", [], "scopes"),
        ("ok", ["read", "admin"], "scopes"),
    ]
    for name, scopes, field in cases:
        with pytest.raises(InvalidInput) as refused:
            keys.create_key(demo, admin, name, scopes)
        assert refused.value.field == field
    with pytest.raises(InvalidInput, match="Unknown scope admin"):
        keys.create_key(demo, admin, "ok", ["admin"])
    make_key(demo, name="Nightly")
    with pytest.raises(InvalidInput, match="in use"):
        keys.create_key(demo, admin, " Nightly ", ["read"])
    assert len(demo.exec(select(ApiKey)).all()) == 1


@pytest.mark.parametrize(
    "header",
    [None, "", "Bearer", "Basic abc", "Bearer cck_wrong", "cck_no_scheme", "Bearer " + "x" * 300],
)
def test_no_key_or_a_bad_one_opens_nothing(demo, header):
    make_key(demo)
    with pytest.raises(keys.NotAuthenticated):
        keys.authenticate(demo, header)


def test_a_revoked_key_stops_at_once(demo):
    created, _ = make_key(demo)
    keys.revoke_key(demo, agency_agent(demo), created.id)
    with pytest.raises(keys.NotAuthenticated, match="revoked"):
        keys.authenticate(demo, f"Bearer {created.secret}")
    keys.revoke_key(demo, agency_agent(demo), created.id)  # again: nothing changes
    with pytest.raises(NotFound):
        keys.revoke_key(demo, agency_agent(demo), 99999)
    [row] = keys.list_keys(demo, agency_agent(demo))
    assert row.revoked and not row.active


def test_a_key_dies_with_its_creators_access(demo):
    created, _ = make_key(demo)
    demo.get(Agent, demo.get(ApiKey, created.id).created_by).is_active = False
    demo.flush()
    with pytest.raises(keys.NotAuthenticated, match="no longer active"):
        keys.authenticate(demo, f"Bearer {created.secret}")


def test_scopes_open_permissions_and_nothing_else(demo):
    _, reader = make_key(demo, "read")
    access.require_permission(demo, reader, Permission.INFO_PANE)
    with pytest.raises(access.ScopeMissing) as missing:
        access.require_permission(demo, reader, Permission.IMPORT_DATA)
    assert missing.value.scope == "write"
    assert 'does not have the "write" scope' in missing.value.message
    _, everything = make_key(demo, "read", "write", "documents", "webhooks", name="All")
    for never in (Permission.MANAGE_API_KEYS, Permission.MANAGE_STAFF, Permission.AUDIT_TRAIL):
        with pytest.raises(NotAllowed, match="An API key cannot"):
            access.require_permission(demo, everything, never)
    with pytest.raises(NotAllowed):
        keys.create_key(demo, everything, "from a key", ["read"])


def test_last_used_is_written_at_most_once_a_minute(demo):
    created, _ = make_key(demo)
    first = demo.get(ApiKey, created.id).last_used_at
    assert first is not None
    keys.authenticate(demo, f"Bearer {created.secret}")
    later = demo.get(ApiKey, created.id).last_used_at
    assert later.replace(tzinfo=None) == first.replace(tzinfo=None)


def test_key_management_is_in_the_audit_trail(demo):
    created, _ = make_key(demo, "write")
    keys.revoke_key(demo, agency_agent(demo), created.id)
    events = demo.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(e.kind, e.action) for e in events] == [
        ("write", "api_key.create"),
        ("write", "api_key.revoke"),
    ]
    assert 'Created API key "AMS sync" (write)' in events[0].summary
