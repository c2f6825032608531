"""Calling Reflex handlers from unit tests as the event loop would."""

from __future__ import annotations

import asyncio
import inspect


def settle(result):
    """A handler's result; an async handler (e.g. an ``off_loop`` one) is run to completion."""
    return asyncio.run(result) if inspect.iscoroutine(result) else result
