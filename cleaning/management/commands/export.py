"""partyorg export members --org CODE --format csv|xlsx [--with-provenance] [--out FILE]."""

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from audit.services import audit_log
from cleaning.exports import export_header, export_rows
from members.exports import write_members_csv, write_members_xlsx
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
        header = export_header(with_provenance=options["with_provenance"])
        stamp = f"Xuất bởi / exported by {options['by'] or 'partyorg'} {timezone.localtime():%d/%m/%Y %H:%M}"
        rows = export_rows(org, with_provenance=options["with_provenance"])
        if options["format"] == "xlsx":
            count = write_members_xlsx(options["out"], rows=rows, header=header, stamp=stamp)
        elif options["out"] == "-":
            count = write_members_csv(sys.stdout, rows=rows, header=header, stamp=stamp)
        else:
            with open(options["out"], "w", newline="", encoding="utf-8-sig") as out:
                count = write_members_csv(out, rows=rows, header=header, stamp=stamp)
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
