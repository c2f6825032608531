"""Page paths that more than one module needs (redirects after login, logout, expiry)."""

CUSTOMER_LOGIN = "/"  # the stable login URL the agency sends and embeds
ACCOUNT_CHOICE = "/accounts"
CUSTOMER_HOME = "/home"
PROFILE = "/profile"
EMBED_LOGIN = "/embed/login"  # the only page other sites may frame
# The agent-side pages own these.
AGENT_LOGIN = "/agent/login"
AGENT_SECOND_FACTOR = "/agent/login"

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
