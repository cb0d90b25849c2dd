"""The one-second heartbeat: fold pending roll-up deltas and seal new audit events.

With PARTYORG_TICK=inline (SQLite, tests, a single machine) it runs right after each commit
that queued work; with PARTYORG_TICK=worker, `partyorg worker` runs it every second instead, so
requests never wait on the root organisation's counters.
"""

from django.conf import settings
from django.db import transaction


def tick() -> None:
    from audit.services import audit_seal
    from orgs.rollups import rollups_fold

    while rollups_fold():
        pass
    while audit_seal():
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
