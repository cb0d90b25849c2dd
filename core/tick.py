"""The one-second heartbeat: every app's pending bookkeeping, drained in one place.

Apps register a drain function in their AppConfig.ready (the roll-up folder, the audit sealer…):
a function that does a slice of pending work and returns how much it did (0 = nothing left).
With PARTYORG_TICK=inline (SQLite, tests, a single machine) the tick runs right after each commit
that queued work; with PARTYORG_TICK=worker, `partyorg worker` runs it instead, so requests never
wait on the root organisation's counters. On PostgreSQL a transaction that queued work wakes the
worker when it commits (NOTIFY), so a counter, and the pages watching it (core/live.py), move
within a fraction of a second; elsewhere the worker ticks every second.

Registration keeps the floors one-way: this module sits below every app and imports none.
"""

import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction

from .db import listening_connection

logger = logging.getLogger(__name__)

WAKE_CHANNEL = "partyorg_tick"

Drain = Callable[[], int]
_DRAINS: list[Drain] = []


def register_drain(drain: Drain) -> None:
    """Run `drain` until it returns 0 on every tick, after those registered before it."""
    if drain not in _DRAINS:
        _DRAINS.append(drain)


def tick() -> None:
    for drain in _DRAINS:
        while drain():
            pass


def _woken() -> None:
    """Marks a transaction that has already asked the worker for a tick."""


def tick_after_commit() -> None:
    """Ask for a tick once the current transaction commits: here (inline mode), or in the
    worker, woken by the commit on PostgreSQL."""
    connection = transaction.get_connection()
    if settings.PARTYORG_TICK != "inline":
        if connection.vendor == "postgresql":
            # Once a transaction: PostgreSQL would fold the repeats, but each costs a round trip.
            if connection.in_atomic_block and any(
                func is _woken for _sids, func, _robust in connection.run_on_commit
            ):
                return
            # Delivered at commit, never after a rollback.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_notify(%s, '')", [WAKE_CHANNEL])
            transaction.on_commit(_woken)
        return
    # One tick per transaction is enough: it drains everything pending.
    if any(func is tick for _sids, func, _robust in connection.run_on_commit):
        return
    transaction.on_commit(tick)


class Wakeups:
    """What `partyorg worker` waits on between ticks: a commit that queued work (PostgreSQL),
    or the end of the interval. Owns its listening connection, reopened after a failure."""

    def __init__(self) -> None:
        self._wrapper: Any = None

    def wait(self, timeout: float) -> bool:
        """Wait until a commit queued work (or had, since the last wait), or for `timeout`
        seconds; whether it was woken."""
        try:
            if self._wrapper is None:
                self._wrapper = listening_connection(WAKE_CHANNEL)
            # Several commits are one wake (psycopg returns what arrived together): whatever
            # they queued, one tick drains; a wake left over costs a tick that finds nothing.
            raw = self._wrapper.connection
            return any(True for _notify in raw.notifies(timeout=timeout, stop_after=1))
        except Exception:
            logger.exception("cannot listen for work; waiting %s s instead", timeout)
            self.close()
            time.sleep(timeout)
            return False

    def close(self) -> None:
        if self._wrapper is not None:
            self._wrapper.close()
            self._wrapper = None


def wakeups() -> Wakeups | None:
    """Wake-ups for the worker on PostgreSQL; None where it just ticks every interval."""
    return Wakeups() if transaction.get_connection().vendor == "postgresql" else None
