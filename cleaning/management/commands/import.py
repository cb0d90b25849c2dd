"""partyorg import FILE... --org CODE [--commit]: the import pipeline from the command line."""

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from cleaning.commit import batch_commit
from cleaning.models import Batch
from cleaning.selectors import rule_summary
from cleaning.services import batch_cancel, batch_create, open_blockers
from orgs.models import Org


class Command(BaseCommand):
    help = "Nhập tệp đảng viên vào một tổ chức (mặc định chạy thử) / import member files into an organisation (dry run by default)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+")
        parser.add_argument("--org", required=True, help="mã tổ chức / organisation code")
        parser.add_argument(
            "--commit", action="store_true", help="ghi vào hồ sơ / write to the registry"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        org = Org.objects.filter(code=options["org"]).first()
        if org is None:
            raise CommandError(
                f"Không có tổ chức mã {options['org']} / no organisation with code {options['org']}"
            )
        uploads = []
        for name in options["files"]:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"Không thấy tệp {name} / file not found: {name}")
            uploads.append(SimpleUploadedFile(path.name, path.read_bytes()))
        try:
            with transaction.atomic():
                batch = batch_create(org=org, uploads=uploads, by=None)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        # Without a worker the task ran (or runs) here: wait for it in this process.
        if batch.status in (Batch.Status.QUEUED, Batch.Status.PROCESSING):
            from cleaning.services import batch_process

            batch = batch_process(batch)
        if batch.status == Batch.Status.FAILED:
            raise CommandError(batch.error)
        self.stdout.write(f"Lô / batch #{batch.pk}: {batch.rows_total} dòng / rows")
        for rule in rule_summary(batch):
            self.stdout.write(
                f"  {rule['count']:>7}  {rule['severity']:<8} {rule['code']:<32} {rule['title']}"
            )
        rows, duplicates = open_blockers(batch)
        self.stdout.write(
            f"Lỗi chặn / blocking: {rows} dòng / rows, {duplicates} nghi trùng / duplicate candidates"
        )
        if not options["commit"]:
            batch_cancel(batch=batch, by=None)
            self.stdout.write(
                "Chạy thử: hồ sơ không thay đổi / dry run: the registry is unchanged (--commit to write)"
            )
            return
        try:
            summary = batch_commit(batch=batch, by=None)
        except ValidationError as error:
            raise CommandError(
                "; ".join(error.messages) + f" (xem lô / see batch #{batch.pk})"
            ) from None
        self.stdout.write(f"Đã ghi / committed: {summary}")
