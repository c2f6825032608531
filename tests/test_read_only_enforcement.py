"""Read-only mode refuses every change on the server.

Every event handler of every customer-portal state (found by walking the Reflex state classes
the app registers, so a handler added later is covered without touching this file) and every
HTTP route is called in an agent's read-only session, with arguments built from the account's
real ids and form fields taken from the states' own source. After each call the customer's
data must be exactly as before, except for what an agent may do in read-only mode (the Agent
Section of docs/actions-and-matrix.md: logs in, downloads, ID cards, integrations, payments,
log off).

A control run with the customer's own session proves the harness does see changes.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import itertools
import logging
import re
import typing
from pathlib import Path

import pytest
import reflex as rx
from reflex import constants
from reflex.istate.data import RouterData
from sqlalchemy import event
from sqlmodel import Session, SQLModel, select
from starlette.testclient import TestClient

from clientcenter.models import (
    ActivityLog,
    Agent,
    Certificate,
    CertificateHolder,
    Claim,
    Contact,
    Document,
    Driver,
    IntegrationLink,
    Invoice,
    Policy,
    Proposal,
    Vehicle,
)
from clientcenter.models.base import utcnow
from clientcenter.services.auth.sessions import create_session, principal_from_token
from clientcenter.services.files import download_links
from tests.handlers import as_connected

ACCOUNT = "Lee Design Studio LLC"  # commercial: certificates, holders, every request kind
PERSONAL = "Pat & Sam Rivera"  # auto with vehicles and drivers, a proposal, a closed claim
COOKIE = "cc_session"
# Bookkeeping of sessions and limits, and the derived search index: not the customer's data.
NOT_CUSTOMER_DATA = {
    "user_session",
    "rate_event",
    "login_challenge",
    "search_term",
    "dev_mailbox_message",
    "delivery_event",
}
# What an agent may do in read-only mode (the Agent Section), and the tables each
# may touch besides the log and its messages.
AGENT_ACTIONS = {
    "agent.login",
    "agent.download_documents",
    "agent.download_id_cards",
    "agent.payments",
    "agent.consumer_integration",
    "agent.non_consumer_integration",
    "agent.cross_sell_integration",
    "agent.logoff",
}
PAYMENT_TABLES = {"payment", "invoice", "payment_request"}


# --- the states and handlers under test -------------------------------------------------------


def customer_portal_states() -> list[type[rx.State]]:
    """Every state behind the customer portal, from the app as it is built."""
    import clientcenter.clientcenter  # noqa: F401  (registers every page, imports every state)
    from clientcenter.state.base import PortalState

    try:
        from clientcenter.state.agency.desk import AgentState
    except ImportError:
        AgentState = None  # noqa: N806

    found, todo = [], list(PortalState.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if AgentState is not None and issubclass(cls, AgentState):
            continue  # the agency side: its own tests
        if "Login" in cls.__name__ or cls.__module__.startswith("tests."):
            continue  # the sign-in pages act before any session exists
        found.append(cls)
    return sorted(set(found), key=lambda c: c.__name__)


def handlers_of(cls: type[rx.State]) -> list[str]:
    """Public handlers, page loads first, then the ones that pick what a form is about."""

    def order(name: str) -> tuple[int, str]:
        if name.startswith(("load", "open", "require")):
            return 0, name
        if name.startswith(("choose", "edit", "select", "start", "show")):
            return 1, name
        return 2, name

    return sorted((n for n in cls.event_handlers if not n.startswith("_")), key=order)


# --- arguments --------------------------------------------------------------------------------

_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]{1,40}$")


@functools.cache
def form_keys() -> frozenset[str]:
    """Every name a form field could have: the identifier-like string literals of the
    services, states and pages (services drop keys they do not allow-list)."""
    import ast

    import clientcenter

    root = Path(clientcenter.__file__).parent
    keys: set[str] = set()
    for folder in ("services", "state", "pages", "components"):
        for path in (root / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if (
                    isinstance(node, ast.Constant)
                    and isinstance(node.value, str)
                    and _IDENTIFIER.match(node.value)
                ):
                    keys.add(node.value)
    return frozenset(keys)


@functools.cache
def request_form_fields():
    """The guided request forms' fields (key, kind, options), when that module exists."""
    try:
        from clientcenter.services.portal import request_forms
    except ImportError:
        return [], []
    fields = [f for form in request_forms.ALL_FORMS for f in form.fields]
    subtypes = sorted({form.subtype for form in request_forms.ALL_FORMS})
    return fields, subtypes


def account_ids(db: Session, account_id: int) -> dict[str, list[int]]:
    policies = db.exec(select(Policy.id).where(Policy.account_id == account_id)).all()
    ids = {
        "policy": list(policies),
        "vehicle": list(db.exec(select(Vehicle.id).where(Vehicle.policy_id.in_(policies))).all()),
        "driver": list(db.exec(select(Driver.id).where(Driver.policy_id.in_(policies))).all()),
        "document": list(
            db.exec(select(Document.id).where(Document.account_id == account_id)).all()
        ),
        "invoice": list(db.exec(select(Invoice.id).where(Invoice.account_id == account_id)).all()),
        "certificate": list(
            db.exec(select(Certificate.id).where(Certificate.account_id == account_id)).all()
        ),
        "holder": list(
            db.exec(
                select(CertificateHolder.id).where(CertificateHolder.account_id == account_id)
            ).all()
        ),
        "proposal": list(
            db.exec(select(Proposal.id).where(Proposal.account_id == account_id)).all()
        ),
        "claim": list(db.exec(select(Claim.id).where(Claim.account_id == account_id)).all()),
        "contact": list(db.exec(select(Contact.id).where(Contact.account_id == account_id)).all()),
        "link": list(db.exec(select(IntegrationLink.id)).all()),
    }
    ids["auto_policy"] = list(
        db.exec(
            select(Policy.id).where(
                Policy.account_id == account_id, Policy.line.in_(("auto", "commercial_auto"))
            )
        ).all()
    )
    return {k: v or [1] for k, v in ids.items()}


def value_for(key: str, ids: dict[str, list[int]]) -> str:
    k = key.lower()
    for kind, values in ids.items():
        if k in (f"{kind}_id", kind, f"{kind}_ids") or k.startswith(f"{kind}_id"):
            return str(values[0])
    if "email" in k:
        return "changed.by.test@example.com"
    if "mobile" in k or "phone" in k:
        return "(207) 555-0199"
    if "date" in k:
        from datetime import date, timedelta

        return (date.today() + timedelta(days=10)).isoformat()
    if k in ("rating", "score") or k.startswith("q"):
        return "5"
    if "amount" in k or "payroll" in k or "value" in k:
        return "1234.56"
    if k in ("year",):
        return "2022"
    if k == "vin":
        return "1HGCM82633A004352"
    if k in ("state", "license_state"):
        return "ME"
    if "zip" in k or "postal" in k:
        return "04101"
    if k in ("decision", "answer"):
        return "accept"
    if k in ("channel", "method"):
        return "email"
    if k.startswith(("notify", "may_", "is_", "agree", "confirm")):
        return "on"
    return "Changed in read-only mode"


def by_kind(field, ids: dict[str, list[int]]) -> str:
    """A valid value for a guided request form field of this kind."""
    from datetime import date, timedelta

    kind = field.kind
    if kind in ("policy", "auto_policy", "vehicle", "driver"):
        return str(ids[kind][0])
    if field.options:
        return field.options[0][0]
    return {
        "date": (date.today() + timedelta(days=10)).isoformat(),
        "state": "ME",
        "zip": "04101",
        "vin": "1HGCM82633A004352",
        "year": "2022",
        "integer": "3",
        "money": "1234.56",
        "email": "changed.by.test@example.com",
        "phone": "(207) 555-0199",
    }.get(kind, "Changed in read-only mode")


def forms(ids: dict[str, list[int]]) -> list[dict[str, str]]:
    made = []
    for these in (ids, {k: v[1:] + v[:1] for k, v in ids.items()}):
        form = {key: value_for(key, these) for key in form_keys()}
        fields, _subtypes = request_form_fields()
        form.update({f.key: by_kind(f, these) for f in fields})
        made.append(form)
    return made


WORDS = [
    "email",
    "sms",
    "personal",
    "preferences",
    "co_applicant",
    "accept",
    "decline",
    "general",
    "open",
    "done",
    "all",
    "check",
    "bank_transfer",
    "offline",
    "card",
]


def scalar_candidates(name: str, annotation, ids: dict[str, list[int]]) -> list:
    """Ids of the kind a parameter names ("invoice_id": the account's invoices), else words
    the pages pass (channels, sections, request types, payment methods)."""
    name = name.lower()
    values = [v for kind, found in ids.items() if kind in name for v in found[:3]]
    if values:
        return values if annotation in (int, "int") else [str(v) for v in values]
    if annotation in (int, "int") or name in ("id", "object_id"):
        return [found[0] for found in ids.values()]
    return WORDS + request_form_fields()[1]


def upload_files() -> list:
    import io

    import pikepdf

    # A real one-page PDF: the upload scan parses files, and a catalog without a page tree
    # is refused as damaged before any write could happen.
    out = io.BytesIO()
    with pikepdf.new() as blank:
        blank.add_blank_page()
        blank.save(out)
    pdf = out.getvalue()

    class FakeUpload:
        filename = name = "read-only-test.pdf"
        content_type = "application/pdf"
        size = len(pdf)

        async def read(self, size: int = -1):
            return pdf if size < 0 else pdf[:size]

    return [FakeUpload()]


def argument_sets(fn, ids) -> list[tuple]:
    params = list(inspect.signature(fn).parameters.values())[1:]
    if not params:
        return [()]
    try:
        hints = typing.get_type_hints(fn)
    except Exception:  # noqa: BLE001 - unresolvable annotations: fall back to names
        hints = {}
    per_param = []
    for p in params:
        annotation = hints.get(p.name, p.annotation)
        origin = typing.get_origin(annotation) or annotation
        if origin is dict or p.name in ("form", "form_data", "data"):
            per_param.append(forms(ids))
        elif origin is list or p.name in ("files", "uploads"):
            per_param.append([upload_files()])
        elif annotation is bool:
            per_param.append([True, False])
        else:
            per_param.append(scalar_candidates(p.name, annotation, ids))
    # Every value of each parameter at least once, without the full product.
    longest = max(len(c) for c in per_param)
    return [tuple(c[i % len(c)] for c in per_param) for i in range(longest)]


# --- running a handler as the browser would ---------------------------------------------------

_ROUTE_PARAM = re.compile(r"""params\.get\(\s*["']([a-z_0-9]+)["']""")


def route_params(ids: dict[str, list[int]]) -> dict[str, str]:
    """Every dynamic route argument the states read, with a value from the account."""
    import clientcenter.state as state_package

    names = set()
    for path in Path(state_package.__file__).parent.glob("*.py"):
        names.update(_ROUTE_PARAM.findall(path.read_text()))
    return {name: value_for(name, ids) for name in names}


def make_state(cls, token: str, params: dict[str, str], path: str = "/home"):
    from urllib.parse import urlencode

    root = rx.State(_reflex_internal_init=True)
    state = root.get_substate(cls.get_full_name().split(".")[1:])
    state.router = RouterData.from_router_data(
        {
            constants.RouteVar.HEADERS: as_connected(
                {"cookie": f"{COOKIE}={token}", "origin": "http://localhost:3000"}
            ),
            constants.RouteVar.CLIENT_IP: "203.0.113.50",
            constants.RouteVar.PATH: path,
            constants.RouteVar.ORIGIN: f"{path}?{urlencode(params)}",
            constants.RouteVar.QUERY: dict(params),
        }
    )
    return state


def public_vars(state) -> dict:
    return {
        k: repr(getattr(state, k))
        for k in type(state).base_vars
        if not k.startswith("_") and "error" not in k
    }


def call(state, name: str, args: tuple) -> None:
    handler = type(state).event_handlers[name]
    try:
        result = handler.fn(state, *args)
        if inspect.iscoroutine(result):
            asyncio.run(result)
        elif inspect.isasyncgen(result):

            async def drain(gen):
                async for _ in gen:
                    pass

            asyncio.run(drain(result))
        elif inspect.isgenerator(result):
            for _ in result:
                pass
    except Exception:  # noqa: BLE001 - refusals, SessionEnded, bad guesses: all fine here
        pass


# --- what "nothing changed" means -------------------------------------------------------------


def snapshot(engine) -> dict[str, set[tuple]]:
    data = {}
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            if table.name in NOT_CUSTOMER_DATA:
                continue
            rows = conn.execute(table.select()).all()
            data[table.name] = {tuple(str(v) for v in row) for row in rows}
    return data


def unexplained_changes(before, after, engine) -> dict[str, tuple[set, set]]:
    changed = {
        t: (before[t] - after[t], after[t] - before[t]) for t in before if before[t] != after[t]
    }
    if not changed:
        return {}
    with engine.connect() as conn:
        new_ids = {int(r[0]) for r in changed.get("activity_log", (set(), set()))[1]}
        rows = conn.execute(
            select(ActivityLog.id, ActivityLog.action_key, ActivityLog.read_only).where(
                ActivityLog.id.in_(new_ids or {-1})
            )
        ).all()
    allowed_log = {r.id for r in rows if r.action_key in AGENT_ACTIONS and r.read_only}
    payments = any(r.action_key == "agent.payments" for r in rows if r.id in allowed_log)
    left = {}
    for table, (gone, added) in changed.items():
        if table == "activity_log" and not gone and {int(r[0]) for r in added} <= allowed_log:
            continue
        if table == "outbox_message" and not gone:
            continue  # checked below: messages only for allowed log rows
        if table in PAYMENT_TABLES and payments:
            continue
        left[table] = (gone, added)
    if "outbox_message" in changed:
        columns = [c.name for c in SQLModel.metadata.tables["outbox_message"].columns]
        at = columns.index("activity_id")
        strays = {
            r
            for r in changed["outbox_message"][1]
            if r[at] == "None" or int(r[at]) not in allowed_log
        }
        if strays or changed["outbox_message"][0]:
            left["outbox_message"] = (changed["outbox_message"][0], strays)
    return left


# --- fixtures -----------------------------------------------------------------------------------


@pytest.fixture
def read_only_session(demo):
    def open_view(account_name: str):
        from clientcenter.models import Account

        account = demo.exec(select(Account).where(Account.name == account_name)).one()
        agent = demo.exec(select(Agent).where(Agent.email == "agent@example.com")).one()
        record, token = create_session(
            demo,
            kind="agent",
            email=agent.email,
            agent_id=agent.id,
            account_id=account.id,
            read_only=True,
            second_factor_at=utcnow(),
        )
        demo.commit()
        return account, agent, token

    return open_view


class WriteWatch:
    """Notices any INSERT/UPDATE/DELETE on the customer's tables, so the full comparison of
    the data runs only after calls that wrote something."""

    _TABLE = re.compile(
        r"^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)", re.IGNORECASE
    )

    def __init__(self, engine):
        self.engine = engine
        self.wrote = False
        self.data = snapshot(engine)
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn, _cursor, statement, _params, _context, _many):
        match = self._TABLE.match(statement)
        if match and match.group(1) not in NOT_CUSTOMER_DATA:
            self.wrote = True

    def changes(self) -> dict:
        if not self.wrote:
            return {}
        self.wrote = False
        now = snapshot(self.engine)
        diff = unexplained_changes(self.data, now, self.engine)
        self.data = now
        return diff

    def close(self):
        event.remove(self.engine, "before_cursor_execute", self._seen)


def _exercise(demo, token: str, account_id: int, engine, caplog) -> list[str]:
    """Call every handler of every customer state; return what changed data, if anything.

    Each handler runs alone with each argument set; then, as a page would, after each page
    load, and after each choice that takes (a request type, a profile section), each other
    handler runs again, so forms that need a choice first are reached too."""
    ids = account_ids(demo, account_id)
    params = route_params(ids)
    problems: list[str] = []
    watch = WriteWatch(engine)

    def run(state, name: str, arg_sets) -> None:
        for args in arg_sets:
            call(state, name, args)
            diff = watch.changes()
            if diff:
                problems.append(
                    f"{type(state).__name__}.{name}: "
                    f"{ {t: len(a) for t, (_g, a) in diff.items()} }"
                )

    def args_of(state, name: str) -> list[tuple]:
        return argument_sets(type(state).event_handlers[name].fn, ids)

    try:
        for cls in customer_portal_states():
            names = handlers_of(cls)
            loads = [n for n in names if n.startswith(("load", "open", "require"))]
            pickers = [
                n for n in names if n.startswith(("choose", "edit", "select", "start", "show"))
            ]
            actions = [n for n in names if n not in loads and n not in pickers]
            state = make_state(cls, token, params)
            for name in names:
                run(state, name, args_of(state, name))
            for load in loads or [None]:
                setups = [[]] + [[(p, picked)] for p in pickers for picked in args_of(state, p)]
                for setup in setups:
                    if load:
                        run(state, load, [()])
                    plain = public_vars(state)
                    for picker, picked in setup:
                        run(state, picker, [picked])
                    if setup and public_vars(state) == plain:
                        continue  # the choice did not take
                    taken = public_vars(state)
                    for action in actions:
                        if action == "setvar":
                            continue  # sets a var of the tab's state, nothing else
                        for args in args_of(state, action):
                            if public_vars(state) != taken:  # an action reset the choice
                                if load:
                                    run(state, load, [()])
                                for picker, picked in setup:
                                    run(state, picker, [picked])
                            run(state, action, [args])
    finally:
        watch.close()
    return problems


@pytest.mark.parametrize("account_name", [ACCOUNT, PERSONAL])
def test_every_state_handler_changes_nothing_in_read_only_mode(
    demo, engine, read_only_session, account_name, caplog
):
    if engine.dialect.name != "sqlite":
        pytest.skip("the harness is database-agnostic; it runs once, on SQLite")
    account, agent, token = read_only_session(account_name)
    caplog.set_level(logging.WARNING, logger="clientcenter.security")
    states = customer_portal_states()
    assert states, "no customer portal states found"
    problems = _exercise(demo, token, account.id, engine, caplog)
    assert problems == []
    # The session is still the agent's read-only view of that account, nothing more.
    principal = principal_from_token(demo, token)
    assert principal is not None
    assert (principal.read_only, principal.account_id, principal.agent_id) == (
        True,
        account.id,
        agent.id,
    )
    # Refused attempts were logged with agent and account.
    refusals = [r.getMessage() for r in caplog.records if "read-only" in r.getMessage()]
    assert refusals, "no write was even attempted: the harness reached no service"
    assert all(f"agent_id={agent.id}" in m and f"account_id={account.id}" in m for m in refusals)


def test_the_harness_sees_a_customer_change(demo, engine, caplog):
    """Control: the same calls in the customer's own session do change data, through the
    main write handlers, so the read-only run above could have failed."""
    from clientcenter.models import Account

    if engine.dialect.name != "sqlite":
        pytest.skip("the harness is database-agnostic; it runs once, on SQLite")
    account = demo.exec(select(Account).where(Account.name == ACCOUNT)).one()
    mine = demo.exec(
        select(Contact).where(Contact.account_id == account.id, Contact.role == "primary")
    ).one()
    _record, token = create_session(
        demo, kind="customer", email=mine.email, contact_id=mine.id, account_id=account.id
    )
    demo.commit()
    changed = {p.split(":")[0] for p in _exercise(demo, token, account.id, engine, caplog)}
    expected = {
        "EngagementState.feedback",
        "EngagementState.refer",
        "RequestsState.submit",
        "CertificatesState.add_holder",
        "ProfileEditState.save_personal",
        "ProfileEditState.save_preferences",
        "DocumentsState.handle_upload",
    }
    present = {
        e for e in expected if e.split(".")[0] in {c.__name__ for c in customer_portal_states()}
    }
    assert present <= changed, f"writes the harness did not reach: {present - changed}"


# --- HTTP routes ------------------------------------------------------------------------------


def test_every_http_route_changes_nothing_in_read_only_mode(demo, engine, read_only_session):
    from clientcenter.http import build_http_app

    account, agent, token = read_only_session(ACCOUNT)
    viewing = principal_from_token(demo, token)
    ids = account_ids(demo, account.id)
    values = {
        "token": [
            download_links.sign(viewing, "document", ids["document"][0]).rsplit("/", 1)[1],
            download_links.sign(viewing, "idcards", ids["policy"][0]).rsplit("/", 1)[1],
            "forged.token",
        ],
        "link_id": [str(i) for i in ids["link"][:3]],
    }
    app = build_http_app()
    client = TestClient(app, base_url="http://localhost:3000")
    client.cookies.set(COOKIE, token)
    routes = sorted(app.routes, key=lambda r: r.path == "/auth/logout")  # logout last
    problems = []
    for route in routes:
        params = re.findall(r"{(\w+)}", route.path)
        combos = (
            itertools.product(*[values.get(p, ["1", "x"]) for p in params]) if params else [()]
        )
        for combo in combos:
            path = route.path
            for p, v in zip(params, combo):
                path = path.replace("{" + p + "}", v)
            for method in sorted(route.methods or {"GET"}):
                before = snapshot(engine)
                form = {k: value_for(k, ids) for k in form_keys()}
                client.request(
                    method,
                    path,
                    data=form if method == "POST" else None,
                    headers={"origin": "http://localhost:3000"},
                    follow_redirects=False,
                )
                diff = unexplained_changes(before, snapshot(engine), engine)
                if diff:
                    problems.append(f"{method} {path}: {sorted(diff)}")
    assert problems == []
    # Downloads in read-only mode are the Agent Section's rows.
    keys = set(
        demo.exec(select(ActivityLog.action_key).where(ActivityLog.account_id == account.id)).all()
    )
    assert "agent.download_documents" in keys and keys <= AGENT_ACTIONS
