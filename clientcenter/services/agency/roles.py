"""The agency's roles and what each may do: the permission table, in code.

The table is the single source of truth: services/access.py checks it (``require_permission``),
the agency UI hides what a role may not use, and /agent/admin/roles shows it to every agent.
docs/administration.md explains each role in words.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMINISTRATOR = "administrator"
    PRODUCER = "producer"
    CUSTOMER_SERVICE = "customer_service"
    AUDITOR = "auditor"


class Permission(StrEnum):
    SEARCH = "search"
    INFO_PANE = "info_pane"
    READ_ONLY_VIEW = "read_only_view"
    SHARE_DOCUMENTS = "share_documents"
    PAYMENT_REQUESTS = "payment_requests"
    TAKE_PAYMENTS = "take_payments"
    PUBLISH = "publish"
    TASK_QUEUE = "task_queue"
    FAILED_MESSAGES = "failed_messages"
    ACTIVITY = "activity"
    MANAGE_ACCOUNTS = "manage_accounts"
    IMPORT_DATA = "import_data"
    MANAGE_STAFF = "manage_staff"
    MANAGE_API_KEYS = "manage_api_keys"
    MANAGE_WEBHOOKS = "manage_webhooks"
    AUDIT_TRAIL = "audit_trail"
    EXPORT_AUDIT = "export_audit"
    RETENTION = "retention"
    CLEAR_PASSKEYS = "clear_passkeys"


ROLE_LABELS: dict[Role, str] = {
    Role.ADMINISTRATOR: "Administrator",
    Role.PRODUCER: "Producer",
    Role.CUSTOMER_SERVICE: "Customer service",
    Role.AUDITOR: "Auditor",
}

# What each permission lets an agent do, in the words the admin page shows. The refusal
# message is derived from the same words, so there is one message per rule.
PERMISSION_LABELS: dict[Permission, str] = {
    Permission.SEARCH: "search customers",
    Permission.INFO_PANE: "open a customer's info pane",
    Permission.READ_ONLY_VIEW: "open a customer's Client Center read-only",
    Permission.SHARE_DOCUMENTS: "share documents",
    Permission.PAYMENT_REQUESTS: "send payment requests",
    Permission.TAKE_PAYMENTS: "take payments",
    Permission.PUBLISH: "publish policies and invoices",
    Permission.TASK_QUEUE: "work the task queue",
    Permission.FAILED_MESSAGES: "see failed messages",
    Permission.ACTIVITY: "read account activity",
    Permission.MANAGE_ACCOUNTS: "change producers and contacts' logins",
    Permission.IMPORT_DATA: "import data",
    Permission.MANAGE_STAFF: "manage staff",
    Permission.MANAGE_API_KEYS: "manage API keys",
    Permission.MANAGE_WEBHOOKS: "manage webhooks",
    Permission.AUDIT_TRAIL: "read the audit trail",
    Permission.EXPORT_AUDIT: "export the audit trail",
    Permission.RETENTION: "set how long records are kept",
    Permission.CLEAR_PASSKEYS: "clear a contact's passkeys",
}

_FRONT_DESK = frozenset(
    {
        Permission.SEARCH,
        Permission.INFO_PANE,
        Permission.READ_ONLY_VIEW,
        Permission.SHARE_DOCUMENTS,
        Permission.PAYMENT_REQUESTS,
        Permission.TAKE_PAYMENTS,
        Permission.TASK_QUEUE,
        Permission.ACTIVITY,
        Permission.MANAGE_ACCOUNTS,
        Permission.CLEAR_PASSKEYS,
    }
)

PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMINISTRATOR: frozenset(Permission),
    # Producers own the book: they publish what the carrier issued.
    Role.PRODUCER: _FRONT_DESK | {Permission.PUBLISH},
    # Service staff work the failures queue (bounced emails, undelivered texts).
    Role.CUSTOMER_SERVICE: _FRONT_DESK | {Permission.FAILED_MESSAGES},
    # An auditor reads the trail and the activity around it, and changes nothing; no
    # read-only Client Center, no documents.
    Role.AUDITOR: frozenset(
        {
            Permission.SEARCH,
            Permission.INFO_PANE,
            Permission.ACTIVITY,
            Permission.AUDIT_TRAIL,
            Permission.EXPORT_AUDIT,
        }
    ),
}


# What an API key needs to reach each permission (models/api.py ApiScope values). A permission
# not listed here is never an API key's: keys manage no staff, no keys, no audit trail.
API_SCOPES: dict[Permission, str] = {
    Permission.SEARCH: "read",
    Permission.INFO_PANE: "read",
    Permission.ACTIVITY: "read",
    Permission.IMPORT_DATA: "write",
    Permission.MANAGE_ACCOUNTS: "write",
    Permission.TASK_QUEUE: "write",  # a change request's status (POST .../status)
    Permission.SHARE_DOCUMENTS: "documents",
    Permission.PUBLISH: "documents",
    Permission.MANAGE_WEBHOOKS: "webhooks",  # the agency's webhook endpoints (/webhook-endpoints)
}


def scope_refusal(scope: str) -> str:
    """The one message for a key without the scope an operation needs."""
    return f'This API key does not have the "{scope}" scope.'


def api_refusal(permission: Permission) -> str:
    return f"An API key cannot {PERMISSION_LABELS[permission]}."


def role_of(value: str) -> Role | None:
    try:
        return Role(value)
    except ValueError:
        return None


def may(role: str, permission: Permission) -> bool:
    """The table's cell. An unknown role (a value written by hand) may do nothing."""
    known = role_of(role)
    return known is not None and permission in PERMISSIONS[known]


def refusal(permission: Permission) -> str:
    """The one message for a refused cell."""
    return f"Your role does not allow you to {PERMISSION_LABELS[permission]}."
