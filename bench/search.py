"""Benchmark of the member list and its search, on the demo city, on SQLite or PostgreSQL.

Builds (or reuses) the data set, then asks the member list page for a representative mix of
searches at the city, at a ward and at a cell, and prints the server time of the page (the view,
its queries, the count, the template) per kind and level: p50, p95 and max.

Kinds: the list without a search; rare names (a member's whole folded name) and the same typed as
far as two letters of the last word; common surnames and middle names; given names (they cluster
in name order); one-word prefixes ("n", "th", …); nonsense ("xyz"); CCCD prefixes (4, 6, 9 and 12
digits of a member's number); and the list filtered (probationary, women) with and without a name.

    .venv/bin/python bench/search.py                       # SQLite: var/bench-search.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/partyorg_bench_search .venv/bin/python bench/search.py
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.pgdb import prepare_database

ROOT = Path(__file__).resolve().parents[1]

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partyorg.settings")
DEFAULT_URL = f"sqlite:///{ROOT / 'var' / 'bench-search.sqlite3'}"
os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
# One official asking hundreds of times a minute is the point here, not abuse.
os.environ.setdefault("PARTYORG_SEARCH_RATE", "1000000")

COMMON = ["nguyen", "nguyen van", "tran thi", "le", "pham van", "thi"]
GIVEN = ["linh", "trang", "yen", "anh", "hung", "vinh"]
PREFIXES = ["n", "th", "h", "tr", "ng", "v"]
NONSENSE = ["xyz", "qwerty", "zzz", "abc xyz", "nguyen xyz", "q"]


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18] if len(samples) >= 20 else max(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", default="city", choices=["ward", "city", "nation"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fresh", action="store_true", help="drop and regenerate the data")
    parser.add_argument("--repeat", type=int, default=4, help="times each query is asked")
    args = parser.parse_args()
    url = os.environ["DATABASE_URL"]
    if url.startswith("postgres"):
        prepare_database(url, fresh=args.fresh)
    else:
        (ROOT / "var").mkdir(exist_ok=True)
        if args.fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from access.models import Grant, Role
    from accounts.models import User
    from lib.vn.text import fold
    from members.models import Member
    from orgs.models import Kind, Org

    call_command("migrate", verbosity=0)
    if not Org.objects.exists():
        started = time.monotonic()
        call_command("generate", scale=args.scale, seed=args.seed)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        print(
            f"generate {args.scale}: {Member.objects.count():,} members in "
            f"{time.monotonic() - started:.0f} s"
        )
    user, _created = User.objects.get_or_create(username="bench-search")
    root = Org.objects.get(parent__isnull=True)
    if not Grant.objects.filter(user=user).exists():
        Grant.objects.create(user=user, org=root, role=Role.VIEWER, granted_at=timezone.now())
    city = Org.objects.filter(kind=Kind.PROVINCE).order_by("path").first()
    assert city is not None, "no province: generate data first"
    ward = Org.objects.filter(parent=city, kind=Kind.COMMUNE).order_by("path").first()
    assert ward is not None
    cell = (
        Org.objects.filter(path__startswith=ward.path, kind__in=[Kind.CELL, Kind.GRASSROOTS_CELL])
        .order_by("path")
        .first()
    )
    assert cell is not None
    client = Client()
    client.force_login(user)
    # An official's session, as a level-2 e-ID login leaves it (officer pages need level 2).
    session = client.session
    session["assurance_level"], session["login_method"] = 2, "eid"
    session.save()

    def spread(org: Org, n: int) -> list[tuple[str, str]]:
        """(folded name, CCCD) of n members of the subtree, spread over it."""
        rows = Member.objects.filter(org_path__startswith=org.path).order_by("id")
        total = rows.count()
        picked = [rows.values_list("full_name", "cccd")[total * k // n] for k in range(n)]
        return [(fold(name), cccd) for name, cccd in picked]

    def kinds(org: Org) -> dict[str, list[dict[str, str]]]:
        people = spread(org, 6)
        rare = [name for name, _cccd in people]
        return {
            "list": [{}, {"page": "2"}],
            "rare name": [{"q": name} for name in rare],
            "rare, typed": [{"q": name[: name.rfind(" ") + 3]} for name in rare],
            "common name": [{"q": q} for q in COMMON],
            "given name": [{"q": q} for q in GIVEN],
            "prefix": [{"q": q} for q in PREFIXES],
            "nonsense": [{"q": q} for q in NONSENSE],
            "cccd": [
                {"q": cccd[:n]}
                for (_name, cccd), n in zip(people, [4, 6, 9, 12, 6, 9], strict=True)
            ],
            "filtered": [
                {"status": "probationary"},
                {"sex": "F"},
                {"status": "probationary", "sex": "F"},
                {"q": "nguyen", "status": "probationary", "sex": "F"},
                {"q": "linh", "status": "probationary"},
                {"q": rare[0], "status": "all"},
            ],
        }

    def timed(org: Org, params: dict[str, str]) -> tuple[float, float]:
        t0, c0 = time.perf_counter(), time.process_time()
        response = client.get(f"/orgs/{org.code}/members/", params)
        elapsed = (time.perf_counter() - t0) * 1000
        cpu = (time.process_time() - c0) * 1000
        assert response.status_code == 200, (params, response.status_code)
        return elapsed, cpu

    every: list[float] = []
    every_cpu: list[float] = []
    slowest: list[tuple[float, str, dict[str, Any]]] = []
    print(
        f"{connection.vendor}, {Member.objects.count():,} members; server time of the page in ms,"
        " and this process's CPU time (on a shared machine the steadier figure; on SQLite nearly"
        " all the work, on PostgreSQL without the server's)"
    )
    print(
        f"{'kind':<12} {'level':<5} {'n':>4} {'p50':>7} {'p95':>7} {'max':>7}"
        f"  {'cpu p50':>7} {'cpu p95':>7}"
    )
    levels: list[tuple[str, Org]] = [("city", city), ("ward", ward), ("cell", cell)]
    for kind in kinds(city):
        for label, org in levels:
            queries = kinds(org)[kind]
            timed(org, queries[0])  # the first request of a kind warms its code paths
            samples: list[float] = []
            cpus: list[float] = []
            for _round in range(args.repeat):
                for params in queries:
                    elapsed, cpu = timed(org, params)
                    samples.append(elapsed)
                    cpus.append(cpu)
                    slowest.append((elapsed, label, params))
            every += samples
            every_cpu += cpus
            print(
                f"{kind:<12} {label:<5} {len(samples):>4} {statistics.median(samples):7.1f}"
                f" {_p95(samples):7.1f} {max(samples):7.1f}"
                f"  {statistics.median(cpus):7.1f} {_p95(cpus):7.1f}"
            )
    print(
        f"{'all':<12} {'':<5} {len(every):>4} {statistics.median(every):7.1f}"
        f" {_p95(every):7.1f} {max(every):7.1f}"
        f"  {statistics.median(every_cpu):7.1f} {_p95(every_cpu):7.1f}"
    )
    print(f"load average at the end: {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)")
    slowest.sort(key=lambda s: -s[0])
    print(
        "slowest: "
        + "; ".join(f"{ms:.0f} ms {label} {params}" for ms, label, params in slowest[:5])
    )
    prefix = "" if url == DEFAULT_URL else f"DATABASE_URL={url} "
    print(
        f"\nreproduce: {prefix}.venv/bin/python bench/search.py --scale {args.scale}"
        f" --seed {args.seed} --repeat {args.repeat}"
    )


if __name__ == "__main__":
    main()
