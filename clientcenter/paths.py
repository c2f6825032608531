"""Page paths that more than one module needs (redirects after login, logout, expiry)."""

CUSTOMER_LOGIN = "/"  # the stable login URL the agency sends and embeds
ACCOUNT_CHOICE = "/accounts"
CUSTOMER_HOME = "/home"
PROFILE = "/profile"
EMBED_LOGIN = "/embed/login"  # the only page other sites may frame
# The agent-side pages own these.
AGENT_LOGIN = "/agent/login"
AGENT_SECOND_FACTOR = "/agent/login"

# The HTTP route a tab leaves through when its session ended (it blanks the tab's state).
LEAVE_ROUTE = "/auth/leave"
_LEAVE_TO = (CUSTOMER_LOGIN, AGENT_LOGIN, ACCOUNT_CHOICE)

# Links in messages a customer may open before logging in; the login brings them back there.
RETURN_PREFIXES = ("/shared/", "/pay/")


def safe_return_path(value: object) -> str | None:
    """``value`` if it is one of our own pages a login may return to, else None (never another
    site: no scheme, no //host, no backslash tricks)."""
    if not isinstance(value, str) or len(value) > 600 or not value.startswith(RETURN_PREFIXES):
        return None
    if value.startswith("//") or any(ch in value for ch in "\\\r\n\t") or "://" in value:
        return None
    return value


def safe_leave_path(value: object) -> str:
    """Where ``/auth/leave`` may send a tab: a login page or the account choice, with at most
    a ``signed_out`` reason; anything else goes to the customer login page."""
    if not isinstance(value, str) or len(value) > 100:
        return CUSTOMER_LOGIN
    path, _, query = value.partition("?")
    if path not in _LEAVE_TO:
        return CUSTOMER_LOGIN
    if not query:
        return path
    key, _, reason = query.partition("=")
    if key == "signed_out" and reason.replace("_", "").isalpha() and reason.isascii():
        return value
    return path
