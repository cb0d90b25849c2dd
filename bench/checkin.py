"""Benchmark of meeting check-ins on PostgreSQL with the city's data: a ward's storm, then the
whole city's sustained rate, through the real check-in page, served by uvicorn, with the counters
folded by `partyorg worker --tick-only` (PARTYORG_TICK=worker, as in production).

1. Ward storm: --ward-members members of one ward (the largest; if no ward has that many, the
   next largest are merged into it first, as the 2025 reorganisation merged wards, once, in the
   bench's database) check in at their cells' meetings within --ward-seconds.
2. City: --rate check-ins a second for --seconds, across cells drawn from the whole city.

Each check-in is a member's own logged-in session posting the code the secretary's screen shows
(computed from the meeting's key, as the QR page does), from locust (FastHttpUser) on loopback.
Afterwards every organisation's `mt.checkins` counter (cells, the ward, the city, the root) is
compared with the check-ins recorded in the rows of its subtree. The bench's meetings, check-ins
and sessions are taken back out at the end (its members' accounts are kept for the next run).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/partyorg_bench_checkin SECRET_KEY=… .venv/bin/python bench/checkin.py [--workers 2] [--rate 500] [--seconds 60] [--ward-members 5000] [--ward-seconds 60]
"""

import argparse
import csv
import json
import os
import random
import shlex
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.live import _server_env, _wait_for_port
from bench.pgdb import prepare_database, require_postgresql

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partyorg.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/partyorg_bench_checkin")
os.environ["PARTYORG_TICK"] = "worker"
BENCH_USER = "bench-checkin"
MEMBER_PREFIX = "bench-ci-"


def _setup(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from orgs.models import Org

    call_command("migrate", verbosity=0)
    if not Org.objects.exists():
        call_command("generate", scale="city", seed=1, no_progress=True)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _clean_up() -> int:
    """Take out the bench's meetings (and the counters their check-ins added) and sessions."""
    from django.contrib.sessions.models import Session

    from meetings.models import Attendance, Meeting
    from orgs.rollups import counts_changed, rollups_fold

    meetings = Meeting.objects.filter(created_by__username=BENCH_USER)
    checked = Counter(
        Attendance.objects.filter(meeting__in=meetings, checked_in_at__isnull=False).values_list(
            "meeting__cell_id", flat=True
        )
    )
    from django.db import transaction

    with transaction.atomic():
        counts_changed({(cell_id, "mt.checkins"): -n for cell_id, n in checked.items()})
        Attendance.objects.filter(meeting__in=meetings).delete()
        removed, _ = meetings.delete()
    while rollups_fold():
        pass
    Session.objects.filter(session_key__startswith="benchci").delete()
    return removed


def _storm_ward(target: int) -> tuple[Any, list[str]]:
    """The ward of the storm: the largest, with the next largest merged into it until it has
    `target` invitable members (once: the merge stays in the bench's database)."""
    from datetime import date

    from members.models import ACTIVE_STATUSES, Member
    from members.reorg import org_merge
    from orgs.models import Kind, Org
    from orgs.rollups import counts_of, rollups_fold

    wards = list(Org.objects.filter(kind=Kind.COMMUNE, status=Org.Status.ACTIVE))
    sizes = counts_of([w.id for w in wards], ["members"])
    wards.sort(key=lambda w: (-sizes.get(w.id, {}).get("members", 0), w.path))
    ward, merged = wards[0], list[str]()

    def invitable() -> int:
        return Member.objects.filter(
            org_path__startswith=ward.path, status__in=ACTIVE_STATUSES, exempt=False
        ).count()

    while invitable() < target:
        source = wards[len(merged) + 1]
        org_merge(sources=[source], target=ward, on=date.today())
        merged.append(source.name)
        ward.refresh_from_db()
    while rollups_fold():
        pass
    return ward, merged


def _meetings_for(cells: list[Any], by: Any) -> dict[int, Any]:
    from django.utils import timezone

    from meetings.services import meeting_schedule

    starts = timezone.now() + timedelta(minutes=30)
    return {
        cell.id: meeting_schedule(
            cell=cell,
            kind="regular",
            topic="Sinh hoạt chi bộ (bench)",
            starts_at=starts,
            place="Hội trường",
            by=by,
        )
        for cell in cells
    }


def _sessions(member_ids: list[int]) -> dict[int, str]:
    """A logged-in session for each member's account (made once), written in bulk."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from accounts.middleware import SESSION_SEEN
    from accounts.models import User

    existing = dict(User.objects.filter(member_id__in=member_ids).values_list("member_id", "id"))
    new = [
        User(username=f"{MEMBER_PREFIX}{m}", member_id=m, password="!bench")
        for m in member_ids
        if m not in existing
    ]
    User.objects.bulk_create(new, batch_size=5000)
    users = {u.member_id: u for u in User.objects.filter(member_id__in=member_ids)}
    store = SessionStore()
    expire = timezone.now() + timedelta(days=1)
    keys: dict[int, str] = {}
    rows = []
    for member_id in member_ids:
        user = users[member_id]
        key = "benchci" + get_random_string(25)
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: user.get_session_auth_hash(),
            "assurance_level": 2,
            "login_method": "eid",
            "_session_expiry": settings.PARTYORG_MEMBER_IDLE_SECONDS,
            # The member opened the check-in page (the QR code's address) a moment ago.
            SESSION_SEEN: int(time.time()),
        }
        rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expire))
        keys[member_id] = key
    Session.objects.bulk_create(rows, batch_size=5000)
    return keys


def _plan(
    members: list[tuple[int, int]],
    meetings: dict[int, Any],
    sessions: dict[int, str],
    path: Path,
) -> None:
    """The locust plan: (session, meeting) in arrival order, and each meeting's code key."""
    from django.urls import reverse

    from meetings.services import checkin_key

    plan = {
        "url": reverse("meetings:checkin", args=[987654321]).replace("987654321", "%d"),
        "checkins": [[sessions[m], meetings[cell].pk] for m, cell in members],
        "keys": {str(mt.pk): checkin_key(mt).hex() for mt in meetings.values()},
    }
    path.write_text(json.dumps(plan))


def _locust(
    args: argparse.Namespace, plan: Path, rate: float, seconds: float, out: Path
) -> dict[str, Any]:
    """Check-ins at `rate` a second from --users locust users (each at most one request in
    flight): the server's threads, and so its database connections, stay bounded."""
    users = args.users
    env = dict(os.environ)
    env["CHECKIN_PLAN"] = str(plan)
    env["CHECKIN_PER_USER"] = str(rate / users)
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(ROOT / "bench" / "checkin_locust.py"),
        "--headless",
        "--only-summary",
        "-u",
        str(users),
        "-r",
        str(max(users, 1)),
        "-t",
        f"{int(seconds + 15)}s",
        "--host",
        f"http://127.0.0.1:{args.port}",
        "--csv",
        str(out),
        "--loglevel",
        "WARNING",
    ]
    started = time.monotonic()
    subprocess.run(command, env=env, cwd=ROOT, check=False, stdout=subprocess.DEVNULL)
    elapsed = time.monotonic() - started
    with open(f"{out}_stats.csv") as handle:
        row = next(r for r in csv.DictReader(handle) if r["Name"] == "Aggregated")
    with open(f"{out}_stats_history.csv") as handle:
        history = [r for r in csv.DictReader(handle) if r["Name"] == "Aggregated"]
    return {
        "requests": int(row["Request Count"]),
        "failures": int(row["Failure Count"]),
        "p50": float(row["50%"]),
        "p95": float(row["95%"]),
        "p99": float(row["99%"]),
        "max": float(row["Max Response Time"]),
        "rps": float(row["Requests/s"]),
        "wall": elapsed,
        "span": _span(history, int(row["Request Count"])),
        "history": history,
    }


def _span(history: list[dict[str, str]], total: int) -> float:
    """Seconds from the first check-in's second to the second the last one was counted."""
    seen = [
        (int(h["Timestamp"]), int(h["Total Request Count"]))
        for h in history
        if int(h["Total Request Count"]) > 0
    ]
    if not seen:
        return 0.0
    end = next((t for t, n in seen if n >= total), seen[-1][0])
    return float(end - seen[0][0] + 1)


def _counters_agree(orgs: list[Any]) -> list[str]:
    """Each organisation's mt.checkins counter against the check-ins in its subtree's rows."""
    from meetings.models import Attendance
    from orgs.rollups import counts_of

    counts = counts_of([o.id for o in orgs], ["mt.checkins"])
    wrong = []
    for org in orgs:
        rows = Attendance.objects.filter(
            meeting__cell__path__startswith=org.path, checked_in_at__isnull=False
        ).count()
        counter = counts.get(org.id, {}).get("mt.checkins", 0)
        if rows != counter:
            wrong.append(f"{org.code}: counter {counter}, rows {rows}")
    return wrong


def _cpu_seconds(pids: list[int]) -> float:
    """CPU time (user + system) used so far by these processes and their children."""
    tick = os.sysconf("SC_CLK_TCK")
    total, seen, todo = 0.0, set(), list(pids)
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{pid}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def _fold_wait(timeout: float = 60) -> float:
    from orgs.models import CountDelta

    started = time.monotonic()
    while CountDelta.objects.exists() and time.monotonic() - started < timeout:
        time.sleep(0.1)
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--rate", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--ward-members", type=int, default=5000)
    parser.add_argument("--ward-seconds", type=float, default=60)
    parser.add_argument("--port", type=int, default=8767)
    # Each request in flight holds a database connection (a thread of its own under uvicorn,
    # DB_CONN_MAX_AGE=0): the users bound them, below the server's max_connections.
    parser.add_argument("--users", type=int, default=30, help="locust users (requests in flight)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    url = os.environ["DATABASE_URL"]
    require_postgresql(url, "bench/checkin.py")
    prepare_database(url, fresh=False)
    _setup(args)

    from django.db import connection
    from django.utils import timezone

    from access.models import Grant, Role
    from accounts.models import User
    from meetings.models import Attendance
    from orgs.models import Kind, Org
    from orgs.rollups import counts_of

    _clean_up()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('max_connections')::int - count(*) FROM pg_stat_activity"
        )
        free = cursor.fetchone()[0]
    if args.users > free - 10:
        sys.exit(f"--users {args.users}: the database has {free} free connections, keep 10 spare")
    rng = random.Random(args.seed)
    root = Org.objects.get(parent__isnull=True)
    secretary, _ = User.objects.get_or_create(username=BENCH_USER)
    if not Grant.objects.filter(user=secretary, org=root).exists():
        Grant.objects.create(user=secretary, org=root, role=Role.EDITOR, granted_at=timezone.now())
    secretary.session_assurance_level = 2

    prepared = time.monotonic()
    ward, merged = _storm_ward(args.ward_members)
    cells_kinds = [Kind.CELL, Kind.GRASSROOTS_CELL]
    ward_cells = list(
        Org.objects.filter(path__startswith=ward.path, kind__in=cells_kinds, status="active")
    )
    city_cells = list(
        Org.objects.filter(kind__in=cells_kinds, status="active").exclude(
            path__startswith=ward.path
        )
    )
    rng.shuffle(city_cells)
    ward_meetings = _meetings_for(ward_cells, secretary)
    ward_members = [
        (a.member_id, a.meeting.cell_id)
        for a in Attendance.objects.filter(meeting__in=list(ward_meetings.values())).select_related(
            "meeting"
        )
    ]
    rng.shuffle(ward_members)
    ward_members = ward_members[: args.ward_members]
    wanted = int(args.rate * args.seconds)
    chosen: list[Any] = []
    invited = 0
    # Invitable members of each cell, from its counters (members less those exempted).
    sizes = {
        org_id: c.get("members", 0) - c.get("exempt", 0)
        for org_id, c in counts_of([c.id for c in city_cells], ["members", "exempt"]).items()
    }
    for cell in city_cells:
        if invited >= wanted:
            break
        chosen.append(cell)
        invited += sizes.get(cell.id, 0)
    city_meetings = _meetings_for(chosen, secretary)
    city_members = [
        (a.member_id, a.meeting.cell_id)
        for a in Attendance.objects.filter(meeting__in=list(city_meetings.values())).select_related(
            "meeting"
        )
    ]
    rng.shuffle(city_members)
    city_members = city_members[:wanted]
    sessions = _sessions([m for m, _c in ward_members + city_members])
    folder = Path(tempfile.mkdtemp(prefix="bench-checkin-"))
    _plan(ward_members, ward_meetings, sessions, folder / "ward.json")
    _plan(city_members, city_meetings, sessions, folder / "city.json")
    print(
        f"prepared in {time.monotonic() - prepared:.0f} s: ward {ward.name} "
        f"({len(ward_cells):,} cells, {len(ward_members):,} members checking in"
        + (f"; merged into it: {', '.join(merged)}" if merged else "")
        + f"); city: {len(chosen):,} cells, {len(city_members):,} members"
    )
    connection.close()

    env = _server_env(args.port)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "partyorg.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(args.port),
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=ROOT,
        env=env,
    )
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--tick-only"], cwd=ROOT, env=env
    )
    results = {}
    try:
        _wait_for_port(args.port)
        time.sleep(2)
        ward_rate = len(ward_members) / args.ward_seconds
        pids = [server.pid, worker.pid]
        cpu = _cpu_seconds(pids)
        results["ward"] = _locust(
            args, folder / "ward.json", ward_rate, args.ward_seconds, folder / "ward"
        )
        results["ward"]["cpu"], cpu = _cpu_seconds(pids) - cpu, _cpu_seconds(pids)
        results["city"] = _locust(
            args, folder / "city.json", args.rate, args.seconds, folder / "city"
        )
        results["city"]["cpu"] = _cpu_seconds(pids) - cpu
        fold = _fold_wait()
    finally:
        worker.terminate()
        server.terminate()
        worker.wait(30)
        server.wait(30)

    checked = Attendance.objects.filter(
        meeting__in=[*ward_meetings.values(), *city_meetings.values()], checked_in_at__isnull=False
    ).count()
    watched = [root, Org.objects.get(kind=Kind.PROVINCE), ward, *ward_cells, *chosen]
    wrong = _counters_agree(watched)
    for name, r in results.items():
        label = (
            f"ward storm ({len(ward_members):,} members of one ward)"
            if name == "ward"
            else f"city ({args.rate}/s for {args.seconds:.0f} s)"
        )
        print(
            f"{label}: {r['requests']:,} check-ins in {r['span']:.0f} s ({r['requests'] / max(r['span'], 1):.1f}/s),"
            f" failures {r['failures']}, p50 {r['p50']:.0f} ms, p95 {r['p95']:.0f} ms,"
            f" p99 {r['p99']:.0f} ms, max {r['max']:.0f} ms"
        )
        print(
            f"  CPU of the web server and the tick worker: {r['cpu']:.1f} s,"
            f" {1000 * r['cpu'] / max(r['requests'], 1):.0f} ms a check-in"
        )
        rates = [float(h["Requests/s"]) for h in r["history"] if float(h["Requests/s"]) > 0]
        if rates:
            steady = rates[len(rates) // 4 : 3 * len(rates) // 4] or rates
            print(
                f"  throughput over the run (1 s samples, middle half): {min(steady):.0f}–{max(steady):.0f}/s"
            )
    print(f"check-ins recorded in the rows: {checked:,}; deltas folded {fold:.1f} s after the last")
    print(
        f"counters (mt.checkins) of {len(watched):,} organisations against their rows: "
        + ("all agree" if not wrong else f"{len(wrong)} disagree, e.g. {wrong[0]}")
    )
    removed = _clean_up()
    print(f"taken back out: {removed:,} rows of the bench's meetings")
    print(
        "DATABASE_URL="
        + os.environ["DATABASE_URL"]
        + " SECRET_KEY=… .venv/bin/python bench/checkin.py "
        + shlex.join(sys.argv[1:])
    )


if __name__ == "__main__":
    main()
