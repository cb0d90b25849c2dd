"""partyorg export members --org CODE --format csv|xlsx [--with-provenance] [--out FILE]."""

import contextlib
import csv
import sys
from typing import Any

import xlsxwriter
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from audit.services import audit_log
from cleaning.exports import EXPORT_FIELDS, export_rows
from lib.cleaning.export import neutralise
from orgs.models import Org


class Command(BaseCommand):
    help = "Xuất danh sách đảng viên của một tổ chức / export the members of an organisation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["members"])
        parser.add_argument("--org", required=True)
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("--with-provenance", action="store_true")
        parser.add_argument(
            "--out", default="-", help="tệp ra / output file (- = stdout, csv only)"
        )
        parser.add_argument(
            "--by", default="", help="tên người xuất / who exports (written into the file)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        org = Org.objects.filter(code=options["org"]).first()
        if org is None:
            raise CommandError(
                f"Không có tổ chức mã {options['org']} / no organisation with code {options['org']}"
            )
        if options["format"] == "xlsx" and options["out"] == "-":
            raise CommandError("--format xlsx cần --out FILE / needs --out FILE")
        header = [
            *EXPORT_FIELDS,
            *(
                ["sources", "suspected_duplicates", "open_problems"]
                if options["with_provenance"]
                else []
            ),
        ]
        stamp = f"Xuất bởi / exported by {options['by'] or 'partyorg'} {timezone.localtime():%d/%m/%Y %H:%M}"
        rows = export_rows(org, with_provenance=options["with_provenance"])
        count = 0
        if options["format"] == "csv":
            with contextlib.ExitStack() as stack:
                out = (
                    stack.enter_context(open(options["out"], "w", newline="", encoding="utf-8-sig"))
                    if options["out"] != "-"
                    else sys.stdout
                )
                writer = csv.writer(out)
                writer.writerow([f"# {stamp}"])
                writer.writerow(header)
                for row in rows:
                    writer.writerow([neutralise(str(v)) for v in row])
                    count += 1
        else:
            book = xlsxwriter.Workbook(
                options["out"],
                {
                    "constant_memory": True,
                    "strings_to_formulas": False,
                    "strings_to_numbers": False,
                    "strings_to_urls": False,
                },
            )
            sheet = book.add_worksheet("Đảng viên")
            sheet.write_string(0, 0, stamp)
            for col, name in enumerate(header):
                sheet.write_string(1, col, name)
            for r, row in enumerate(rows, start=2):
                for col, value in enumerate(row):
                    sheet.write_string(r, col, neutralise(str(value)))
                count += 1
            book.close()
        audit_log(
            actor=None,
            action="member.export",
            object_type="org",
            object_id=org.code,
            detail={
                "format": options["format"],
                "rows": count,
                "provenance": options["with_provenance"],
                "by": options["by"],
            },
        )
        self.stderr.write(f"{count} đảng viên / members exported")
