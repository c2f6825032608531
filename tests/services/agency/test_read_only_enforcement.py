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
import inspect
import itertools
import logging
import re

import pytest
import reflex as rx
from sqlalchemy import event
from sqlmodel import SQLModel, select
from starlette.routing import Mount
from starlette.testclient import TestClient

from clientcenter.models import (
    ActivityLog,
    Contact,
)
from clientcenter.services.auth.sessions import principal_from_token
from clientcenter.services.files import download_links
from tests.support.demo import RIVERA, STUDIO, account_named, agent_named
from tests.support.handler_arguments import (
    account_ids,
    argument_sets,
    form_keys,
    route_params,
    value_for,
)
from tests.support.handlers import page_state
from tests.support.logins import agent_session, customer_session

ACCOUNT = STUDIO  # commercial: certificates, holders, every request kind
PERSONAL = RIVERA  # auto with vehicles and drivers, a proposal, a closed claim
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


# --- running a handler as the browser would ---------------------------------------------------


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
    kind_at = [c.name for c in SQLModel.metadata.tables["audit_event"].columns].index("kind")
    left = {}
    for table, (gone, added) in changed.items():
        if table == "activity_log" and not gone and {int(r[0]) for r in added} <= allowed_log:
            continue
        if table == "outbox_message" and not gone:
            continue  # checked below: messages only for allowed log rows
        if table in PAYMENT_TABLES and payments:
            continue
        if table == "audit_event" and not gone and all(r[kind_at] == "read" for r in added):
            continue  # the audit trail records what the agent read (services/agency/audit.py)
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
        return (
            account_named(demo, account_name),
            agent_named(demo),
            agent_session(demo, account_name).token,
        )

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


def _exercise(demo, token: str, account_id: int, engine, caplog, skip=frozenset()) -> list[str]:
    """Call every handler of every customer state; return what changed data, if anything.
    Handlers named in ``skip`` are not called.

    Each handler runs alone with each argument set; then, as a page would, after each page
    load, and after each choice that takes (a request type, a profile section), each other
    handler runs again, so forms that need a choice first are reached too."""
    ids = account_ids(demo, account_id)
    params = route_params(ids)
    problems: list[str] = []
    watch = WriteWatch(engine)

    def run(state, name: str, arg_sets) -> None:
        if name in skip:
            return
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
            state = page_state(cls, f"{COOKIE}={token}", path="/home", **params)
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

    if engine.dialect.name != "sqlite":
        pytest.skip("the harness is database-agnostic; it runs once, on SQLite")
    account = account_named(demo, ACCOUNT)
    mine = demo.exec(
        select(Contact).where(Contact.account_id == account.id, Contact.role == "primary")
    ).one()
    token = customer_session(demo, mine.email, ACCOUNT).token
    # Log out everywhere would end this session for every state after it (it is refused in
    # the read-only run above, like every other write).
    changed = {
        p.split(":")[0]
        for p in _exercise(
            demo, token, account.id, engine, caplog, skip=frozenset({"log_out_everywhere"})
        )
    }
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


def _flat(routes, prefix: str = ""):
    """(prefix, route) for every route, those of a mounted app (the REST API) included."""
    for route in routes:
        if isinstance(route, Mount):
            yield from _flat(route.routes, prefix + route.path)
        elif hasattr(route, "original_router"):  # FastAPI's include_router
            yield from _flat(route.original_router.routes, prefix)
        else:
            yield prefix, route


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
    routes = sorted(_flat(app.routes), key=lambda r: r[1].path == "/auth/logout")  # logout last
    problems = []
    for prefix, route in routes:
        params = re.findall(r"{(\w+)}", route.path)
        combos = (
            itertools.product(*[values.get(p, ["1", "x"]) for p in params]) if params else [()]
        )
        for combo in combos:
            path = prefix + route.path
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
