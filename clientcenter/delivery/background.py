"""The relay inside the app process (the embedded default): a thread started with the app's
lifespan and stopped with it. Several app workers may each run one: leases keep them apart."""

from __future__ import annotations

import contextlib
import logging
import threading

from sqlalchemy import event
from sqlmodel import Session

from clientcenter.settings import get_settings

log = logging.getLogger("clientcenter.relay")

# Set after a commit that added outbox rows, so this process's relay sends them at once
# (a login code should not wait for the next poll).
wake = threading.Event()


def note_outbox_write(session: Session) -> None:
    session.info["cc_outbox_written"] = True


@event.listens_for(Session, "after_commit")
def _after_commit(session) -> None:
    if session.info.pop("cc_outbox_written", False):
        wake.set()


@event.listens_for(Session, "after_rollback")
def _after_rollback(session) -> None:
    session.info.pop("cc_outbox_written", None)


class _WakeableStop(threading.Event):
    """stop.wait(poll) in the relay loop also returns early when new mail is committed."""

    def wait(self, timeout=None):  # noqa: D102
        wake.wait(timeout)
        wake.clear()
        return self.is_set()


def start_relay_thread() -> tuple[threading.Thread, threading.Event]:
    from clientcenter.db import get_engine
    from clientcenter.delivery.relay import Relay

    relay = Relay(get_engine(), get_settings())
    stop = _WakeableStop()
    thread = threading.Thread(
        target=relay.run_forever, args=(stop,), name="outbox-relay", daemon=True
    )
    thread.start()
    return thread, stop


@contextlib.asynccontextmanager
async def relay_lifespan():
    """Registered with ``app.register_lifespan_task`` when delivery.relay_in_app is on."""
    thread, stop = start_relay_thread()
    log.info("outbox relay started in the app process")
    try:
        yield
    finally:
        stop.set()
        wake.set()
        thread.join(timeout=15)
