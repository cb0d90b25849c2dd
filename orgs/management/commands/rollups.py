"""partyorg rollups {rebuild,fold,check}: the subtree counters."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from orgs.models import OrgCount
from orgs.rollups import rollups_fold, rollups_rebuild


class Command(BaseCommand):
    help = "Bộ đếm theo cây tổ chức / subtree counters: rebuild from the data, fold pending deltas, or check."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["rebuild", "fold", "check"])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "fold":
            total = 0
            while n := rollups_fold():
                total += n
            self.stdout.write(f"{total} deltas folded")
        elif options["action"] == "rebuild":
            rows = rollups_rebuild()
            self.stdout.write(f"{rows} counters rebuilt")
        else:
            while rollups_fold():
                pass
            live = dict(
                ((o, k), v)
                for o, k, v in OrgCount.objects.exclude(value=0).values_list(
                    "org_id", "key", "value"
                )
            )
            with transaction.atomic():
                rollups_rebuild()
                rebuilt = dict(
                    ((o, k), v)
                    for o, k, v in OrgCount.objects.exclude(value=0).values_list(
                        "org_id", "key", "value"
                    )
                )
                transaction.set_rollback(True)
            differ = {k for k in live.keys() | rebuilt.keys() if live.get(k) != rebuilt.get(k)}
            if differ:
                self.stdout.write(f"{len(differ)} counters differ, e.g. {sorted(differ)[:5]}")
                raise SystemExit(1)
            self.stdout.write(f"{len(live)} counters agree with the data")
