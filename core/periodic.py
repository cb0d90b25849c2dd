"""Work the worker does every so often whether or not anything was written: time alone makes a
congress late, or a worker's lease stale. Apps register a job and its period in their
AppConfig.ready; `partyorg worker` runs those that are due (`run_due`) between ticks.

Registration keeps the floors one-way: this module sits below every app and imports none.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

logger = logging.getLogger(__name__)


@dataclass
class _Job:
    func: Callable[[], object]
    every: float
    next_at: float = 0.0


_JOBS: dict[str, _Job] = {}


def register_periodic(name: str, func: Callable[[], object], *, every: float) -> None:
    """Run `func` about every `every` seconds in `partyorg worker` (first at its start)."""
    _JOBS.setdefault(name, _Job(func, every))


def run_due(now: float | None = None) -> list[str]:
    """Run the jobs whose time has come; a failing job is logged and tried again next period.
    Returns the names of the jobs run."""
    now = time.monotonic() if now is None else now
    ran = []
    for name, job in _JOBS.items():
        if now < job.next_at:
            continue
        job.next_at = now + job.every
        ran.append(name)
        try:
            job.func()
        except Exception:
            logger.exception("periodic job %s failed", name)
    return ran
