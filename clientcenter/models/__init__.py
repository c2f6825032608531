"""Every table, imported so that SQLModel.metadata (and Alembic) sees the whole schema."""

# search_index is not a table: it is imported for its after_flush listener, which keeps
# search_term in step with accounts, contacts and policies on every flush.
from clientcenter.models import search_index  # noqa: F401
from clientcenter.models.accounts import Account, Contact
from clientcenter.models.activity import (
    ActivityLog,
    DeliveryEvent,
    DevMailboxMessage,
    OutboxMessage,
    Task,
)
from clientcenter.models.agency import Agent, AgentRecoveryCode, StaffEnrolmentLink
from clientcenter.models.api import ApiIdempotency, ApiKey
from clientcenter.models.audit import AuditEvent
from clientcenter.models.auth import (
    LoginChallenge,
    Passkey,
    RateEvent,
    RateKey,
    RememberedBrowser,
    UserSession,
    WebAuthnChallenge,
)
from clientcenter.models.billing import Invoice, Payment, PaymentRequest
from clientcenter.models.certificates import Certificate, CertificateHolder, CertificateLink
from clientcenter.models.documents import Document
from clientcenter.models.engagement import (
    ChangeRequest,
    Claim,
    ClaimSurvey,
    Feedback,
    IntegrationLink,
    Proposal,
    Referral,
)
from clientcenter.models.imports import ImportMapping, ImportRowDigest, ImportRun
from clientcenter.models.policies import Coverage, Driver, Policy, Vehicle
from clientcenter.models.search import SearchTerm
from clientcenter.models.wallet import WalletRegistration
from clientcenter.models.webhooks import WebhookEndpoint

__all__ = [
    "Account",
    "ActivityLog",
    "Agent",
    "AgentRecoveryCode",
    "ApiIdempotency",
    "ApiKey",
    "AuditEvent",
    "Certificate",
    "CertificateHolder",
    "CertificateLink",
    "ChangeRequest",
    "Claim",
    "ClaimSurvey",
    "Contact",
    "Coverage",
    "DeliveryEvent",
    "DevMailboxMessage",
    "Document",
    "Driver",
    "Feedback",
    "ImportMapping",
    "ImportRowDigest",
    "ImportRun",
    "IntegrationLink",
    "Invoice",
    "LoginChallenge",
    "OutboxMessage",
    "Payment",
    "PaymentRequest",
    "Policy",
    "Proposal",
    "RateEvent",
    "RateKey",
    "Referral",
    "Passkey",
    "RememberedBrowser",
    "WebAuthnChallenge",
    "SearchTerm",
    "StaffEnrolmentLink",
    "Task",
    "UserSession",
    "Vehicle",
    "WalletRegistration",
    "WebhookEndpoint",
]
