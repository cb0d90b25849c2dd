"""Benchmark of the live layer on PostgreSQL: how long a committed change takes to reach the
screens watching it.

Starts the app under uvicorn and `partyorg worker --tick-only` (PARTYORG_TICK=worker, as at
national scale), opens --clients streams of server-sent events watching organisations at every
level (the root, the city, wards, grassroots committees, cells), and commits --rate changes a
second for --seconds from --writers processes: each change is one transaction queueing a counter
delta for one cell (a member more), as the services queue theirs; the worker, woken by the
commits, folds them and publishes. The members are taken back out at the end. Cells are
taken in a shuffled round, so no cell changes twice within a round and each event is matched
to the change it tells of. For every change and every client watching an organisation above
it, the latency is commit → the event naming it received by the client; with --fetch each
client also fetches its fragment (`?live=1`) after every event, as htmx does, and the screen
latency is commit → that fetch finished.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/partyorg_bench_live .venv/bin/python bench/live.py [--clients 50] [--rate 200] [--seconds 60] [--fetch]
"""

import argparse
import asyncio
import logging
import multiprocessing
import os
import random
import shlex
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.pgdb import prepare_database, require_postgresql

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partyorg.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/partyorg_bench_live")
os.environ["PARTYORG_TICK"] = "worker"

# Share of the clients watching each level: a few at the top, most near the cells.
LEVELS = [("root", 0.04), ("province", 0.06), ("commune", 0.3), ("grassroots", 0.2), ("cell", 0.4)]


@dataclass
class Watcher:
    level: str
    code: str
    path: str
    # (received, paths named) of every event; fetches as (started, finished).
    events: list[tuple[float, set[str]]] = field(default_factory=list)
    # Parts a stream carried (core.live.Part): (received, the id: the moment the change it
    # was drawn after reached the server).
    parts: list[tuple[float, float]] = field(default_factory=list)
    fetches: list[tuple[float, float]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    opened: asyncio.Event = field(default_factory=asyncio.Event)


def _quantile(samples: list[float], q: float) -> float:
    if len(samples) < 20:
        return max(samples)
    return statistics.quantiles(samples, n=100)[int(q * 100) - 1]


def _figures(label: str, samples: list[float]) -> str:
    if not samples:
        return f"{label}: no samples"
    return (
        f"{label}: n={len(samples):,}  p50 {statistics.median(samples) * 1000:.0f} ms"
        f"  p95 {_quantile(samples, 0.95) * 1000:.0f} ms  max {max(samples) * 1000:.0f} ms"
    )


def _server_env(port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "PARTYORG_TICK": "worker",
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1",
            "PYTHONUNBUFFERED": "1",
            # Under uvicorn each request runs in a thread of its own: a connection kept for the
            # next request of the same thread would never be used again, only left open.
            "DB_CONN_MAX_AGE": os.environ.get("DB_CONN_MAX_AGE", "0"),
            # A pool per process, as deployed (docs/deployment.md); DB_POOL_MAX=0 turns it off.
            "DB_POOL_MAX": os.environ.get("DB_POOL_MAX", "15"),
        }
    )
    return env


def _wait_for_port(port: int, timeout: float = 30.0) -> None:
    until = time.monotonic() + timeout
    while time.monotonic() < until:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    sys.exit(f"the server did not start on port {port}")


async def _follow(
    watcher: Watcher,
    base: str,
    cookie: str,
    fetch: bool,
    stop: asyncio.Event,
    stream: str | None = None,
) -> None:
    """Follow a stream (the organisation's, or a page's own `stream` carrying its part)."""
    import httpx
    from httpx_sse import aconnect_sse

    dirty = asyncio.Event()

    async def fetcher(client: httpx.AsyncClient) -> None:
        while not stop.is_set():
            await dirty.wait()
            dirty.clear()
            started = time.time()
            response = await client.get(f"/orgs/{watcher.code}/?live=1")
            if response.status_code != 200 or 'data-counter="members"' not in response.text:
                watcher.errors.append(f"fragment {response.status_code}")
            watcher.fetches.append((started, time.time()))

    timeout = httpx.Timeout(30.0, read=None)
    async with httpx.AsyncClient(
        base_url=base, cookies={"sessionid": cookie}, timeout=timeout
    ) as client:
        fetching = asyncio.create_task(fetcher(client)) if fetch else None
        while not stop.is_set():
            try:
                url = stream or f"/orgs/{watcher.code}/live/"
                async with aconnect_sse(client, "GET", url) as source:
                    if source.response.status_code != 200:
                        watcher.errors.append(f"stream {source.response.status_code}")
                        await asyncio.sleep(1)
                        continue
                    watcher.opened.set()
                    async for event in source.aiter_sse():
                        if event.event == "changed":
                            watcher.events.append((time.time(), set(event.data.split())))
                            dirty.set()
                        elif event.event == "part":
                            watcher.parts.append((time.time(), float(event.id)))
                        if stop.is_set():
                            break
            except (httpx.HTTPError, OSError) as error:
                if not stop.is_set():
                    watcher.errors.append(f"stream broke: {error!r}")
        if fetching is not None:
            fetching.cancel()


def _write(
    cells: list[tuple[int, str]],
    rate: float,
    seconds: float,
    offset: float,
    go: Any,
    out: Any,
) -> None:
    """Commit `rate` changes a second for `seconds` once `go` is set, each a transaction of its
    own, and put [(commit time, cell path)] on `out` (in a process of its own)."""
    from django.db import connection, transaction

    from orgs.rollups import counts_changed

    go.wait()
    start = time.monotonic() + offset
    done: list[tuple[float, str]] = []
    for i in range(int(rate * seconds)):
        due = start + i / rate
        if (ahead := due - time.monotonic()) > 0:
            time.sleep(ahead)
        cell_id, path = cells[i % len(cells)]
        with transaction.atomic():
            counts_changed({(cell_id, "members"): 1})
        done.append((time.time(), path))
    connection.close()
    out.put(done)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--fetch", action="store_true", help="fetch the fragment after events")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--writers", type=int, default=2, help="writer processes")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--scale", default="city", choices=["ward", "city", "nation"])
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    url = os.environ["DATABASE_URL"]
    require_postgresql(url, "bench/live.py")
    prepare_database(url, fresh=False)

    import django

    django.setup()
    # One line per request would drown the figures.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from access.models import Grant, Role
    from accounts.models import User
    from orgs.models import Kind, Org
    from orgs.rollups import counts_changed, rollups_fold

    call_command("migrate", verbosity=0)
    if not Org.objects.exists():
        call_command("generate", scale=args.scale, seed=args.seed)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    rng = random.Random(args.seed)
    root = Org.objects.get(parent__isnull=True)
    by_level = {
        "root": [root],
        "province": list(Org.objects.filter(kind=Kind.PROVINCE)),
        "commune": list(Org.objects.filter(kind=Kind.COMMUNE, status=Org.Status.ACTIVE)),
        "grassroots": list(
            Org.objects.filter(kind=Kind.GRASSROOTS_COMMITTEE, status=Org.Status.ACTIVE)
        ),
        "cell": list(
            Org.objects.filter(kind__in=[Kind.CELL, Kind.GRASSROOTS_CELL], status=Org.Status.ACTIVE)
        ),
    }
    cells = [(o.id, o.path) for o in by_level["cell"]]
    rng.shuffle(cells)
    round_seconds = len(cells) / args.rate
    # Watchers are drawn among the organisations the changes fall in, at every level.
    watchers: list[Watcher] = []
    for level, share in LEVELS:
        n = max(1, round(args.clients * share)) if level != "cell" else 0
        pool = by_level[level]
        watchers += [Watcher(level, o.code, o.path) for o in rng.choices(pool, k=n)]
    watchers += [
        Watcher("cell", o.code, o.path)
        for o in rng.sample(by_level["cell"], max(0, args.clients - len(watchers)))
    ]

    user, _ = User.objects.get_or_create(username="bench-live")
    if not Grant.objects.filter(user=user, org=root).exists():
        Grant.objects.create(user=user, org=root, role=Role.VIEWER, granted_at=timezone.now())
    cookies = []
    for _i in watchers:
        client = Client()
        client.force_login(user)
        # An official's session, as a level-2 e-ID login leaves it.
        session = client.session
        session["assurance_level"], session["login_method"] = 2, "eid"
        session.save()
        cookies.append(client.cookies["sessionid"].value)
    connection.close()

    # Writers in processes of their own (forked with Django set up, no connection open), so
    # neither they nor the clients' loop wait on the other's interpreter lock.
    context = multiprocessing.get_context("fork")
    go, out = context.Event(), context.Queue()
    writers = [
        context.Process(
            target=_write,
            args=(
                cells[k :: args.writers],
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
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--tick-only"], cwd=ROOT, env=env
    )
    done: list[tuple[float, str]] = []
    try:
        _wait_for_port(args.port)
        threads, connections = asyncio.run(
            _run(args, watchers, cookies, go, lambda: _collect(out, writers, done), server.pid)
        )
    finally:
        for writer in writers:
            writer.kill()
        worker.terminate()
        server.terminate()
        worker.wait(30)
        server.wait(30)
        # The bench's members were counters only: take them back out.
        added = Counter(path for _t, path in done)
        id_of = {path: org_id for org_id, path in cells}
        counts_changed({(id_of[p], "members"): -n for p, n in added.items()})
        while rollups_fold():
            pass

    _report(args, watchers, done, round_seconds, threads, connections)


def _collect(out: Any, writers: list[Any], done: list[tuple[float, str]]) -> None:
    for _writer in writers:
        done += out.get()
    for writer in writers:
        writer.join()
    done.sort()


async def _run(
    args: argparse.Namespace,
    watchers: list[Watcher],
    cookies: list[str],
    go: Any,
    collect: Callable[[], None],
    server_pid: int,
) -> tuple[int, int]:
    stop = asyncio.Event()
    base = f"http://127.0.0.1:{args.port}"
    tasks = [
        asyncio.create_task(_follow(w, base, c, args.fetch, stop))
        for w, c in zip(watchers, cookies, strict=True)
    ]
    # Every stream open before the first change.
    await asyncio.wait_for(asyncio.gather(*(w.opened.wait() for w in watchers)), 120)
    await asyncio.sleep(1)
    go.set()
    await asyncio.sleep(args.seconds / 2)
    threads, connections = await asyncio.to_thread(_resources, server_pid)
    await asyncio.to_thread(collect)
    # The last changes' events.
    await asyncio.sleep(3)
    stop.set()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return threads, connections


def _resources(server_pid: int) -> tuple[int, int]:
    """The server's threads and the database's connections, mid-run."""
    import psycopg

    status = Path(f"/proc/{server_pid}/status").read_text()
    threads = int(
        next(line.split()[1] for line in status.splitlines() if line.startswith("Threads:"))
    )
    with psycopg.connect(os.environ["DATABASE_URL"]) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        ).fetchone()
    return threads, int(row[0]) if row else 0


def _report(
    args: argparse.Namespace,
    watchers: list[Watcher],
    done: list[tuple[float, str]],
    round_seconds: float,
    threads: int,
    connections: int,
) -> None:
    event_latency: list[float] = []
    screen_latency: list[float] = []
    by_level: dict[str, list[float]] = {}
    missed = 0
    for watcher in watchers:
        events = watcher.events
        for committed, path in done:
            if not path.startswith(watcher.path):
                continue
            seen = next(
                (
                    at
                    for at, named in events
                    if at >= committed and (path in named or watcher.path in named)
                ),
                None,
            )
            if seen is None:
                missed += 1
                continue
            event_latency.append(seen - committed)
            by_level.setdefault(watcher.level, []).append(seen - committed)
            if args.fetch:
                finished = next((end for start, end in watcher.fetches if start >= seen), None)
                if finished is not None:
                    screen_latency.append(finished - committed)
    errors = [e for w in watchers for e in w.errors]
    # Events that named only the watched organisation (more changes than an event names): the
    # changes they cover are matched to them without knowing which fold told of them.
    overflow = sum(
        1 for w in watchers for _at, named in w.events if named == {w.path} and w.level != "cell"
    )
    elapsed = (done[-1][0] - done[0][0]) if len(done) > 1 else 0.0
    print(
        f"{len(done):,} changes in {elapsed:.1f} s ({len(done) / max(elapsed, 1e-9):.0f}/s),"
        f" {len(watchers)} clients, cells in a round: {len(set(p for _t, p in done)):,}"
        f" ({round_seconds:.1f} s a round)"
    )
    print(_figures("commit → event received", event_latency))
    for level, _share in LEVELS:
        if level in by_level:
            print("  " + _figures(level, by_level[level]))
    if args.fetch:
        fetches = [end - start for w in watchers for start, end in w.fetches]
        print(_figures("commit → fragment fetched", screen_latency))
        print(_figures("fragment fetch alone", fetches))
    print(
        f"missed (no event for a change under the watcher): {missed}; events naming only the watched organisation: {overflow}"
    )
    print(f"errors: {len(errors)}" + (f", e.g. {errors[0]}" if errors else ""))
    print(f"mid-run: server threads {threads}, database connections {connections} (all processes)")
    print(
        "DATABASE_URL="
        + os.environ["DATABASE_URL"]
        + " .venv/bin/python bench/live.py "
        + shlex.join(sys.argv[1:])
    )


if __name__ == "__main__":
    main()
