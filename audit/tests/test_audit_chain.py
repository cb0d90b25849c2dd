"""The audit log: written with every change, chained by hashes, tampering detected."""

from django.core.management import call_command
from django.db import connection

from audit.models import AuditEvent, AuditSeal
from audit.services import audit_log, audit_seal, audit_verify
from conftest import World
from core.tick import tick


def test_every_change_in_the_world_was_audited_and_sealed(world: World) -> None:
    tick()
    assert AuditEvent.objects.filter(action="member.create").count() == len(world.members) + 1
    assert AuditSeal.objects.count() == AuditEvent.objects.count()
    assert audit_verify().ok


def test_it_detects_an_edited_event(world: World) -> None:
    tick()
    event = AuditEvent.objects.order_by("id")[2]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_append_only"
            )
        cursor.execute("UPDATE audit_auditevent SET action = 'nothing' WHERE id = %s", [event.id])
    result = audit_verify()
    assert not result.ok and str(event.id) in result.problem


def test_it_detects_a_deleted_event(world: World) -> None:
    tick()
    event = AuditEvent.objects.order_by("id")[1]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_append_only"
            )
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.id])
    assert "missing" in audit_verify().problem


def test_postgresql_itself_refuses_to_change_the_log(world: World) -> None:
    import pytest

    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only")
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(id=AuditEvent.objects.first().id).update(action="x")  # type: ignore[union-attr]


def test_sealing_is_idempotent_and_chains_late_events(db: None) -> None:
    audit_log(actor=None, action="a")
    assert audit_seal() == 1
    assert audit_seal() == 0
    audit_log(actor=None, action="b")
    audit_seal()
    assert audit_verify().ok and audit_verify().checked == 2


def test_the_verify_command_says_ok(world: World, capsys) -> None:
    tick()
    call_command("audit", "verify")
    assert "OK" in capsys.readouterr().out


def test_an_events_digest_is_the_one_chains_were_sealed_with() -> None:
    """Pinned: a change to how an event is digested would make every sealed chain fail."""
    from datetime import datetime, timedelta, timezone
    from types import SimpleNamespace

    from audit.services import event_digest

    event = SimpleNamespace(
        id=42,
        at=datetime(2026, 11, 23, 8, 5, 1, 20, tzinfo=timezone(timedelta(hours=7))),
        actor_id=7,
        actor_label="cán bộ",
        action="member.update",
        object_type="member",
        object_id="1234",
        ip="10.0.0.1",
        detail={
            "fields": ["full_name", "birth_date"],
            "batch": 3,
            "note": 'Đổi "A"\n\u2028',
            "a": 1.5,
        },
    )
    assert (
        event_digest(event, "0" * 64)
        == "aa36b6336ba006bcd5443793cd282c549d53c82233a78fb798aed40658a35c5c"
    )
