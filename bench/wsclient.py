"""A simulated browser tab speaking Reflex's own websocket protocol (socket.io on /_event):
connect with a client token (and the browser's cookies, as a browser would), hydrate a page,
call state handlers and wait for their final update. Used by the benchmarks and by the tests
that attack the tab binding (tests/e2e/test_tab_binding.py)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import socketio

NAMESPACE = "/_event"
ROOT_STATE = "reflex___state____state"
HYDRATED = "is_hydrated_rx_state_"


BROWSER_COOKIE = "cc_browser"


async def new_browser_key(base_url: str) -> str:
    """The browser key a real browser gets with its first page (clientcenter/http/middleware/tab_binding.py)."""
    async with httpx.AsyncClient() as http:
        answer = await http.get(base_url + "/healthz")
    return answer.cookies[BROWSER_COOKIE]


class ReflexTab:
    def __init__(
        self,
        base_url: str,
        cookie: str | None = None,
        *,
        browser_key: str | bool | None = True,
        token: str | None = None,
    ):
        """``cookie``: other cookies (the session's); ``browser_key``: True to get one from
        the server like a browser's first page load, a key to reuse a browser's, None for a
        client without the cookie; ``token``: a client token to present (a captured one)."""
        self.base_url = base_url
        self.token = token or str(uuid.uuid4())
        self.cookie = cookie
        self.browser_key = browser_key
        self.state: dict[str, dict[str, Any]] = {}
        self.pending: list[dict[str, Any]] = []  # state events the server asked us to send
        self.client_events: list[dict[str, Any]] = []  # _redirect and other browser actions
        self.received: list[dict[str, Any]] = []  # every update as it came, for the attack tests
        self.path = "/"
        self._final: asyncio.Queue[dict] = asyncio.Queue()
        self.sio = socketio.AsyncClient(reconnection=False)
        self.sio.on("event", self._on_update, namespace=NAMESPACE)

    async def _on_update(self, update: dict) -> None:
        self.received.append(update)
        for substate, values in (update.get("delta") or {}).items():
            self.state.setdefault(substate, {}).update(values)
        for event in update.get("events") or []:
            is_state_event = event.get("name", "").startswith(ROOT_STATE)
            (self.pending if is_state_event else self.client_events).append(event)
        if update.get("final", True):
            await self._final.put(update)

    def cookie_header(self) -> str:
        parts = (
            [f"{BROWSER_COOKIE}={self.browser_key}"] if isinstance(self.browser_key, str) else []
        )
        return "; ".join([*parts, *([self.cookie] if self.cookie else [])])

    def _router_data(self) -> dict[str, str]:
        return {"pathname": self.path, "asPath": self.path}

    async def open(self, path: str, timeout: float = 30) -> None:
        """Connect (or reconnect) on a page and run its hydrate + on_load, like a page load."""
        if self.sio.connected:
            await self.sio.disconnect()
            self.sio = socketio.AsyncClient(reconnection=False)
            self.sio.on("event", self._on_update, namespace=NAMESPACE)
        self.path = path
        boot = {
            "name": f"{ROOT_STATE}.hydrate_and_load",
            "payload": {},
            "router_data": self._router_data(),
        }
        if self.browser_key is True:
            self.browser_key = await new_browser_key(self.base_url)
        headers = {"Cookie": self.cookie_header()} if self.cookie_header() else {}
        self.state.get(ROOT_STATE, {}).pop(HYDRATED, None)
        await self.sio.connect(
            f"{self.base_url}?token={self.token}",
            socketio_path=NAMESPACE,
            namespaces=[NAMESPACE],
            transports=["websocket"],
            headers=headers,
            auth={"event": boot},
            wait_timeout=timeout,
        )
        # Hydration arrives as several updates (state, on_load deltas); the last one sets the
        # hydrated flag, as the browser's loading screen waits for.
        deadline = asyncio.get_running_loop().time() + timeout
        while self.state.get(ROOT_STATE, {}).get(HYDRATED) is not True:
            await self.wait_final(max(0.1, deadline - asyncio.get_running_loop().time()))
        await self.run_queued(timeout)

    async def run_queued(self, timeout: float = 30) -> None:
        while self.pending:
            event = self.pending.pop(0)
            await self.call(event["name"], event.get("payload") or {}, timeout)

    async def call(
        self, handler: str, payload: dict[str, Any], timeout: float = 30, until=None
    ) -> None:
        """Send one event and wait for its update, or until ``until()`` holds (a handler's
        delta and the browser actions it returns can arrive as separate updates)."""
        while not self._final.empty():
            self._final.get_nowait()
        await self.sio.emit(
            "event",
            {"name": handler, "payload": payload, "router_data": self._router_data()},
            namespace=NAMESPACE,
        )
        deadline = asyncio.get_running_loop().time() + timeout
        await self.wait_final(timeout)
        while until is not None and not until():
            await self.wait_final(max(0.1, deadline - asyncio.get_running_loop().time()))

    async def wait_final(self, timeout: float = 30) -> dict:
        return await asyncio.wait_for(self._final.get(), timeout)

    def redirects(self) -> list[str]:
        return [e["payload"]["path"] for e in self.client_events if e.get("name") == "_redirect"]

    async def close(self) -> None:
        if self.sio.connected:
            await self.sio.disconnect()
