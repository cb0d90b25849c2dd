"""The handbook's interim error reports become correction requests when ErrorReport retires."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from conftest import make_world
from core.tick import tick
from corrections.models import Request, Status
from corrections.selectors import queue_counts

BEFORE = [("handbook", "0002_documents_reports_counting")]
AFTER = [("handbook", "0004_remove_errorreport")]


@pytest.mark.django_db(transaction=True)
def test_error_reports_become_requests_at_their_members_cell() -> None:
    world = make_world()
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    ErrorReport = old.get_model("handbook", "ErrorReport")
    sent = timezone.now()
    ErrorReport.objects.create(
        member_id=world.members[0].pk,
        field="phone",
        shown_value=world.members[0].phone,
        message="Số đúng là 0912 345 678",
        created_at=sent,
        by_id=world.users["member"].pk,
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    request = Request.objects.get()
    assert (request.member_id, request.field, request.status) == (
        world.members[0].pk,
        "phone",
        Status.REVIEW,
    )
    assert request.org_id == world.cell.pk and request.filed_at == sent
    assert request.reason == "Số đúng là 0912 345 678"
    assert request.filed_by_id == world.users["member"].pk
    assert [s.action for s in request.steps.all()] == ["filed"]
    tick()
    assert queue_counts(world.ward)["review"] == 1
