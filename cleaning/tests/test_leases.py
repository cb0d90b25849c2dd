"""A batch whose worker stopped mid-way is handed back, not left "processing" for ever."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from cleaning import services
from cleaning.leases import (
    LOST_AFTER,
    PROCESS_ATTEMPTS,
    STOPPED_COMMITTING,
    STOPPED_PROCESSING,
    reap,
)
from cleaning.models import Batch, BatchLease, BatchRow
from cleaning.tests.test_import_pipeline import GOOD, _csv, _upload
from conftest import World
from members.models import Member


def _lease(batch: Batch, *, age: timedelta) -> None:
    BatchLease.objects.update_or_create(
        batch_id=batch.pk, defaults={"seen_at": timezone.now() - age}
    )


def _as_left_by_a_dead_worker(batch: Batch, status: str) -> None:
    Batch.objects.filter(pk=batch.pk).update(status=status, progress=50)
    _lease(batch, age=LOST_AFTER + timedelta(seconds=5))


def test_a_processing_batch_whose_worker_stopped_is_processed_again(world: World) -> None:
    """Its upload is stored and its rows are written in one transaction, which died with the
    worker: the batch goes back to the queue and another worker processes it whole."""
    batch = _upload(world, *GOOD)
    assert Batch.objects.get(pk=batch.pk).attempts == 1
    _as_left_by_a_dead_worker(batch, "processing")
    assert reap() == [batch.pk]
    # Queued again in the same transaction (the tests' task backend runs it at once).
    batch.refresh_from_db()
    assert batch.status == "review" and batch.attempts == 2 and batch.error == ""
    assert BatchRow.objects.filter(batch=batch).count() == len(GOOD)
    assert batch.summary == Batch.objects.get(pk=_upload(world, *GOOD).pk).summary
    assert not BatchLease.objects.exists()
    lost = AuditEvent.objects.get(action="batch.worker_lost", object_id=str(batch.pk))
    assert lost.detail == {"status": "processing", "attempts": 1, "requeued": True}
    assert reap() == []  # once


def test_a_batch_whose_worker_stopped_twice_fails_saying_what_to_do(world: World) -> None:
    """Not a third worker: a file that stops every worker (too big for its memory) would stop
    them one after another."""
    batch = _upload(world, *GOOD)
    Batch.objects.filter(pk=batch.pk).update(attempts=PROCESS_ATTEMPTS)
    _as_left_by_a_dead_worker(batch, "processing")
    assert reap() == [batch.pk]
    batch.refresh_from_db()
    assert batch.status == "failed" and batch.error == str(STOPPED_PROCESSING)
    page = world.client("secretary").get(f"/imports/{batch.pk}/").content.decode()
    assert "Hãy chia tệp thành các tệp nhỏ hơn rồi tải lên lại" in page
    lost = AuditEvent.objects.get(action="batch.worker_lost", object_id=str(batch.pk))
    assert lost.detail["requeued"] is False


def test_a_new_mapping_gives_a_batch_its_attempts_back(world: World) -> None:
    batch = _upload(world, *GOOD)
    Batch.objects.filter(pk=batch.pk).update(attempts=PROCESS_ATTEMPTS)
    batch.refresh_from_db()
    batch_file = batch.files.get()
    mapping = {int(k): v for k, v in batch_file.mapping.items()}
    services.batch_set_mapping(batch_file=batch_file, mapping=mapping)
    assert Batch.objects.get(pk=batch.pk).attempts == 1  # taken again once since


def test_a_committing_batch_whose_worker_stopped_goes_back_to_review(world: World) -> None:
    batch = _upload(world, *GOOD)
    summary = dict(Batch.objects.get(pk=batch.pk).summary)
    _as_left_by_a_dead_worker(batch, "committing")
    assert reap() == [batch.pk]
    batch.refresh_from_db()
    assert batch.status == "review" and batch.error == str(STOPPED_COMMITTING)
    assert batch.summary == summary and not Member.objects.filter(cccd="079185000101").exists()
    page = world.client("secretary").get(f"/imports/{batch.pk}/").content.decode()
    assert "Hãy bấm" in page and 'id="commit"' in page


def test_live_and_waiting_batches_are_left_alone(world: World) -> None:
    alive, waiting, done = (_upload(world, *GOOD) for _ in range(3))
    Batch.objects.filter(pk=alive.pk).update(status="processing")
    _lease(alive, age=timedelta(seconds=20))  # renewed lately
    # Queued for a worker that has not taken it yet: no lease at all.
    Batch.objects.filter(pk=waiting.pk).update(status="committing")
    # Finished, with a lease its worker had no time to give up.
    _lease(done, age=LOST_AFTER * 2)
    assert reap() == []
    assert [Batch.objects.get(pk=b.pk).status for b in (alive, waiting, done)] == [
        "processing",
        "committing",
        "review",
    ]
    assert list(BatchLease.objects.values_list("batch_id", flat=True)) == [alive.pk]


def test_a_worker_holds_the_lease_while_it_works_and_gives_it_up(world: World) -> None:
    batch = services.batch_create(
        org=world.cell, uploads=[_csv(*GOOD)], by=world.users["secretary"], queue=False
    )
    seen = []
    services.batch_process(
        batch,
        progress=lambda *_: seen.append(BatchLease.objects.filter(batch_id=batch.pk).exists()),
    )
    assert seen and all(seen)
    assert not BatchLease.objects.exists() and BatchRow.objects.filter(batch=batch).count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_batch_whose_commit_holds_it_is_alive_whatever_its_lease_says() -> None:
    import threading

    from django.db import connection, transaction

    from conftest import make_world

    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL (SQLite writes one transaction at a time)")
    world = make_world()
    batch = _upload(world, *GOOD)
    _as_left_by_a_dead_worker(batch, "committing")
    locked, release = threading.Event(), threading.Event()

    def commit_in_progress() -> None:
        try:
            with transaction.atomic():
                Batch.objects.select_for_update().get(pk=batch.pk)
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=commit_in_progress)
    thread.start()
    assert locked.wait(10)
    try:
        assert reap() == []  # not waited for either: skipped
    finally:
        release.set()
        thread.join()
    assert Batch.objects.get(pk=batch.pk).status == "committing"
