"""partyorg demo: load demo data if the registry is empty, create the demo logins, print them."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.demo import DEMO_PASSWORD, demo_totp_secret
from demo.logins import demo_users_create
from orgs.models import Org


class Command(BaseCommand):
    help = "Nạp dữ liệu mẫu và tạo tài khoản trình diễn / load demo data and create demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=["ward", "city", "nation"], default="city")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--members", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.PARTYORG_DEMO:
            raise CommandError(
                "Demo logins are off in production (set PARTYORG_DEMO=1 to allow them)."
            )
        if not Org.objects.exists():
            self.stdout.write(f"Đang nạp dữ liệu mẫu ({options['scale']}) / loading demo data…")
            # The web server may be answering already (make run): its login page says the data
            # is loading while this file exists.
            loading = Path(settings.PARTYORG_DEMO_LOADING)
            loading.parent.mkdir(parents=True, exist_ok=True)
            loading.touch()
            try:
                call_command(
                    "generate",
                    scale=options["scale"],
                    seed=options["seed"],
                    members=options["members"],
                )
                personas = demo_users_create()
            finally:
                loading.unlink(missing_ok=True)
        else:
            personas = demo_users_create()
        self.stdout.write(
            f"\nTài khoản trình diễn / demo logins (mật khẩu / password: {DEMO_PASSWORD})"
        )
        self.stdout.write("  quantri      quản trị hệ thống / superuser (/admin/)")
        for p in personas:
            where = p.org.name if p.org else (p.member.full_name if p.member else "—")
            self.stdout.write(f"  {p.username:<12} {p.label} — {where}")
        self.stdout.write(
            "\nXác thực hai lớp / two-factor (TOTP) secrets of the demo officials — add one to an\n"
            "authenticator app, or, in this demo only (DEBUG=1), read the current code shown on\n"
            "the verification page:"
        )
        for username in ["quantri", *(p.username for p in personas if p.role)]:
            self.stdout.write(f"  {username:<12} {demo_totp_secret(username)}")
