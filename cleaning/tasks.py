"""Background work of the import pipeline (django.tasks; `partyorg worker` runs it)."""

from datetime import timedelta

from django.db import transaction
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Batch


@task()
def batch_process(batch_id: int) -> None:
    from .services import batch_process as process

    batch = Batch.objects.filter(pk=batch_id).first()
    if batch is None:
        return
    try:
        process(batch)
    except Exception as error:
        # The batch says what went wrong; its rows and the registry are untouched.
        technical = f"{type(error).__name__}: {error}"[:2000]
        Batch.objects.filter(pk=batch_id, status=Batch.Status.PROCESSING).update(
            status=Batch.Status.FAILED, error=technical, error_en=technical, progress=100
        )
        raise


# A commit whose province's turn another commit holds is put back for this long, so that its
# worker takes other work meanwhile (processing another batch) rather than wait with its core
# idle; after TURN_DEFERRALS times it waits in line, so a busy province cannot starve it.
TURN_RETRY = timedelta(seconds=1)
TURN_DEFERRALS = 60


@task()
def batch_commit(batch_id: int, user_id: int | None, deferred: int = 0) -> None:
    """Write a batch the page queued (commit.batch_commit_later) into the registry."""
    from django.contrib.auth import get_user_model
    from django.core.exceptions import ValidationError
    from django.utils.translation import override

    from .commit import TurnTaken
    from .commit import batch_commit as commit
    from .leases import held

    batch = Batch.objects.filter(pk=batch_id, status=Batch.Status.COMMITTING).first()
    if batch is None:
        return  # cancelled before its turn, or written already
    by = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    Batch.objects.filter(pk=batch_id, status=Batch.Status.COMMITTING).update(
        progress=50, progress_note=_("Đang ghi %(n)d dòng vào hồ sơ…") % {"n": batch.rows_total}
    )
    defers = deferred < TURN_DEFERRALS and batch_commit.get_backend().supports_defer
    try:
        with held(batch_id):
            commit(batch=batch, by=by, wait=not defers)
    except TurnTaken:
        # Nothing was done: the task goes back to the queue for a moment (in one transaction,
        # so the batch waits exactly when a task will come back to it).
        with transaction.atomic():
            Batch.objects.filter(pk=batch_id, status=Batch.Status.COMMITTING).update(
                progress_note=_("Đang chờ lượt ghi của tỉnh…")
            )
            batch_commit.using(run_after=timezone.now() + TURN_RETRY).enqueue(
                batch_id, user_id, deferred + 1
            )
    except ValidationError as refused:
        # Nothing was written: back in review, saying why in each language (the page shows the
        # reader's).
        words = {}
        for language in ("vi", "en"):
            with override(language):
                words[language] = " ".join(refused.messages)
        _back_to_review(batch_id, words["vi"], words["en"])
    except Exception as error:
        technical = f"{type(error).__name__}: {error}"
        _back_to_review(batch_id, technical, technical)
        raise


def _back_to_review(batch_id: int, why: str, why_en: str) -> None:
    Batch.objects.filter(pk=batch_id, status=Batch.Status.COMMITTING).update(
        status=Batch.Status.REVIEW,
        error=why[:2000],
        error_en=why_en[:2000],
        progress=100,
        progress_note="",
    )
