"""The one-second heartbeat: every app's pending bookkeeping, drained in one place.

Apps register a drain function in their AppConfig.ready (the roll-up folder, the audit sealer…):
a function that does a slice of pending work and returns how much it did (0 = nothing left).
With PARTYORG_TICK=inline (SQLite, tests, a single machine) the tick runs right after each commit
that queued work; with PARTYORG_TICK=worker, `partyorg worker` runs it every second instead, so
requests never wait on the root organisation's counters.

Registration keeps the floors one-way: this module sits below every app and imports none.
"""

from collections.abc import Callable

from django.conf import settings
from django.db import transaction

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


def tick_after_commit() -> None:
    """Ask for a tick once the current transaction commits (inline mode only)."""
    if settings.PARTYORG_TICK != "inline":
        return
    connection = transaction.get_connection()
    # One tick per transaction is enough: it drains everything pending.
    if any(func is tick for _sids, func, _robust in connection.run_on_commit):
        return
    transaction.on_commit(tick)
