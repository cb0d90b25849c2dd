"""partyorg audit verify: walk the hash chain of the audit log."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from audit.services import audit_seal, audit_verify


class Command(BaseCommand):
    help = "Kiểm tra chuỗi băm của nhật ký kiểm toán / verify the audit log's hash chain."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "seal"])

    def handle(self, *args: Any, **options: Any) -> None:
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
