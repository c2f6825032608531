"""Every event handler of our states runs off the event loop: Reflex runs a plain (sync)
handler on the loop that carries every tab of the worker, so one page's queries, or a wait for
SQLite's write lock, would stall them all. A handler is either ``async def`` or wrapped in
``@off_loop`` (state/base.py), which runs it on a worker thread."""

from __future__ import annotations

import inspect

import reflex as rx

import clientcenter.clientcenter  # noqa: F401  (imports every state of the app)


def _our_states():
    todo, seen = [rx.State], []
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("clientcenter."):
            seen.append(cls)
    return seen


def test_the_app_has_states_and_handlers_to_check():
    handlers = [n for cls in _our_states() for n in cls.event_handlers]
    assert len(_our_states()) > 20 and len(handlers) > 100


def test_no_handler_of_ours_runs_on_the_event_loop():
    on_loop = [
        f"{cls.__module__}.{cls.__name__}.{name}"
        for cls in _our_states()
        for name, handler in cls.event_handlers.items()
        if handler.fn.__module__.startswith("clientcenter.")
        and not inspect.iscoroutinefunction(handler.fn)
    ]
    assert not on_loop, "sync handlers (add @off_loop under @rx.event): " + ", ".join(on_loop)
