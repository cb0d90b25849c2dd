"""partyorg generate --scale {ward,city,nation} --seed N: deterministic synthetic registry data."""

import time
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from audit.services import audit_log
from core.tick import tick
from demo.generate import Generator, plan_for


class Command(BaseCommand):
    help = "Tạo dữ liệu mẫu giống thật (phường, thành phố, cả nước) / Generate realistic synthetic data."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=["ward", "city", "nation"], default="ward")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--members", type=int, default=None, help="override the number of members"
        )
        parser.add_argument(
            "--today", default=None, help="reference date dd/mm/yyyy (default: today)"
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        if options["today"]:
            try:
                day, month, year = (int(x) for x in options["today"].split("/"))
                today = date(year, month, day)
            except ValueError:
                raise CommandError(
                    "--today: nhập ngày theo dạng dd/mm/yyyy / expected dd/mm/yyyy"
                ) from None
        if options["members"] is not None and options["members"] < 1:
            raise CommandError("--members phải lớn hơn 0 / must be positive")
        plan = plan_for(options["scale"], options["members"])
        started = time.monotonic()
        bar = tqdm(
            total=plan.members, unit=" đảng viên", disable=options["no_progress"], smoothing=0.1
        )
        generator = Generator(
            scale=options["scale"],
            seed=options["seed"],
            today=today,
            members=options["members"],
            progress=bar.update,
        )
        written = generator.run()
        bar.close()
        tick()
        audit_log(
            actor=None,
            action="generate",
            detail={"scale": options["scale"], "seed": options["seed"], "members": written},
        )
        tick()
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"{written:,} đảng viên / members in {elapsed:.1f} s ({written / max(elapsed, 0.001):,.0f}/s)"
        )
