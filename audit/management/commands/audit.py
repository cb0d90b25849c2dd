"""partyorg audit verify | seal | member <id>: the hash chain, and every access to one member."""

from collections.abc import Iterator
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import audit_seal, audit_verify


def member_accesses(member_id: int) -> Iterator[AuditEvent]:
    """Every event about one member: reads, changes, events, and lists that showed them."""
    about = Q(object_type="member", object_id=str(member_id))
    if connection.vendor == "postgresql":
        listed = Q(detail__members__contains=[member_id])
        yield from AuditEvent.objects.filter(about | listed).order_by("at", "id").iterator()
        return
    # SQLite has no JSON containment: lists are found by a scan of the list events.
    lists = AuditEvent.objects.filter(detail__has_key="members").exclude(about)
    hits = [e for e in lists.iterator() if member_id in (e.detail.get("members") or [])]
    rows = list(AuditEvent.objects.filter(about)) + hits
    yield from sorted(rows, key=lambda e: (e.at, e.id))


class Command(BaseCommand):
    help = (
        "Kiểm tra chuỗi băm của nhật ký kiểm toán, hoặc liệt kê mọi truy cập tới một đảng viên / "
        "verify the audit log's hash chain, or list every access to one member."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "seal", "member"])
        parser.add_argument("member_id", nargs="?", type=int, help="with `member`: the member id")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "member":
            if options["member_id"] is None:
                raise CommandError("audit member <id>: thiếu mã đảng viên / the member id")
            self._member(options["member_id"])
            return
        if options["action"] == "seal":
            total = 0
            while n := audit_seal():
                total += n
            self.stdout.write(f"{total} events sealed")
            return
        result = audit_verify()
        if result.ok:
            self.stdout.write(
                f"OK: {result.checked} sự kiện, chuỗi nguyên vẹn / events, chain intact"
            )
        else:
            self.stderr.write(f"HỎNG / BROKEN after {result.checked} events: {result.problem}")
            raise SystemExit(1)

    def _member(self, member_id: int) -> None:
        count = 0
        self.stdout.write(
            "thời điểm / at (UTC+7)\tai / who\thành động / action\tđịa chỉ / ip\tchi tiết"
        )
        for event in member_accesses(member_id):
            at = timezone.localtime(event.at).strftime("%d/%m/%Y %H:%M:%S")
            detail = (
                "" if event.object_type == "member" else f"{event.object_type}:{event.object_id}"
            )
            self.stdout.write(
                f"{at}\t{event.actor_label}\t{event.action}\t{event.ip or '-'}\t{detail}"
            )
            count += 1
        self.stdout.write(f"{count} sự kiện / events")
