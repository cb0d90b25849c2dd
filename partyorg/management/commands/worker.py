"""partyorg worker: runs background tasks (django-tasks-db), the tick, and the periodic jobs apps
register (core.periodic: batches whose worker stopped handed back, congresses whose date passed
marked late).

The tick runs every second, and on PostgreSQL as soon as a commit queued work for it (at most
every TICK_GAP): a counter, and the pages watching it, move within a fraction of a second.
"""

import logging
import threading
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from core.periodic import run_due
from core.tick import tick, wakeups

# Ticks at most this often: a burst of commits is folded together, and the root's counters are
# written at most ten times a second.
TICK_GAP = 0.1


def _tick_forever(interval: float, stop: threading.Event) -> None:
    waiting = wakeups()
    while not stop.is_set():
        try:
            tick()
            run_due()
        except Exception:  # a failed tick is retried next second; the error is logged
            logging.getLogger("core.tick").exception("tick failed")
        finally:
            close_old_connections()
        if waiting is None:
            stop.wait(interval)
        elif not stop.wait(TICK_GAP):
            waiting.wait(max(interval - TICK_GAP, 0))
    if waiting is not None:
        waiting.close()


class Command(BaseCommand):
    help = "Chạy tác vụ nền và nhịp một giây / run background tasks and the one-second tick."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0)
        parser.add_argument("--tick-only", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        ticker = threading.Thread(
            target=_tick_forever, args=(options["interval"], stop), daemon=True
        )
        ticker.start()
        try:
            if options["tick_only"]:
                while True:
                    time.sleep(3600)
            call_command("db_worker", interval=options["interval"])
        finally:
            stop.set()
