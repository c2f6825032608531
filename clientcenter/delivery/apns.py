"""Pushes to Apple Wallet through APNs, so passes already on phones fetch their update.

One request per push token (services/wallet/pass_updates.py): ``POST /3/device/<token>``
with an empty JSON body, ``apns-topic`` the pass type id, and the Pass Type ID certificate
and key as the TLS client certificate (Wallet passes need no APNs auth key).

APNs speaks HTTP/2 only, so the client speaks nothing else: HTTP/2 on, HTTP/1.1 off
(``h2`` is a pinned requirement). Over TLS it offers ALPN "h2" alone; a server that does not
take it fails the push (left due) rather than getting an HTTP/1.1 request. The tests push to
an HTTP/2-only recorder on loopback and check that each request came over HTTP/2.
"""

from __future__ import annotations

import logging
import ssl
from dataclasses import dataclass

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import Session

from clientcenter.services.wallet import pass_updates
from clientcenter.services.wallet.pass_updates import PushRequest
from clientcenter.settings import Settings

log = logging.getLogger("clientcenter.apns")

# APNs answers: 200 taken; 410 the token is no longer active; 400 with one of these reasons,
# a token that never will be. Both mean: forget it. Anything else is tried again next sweep.
FORGET_REASONS = {"BadDeviceToken", "DeviceTokenNotForTopic", "Unregistered"}


@dataclass
class PushReport:
    sent: int = 0
    forgotten: int = 0  # registrations dropped for a dead token
    failed: int = 0  # tokens left due for the next sweep
    orphans: int = 0  # registrations of vehicles that are gone


def _reason(response: httpx.Response) -> str:
    try:
        return str(response.json().get("reason", ""))
    except ValueError:
        return ""


class ApnsSender:
    def __init__(
        self,
        settings: Settings,
        *,
        verify: ssl.SSLContext | str | bool = True,
        client: httpx.Client | None = None,
    ):
        wallet = settings.wallet
        self._settings = settings
        password = (
            wallet.apple_key_password.get_secret_value() if wallet.apple_key_password else None
        )
        if client is None:
            context = (
                verify
                if isinstance(verify, ssl.SSLContext)
                else httpx.create_ssl_context(verify=verify)
            )
            context.load_cert_chain(
                str(wallet.apple_certificate_path), str(wallet.apple_key_path), password
            )
            client = httpx.Client(
                http1=False,  # APNs takes HTTP/2 only: no fallback to fail on later
                http2=True,
                verify=context,
                timeout=httpx.Timeout(10.0, connect=5.0),
                follow_redirects=False,
                trust_env=False,  # no proxy from the environment between us and Apple
            )
        self._client = client

    def close(self) -> None:
        self._client.close()

    def send(self, request: PushRequest) -> tuple[int, str]:
        """The status APNs answered and its reason (0 and the error when none came)."""
        try:
            response = self._client.post(
                request.url, content=request.body, headers=request.headers
            )
        except httpx.HTTPError as exc:
            return 0, f"{type(exc).__name__}: {exc}"[:200]
        return response.status_code, _reason(response)


def push_changed_passes(engine: Engine, settings: Settings, sender: ApnsSender) -> PushReport:
    """One sweep: forget orphans, push every due token, record each outcome."""
    report = PushReport()
    with Session(engine) as session:
        report.orphans = pass_updates.forget_orphans(session)
        due = pass_updates.due_pushes(session)
        session.commit()
    for push in due:
        status, reason = sender.send(pass_updates.push_request(push.push_token, settings))
        with Session(engine) as session:
            if status == 200:
                pass_updates.pushed(session, push)
                report.sent += 1
            elif status == 410 or (status == 400 and reason in FORGET_REASONS):
                report.forgotten += pass_updates.forget(session, push.push_token)
            else:
                log.warning("APNs push failed: %s %s; trying again next sweep", status, reason)
                report.failed += 1
            session.commit()
    return report
