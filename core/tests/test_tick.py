"""core.tick: with the worker ticking, a commit that queued work wakes it (PostgreSQL)."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, transaction

from core.tick import Wakeups, tick_after_commit, wakeups

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def waiting(settings: Any) -> Iterator[Wakeups]:
    settings.PARTYORG_TICK = "worker"
    if connection.vendor != "postgresql":
        # SQLite has nothing to listen with: the worker ticks every interval.
        assert wakeups() is None
        pytest.skip("PostgreSQL only")
    waiting = wakeups()
    assert waiting is not None
    waiting.wait(0)  # listening from now on
    yield waiting
    waiting.close()


def test_a_commit_that_queued_work_wakes_the_worker(waiting: Wakeups) -> None:
    with transaction.atomic():
        tick_after_commit()
    assert waiting.wait(20.0)


def test_a_rolled_back_one_does_not(waiting: Wakeups) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        tick_after_commit()
        raise RuntimeError("the writer failed")
    assert not waiting.wait(0.5)


def test_a_transaction_asks_once_however_much_it_queued(waiting: Wakeups) -> None:
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        tick_after_commit()
        tick_after_commit()
        tick_after_commit()
    assert sum("pg_notify" in q["sql"] for q in queries.captured_queries) == 1
    assert waiting.wait(20.0)
    # The next transaction asks again.
    with transaction.atomic():
        tick_after_commit()
    assert waiting.wait(20.0)
