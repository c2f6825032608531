"""Every page of the app: its path (a constant, or a builder for paths with an id), its
registration (``register``, called by clientcenter.py), one title format, and which features
switch pages off. States and services import the constants; the pages and their states are
imported only inside ``register``, so this module imports nothing of the UI at load time."""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, unquote, urlsplit

from clientcenter.settings import get_settings

# The customer's portal.
CUSTOMER_LOGIN = "/"  # the stable login URL the agency sends and embeds
EMBED_LOGIN = "/embed/login"  # the only page other sites may frame
NOT_FOUND = "404"  # Reflex's slug for the page any unknown path shows
ACCOUNT_CHOICE = "/accounts"
CUSTOMER_HOME = "/home"
POLICIES = "/policies"
POLICY = "/policies/[policy_id]"
DOCUMENTS = "/documents"
ID_CARDS = DOCUMENTS + "#id-cards"  # the ID-card section of Documents
ID_CARD = "/id-card"  # every vehicle's card on screen (Home's "Show ID card"), kept offline
BILLING = "/billing"
PROFILE = "/profile"
REQUESTS = "/requests"
REQUESTS_PERSONAL = "/requests/personal"
REQUESTS_COMMERCIAL = "/requests/commercial"
REQUESTS_GENERAL = "/requests/general"
CONTACT = "/contact"
CERTIFICATES = "/certificates"
PROPOSALS = "/proposals"
PROPOSAL = "/proposals/[proposal_id]"
REFER = "/refer"
FEEDBACK = "/feedback"
CLAIM_SURVEY = "/claims/[claim_id]/survey"
# Pages a link in a message opens by the token in its address (no login needed to land there).
PAY_PREFIX = "/pay/"
SHARED_PREFIX = "/shared/"
PAY_LINK = PAY_PREFIX + "[pay_token]"
SHARED_DOCUMENT = SHARED_PREFIX + "[shared_token]"
JOIN_PREFIX = "/join/"  # a household invitation's link (services/portal/household.py)
JOIN_HOUSEHOLD = JOIN_PREFIX + "[join_token]"
# The agency side.
AGENT_LOGIN = "/agent/login"
AGENT_SECOND_FACTOR = AGENT_LOGIN
AGENT_HOME = "/agent"
AGENT_ACCOUNT = "/agent/account"
AGENT_SHARE = "/agent/account/share"
AGENT_PUBLISH = "/agent/account/publish"
AGENT_CERTIFICATES = "/agent/account/certificates"
AGENT_PAYMENTS = "/agent/account/payments"
AGENT_ACTIVITY = "/agent/account/activity"
AGENT_MANAGE = "/agent/account/manage"  # producer and contacts' logins
AGENT_REQUESTS = "/agent/account/requests"  # the account's requests, their status moved
AGENT_TASKS = "/agent/tasks"
AGENT_OUTBOX = "/agent/outbox"
AGENT_MORE = "/agent/more"
AGENT_ROLES = "/agent/admin/roles"  # the permission table, for every agent
AGENT_AUDIT = "/agent/admin/audit"
AGENT_ADMIN = "/agent/admin"  # staff (administrators)
AGENT_WEBHOOKS = "/agent/admin/webhooks"  # webhook endpoints (administrators)
AGENT_IMPORT = "/agent/import"  # the import page (docs/import.md)
AGENT_API_KEYS = "/agent/admin/api-keys"  # REST API keys (administrators)


def login_url() -> str:
    """The stable, absolute address to send customers to (emails, the agency's website)."""
    return absolute_url(CUSTOMER_LOGIN)


def absolute_url(path: str) -> str:
    """``path`` on this site's public address (links in emails and texts, provider callbacks)."""
    return str(get_settings().public_url).rstrip("/") + path


# Builders take an int, a str or a Reflex Var (an f-string of a Var is a Var, filled in the
# browser).


def policy_path(policy_id: object) -> str:
    return f"{POLICIES}/{policy_id}"


def policy_documents_path(policy_id: object) -> str:
    """Documents, filtered to one policy."""
    return f"{DOCUMENTS}?policy={policy_id}"


def invoice_path(invoice_id: object) -> str:
    """Billing, opened on one invoice."""
    return f"{BILLING}?invoice={invoice_id}"


def proposal_path(proposal_id: object) -> str:
    return f"{PROPOSALS}/{proposal_id}"


def claim_survey_path(claim_id: object) -> str:
    return f"/claims/{claim_id}/survey"


def pay_link_path(token: str) -> str:
    return PAY_PREFIX + token


def join_household_path(token: str) -> str:
    return JOIN_PREFIX + token


def shared_document_path(token: str) -> str:
    return SHARED_PREFIX + token


def import_run_path(run_id: object) -> str:
    return f"{AGENT_IMPORT}?run={run_id}"


def import_errors_path(token: str) -> str:
    return f"{IMPORT_ERRORS_PREFIX}{token}"


def import_template_path(entity: str) -> str:
    return f"{IMPORT_TEMPLATE_PREFIX}{entity}.csv"


def agent_setup_path(token: str) -> str:
    return AGENT_SETUP_PREFIX + token


def agent_account_path(account_id: object, page: str = AGENT_ACCOUNT) -> str:
    """The info pane (or one of its pages, e.g. AGENT_SHARE) of one account. In a page the id
    may be a state Var: Reflex fills an f-string's Var in the browser."""
    return f"{page}?id={account_id}"


# --- HTTP routes (clientcenter/http/), mounted beside Reflex's pages -------------------------
# Pages post to these to set or clear the HttpOnly session cookie.
COMPLETE_LOGIN_ROUTE = "/auth/complete"
SWITCH_ACCOUNT_ROUTE = "/auth/switch"
LOGOUT_ROUTE = "/auth/logout"
AGENT_COMPLETE_LOGIN_ROUTE = "/auth/agent/complete"
AGENT_VIEW_ROUTE = "/auth/agent/view"  # an agent opens a customer's read-only view
EXIT_READ_ONLY_ROUTE = "/auth/agent/exit-view"
# The audit trail's CSV export (a date range, streamed).
AUDIT_EXPORT_ROUTE = "/exports/audit"
# The import page's upload (a multipart form of CSVs or a zip), its refused rows as CSV (a
# signed value of the agent's session) and the templates (header lines, nothing private).
IMPORT_UPLOAD_ROUTE = "/agent/import/upload"
IMPORT_ERRORS_PREFIX = "/agent/import/errors/"
IMPORT_TEMPLATE_PREFIX = "/agent/import/templates/"
# The HTTP route a tab leaves through when its session ended (it blanks the tab's state).
LEAVE_ROUTE = "/auth/leave"
PASSKEYS_SCRIPT = "/passkeys.js"  # assets/passkeys.js: the browser half of passkeys
_LEAVE_TO = (CUSTOMER_LOGIN, AGENT_LOGIN, ACCOUNT_CHOICE)
# Addresses that carry a token after the prefix: a download link, a certificate holder's
# link, an integration's "Continue to …" link.
FILES_PREFIX = "/files/"
HOLDER_CERTIFICATE_PREFIX = "/certificate/"
AGENT_SETUP_PREFIX = "/agent/enrol/"  # an agent's setup link (services/agency/setup_links.py)
GO_PREFIX = "/go/"
# The installable app (http/routes/wallet.py): its manifest and icons, the service worker
# (scope /), the script that registers it, and the cards the worker keeps for offline use.
WEB_MANIFEST = "/manifest.webmanifest"
APP_ICON_PREFIX = "/app-icon-"  # + "192.png", "512.png", "maskable-512.png"
SERVICE_WORKER = "/sw.js"
SERVICE_WORKER_REGISTER = "/sw-register.js"
OFFLINE_CARDS_ROUTE = "/wallet/cards.json"
# Apple's PassKit web service (services/wallet/passkit.py): a pass's webServiceURL is
# absolute_url(PASSKIT_PREFIX), and Wallet appends Apple's own paths below to it.
PASSKIT_PREFIX = "/wallet"
PASSKIT_REGISTRATION = (
    PASSKIT_PREFIX + "/v1/devices/{device_library_id}/registrations/{pass_type_id}/{serial_number}"
)
PASSKIT_UPDATED = PASSKIT_PREFIX + "/v1/devices/{device_library_id}/registrations/{pass_type_id}"
PASSKIT_PASS = PASSKIT_PREFIX + "/v1/passes/{pass_type_id}/{serial_number}"
PASSKIT_LOG = PASSKIT_PREFIX + "/v1/log"
# Providers' webhooks, the dev mailbox and the health check.
STRIPE_WEBHOOK = "/webhooks/stripe"
SENDGRID_WEBHOOK = "/webhooks/sendgrid/events"
TWILIO_WEBHOOK = "/webhooks/twilio/status"
DEV_MAILBOX = "/dev/mailbox"
HEALTHZ = "/healthz"
# The REST API (clientcenter/http/api/, docs/api.md): a FastAPI app mounted at API_PREFIX; the
# paths below are relative to it (its OpenAPI schema lists them that way).
API_PREFIX = "/api/v1"
API_OPENAPI = "/openapi.json"
API_DOCS = "/docs"
API_ACCOUNT_ACTIVITY = "/accounts/{account_id}/activity"
API_ACCOUNT_DOCUMENTS = "/accounts/{account_id}/documents"
API_DOCUMENTS = "/documents"  # POST the file's bytes
API_DOCUMENT_PUBLISH = "/documents/{document_id}/publish"
API_DOCUMENT_UNPUBLISH = "/documents/{document_id}/unpublish"
API_CHANGE_REQUESTS = "/change-requests"
API_CHANGE_REQUEST = "/change-requests/{change_request_id}"
API_CHANGE_REQUEST_STATUS = "/change-requests/{change_request_id}/status"
API_WEBHOOK_ENDPOINTS = "/webhook-endpoints"
API_WEBHOOK_ENDPOINT_DELETE = "/webhook-endpoints/{endpoint_id}/delete"
# The imported records: "/vehicles" lists and upserts, "/vehicles/{vehicle_id}" reads one
# (http/api/records.py); the collection is the resource's name with dashes.
API_RECORD_IDS = {
    "accounts": "account_id",
    "contacts": "contact_id",
    "policies": "policy_id",
    "vehicles": "vehicle_id",
    "coverages": "coverage_id",
    "drivers": "driver_id",
    "invoices": "invoice_id",
    "certificate_holders": "certificate_holder_id",
}
# Reflex's own endpoints (no backend_path prefix in rxconfig.py): the websocket and uploads.
REFLEX_EVENT = "/_event"
REFLEX_UPLOAD = "/_upload"

# Where a login may bring its visitor back to (``?next=``): a customer page (by its first path
# segment: /policies/12 and /documents?policy=3 alike, and the /pay/ and /shared/ links in
# messages), or an agency page under /agent. Never the login pages, the HTTP routes or another
# site.
_CUSTOMER_RETURN_ROOTS = frozenset(
    path.strip("/").split("/")[0]
    for path in (
        CUSTOMER_HOME,
        POLICIES,
        DOCUMENTS,
        BILLING,
        PROFILE,
        REQUESTS,
        CONTACT,
        CERTIFICATES,
        PROPOSALS,
        REFER,
        FEEDBACK,
        CLAIM_SURVEY,
        PAY_PREFIX,
        SHARED_PREFIX,
    )
)
_AGENT_NO_RETURN = (
    AGENT_LOGIN,
    "/agent/enrol",
    "/agent/import/upload",
    "/agent/import/errors",
    "/agent/import/templates",
)
CUSTOMER_SIDE, AGENT_SIDE = "customer", "agent"


def _is_plain_local(value: str) -> bool:
    """A path on this site and nothing else, however it is encoded: one leading slash, no
    scheme or host, no backslash or control character, no dot segments."""
    decoded = value
    for _ in range(3):  # %252F%252F → %2F%2F → //
        decoded = unquote(decoded)
    for text in (value, decoded):
        if not text.startswith("/") or text.startswith("//") or "://" in text:
            return False
        if any(ch == "\\" or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in text):
            return False
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return False
    segments = urlsplit(decoded).path.split("/")
    return "." not in segments and ".." not in segments


def safe_return_path(value: object, side: str = CUSTOMER_SIDE) -> str | None:
    """``value`` if it is one of our own pages a login of ``side`` may return to, else None
    (never another site: no scheme, no //host, no backslash tricks, encoded or not)."""
    if not isinstance(value, str) or not value or len(value) > 600 or not _is_plain_local(value):
        return None
    path = urlsplit(value).path
    if side == AGENT_SIDE:
        if not is_agent_page(path) or path.rstrip("/").startswith(_AGENT_NO_RETURN):
            return None
        return value
    if path.strip("/").split("/")[0] not in _CUSTOMER_RETURN_ROOTS:
        return None
    return value


def is_agent_page(path: object) -> bool:
    """Whether ``path`` (maybe with a query) is one of the agency side's pages."""
    if not isinstance(path, str):
        return False
    path = urlsplit(path).path
    return path == AGENT_HOME or path.startswith(AGENT_HOME + "/")


def login_page_for(side: str) -> str:
    return AGENT_LOGIN if side == AGENT_SIDE else CUSTOMER_LOGIN


def login_returning_to(path: str, side: str = CUSTOMER_SIDE) -> str:
    """The login page of ``side``, coming back to ``path`` after (when it may: see
    safe_return_path)."""
    return with_return(login_page_for(side), path, side)


def with_return(location: str, path: object, side: str = CUSTOMER_SIDE) -> str:
    """``location`` (a login page, maybe with ``?signed_out=``) with ``next=<path>`` added when
    ``path`` is a page the login may come back to; unchanged otherwise."""
    back = safe_return_path(path, side)
    if back is None:
        return location
    joiner = "&" if "?" in location else "?"
    return f"{location}{joiner}next={quote(back, safe='/')}"


def signed_out(login_page: str, reason: str) -> str:
    """A login page telling the visitor why they are there (``?signed_out=<reason>``)."""
    return f"{login_page}?signed_out={reason}"


def safe_leave_path(value: object) -> str:
    """Where ``/auth/leave`` may send a tab: a login page or the account choice, with at most
    a ``signed_out`` reason and, on a login page, a ``next`` page to come back to (see
    safe_return_path); anything else goes to the customer login page."""
    if not isinstance(value, str) or len(value) > 700:
        return CUSTOMER_LOGIN
    path, _, query = value.partition("?")
    if path not in _LEAVE_TO:
        return CUSTOMER_LOGIN
    kept = []
    for key, item in parse_qsl(query):
        if key == "signed_out" and item.replace("_", "").isalpha() and item.isascii():
            kept.append(f"signed_out={item}")
    location = path + ("?" + "&".join(kept) if kept else "")
    if path == ACCOUNT_CHOICE:
        return location
    side = AGENT_SIDE if path == AGENT_LOGIN else CUSTOMER_SIDE
    return with_return(location, dict(parse_qsl(query)).get("next"), side)


# --- page registration -----------------------------------------------------------------------
# Every add_page of the app is here, with one title format. The pages and states are imported
# inside ``register`` so that states and services can import the path constants above.


def page_title(name: str | None = None) -> str:
    """ "<page> · <agency> Client Center", or the agency's Client Center for the login."""
    brand = f"{get_settings().branding.short_name} Client Center"
    return f"{name} · {brand}" if name else brand


def register(app) -> None:
    from clientcenter.pages.agency import account as agent_account
    from clientcenter.pages.agency import actions as agent_actions
    from clientcenter.pages.agency import api_keys as agent_api_keys
    from clientcenter.pages.agency import audit as agent_audit
    from clientcenter.pages.agency import imports as agent_imports
    from clientcenter.pages.agency import login as agent_login
    from clientcenter.pages.agency import manage as agent_manage
    from clientcenter.pages.agency import queues as agent_queues
    from clientcenter.pages.agency import requests as agent_requests
    from clientcenter.pages.agency import roles as agent_roles
    from clientcenter.pages.agency import search as agent_search
    from clientcenter.pages.agency import staff as agent_staff
    from clientcenter.pages.agency import webhooks as agent_webhooks
    from clientcenter.pages.portal import (
        account_pages,
        billing,
        certificates,
        documents,
        embed,
        engagement,
        home,
        id_card,
        join,
        landing,
        policy,
        proposals,
        requests,
        shared,
    )
    from clientcenter.state.agency.account_admin import AgentManageState
    from clientcenter.state.agency.actions import (
        AgentCertificatesState,
        AgentPaymentsState,
        AgentPublishState,
        AgentShareState,
    )
    from clientcenter.state.agency.api_keys import ApiKeysState
    from clientcenter.state.agency.audit import AgentAuditState
    from clientcenter.state.agency.desk import AgentAccountState, AgentState
    from clientcenter.state.agency.documents import AgentDocumentsState
    from clientcenter.state.agency.imports import AgentImportState
    from clientcenter.state.agency.login import AgentLoginState
    from clientcenter.state.agency.queues import (
        AgentActivityState,
        AgentMoreState,
        AgentOutboxState,
        AgentTasksState,
    )
    from clientcenter.state.agency.requests import AgentRequestsState
    from clientcenter.state.agency.staff import StaffState
    from clientcenter.state.agency.webhooks import WebhooksState
    from clientcenter.state.portal.account import AccountState
    from clientcenter.state.portal.billing import BillingState
    from clientcenter.state.portal.certificates import CertificatesState
    from clientcenter.state.portal.documents import DocumentsState
    from clientcenter.state.portal.engagement import EngagementState
    from clientcenter.state.portal.home import HomeState
    from clientcenter.state.portal.household import JoinState
    from clientcenter.state.portal.id_card import IdCardState
    from clientcenter.state.portal.login import LoginState
    from clientcenter.state.portal.pay_link import PayLinkState
    from clientcenter.state.portal.policy import PolicyState
    from clientcenter.state.portal.proposals import ProposalsState
    from clientcenter.state.portal.requests import RequestsState
    from clientcenter.state.portal.shared import SharedDocumentState

    features = get_settings().features

    def customer(component, route: str, name: str, state, loader) -> None:
        # Behind login: the guard leaves at once if the session has ended; the loader
        # re-checks too.
        app.add_page(
            component, route=route, title=page_title(name), on_load=[state.require_login, loader]
        )

    # Before login, and links a customer opens before logging in.
    app.add_page(
        landing.landing, route=CUSTOMER_LOGIN, title=page_title(), on_load=LoginState.open_page
    )
    app.add_page(
        landing.not_found, route=NOT_FOUND, title=page_title("Page not found"), on_load=[]
    )
    app.add_page(
        embed.embed_login, route=EMBED_LOGIN, title=page_title(), on_load=LoginState.open_page
    )
    app.add_page(
        billing.pay_link_page,
        route=PAY_LINK,
        title=page_title("Pay an invoice"),
        on_load=PayLinkState.open_link,
    )
    app.add_page(
        shared.shared_document_page,
        route=SHARED_DOCUMENT,
        title=page_title("Shared document"),
        on_load=SharedDocumentState.open_page,
    )
    app.add_page(
        join.join_page,
        route=JOIN_HOUSEHOLD,
        title=page_title("Accept your invitation"),
        on_load=JoinState.open_page,
    )

    # The customer's portal (and an agent's read-only view of it).
    customer(home.home, CUSTOMER_HOME, "Home", HomeState, HomeState.load)
    customer(home.policies_list, POLICIES, "Policies", HomeState, HomeState.load)
    customer(policy.policy_page, POLICY, "Policy", PolicyState, PolicyState.load)
    customer(documents.documents_page, DOCUMENTS, "Documents", DocumentsState, DocumentsState.load)
    customer(id_card.id_card_page, ID_CARD, "ID cards", IdCardState, IdCardState.load)
    customer(billing.billing_page, BILLING, "Billing", BillingState, BillingState.load)
    customer(account_pages.profile, PROFILE, "Profile", AccountState, AccountState.load)
    customer(
        account_pages.switch_accounts,
        ACCOUNT_CHOICE,
        "Switch accounts",
        AccountState,
        AccountState.load,
    )
    R, E = RequestsState, EngagementState
    customer(requests.requests_page, REQUESTS, "Requests", R, R.load_list)
    customer(
        requests.personal_requests_page,
        REQUESTS_PERSONAL,
        "Personal change request",
        R,
        R.load_personal,
    )
    customer(
        requests.commercial_requests_page,
        REQUESTS_COMMERCIAL,
        "Commercial change request",
        R,
        R.load_commercial,
    )
    customer(requests.general_request_page, REQUESTS_GENERAL, "General request", R, R.load_general)
    customer(requests.contact_page, CONTACT, "Contact us", R, R.load_contact)
    # Features switched off in settings get no page at all (their services refuse too).
    if features.certificates:
        customer(
            certificates.certificates_page,
            CERTIFICATES,
            "Certificates",
            CertificatesState,
            CertificatesState.load,
        )
    if features.proposals:
        customer(
            proposals.proposals_page,
            PROPOSALS,
            "Proposals",
            ProposalsState,
            ProposalsState.load_list,
        )
        customer(
            proposals.proposal_page, PROPOSAL, "Proposal", ProposalsState, ProposalsState.load_one
        )
    if features.referrals:
        customer(engagement.referral_page, REFER, "Refer a friend", E, E.load)
    if features.feedback:
        customer(engagement.feedback_page, FEEDBACK, "Feedback", E, E.load)
    if features.surveys:
        customer(engagement.survey_page, CLAIM_SURVEY, "Claim survey", E, E.load_survey)

    # The agency side.
    app.add_page(
        agent_login.agent_login_page,
        route=AGENT_LOGIN,
        title=page_title("Agents"),
        on_load=AgentLoginState.open_page,
    )
    for route, component, name, load in [
        (AGENT_HOME, agent_search.search_page, "Super Search", None),
        (
            AGENT_ACCOUNT,
            agent_account.account_page,
            "Account",
            [AgentAccountState.open_page, AgentDocumentsState.open_page],
        ),
        (
            AGENT_SHARE,
            agent_actions.share_document_page,
            "Share a document",
            AgentShareState.open_page,
        ),
        (AGENT_PUBLISH, agent_actions.publish_page, "Publish", AgentPublishState.open_page),
        (
            AGENT_CERTIFICATES,
            agent_actions.certificates_page,
            "Certificates",
            AgentCertificatesState.open_page,
        ),
        (AGENT_PAYMENTS, agent_actions.payments_page, "Payments", AgentPaymentsState.open_page),
        (AGENT_ACTIVITY, agent_queues.activity_page, "Activity", AgentActivityState.open_page),
        (AGENT_MANAGE, agent_manage.manage_page, "Manage account", AgentManageState.open_page),
        (
            AGENT_REQUESTS,
            agent_requests.requests_page,
            "Requests",
            AgentRequestsState.open_page,
        ),
        (AGENT_TASKS, agent_queues.tasks_page, "Tasks", AgentTasksState.open_page),
        (
            AGENT_OUTBOX,
            agent_queues.outbox_page,
            "Undelivered messages",
            AgentOutboxState.open_page,
        ),
        (AGENT_MORE, agent_queues.more_page, "More", AgentMoreState.open_page),
        (AGENT_ROLES, agent_roles.roles_page, "Roles", None),
        (AGENT_AUDIT, agent_audit.audit_page, "Audit trail", AgentAuditState.open_page),
        (AGENT_ADMIN, agent_staff.staff_page, "Staff", StaffState.open_page),
        (AGENT_WEBHOOKS, agent_webhooks.webhooks_page, "Webhooks", WebhooksState.open_page),
        (AGENT_IMPORT, agent_imports.import_page, "Import", AgentImportState.open_page),
        (AGENT_API_KEYS, agent_api_keys.api_keys_page, "API keys", ApiKeysState.open_page),
    ]:
        # The guard first: it leaves for the sign-in page before the page's load runs.
        app.add_page(
            component,
            route=route,
            title=page_title(name),
            on_load=[
                AgentState.require_agent_login,
                *(load if isinstance(load, list) else [load] if load else []),
            ],
        )
