"""partyorg clean FILE... --out OUT.csv [--org CODE] [--today dd/mm/yyyy]

The import pipeline (parse -> clean -> match) without touching the registry: one output
row per input row, standardised, with duplicate groups and problem codes. With --org it
also matches against the members of that organisation's subtree (read only).
"""

import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.gcpause import gc_paused
from lib.cleaning.match import DEFAULT_THRESHOLD, Person
from lib.cleaning.parse import ParseError
from lib.cleaning.pipeline import clean_files, write_clean_csv
from lib.cleaning.rules import RULES


def _registry(org_code: str) -> list[Person]:
    from members.models import Member
    from orgs.models import Org

    try:
        org = Org.objects.get(code=org_code)
    except Org.DoesNotExist:
        raise CommandError(
            f"Không có tổ chức đảng mã {org_code} / No organisation with code {org_code}"
        ) from None
    rows = Member.objects.filter(org__path__startswith=org.path).values_list(
        "id", "full_name", "sex", "birth_date", "cccd", "phone", "hometown"
    )
    return [
        Person(f"member:{pk}", name, sex, birth, cccd, phone, hometown)
        for pk, name, sex, birth, cccd, phone, hometown in rows.iterator(chunk_size=5000)
    ]


def _today(text: str | None) -> date:
    if not text:
        from django.utils import timezone

        return timezone.localdate()
    try:
        return datetime.strptime(text, "%d/%m/%Y").date()
    except ValueError:
        raise CommandError(
            f"--today phải có dạng dd/mm/yyyy / --today must be dd/mm/yyyy: {text!r}"
        ) from None


class Command(BaseCommand):
    help = (
        "Chuẩn hóa tệp danh sách đảng viên, không ghi vào cơ sở dữ liệu / "
        "Clean member spreadsheets without touching the registry."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
        parser.add_argument("--out", required=True, type=Path, help="the clean CSV to write")
        parser.add_argument("--org", help="also match against this organisation's members")
        parser.add_argument("--today", help="dd/mm/yyyy; default: today in Việt Nam")
        parser.add_argument("--threshold", type=int, default=DEFAULT_THRESHOLD)

    @gc_paused()  # a bulk path: see core.gcpause
    def handle(self, *args: Any, **options: Any) -> None:
        from tqdm import tqdm

        today = _today(options["today"])
        registry = _registry(options["org"]) if options["org"] else []
        bars: dict[str, Any] = {}
        quiet = options["verbosity"] == 0

        def progress(stage: str, done: int, total: int) -> None:
            if quiet:
                return
            bar = bars.get(stage)
            if bar is None:
                for other in bars.values():
                    other.close()
                units = {"parse": "tệp/files", "clean": "dòng/rows", "match": "bước/step"}
                bar = bars[stage] = tqdm(
                    total=total, desc=stage, unit=units.get(stage, ""), file=sys.stderr
                )
            bar.total = total
            bar.n = done
            bar.refresh()

        try:
            result = clean_files(
                options["files"],
                today=today,
                registry=registry,
                threshold=options["threshold"],
                progress=progress,
            )
        except ParseError as error:
            # One line naming the file, in both languages; never a traceback.
            raise CommandError(f"{error.message_vi} / {error.message_en}") from None
        finally:
            for bar in bars.values():
                bar.close()
        written = write_clean_csv(result, options["out"])
        self._summary(result, written, options["out"], len(registry))

    def _summary(self, result: Any, written: int, out: Path, registry: int) -> None:
        counts = result.counts()
        groups = len(set(result.groups.values()))
        self.stdout.write(
            f"{written} dòng/rows -> {out}; {groups} nhóm trùng/duplicate groups"
            + (f" (so với/against {registry} đảng viên/members)" if registry else "")
        )
        order = {"error": 0, "warning": 1, "info": 2}
        for code, count in sorted(
            counts.items(), key=lambda kv: (order[RULES[kv[0]].severity], -kv[1], kv[0])
        ):
            rule = RULES[code]
            self.stdout.write(
                f"{count:>8}  {rule.severity:<7}  {code:<34} {rule.title_vi} / {rule.title_en}"
            )
