"""Background work of the import pipeline (django.tasks; `partyorg worker` runs it)."""

from django.tasks import task

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
        Batch.objects.filter(pk=batch_id, status=Batch.Status.PROCESSING).update(
            status=Batch.Status.FAILED,
            error=f"{type(error).__name__}: {error}"[:2000],
            progress=100,
        )
        raise
