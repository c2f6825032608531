"""Integration links: carrier claim and payment sites (consumer facing), agency tools
(non-consumer facing) and "Get a quote" for lines the account does not have (cross-sell).

Links come only from the `integration_link` table, which start-up fills from configuration, so
the redirect route can never be pointed at an arbitrary address. Every click goes through
`follow_link`, which records it (the customer's row, or the agent's row in read-only mode)
before the browser is sent on.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from clientcenter import routes
from clientcenter.models import Account, IntegrationLink, Policy
from clientcenter.models.accounts import AccountKind
from clientcenter.models.policies import PolicyStatus
from clientcenter.services.access import viewable_account
from clientcenter.services.errors import NotFound
from clientcenter.services.notify.activity import record_action
from clientcenter.services.principal import Principal
from clientcenter.settings import Settings

KINDS = ("consumer", "non_consumer", "cross_sell")
KIND_TITLES = {
    "consumer": "Your carriers online",
    "non_consumer": "More from your agency",
    "cross_sell": "Get a quote",
}
PERSONAL_LINES = frozenset({"auto", "home", "renters", "umbrella", "boat"})
COMMERCIAL_LINES = frozenset(
    {"bop", "general_liability", "commercial_auto", "workers_comp", "commercial_property"}
)
IN_FORCE = (PolicyStatus.ACTIVE, PolicyStatus.PENDING)


@dataclass(frozen=True)
class IntegrationLinkView:
    id: int
    kind: str
    label: str
    carrier: str
    line: str
    href: str  # the recording redirect route, never the destination itself


@dataclass(frozen=True)
class AccountLinks:
    consumer: list[IntegrationLinkView]
    non_consumer: list[IntegrationLinkView]
    cross_sell: list[IntegrationLinkView]

    @property
    def empty(self) -> bool:
        return not (self.consumer or self.non_consumer or self.cross_sell)


def links_for(session: Session, principal: Principal) -> AccountLinks:
    account = viewable_account(session, principal)
    visible = _visible(session, account)
    by_kind = {k: [_view(link) for link in visible if link.kind == k] for k in KINDS}
    return AccountLinks(**by_kind)


def offered_link(session: Session, principal: Principal, link_id: int) -> IntegrationLink:
    """The link, if this account is offered it; records nothing (the "Continue to …" page
    shown when another site sent the browser to /go/<id>)."""
    account = viewable_account(session, principal)
    link = session.get(IntegrationLink, link_id)
    if link is None or link not in _visible(session, account):
        raise NotFound("That link is not offered on this account.")
    return link


def follow_link(session: Session, principal: Principal, link_id: int) -> str:
    """Record the click and return where to send the browser."""
    link = offered_link(session, principal, link_id)
    side = "customer" if principal.is_customer else "agent"
    record_action(
        session,
        principal,
        f"{side}.{link.kind}_integration",
        summary=f"Opened “{link.label}”" + (" (read-only mode)" if principal.read_only else ""),
        details={
            "link_id": link.id,
            "label": link.label,
            "url": link.url,
            "carrier": link.carrier,
            "line": link.line,
        },
    )
    return link.url


def _view(link: IntegrationLink) -> IntegrationLinkView:
    return IntegrationLinkView(
        id=link.id,
        kind=link.kind,
        label=link.label,
        carrier=link.carrier or "",
        line=link.line or "",
        href=f"{routes.GO_PREFIX}{link.id}",
    )


def _visible(session: Session, account: Account) -> list[IntegrationLink]:
    """Carrier links for carriers the account has; quotes for lines it lacks and could buy."""
    policies = session.exec(
        select(Policy).where(Policy.account_id == account.id, Policy.status.in_(IN_FORCE))
    ).all()
    carriers = {p.carrier.strip().lower() for p in policies}
    lines = {p.line for p in policies}
    kind_lines = COMMERCIAL_LINES if account.kind == AccountKind.COMMERCIAL else PERSONAL_LINES
    shown = []
    for link in session.exec(
        select(IntegrationLink).order_by(IntegrationLink.position, IntegrationLink.id)
    ).all():
        carrier = (link.carrier or "").strip().lower()
        if link.kind == "consumer" and carrier and carrier not in carriers:
            continue
        if (
            link.kind == "cross_sell"
            and link.line
            and (
                link.line in lines
                or (link.line in PERSONAL_LINES | COMMERCIAL_LINES and link.line not in kind_lines)
            )
        ):
            continue
        if link.kind not in KINDS:
            continue
        shown.append(link)
    return shown


def sync_from_settings(session: Session, settings: Settings) -> bool:
    """Make the table match the configured links (start-up / `cli setup`). Nothing is touched
    when no links are configured (the demo supplies its own) or when they already match, so
    link ids, and the /go/<id> addresses in open tabs, stay stable across restarts."""
    wanted = [(i.kind, i.label, str(i.url), i.carrier, i.line) for i in settings.integrations]
    if not wanted:
        return False
    current = session.exec(
        select(IntegrationLink).order_by(IntegrationLink.position, IntegrationLink.id)
    ).all()
    if [(c.kind, c.label, c.url, c.carrier, c.line) for c in current] == wanted:
        return False
    for link in current:
        session.delete(link)
    session.flush()
    for position, (kind, label, url, carrier, line) in enumerate(wanted):
        session.add(
            IntegrationLink(
                kind=kind, label=label, url=url, carrier=carrier, line=line, position=position
            )
        )
    session.flush()
    return True
