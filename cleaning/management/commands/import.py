"""partyorg import FILE... --org CODE [--commit]: the import pipeline from the command line."""

import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from cleaning.commit import batch_commit
from cleaning.models import Batch
from cleaning.selectors import rule_summary
from cleaning.services import (
    MAX_UPLOAD_BYTES,
    batch_cancel,
    batch_create,
    batch_process,
    open_blockers,
)
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
            if path.stat().st_size > MAX_UPLOAD_BYTES:  # refused before it is read into memory
                raise CommandError(
                    f"Tệp {path.name} lớn quá 100 MB / file {path.name} is over 100 MB"
                )
            uploads.append(SimpleUploadedFile(path.name, path.read_bytes()))
        try:
            with transaction.atomic():
                # Processed here, not queued: no worker takes it meanwhile.
                batch = batch_create(org=org, uploads=uploads, by=None, queue=False)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        batch = self._process(batch, quiet=options["verbosity"] == 0)
        if batch.status == Batch.Status.FAILED:
            raise CommandError(f"{batch.error} / {batch.error_en}")
        self.stdout.write(f"Lô / batch #{batch.pk}: {batch.rows_total} dòng / rows")
        for rule in rule_summary(batch):
            self.stdout.write(
                f"  {rule['count']:>7}  {rule['severity']:<8} {rule['code']:<32} "
                f"{rule['title']} / {rule['title_en']}"
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

    def _process(self, batch: Batch, *, quiet: bool) -> Batch:
        """Parse, clean and match the batch here, with a progress bar on standard error."""
        from tqdm import tqdm

        bar = tqdm(total=100, unit="%", file=sys.stderr, disable=quiet)

        def progress(percent: int, note: str) -> None:
            bar.set_description_str(note, refresh=False)
            bar.update(percent - bar.n)

        with bar:
            batch = batch_process(batch, progress=progress)
            bar.update(100 - bar.n)
        return batch
