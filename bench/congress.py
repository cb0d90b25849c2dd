"""Benchmark of the congress monitor on PostgreSQL, with the `nation` data and its demo term.

1. The dashboard's server time at the root, a province and a ward (p50/p95 of --repeat reads):
   the congress dashboard page when its URL (--view, default `congresses:dashboard`) exists,
   else the selectors it reads (figures_for, children_rows, late_children, completion_series,
   effective_targets); then the reports for the level above (xlsx and PDF) once at each level.
2. Live: --rate progress updates a second for --seconds, each one `services.congress_advance`
   (a transaction with its timeline row, counter delta and audit row) from --writers processes,
   while --clients streams of server-sent events watch the root (`orgs:live`, which the
   dashboard follows) under uvicorn with `partyorg worker --tick-only`. Latency is commit →
   the event naming the change received; with --screen each client follows the dashboard's
   own stream instead, as the page does, which carries the live part drawn after each change
   (core.live.Part), and the screen latency is commit → the first part drawn after it received.
   Updates move scheduled congresses to preparing and back (a correction, with its note), so
   the data stays valid however often the bench runs.

Generates the nation (and its term) into its own database when empty; a registry without a
congress term gets the demo term (congresses/demo.py).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/partyorg_bench_congress .venv/bin/python bench/congress.py [--repeat 60] [--clients 50] [--rate 200] [--seconds 60] [--screen]
"""

import argparse
import asyncio
import logging
import multiprocessing
import os
import random
import shlex
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.live import Watcher, _figures, _follow, _quantile, _server_env, _wait_for_port
from bench.pgdb import prepare_database, require_postgresql

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partyorg.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/partyorg_bench_congress")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")
os.environ["PARTYORG_TICK"] = "worker"


def _p95(samples: list[float]) -> float:
    return _quantile(samples, 0.95)


def _ms(samples: list[float]) -> str:
    return (
        f"p50 {statistics.median(samples) * 1000:.1f} ms  p95 {_p95(samples) * 1000:.1f} ms"
        f"  max {max(samples) * 1000:.1f} ms"
    )


def _dashboard_reads(term: Any, org: Any, today: Any) -> int:
    """What the dashboard reads, without its template: every selector it uses."""
    from congresses.selectors import (
        children_rows,
        completion_series,
        effective_targets,
        figures_for,
        late_children,
    )

    figures = figures_for(term, [org], today=today)[org.id]
    rows = children_rows(term, org, today=today)
    late = late_children(term, org, today=today)
    series = completion_series(term, figures)
    targets = effective_targets(term, org)
    figures.makeup()
    return len(rows) + len(late) + len(series) + len(targets)


def _timings(args: argparse.Namespace, term: Any, levels: dict[str, Any], user: Any) -> None:
    from django.test import Client
    from django.urls import NoReverseMatch, reverse
    from django.utils import timezone

    from congresses.reports import report_export

    today = timezone.localdate()
    try:
        reverse(args.view, kwargs={"term_id": term.pk, "code": "x"})
        has_view = True
    except NoReverseMatch:
        has_view = False
    client = Client()
    client.force_login(user)
    session = client.session
    session["assurance_level"], session["login_method"] = 2, "eid"
    session.save()
    what = f"the page {args.view}" if has_view else "the dashboard's selectors (no page yet)"
    print(f"Dashboard server time, {what}, {args.repeat} reads each (after 3 warm-up reads):")
    p95s = {}
    for level, org in levels.items():
        samples = []
        for i in range(args.repeat + 3):
            started = time.perf_counter()
            if has_view:
                response = client.get(
                    reverse(args.view, kwargs={"term_id": term.pk, "code": org.code})
                )
                assert response.status_code == 200, response.status_code
            else:
                _dashboard_reads(term, org, today)
            if i >= 3:
                samples.append(time.perf_counter() - started)
        p95s[level] = _p95(samples)
        print(f"  {level:<9} {org.name[:40]:<40} {_ms(samples)}")
    verdict = "yes" if p95s["root"] <= p95s["ward"] * 1.1 else "no"
    print(f"  root no slower than the ward (p95, 10 % noise allowed): {verdict}")
    if has_view:
        # The live part the dashboard's stream draws once after a change for all its watchers.
        print(f"The live part the stream draws after a change, {args.repeat} drawings each:")
        for level, org in levels.items():
            live = reverse(args.view, kwargs={"term_id": term.pk, "code": org.code}) + "?live=1"
            drawn: list[float] = []
            for i in range(args.repeat + 3):
                started = time.perf_counter()
                assert client.get(live).status_code == 200
                if i >= 3:
                    drawn.append(time.perf_counter() - started)
            print(f"  {level:<9} {_ms(drawn)}")
    print("Reports for the level above (one export each, server time):")
    for level, org in levels.items():
        cells = []
        for kind in ("xlsx", "pdf"):
            started = time.perf_counter()
            content = report_export(term=term, org=org, kind=kind, by=user, today=today)
            cells.append(
                f"{kind} {(time.perf_counter() - started) * 1000:.0f} ms ({len(content) // 1024} KiB)"
            )
        print(f"  {level:<9} " + ", ".join(cells))


def _update(pool: list[int], rate: float, seconds: float, offset: float, go: Any, out: Any) -> None:
    """`rate` progress updates a second for `seconds` once `go` is set, each through
    congress_advance (its own transaction); [(commit time, org path, error)] onto `out`."""
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from congresses.models import Congress, Step
    from congresses.services import congress_advance

    user = User.objects.get(username="bench-congress")
    today = timezone.localdate()
    go.wait()
    start = time.monotonic() + offset
    done: list[tuple[float, str, str]] = []
    for i in range(int(rate * seconds)):
        due = start + i / rate
        if (ahead := due - time.monotonic()) > 0:
            time.sleep(ahead)
        congress = Congress.objects.select_related("term", "org").get(pk=pool[i % len(pool)])
        forward = congress.step == Step.SCHEDULED
        try:
            congress_advance(
                congress=congress,
                to=Step.PREPARING if forward else Step.SCHEDULED,
                on=today,
                by=user,
                note="" if forward else "Điều chỉnh (bench/congress.py)",
            )
            done.append((time.time(), congress.org.path, ""))
        except Exception as error:  # counted and shown: a lock timeout is a failure here
            done.append((time.time(), congress.org.path, repr(error)[:200]))
    connection.close()
    out.put(done)


async def _watch(
    args: argparse.Namespace,
    watchers: list[Watcher],
    cookies: list[str],
    go: Any,
    collect: Callable[[], None],
    stream: str | None,
) -> None:
    stop = asyncio.Event()
    base = f"http://127.0.0.1:{args.port}"
    tasks = [
        asyncio.create_task(_follow(w, base, c, False, stop, stream))
        for w, c in zip(watchers, cookies, strict=True)
    ]
    await asyncio.wait_for(asyncio.gather(*(w.opened.wait() for w in watchers)), 120)
    await asyncio.sleep(1)
    go.set()
    await asyncio.to_thread(collect)
    await asyncio.sleep(3)
    stop.set()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def _live(args: argparse.Namespace, term: Any, root: Any, user: Any) -> None:
    from django.db import connection
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from congresses.models import Congress, Step

    rng = random.Random(args.seed)
    pool = list(
        Congress.objects.filter(term=term, step__in=[Step.SCHEDULED, Step.PREPARING])
        .exclude(org=root)
        .values_list("id", flat=True)
    )
    rng.shuffle(pool)
    needed = int(args.rate * args.seconds)
    print(
        f"Live: {args.rate:.0f} progress updates/s for {args.seconds:.0f} s over {min(len(pool), needed):,}"
        f" congresses, {args.clients} clients watching the root"
    )
    pool = pool[:needed]
    watchers = [Watcher("root", root.code, root.path) for _i in range(args.clients)]
    cookies = []
    for _w in watchers:
        client = Client()
        client.force_login(user)
        session = client.session
        session["assurance_level"], session["login_method"] = 2, "eid"
        session.save()
        cookies.append(client.cookies["sessionid"].value)
    stream = None
    if args.screen:
        try:
            stream = reverse(f"{args.view}_live", kwargs={"term_id": term.pk, "code": root.code})
        except NoReverseMatch:
            print(f"  --screen: no {args.view}_live stream; measuring commit → event only")
    connection.close()

    context = multiprocessing.get_context("fork")
    go, out = context.Event(), context.Queue()
    writers = [
        context.Process(
            target=_update,
            args=(
                pool[k :: args.writers],
                args.rate / args.writers,
                args.seconds,
                k / args.rate,
                go,
                out,
            ),
        )
        for k in range(args.writers)
    ]
    for writer in writers:
        writer.start()
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
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--tick-only"], cwd=ROOT, env=env
    )
    done: list[tuple[float, str, str]] = []

    def collect() -> None:
        for _writer in writers:
            done.extend(out.get())
        for writer in writers:
            writer.join()
        done.sort()

    async def run() -> None:
        await _watch(args, watchers, cookies, go, collect, stream)

    try:
        _wait_for_port(args.port)
        asyncio.run(run())
    finally:
        for writer in writers:
            writer.kill()
        worker.terminate()
        server.terminate()
        worker.wait(30)
        server.wait(30)

    committed = [(t, p) for t, p, error in done if not error]
    failures = [error for _t, _p, error in done if error]
    latency, screen, missed = [], [], 0
    for watcher in watchers:
        if stream is not None:
            # On screen: the first part drawn after the commit (its id is the moment the change
            # it was drawn after reached the server, so its reads began after this commit).
            for at_commit, _path in committed:
                seen = next((got for got, at in watcher.parts if at >= at_commit), None)
                if seen is None:
                    missed += 1
                else:
                    screen.append(seen - at_commit)
            continue
        events = watcher.events
        k = 0
        for at_commit, path in committed:
            while k < len(events) and events[k][0] < at_commit:
                k += 1
            seen = next(
                (at for at, named in events[k:] if path in named or watcher.path in named), None
            )
            if seen is None:
                missed += 1
                continue
            latency.append(seen - at_commit)
    elapsed = committed[-1][0] - committed[0][0] if len(committed) > 1 else 0.0
    print(
        f"  {len(committed):,} updates committed in {elapsed:.1f} s"
        f" ({len(committed) / max(elapsed, 1e-9):.0f}/s); failed: {len(failures)}"
        + (f", e.g. {failures[0]}" if failures else "")
    )
    lock_timeouts = sum("lock" in f.lower() for f in failures)
    print(f"  lock timeouts or deadlocks: {lock_timeouts}")
    if stream is None:
        print("  " + _figures("commit → event received at the root", latency))
    else:
        print("  " + _figures("commit → the root's dashboard part drawn after it received", screen))
        parts = sum(len(w.parts) for w in watchers)
        print(
            f"  parts received: {parts:,} ({parts / max(elapsed, 1e-9) / len(watchers):.1f}/s a client)"
        )
    errors = [e for w in watchers for e in w.errors]
    print(
        f"  missed (no event after a change): {missed}; client errors: {len(errors)}"
        + (f", e.g. {errors[0]}" if errors else "")
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", default="nation", choices=["ward", "city", "nation"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=60)
    parser.add_argument("--view", default="congresses:dashboard", help="the dashboard's URL name")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--writers", type=int, default=2, help="writer processes")
    parser.add_argument(
        "--screen", action="store_true", help="follow the dashboard's own stream (its part)"
    )
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--no-live", action="store_true", help="the dashboard timings only")
    args = parser.parse_args()
    url = os.environ["DATABASE_URL"]
    require_postgresql(url, "bench/congress.py")
    prepare_database(url, fresh=False)

    import django

    django.setup()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from access.models import Grant, Role
    from accounts.models import User
    from congresses.demo import congresses_generate
    from congresses.models import Congress, Term
    from core.tick import tick
    from orgs.models import Kind, Org

    call_command("migrate", verbosity=0)
    generated = False
    if not Org.objects.exists():
        call_command("generate", scale=args.scale, seed=args.seed, no_progress=True)
        generated = True
    if not Term.objects.exists():
        started = time.perf_counter()
        made = congresses_generate(seed=args.seed, today=timezone.localdate())
        print(f"demo term: {made:,} congresses generated in {time.perf_counter() - started:.1f} s")
        generated = True
    if generated:
        tick()
        # As a deployment's autovacuum would have by then: the planner needs the statistics.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    term = Term.objects.order_by("-first_year", "id").first()
    assert term is not None
    root = Org.objects.get(parent__isnull=True)
    province = Org.objects.filter(parent=root, kind=Kind.PROVINCE, code="79").first() or (
        Org.objects.filter(parent=root, kind=Kind.PROVINCE).order_by("code").first()
    )
    ward = (
        Org.objects.filter(parent=province, kind=Kind.COMMUNE, status=Org.Status.ACTIVE)
        .order_by("code")
        .first()
    )
    levels = {"root": root, "province": province, "ward": ward}
    print(
        f"{Congress.objects.filter(term=term).count():,} congresses in {term.name};"
        f" {Org.objects.count():,} organisations"
    )
    user, _ = User.objects.get_or_create(username="bench-congress")
    if not Grant.objects.filter(user=user, org=root).exists():
        Grant.objects.create(user=user, org=root, role=Role.ADMIN, granted_at=timezone.now())

    _timings(args, term, levels, user)
    if not args.no_live:
        _live(args, term, root, user)
    print(
        "DATABASE_URL="
        + os.environ["DATABASE_URL"]
        + " .venv/bin/python bench/congress.py "
        + shlex.join(sys.argv[1:])
    )


if __name__ == "__main__":
    main()
