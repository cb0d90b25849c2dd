"""Benchmark of the whole import path on PostgreSQL: dirty unit files → batches → registry.

For each unit file: parse + clean + match (cleaning.services.batch_process, as the worker runs
it), then review the way a tired official would (accept every proposed fix, skip rows with
blocking errors and rows in duplicate pairs), then commit (one transaction per batch, bulk
writes). Prints the time of each phase, rows per second, peak memory, and the floor: raw
PostgreSQL COPY of the same number of member rows.

    .venv/bin/python bench/dirty.py --out bench/out/dirty          # once: the 173 city files
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/partyorg_bench_import \\
        .venv/bin/python bench/import_city.py --dir bench/out/dirty [--units 173]

The nation: `bench/dirty.py --units 3321 --members 5600000 --out bench/out/nation`, then this
script with `--dir bench/out/nation --provinces 34` (commits of one province take turns; the
country's 34 provinces do not wait for each other).
"""

import argparse
import multiprocessing
import os
import resource
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.pgdb import prepare_database, require_postgresql, unit_files

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partyorg.settings")
# Not production: the settings refuse to start without a key (or DEBUG, which a bench must not
# run with: it keeps every query in memory).
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/partyorg_bench_import")
# The worker's way: counters and the audit chain are folded in the background, not per commit.
os.environ.setdefault("PARTYORG_TICK", "worker")
# Uploads are encrypted at rest, as in production: a throwaway key for this run.
if "PARTYORG_ENCRYPTION_KEYS" not in os.environ:
    from cryptography.fernet import Fernet

    os.environ["PARTYORG_ENCRYPTION_KEYS"] = Fernet.generate_key().decode()


_untimed_turn: Any = None
_accept_by_rule = "--accept-by-rule" in sys.argv  # read in the forked workers too
_waits = "--wait-for-turns" in sys.argv
# This worker's reviewed batches whose province's turn was taken: batch id → when put back.
_put_back: dict[int, float] = {}


def _fold_every_second(stop: threading.Event) -> None:
    """What `partyorg worker` does beside the imports (--fold-beside)."""
    from django.db import connection

    from core.tick import tick

    while not stop.wait(1.0):
        tick()
    connection.close()


_turn_waited = [0.0]  # seconds this worker's commits have waited for their province's turn


def _timed_turns() -> None:
    """Count how long this worker's commits wait for their province's turn (once per process)."""
    from cleaning import commit as commit_module

    global _untimed_turn
    if _untimed_turn is not None:
        return
    _untimed_turn = take_turn = commit_module._take_turn

    def timed_turn(batch: Any, *, wait: bool = True) -> None:
        started = time.monotonic()
        try:
            take_turn(batch, wait=wait)
        finally:
            _turn_waited[0] += time.monotonic() - started

    commit_module._take_turn = timed_turn


def _set_aside(batch: Any) -> None:
    """The tired official's decisions: rows with errors and the second row of each duplicate
    pair set aside, the pairs said to be different people."""
    from django.db import transaction

    from cleaning.models import BatchRow, DuplicateCandidate
    from cleaning.services import finish_review

    with transaction.atomic():
        BatchRow.objects.filter(batch=batch, errors__gt=0).update(skipped=True)
        pairs = DuplicateCandidate.objects.filter(batch=batch, decision="open")
        BatchRow.objects.filter(id__in=[p.row_b_id or p.row_a_id for p in pairs]).update(
            skipped=True
        )
        pairs.update(decision="different")
        finish_review(batch)


def _record(batch_id: int) -> dict[str, Any]:
    """What a worker reports of one step on one batch (processing and review, or a commit)."""
    phases = ("process", "review", "commit")
    timed = [f"{p}_{k}" for p in phases for k in ("s", "cpu", "pg")]
    return {
        "batch": batch_id,
        "rows": 0,
        "created": 0,
        "error": "",
        "refused": 0,
        "turn_s": 0.0,
        **dict.fromkeys(timed, 0.0),
    }


def _commit(batch_id: int, *, wait: bool) -> dict[str, Any]:
    """Commit a reviewed batch, as `partyorg worker`'s commit task does: without `wait` it does
    not wait for its province's turn (then "put_back": the worker takes other work meanwhile);
    a commit refused for a late pair (a person another worker had just written) has the pair
    set aside, as the official would, and is committed again."""
    from django.core.exceptions import ValidationError

    from cleaning.commit import TurnTaken, batch_commit
    from cleaning.models import Batch

    _timed_turns()
    batch = Batch.objects.get(pk=batch_id)
    out = _record(batch_id)
    waited, t0, c0, p0 = _turn_waited[0], time.monotonic(), time.process_time(), backend_cpu()
    summary = None
    while summary is None:
        try:
            summary = batch_commit(batch=batch, by=None, wait=wait)
        except TurnTaken:
            break
        except ValidationError:
            if out["refused"] == 4:
                raise
            out["refused"] += 1
            _set_aside(batch)
    out["commit_s"], out["commit_cpu"] = time.monotonic() - t0, time.process_time() - c0
    out["commit_pg"] = _spent(p0, backend_cpu())
    out["turn_s"] = _turn_waited[0] - waited
    if summary is None:
        out["put_back"] = True
        return out
    out["rows"], out["created"] = batch.rows_total, summary["created"]
    return out


def _commits_put_back() -> list[dict[str, Any]]:
    """Try again the commits this worker put back at least TURN_RETRY ago (as the worker's queue
    gives a put-back commit task back after TURN_RETRY, before any newer task)."""
    from cleaning.tasks import TURN_RETRY

    done = []
    for batch_id, since in list(_put_back.items()):
        if time.monotonic() - since >= TURN_RETRY.total_seconds():
            out = _commit(batch_id, wait=False)
            done.append(out)
            if not out.get("put_back"):
                del _put_back[batch_id]
    return done


def _one_unit(batch_id: int) -> list[dict[str, Any]]:
    """One worker's job: process a batch, review it, commit it (in a child process). A commit
    whose province's turn is taken is put back and tried again before a later unit."""
    from cleaning.models import Batch
    from cleaning.services import batch_accept_rules, batch_process
    from lib.cleaning.rules import RULES

    outs = _commits_put_back()
    out = _record(batch_id)
    outs.append(out)
    t0, c0, p0 = time.monotonic(), time.process_time(), backend_cpu()
    batch = batch_process(Batch.objects.get(pk=batch_id))
    out["process_s"], out["process_cpu"] = time.monotonic() - t0, time.process_time() - c0
    out["process_pg"] = _spent(p0, backend_cpu())
    if batch.status != "review":
        out["error"] = f"{batch.status} {batch.error}"
        return outs
    t0, p0 = time.monotonic(), backend_cpu()
    # The review: accept every proposed fix (the page's button over the rule list; one rule at
    # a time with --accept-by-rule), set aside rows with errors and the second row of each
    # duplicate pair, and say the pairs are different people.
    if _accept_by_rule:
        for code in list(batch.summary):
            if RULES.get(code) is None or RULES[code].severity == "warning":
                batch_accept_rules(batch=batch, codes=[code])
    else:
        batch_accept_rules(batch=batch, codes=None)
    _set_aside(batch)
    out["review_s"] = time.monotonic() - t0
    out["review_pg"] = _spent(p0, backend_cpu())
    committed = _commit(batch_id, wait=_waits)
    if committed.get("put_back"):
        _put_back[batch_id] = time.monotonic()
    outs.append(committed)
    return outs


def _last_commits(batch_id: int) -> list[dict[str, Any]]:
    """After the last unit: a put-back commit, waiting for its turn now."""
    _put_back.pop(batch_id, None)
    return [_commit(batch_id, wait=True)]


def _left_to_commit(results: list[dict[str, Any]]) -> list[int]:
    """The batches whose last commit attempt was put back."""
    last: dict[int, bool] = {}
    for r in results:
        if r.get("put_back") or r["rows"]:
            last[r["batch"]] = bool(r.get("put_back"))
    return [batch for batch, put_back in last.items() if put_back]


def backend_cpu() -> float | None:
    """CPU seconds used so far by this process's PostgreSQL backend: what the workers' own
    CPU leaves out (Linux, with the server on this machine; None elsewhere)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        # Fields after the command name: state is the first, utime the 12th, stime the 13th.
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _spent(before: float | None, after: float | None) -> float | None:
    return None if before is None or after is None else after - before


def cpu_times() -> tuple[int, int] | None:
    """(idle, total) jiffies of the whole machine (Linux), to tell how busy the run kept it."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    return fields[3] + fields[4], sum(fields[:8])  # idle + iowait; user … steal


def machine_reference() -> float:
    """Seconds for a fixed pure-Python loop: figures from machines of different speed compare
    through it (this bench's Python work scales with it; its PostgreSQL work with the floor)."""
    started = time.process_time()
    total = 0
    for i in range(10_000_000):
        total += i
    return time.process_time() - started


# The server's settings that a bulk import's speed depends on (docs/deployment.md sets them).
SERVER_SETTINGS = ("shared_buffers", "max_wal_size", "wal_compression", "autovacuum", "jit")


def server_settings() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, current_setting(name) FROM pg_settings WHERE name = ANY(%s) ORDER BY name",
            [list(SERVER_SETTINGS)],
        )
        return ", ".join(f"{name} {value}" for name, value in cursor.fetchall())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", type=Path, default=Path("bench/out/dirty"))
    parser.add_argument("--units", type=int, default=None)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--provinces",
        type=int,
        default=1,
        help="spread the units over this many provinces (1: the city; 34: the nation's)",
    )
    parser.add_argument(
        "--compare-rows",
        type=int,
        default=20_000,
        help="rows django-import-export imports in each mode for the ratios (0: skip)",
    )
    parser.add_argument(
        "--accept-by-rule",
        action="store_true",
        help="the review accepts each rule's proposals with its own button (default: every "
        "proposal at once, with the button over the rule list)",
    )
    parser.add_argument(
        "--order",
        choices=("blocks", "interleaved"),
        default="blocks",
        help="the order the workers take the units in: province by province (blocks), or one "
        "unit of each province in turn, as a national campaign's uploads arrive (interleaved)",
    )
    parser.add_argument(
        "--wait-for-turns",
        action="store_true",
        help="a commit whose province's turn is taken waits for it (default: it is put back "
        "and the worker processes another unit meanwhile, as `partyorg worker` does)",
    )
    parser.add_argument(
        "--fold-beside",
        action="store_true",
        help="fold counters and seal the audit chain every second during the run, as "
        "`partyorg worker` does in production (default: once, after the last commit)",
    )
    args = parser.parse_args()
    url = os.environ["DATABASE_URL"]
    require_postgresql(url, "bench/import_city.py")
    files = unit_files(args.dir, args.units)
    prepare_database(url, fresh=True)

    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import connection, connections, transaction
    from tqdm import tqdm

    from core.tick import tick
    from members.models import Member
    from orgs.models import Kind
    from orgs.services import org_create

    call_command("migrate", verbosity=0)
    root = org_create(code="TW", name="Đảng Cộng sản Việt Nam", kind=Kind.CENTRAL, parent=None)
    if args.provinces == 1:
        provinces = [
            org_create(
                code="79", name="Đảng bộ Thành phố Hồ Chí Minh", kind=Kind.PROVINCE, parent=root
            )
        ]
    else:
        provinces = [
            org_create(code=f"P{p:02d}", name=f"Đảng bộ tỉnh {p}", kind=Kind.PROVINCE, parent=root)
            for p in range(1, args.provinces + 1)
        ]
    # Units in contiguous blocks, one block per province (bench/dirty.py puts a person whose
    # transfer was never closed in the next unit: mostly the same province, as in life).
    units = [
        org_create(
            code=f"{province.code}.U{i:04d}",
            name=f"Đơn vị {i}",
            kind=Kind.GRASSROOTS_CELL,
            parent=province,
        )
        for i in range(len(files))
        for province in [provinces[i * len(provinces) // len(files)]]
    ]
    tick()

    from cleaning.models import Batch, BatchFile
    from cleaning.storage import store_upload
    from cleaning.tasks import TURN_RETRY

    # Uploads: each unit's file stored (encrypted) as a batch, as the upload page does.
    t0 = time.monotonic()
    batch_ids = []
    for unit, path in zip(units, files, strict=True):
        with transaction.atomic():
            batch = Batch.objects.create(org=unit)
            relative, digest, size = store_upload(
                batch.pk, SimpleUploadedFile(path.name, path.read_bytes()), 0
            )
            BatchFile.objects.create(
                batch=batch, name=path.name, size=size, sha256=digest, stored=relative
            )
        batch_ids.append(batch.pk)
    upload_s = time.monotonic() - t0
    connections.close_all()
    if args.order == "interleaved":
        # One unit of each province in turn (the first of every province, then the second…).
        by_province: dict[str, list[int]] = {}
        for unit, batch_id in zip(units, batch_ids, strict=True):
            by_province.setdefault(unit.path[:8], []).append(batch_id)
        blocks = list(by_province.values())
        batch_ids = [
            block[i] for i in range(max(map(len, blocks))) for block in blocks if i < len(block)
        ]

    # Then `workers` processes, as `partyorg worker` run once per core: each takes the next
    # batch, processes it, reviews it the way a tired official would, and commits it.
    started, cpu_before = time.monotonic(), cpu_times()
    results: list[dict[str, Any]] = []
    pool = multiprocessing.get_context("fork").Pool(args.workers)
    # Started after the fork: the workers must not inherit a thread or its connection.
    folding = threading.Event()
    folder = threading.Thread(target=_fold_every_second, args=(folding,), daemon=True)
    if args.fold_beside:
        folder.start()
    bar = tqdm(total=len(batch_ids), unit=" đơn vị", disable=not sys.stderr.isatty())
    with pool, bar:
        for outs in pool.imap_unordered(_one_unit, batch_ids):
            results.extend(outs)
            bar.update()
        # The commits still put back when the last unit was processed, waiting in line now.
        left = _left_to_commit(results)
        for outs in pool.imap_unordered(_last_commits, left):
            results.extend(outs)
    total_s, cpu_after = time.monotonic() - started, cpu_times()
    folding.set()
    if args.fold_beside:
        folder.join()
    children_peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    for failed in (r for r in results if r["error"]):
        print(f"batch {failed['batch']}: {failed['error']}")
    uncommitted = Batch.objects.exclude(status=Batch.Status.COMMITTED).count()
    if uncommitted:
        print(f"batches not committed: {uncommitted}")
    process_s = sum(r["process_s"] for r in results)
    review_s = sum(r["review_s"] for r in results)
    commit_s = sum(r["commit_s"] for r in results)
    process_cpu = sum(r.get("process_cpu", 0.0) for r in results)
    commit_cpu = sum(r["commit_cpu"] for r in results)
    rows_total = sum(r["rows"] for r in results)
    created = sum(r["created"] for r in results)
    refused = sum(r.get("refused", 0) for r in results)
    turn_s = sum(r["turn_s"] for r in results)
    put_back = sum(1 for r in results if r.get("put_back"))
    t0 = time.monotonic()
    tick()
    fold_s = time.monotonic() - t0

    # The floor: raw COPY of the same member rows into an empty copy of the table.
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE member_floor (LIKE members_member INCLUDING DEFAULTS)")
        t0 = time.monotonic()
        with cursor.copy("COPY members_member TO STDOUT") as out:
            data = b"".join(bytes(chunk) for chunk in out)
        with cursor.copy("COPY member_floor FROM STDIN") as copy:
            copy.write(data)
        floor_s = time.monotonic() - t0
    members = Member.objects.count()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"units: {len(files)} in {args.provinces} province(s), taken {'province by province' if args.order == 'blocks' else 'one of each province in turn'}  rows read: {rows_total:,}  members created: {created:,} (registry now {members:,})"
    )
    print(
        f"whole pipeline, {args.workers} worker processes: {total_s:7.1f} s wall  ({rows_total / max(total_s, 0.001):,.0f} rows/s)"
    )
    print(
        f"  of which, summed over the workers: parse + clean + match {process_s:.1f} s, "
        f"review (accept fixes, skip blocked rows) {review_s:.1f} s, commit {commit_s:.1f} s"
    )
    print(
        f"  the workers' own CPU (PostgreSQL's not included): parse + clean + match {process_cpu:.1f} s, commit {commit_cpu:.1f} s"
    )
    pg = [r.get(k) for r in results for k in ("process_pg", "review_pg", "commit_pg")]
    if pg and None not in pg:
        print(
            f"  their PostgreSQL backends' CPU: parse + clean + match {sum(r['process_pg'] for r in results):.1f} s, "
            f"review {sum(r['review_pg'] for r in results):.1f} s, commit {sum(r['commit_pg'] for r in results):.1f} s"
        )
    if cpu_before and cpu_after:
        idle = (cpu_after[0] - cpu_before[0]) / max(cpu_after[1] - cpu_before[1], 1)
        print(
            f"  the machine's cores were idle {idle:.0%} of the run (workers and PostgreSQL share them)"
        )
    print(
        f"  commits first refused for late pairs (a person another unit had just written, set aside and committed again): {refused}"
    )
    refused_cpu = [r["commit_cpu"] for r in results if r.get("refused")]
    first_cpu = [r["commit_cpu"] for r in results if not r.get("refused") and r["rows"]]
    if refused_cpu and first_cpu:
        print(
            f"    their commit CPU (own Python) {sum(refused_cpu) / len(refused_cpu):.2f} s a batch, "
            f"against {sum(first_cpu) / len(first_cpu):.2f} s for the batches committed at once"
        )
    print(
        f"  of the commit time, waiting for the province's turn (commits in one province take turns): {turn_s:.1f} s"
    )
    print(
        f"  commits put back because their province's turn was taken (tried again after "
        f"{TURN_RETRY.total_seconds():.0f} s, the worker processing other units meanwhile): {put_back}"
        + ("" if not args.wait_for_turns else " (--wait-for-turns: they waited)")
    )
    if args.fold_beside:
        print(
            f"uploads stored (encrypted) before: {upload_s:.1f} s; counters and audit chain folded every second during the run, as `partyorg worker` does; what was left after the last commit: {fold_s:.1f} s"
        )
        print(f"whole pipeline, folded: {total_s + fold_s:.1f} s")
    else:
        print(
            f"uploads stored (encrypted) before: {upload_s:.1f} s; counters and audit chain folded after: {fold_s:.1f} s"
        )
        # `partyorg worker` folds every second beside the imports, on the same cores: until it
        # has, the roll-ups and the audit seals lag the registry.
        print(
            f"whole pipeline with the fold after it: {total_s + fold_s:.1f} s (the fold alone {fold_s:.1f} s)"
        )
    print(
        f"raw COPY of the same {members:,} member rows (the floor): {floor_s:.1f} s → the pipeline costs {total_s / max(floor_s, 0.001):.0f}× the floor"
    )
    print(
        f"peak memory: {peak_mb:,.0f} MB (main process), {children_peak_mb:,.0f} MB (largest worker)"
    )
    print(f"machine reference: a 10-million-step Python loop takes {machine_reference():.2f} s CPU")
    from partyorg.compiled import in_use

    print(
        "rules under lib/: "
        + ("compiled with mypyc (scripts/compile.sh)" if in_use() else "pure Python")
    )
    print(f"PostgreSQL server: {server_settings()}")
    if args.compare_rows:
        # The tool a Django team would reach for, on the same files' cleaned rows (its own
        # transaction, rolled back: the registry above is left as it was).
        from bench.import_export import measure, report

        theirs = measure(files, org=units, limit=args.compare_rows, bulk_limit=args.compare_rows)
        print("django-import-export on the same rows, cleaned for it (its cleaning not timed):")
        print("\n".join(f"  {line}" for line in report(theirs)))
        for mode in ("row", "bulk"):
            print(
                f"  → {mode} mode needs {theirs[f'{mode}_all_s'] / max(total_s, 0.001):.1f}× "
                f"the time of our whole pipeline (which also cleans and matches)"
            )
    print(
        f"\nreproduce: scripts/compile.sh && .venv/bin/python bench/dirty.py --out {args.dir} && DATABASE_URL={url} .venv/bin/python bench/import_city.py --dir {args.dir} --workers {args.workers} --provinces {args.provinces} --compare-rows {args.compare_rows}{' --fold-beside' if args.fold_beside else ''}{' --accept-by-rule' if args.accept_by_rule else ''}{' --wait-for-turns' if args.wait_for_turns else ''}{' --order interleaved' if args.order == 'interleaved' else ''}"
    )


if __name__ == "__main__":
    main()
