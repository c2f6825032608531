"""What a pass carries for Apple's PassKit web service: where Wallet asks for updates
(``webServiceURL``) and the pass's ``authenticationToken``.

The token is not stored: it is the keyed hash of the pass's serial number under the app key
(services/auth/tokens.py), so each pass has its own, nobody can make one without the key, and
the same pass downloaded again (on another phone, or as an update) carries the same token.
It is checked in constant time. Changing the app key changes every token: passes already in
Wallet then stop updating until they are added again.
"""

from __future__ import annotations

from clientcenter import routes
from clientcenter.services.auth.tokens import keyed_hash, same_hash
from clientcenter.settings import Settings

TOKEN_PURPOSE = "wallet.apple-pass-token"
TOKEN_CHARS = 40  # 160 bits of the HMAC; Apple asks for at least 16 characters
AUTH_SCHEME = "ApplePass "


def pass_token(serial_number: str) -> str:
    return keyed_hash(TOKEN_PURPOSE, serial_number)[:TOKEN_CHARS]


def token_matches(serial_number: str, authorization: str | None) -> bool:
    """Whether an ``Authorization: ApplePass <token>`` header carries this pass's token."""
    if not authorization or not authorization.startswith(AUTH_SCHEME):
        return False
    offered = authorization[len(AUTH_SCHEME) :].strip()
    return len(offered) == TOKEN_CHARS and same_hash(offered, pass_token(serial_number))


def pass_fields(serial_number: str, settings: Settings) -> dict:
    """The fields pass.json gets when the agency turned the web service on; none otherwise."""
    if not settings.wallet.apple_web_service:
        return {}
    return {
        "webServiceURL": routes.absolute_url(routes.PASSKIT_PREFIX),
        "authenticationToken": pass_token(serial_number),
    }
