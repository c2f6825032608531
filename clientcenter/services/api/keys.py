"""REST API keys: an administrator creates one (a name and scopes), sees its secret once, and
revokes it; every API call presents it as ``Authorization: Bearer <secret>``.

The database keeps only the secret's keyed hash (``tokens.keyed_hash``, like every token here)
and its first characters (the prefix an administrator recognises). A call is checked against
the database each time, so a revoked key stops working on the next request, on every worker.
A key acts on the agency side for the administrator who created it: never more than its
scopes allow (``access.require_scope``), nor than its creator's role, and not at all once the
creator is deactivated.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, select

from clientcenter.models import Agent, ApiKey
from clientcenter.models.api import ApiScope
from clientcenter.models.base import utcnow
from clientcenter.services.access import is_active_agent, require_permission
from clientcenter.services.accounts import when
from clientcenter.services.agency.audit import record_write
from clientcenter.services.agency.roles import Permission
from clientcenter.services.auth.tokens import keyed_hash, new_token
from clientcenter.services.errors import InvalidInput, NotFound, ServiceError
from clientcenter.services.principal import Principal

SECRET_START = "cck_"  # so a leaked key is recognisable (secret scanners, logs)
PREFIX_CHARS = 12  # "cck_" and 8 characters of the token: shown in the list
HASH_PURPOSE = "api-key"
MAX_NAME = 80
# last_used_at is written at most this often per key: not one UPDATE per call.
LAST_USED_EVERY = timedelta(minutes=1)

SCOPE_LABELS = {
    ApiScope.READ: "Read accounts, contacts, policies and activity",
    ApiScope.WRITE: "Create and update accounts, contacts and policies",
    ApiScope.DOCUMENTS: "Upload, publish and unpublish documents",
    ApiScope.WEBHOOKS: "Manage webhook subscriptions",
}

NO_KEY = "Send an API key: Authorization: Bearer <key>."
BAD_KEY = "This API key is not valid: it is unknown or was revoked."
CREATOR_GONE = "The administrator who created this API key is no longer active; create a new key."


class NotAuthenticated(ServiceError):
    """No key, or one that does not open the API (401)."""


@dataclass(frozen=True)
class CreatedKey:
    id: int
    name: str
    prefix: str
    scopes: tuple[str, ...]
    secret: str  # shown once, never stored


@dataclass(frozen=True)
class KeyRow:
    id: int
    name: str
    prefix: str
    scopes: tuple[str, ...]
    created: str
    created_by: str
    last_used: str
    revoked: str

    @property
    def active(self) -> bool:
        return not self.revoked


def digest(secret: str) -> str:
    return keyed_hash(HASH_PURPOSE, secret)


def parse_scopes(scopes: Iterable[str] | None) -> tuple[str, ...]:
    """The scopes asked for, in our order; unknown names are refused by name."""
    wanted = {str(s).strip() for s in scopes or () if str(s).strip()}
    unknown = sorted(wanted - set(ApiScope.ALL))
    if unknown:
        raise InvalidInput(
            f"Unknown scope {', '.join(unknown)}: choose from {', '.join(ApiScope.ALL)}.",
            "scopes",
        )
    if not wanted:
        raise InvalidInput("Choose at least one scope.", "scopes")
    return tuple(s for s in ApiScope.ALL if s in wanted)


def _name(session: Session, name: str | None) -> str:
    text = " ".join(str(name or "").split())
    if not text:
        raise InvalidInput("Name the key after what will use it, e.g. “AMS nightly sync”.", "name")
    if len(text) > MAX_NAME:
        raise InvalidInput(f"A key's name has at most {MAX_NAME} characters.", "name")
    clash = session.exec(
        select(ApiKey.id).where(ApiKey.name == text, ApiKey.revoked_at.is_(None))
    ).first()
    if clash is not None:
        raise InvalidInput("A key with this name is in use; choose another name.", "name")
    return text


def create_key(
    session: Session, principal: Principal | None, name: str | None, scopes: Iterable[str] | None
) -> CreatedKey:
    """A new key; its secret is in the answer and nowhere else."""
    agent = require_permission(session, principal, Permission.MANAGE_API_KEYS)
    chosen = parse_scopes(scopes)
    text = _name(session, name)
    secret = SECRET_START + new_token()
    key = ApiKey(
        name=text,
        scopes=" ".join(chosen),
        key_hash=digest(secret),
        prefix=secret[:PREFIX_CHARS],
        created_by=agent.id,
    )
    session.add(key)
    session.flush()
    record_write(
        session,
        principal,
        "api_key.create",
        None,
        f'Created API key "{text}" ({", ".join(chosen)})',
    )
    return CreatedKey(key.id, text, key.prefix, chosen, secret)


def list_keys(session: Session, principal: Principal | None) -> list[KeyRow]:
    """Every key, active first, newest first; revoked ones stay listed (the trail names them)."""
    require_permission(session, principal, Permission.MANAGE_API_KEYS)
    rows = session.exec(
        select(ApiKey, Agent)
        .join(Agent, Agent.id == ApiKey.created_by)
        .order_by(ApiKey.revoked_at.is_not(None), ApiKey.created_at.desc(), ApiKey.id.desc())
    ).all()
    return [
        KeyRow(
            id=key.id,
            name=key.name,
            prefix=key.prefix,
            scopes=tuple(key.scopes.split()),
            created=when(key.created_at),
            created_by=agent.full_name,
            last_used=when(key.last_used_at),
            revoked=when(key.revoked_at),
        )
        for key, agent in rows
    ]


def revoke_key(session: Session, principal: Principal | None, key_id: int) -> None:
    """The key stops working on its next call. Revoking a revoked key changes nothing."""
    require_permission(session, principal, Permission.MANAGE_API_KEYS)
    key = session.get(ApiKey, key_id)
    if key is None:
        raise NotFound("No such API key.")
    if key.revoked_at is not None:
        return
    key.revoked_at = utcnow()
    record_write(session, principal, "api_key.revoke", None, f'Revoked API key "{key.name}"')


def bearer_secret(authorization: str | None) -> str | None:
    """The secret of an ``Authorization: Bearer …`` header, or None."""
    if not authorization:
        return None
    scheme, _, value = authorization.strip().partition(" ")
    value = value.strip()
    if scheme.lower() != "bearer" or not value or len(value) > 200:
        return None
    return value


def authenticate(session: Session, authorization: str | None, client_ip: str = "") -> Principal:
    """The principal of an API call, checked in the database now; NotAuthenticated otherwise."""
    secret = bearer_secret(authorization)
    if secret is None:
        raise NotAuthenticated(NO_KEY)
    key = session.exec(select(ApiKey).where(ApiKey.key_hash == digest(secret))).first()
    if key is None or key.revoked_at is not None:
        raise NotAuthenticated(BAD_KEY)
    if not is_active_agent(session.get(Agent, key.created_by)):
        raise NotAuthenticated(CREATOR_GONE)
    now = utcnow()
    last = key.last_used_at
    if last is not None and last.tzinfo is None:  # SQLite hands back naive UTC
        last = last.replace(tzinfo=now.tzinfo)
    if last is None or now - last >= LAST_USED_EVERY:
        key.last_used_at = now
    return Principal.api_key(key.id, key.name, key.scope_set, key.created_by, client_ip)
