"""Benchmark of the registry at national scale on PostgreSQL.

Generates (or reuses) the `nation` data set, then measures the server time of the organisation
page at the root, a province, a ward and a cell, member search within a province (common names, then
rare full names and their typed starts) and within a ward, CCCD search, and peak memory.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/partyorg_bench .venv/bin/python bench/registry.py [--scale nation] [--fresh]
"""

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.pgdb import prepare_database, require_postgresql

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partyorg.settings")
# Not production: the settings refuse to start without a key (or DEBUG, which a bench must not
# run with: it keeps every query in memory).
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/partyorg_bench")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
# One official asking hundreds of times a minute is the point here, not abuse.
os.environ.setdefault("PARTYORG_SEARCH_RATE", "1000000")


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18] if len(samples) >= 20 else max(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", default="nation", choices=["ward", "city", "nation"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fresh", action="store_true", help="drop and regenerate the data")
    parser.add_argument("--repeat", type=int, default=60)
    args = parser.parse_args()
    url = os.environ["DATABASE_URL"]
    require_postgresql(url, "bench/registry.py")
    prepare_database(url, fresh=args.fresh)

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
    figures: list[str] = []
    if not Org.objects.exists():
        started = time.monotonic()
        call_command("generate", scale=args.scale, seed=args.seed)
        load = time.monotonic() - started
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        figures.append(
            f"generate+load {args.scale}: {Member.objects.count():,} members, {Org.objects.count():,} organisations in {load:.0f} s"
        )
    user, _ = User.objects.get_or_create(username="bench-central")
    root = Org.objects.get(parent__isnull=True)
    if not Grant.objects.filter(user=user).exists():
        Grant.objects.create(user=user, org=root, role=Role.VIEWER, granted_at=timezone.now())
    province = (
        Org.objects.filter(kind=Kind.PROVINCE, code="79").first()
        or Org.objects.filter(kind=Kind.PROVINCE).first()
    )
    ward = Org.objects.filter(parent=province, kind=Kind.COMMUNE).order_by("path").first()
    assert province is not None
    assert ward is not None, "no commune committee: generate data first"
    cell = Org.objects.filter(path__startswith=ward.path, kind=Kind.CELL).order_by("path").first()
    assert cell is not None
    client = Client()
    client.force_login(user)
    # An official's session, as a level-2 e-ID login leaves it (officer pages need level 2).
    session = client.session
    session["assurance_level"], session["login_method"] = 2, "eid"
    session.save()

    def timed(url: str) -> list[float]:
        samples = []
        for _i in range(args.repeat):
            t0 = time.perf_counter()
            response = client.get(url)
            samples.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        return samples[3:]

    for label, org in (("root", root), ("province", province), ("ward", ward), ("cell", cell)):
        s = timed(f"/orgs/{org.code}/")
        figures.append(
            f"org page {label:<9} p50 {statistics.median(s):6.1f} ms  p95 {_p95(s):6.1f} ms"
        )
    names = ["nguyen van", "tran thi thu", "le minh", "pham", "hoang anh", "vo thi"]

    def searched(org: Org, queries: list[str]) -> list[float]:
        samples: list[float] = []
        for q in queries * max(1, args.repeat // len(queries)):
            t0 = time.perf_counter()
            response = client.get(f"/orgs/{org.code}/members/", {"q": q})
            samples.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200
        return samples

    search = searched(province, names)
    figures.append(
        f"member search in {province.name}: p50 {statistics.median(search):.1f} ms  p95 {_p95(search):.1f} ms"
    )
    # Rare names: the whole folded names of six members of the province, spread over its rows,
    # and the same typed as far as the start of the last word (typeahead).
    in_province = Member.objects.filter(org_path__startswith=province.path).order_by("id")
    total = in_province.count()
    full_names = [
        fold(in_province.values_list("full_name", flat=True)[total * k // 6]) for k in range(6)
    ]
    rare = full_names + [name[: name.rfind(" ") + 2] for name in full_names]
    s = searched(province, rare)
    figures.append(
        f"member search in province, full names and their starts: p50 {statistics.median(s):.1f} ms  p95 {_p95(s):.1f} ms  max {max(s):.1f} ms"
    )
    s = searched(ward, names)
    figures.append(
        f"member search in a ward ({ward.name}): p50 {statistics.median(s):.1f} ms  p95 {_p95(s):.1f} ms"
    )
    cccd = (
        Member.objects.filter(org__path__startswith=province.path)
        .values_list("cccd", flat=True)
        .first()
    )
    s = timed(f"/orgs/{province.code}/members/?q={cccd}")
    figures.append(
        f"CCCD search in province: p50 {statistics.median(s):.1f} ms  p95 {_p95(s):.1f} ms"
    )
    figures.append(
        f"peak memory (this process): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )
    print("\n".join(figures))
    print(
        f"\nreproduce: DATABASE_URL={url} .venv/bin/python bench/registry.py --scale {args.scale} --seed {args.seed} --fresh"
    )


if __name__ == "__main__":
    main()
