"""Two officials approving one request at the same moment: one approval, one clear refusal."""

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from conftest import make_world
from corrections.models import Action, Request, Status, Step
from corrections.services import request_act, request_file
from members.models import FieldChange


@pytest.mark.django_db(transaction=True)
def test_two_approvals_racing_approve_once() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL (SQLite writes one transaction at a time)")
    world = make_world()
    request = request_file(
        member=world.members[0],
        field="phone",
        proposed="0912345678",
        reason="Số mới",
        by=world.users["member"],
    )
    approved, release = threading.Event(), threading.Event()
    outcomes: dict[str, str] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                request_act(request=request, action=Action.APPROVED, by=world.users["approver"])
                approved.set()
                release.wait(10)  # still holding the row's lock
            outcomes["first"] = "approved"
        finally:
            connection.close()

    def second() -> None:
        try:
            request_act(request=request, action=Action.APPROVED, by=world.users["ward"])
            outcomes["second"] = "approved"
        except ValidationError as error:
            outcomes["second"] = " ".join(error.messages)
        finally:
            connection.close()

    one = threading.Thread(target=first)
    one.start()
    assert approved.wait(10)
    two = threading.Thread(target=second)
    two.start()
    time.sleep(0.5)  # the second waits on the lock the first holds
    assert "second" not in outcomes
    release.set()
    one.join()
    two.join()
    assert outcomes["first"] == "approved"
    assert "không còn chờ cấp này xử lý" in outcomes["second"]
    assert Request.objects.get(pk=request.pk).status == Status.APPROVED
    assert Step.objects.filter(request=request, action=Action.APPROVED).count() == 1
    assert FieldChange.objects.filter(member=world.members[0], field="phone").count() == 1
