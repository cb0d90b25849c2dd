"""Who is working on a batch: leases a worker renews while it processes or commits one.

A worker that stops mid-way (killed by a deploy, out of memory, the machine restarted) leaves
its batch "processing" or "committing" for ever, and its unit waiting. Its transaction died
with it, so the registry is as it was; what is lost is only the batch's state. `held` renews
a lease every RENEW_EVERY seconds from a thread while the work runs; `reap`, which
`partyorg worker` runs every half minute, hands back the batches whose lease has aged past
LOST_AFTER: a processing batch goes back to the queue, once (processing again is safe: its
rows are written in one transaction, which died with the worker); if its worker stops again it
fails, saying so, rather than stopping worker after worker (a file too large for a worker's
memory would). A committing batch goes back to review, saying to press "Ghi vào hồ sơ" again.

PostgreSQL session locks would say the same without a table, but they do not hold behind
PgBouncer in transaction mode (docs/deployment.md), so the lease is a row.
"""

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.db import close_old_connections, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import audit_log

from .models import Batch, BatchLease, error_words

RENEW_EVERY = 15.0  # seconds
LOST_AFTER = timedelta(minutes=2)

# A batch is processed at most this many times by workers that stop mid-way.
PROCESS_ATTEMPTS = 2
REQUEUED = _("Máy xử lý nền đã dừng giữa chừng; lô đang chờ xử lý lại.")
STOPPED_PROCESSING = _(
    "Việc xử lý bị dừng giữa chừng hai lần vì máy xử lý nền đã dừng; hồ sơ không thay đổi. "
    "Hãy chia tệp thành các tệp nhỏ hơn rồi tải lên lại, hoặc báo quản trị hệ thống."
)
STOPPED_COMMITTING = _(
    "Việc ghi bị dừng giữa chừng vì máy xử lý nền đã dừng; chưa ghi gì vào hồ sơ. "
    "Hãy bấm “Ghi vào hồ sơ” lại."
)

_held: set[int] = set()
_guard = threading.Lock()
_renewer: threading.Thread | None = None


def _renew_forever() -> None:
    while True:
        time.sleep(RENEW_EVERY)
        with _guard:
            ids = set(_held)
        if not ids:
            continue
        try:
            try:
                # Renewed only: a lease its work has just given up is not made again.
                BatchLease.objects.filter(batch_id__in=ids).update(seen_at=timezone.now())
            finally:
                close_old_connections()
        except Exception:  # the next round tries again; a lease lives two minutes
            logging.getLogger("partyorg.leases").exception("lease renewal failed")


@contextmanager
def held(batch_id: int) -> Iterator[None]:
    """Hold the batch's lease while the block runs (the work of one worker on one batch)."""
    global _renewer
    BatchLease.objects.update_or_create(batch_id=batch_id, defaults={"seen_at": timezone.now()})
    with _guard:
        _held.add(batch_id)
        if _renewer is None or not _renewer.is_alive():
            _renewer = threading.Thread(target=_renew_forever, name="lease-renewer", daemon=True)
            _renewer.start()
    try:
        yield
    finally:
        with _guard:
            _held.discard(batch_id)
        BatchLease.objects.filter(batch_id=batch_id).delete()


def reap() -> list[int]:
    """Hand back the batches whose worker stopped; returns their ids."""
    cutoff = timezone.now() - LOST_AFTER
    reaped = []
    for batch_id in BatchLease.objects.filter(seen_at__lt=cutoff).values_list(
        "batch_id", flat=True
    ):
        with transaction.atomic():
            # A batch being committed is locked by its commit: skipped, it is alive.
            batch = (
                Batch.objects.select_for_update(skip_locked=True)
                .filter(pk=batch_id)
                .only("id", "status", "attempts")
                .first()
            )
            lease = BatchLease.objects.select_for_update().filter(
                batch_id=batch_id, seen_at__lt=cutoff
            )
            if batch is None or not lease.exists():
                continue  # locked (alive), renewed meanwhile, or gone with its batch
            lease.delete()
            requeued = False
            if batch.status == Batch.Status.PROCESSING and batch.attempts < PROCESS_ATTEMPTS:
                Batch.objects.filter(pk=batch_id).update(
                    status=Batch.Status.QUEUED,
                    error="",
                    error_en="",
                    progress=0,
                    progress_note=str(REQUEUED),
                )
                from .tasks import batch_process

                # In the same transaction, as an upload's: queued exactly when it says so.
                batch_process.enqueue(batch_id)
                requeued = True
            elif batch.status == Batch.Status.PROCESSING:
                Batch.objects.filter(pk=batch_id).update(
                    status=Batch.Status.FAILED, progress=100, **error_words(STOPPED_PROCESSING)
                )
            elif batch.status == Batch.Status.COMMITTING:
                Batch.objects.filter(pk=batch_id).update(
                    status=Batch.Status.REVIEW,
                    progress=100,
                    **error_words(STOPPED_COMMITTING),
                    progress_note="",
                )
            else:
                continue  # it finished; only its lease was left
            audit_log(
                actor=None,
                action="batch.worker_lost",
                object_type="batch",
                object_id=batch_id,
                detail={"status": batch.status, "attempts": batch.attempts, "requeued": requeued},
            )
            reaped.append(batch_id)
    return reaped
