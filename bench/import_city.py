"""Benchmark of the whole import path on PostgreSQL: dirty unit files → batches → registry.

For each unit file: parse + clean + match (cleaning.services.batch_process, as the worker runs
it), then review the way a tired official would (accept every proposed fix, skip rows with
blocking errors and rows in duplicate pairs), then commit (one transaction per batch, bulk
writes). Prints the time of each phase, rows per second, peak memory, and the floor: raw
PostgreSQL COPY of the same number of member rows.

    .venv/bin/python bench/dirty.py --out bench/out/dirty          # once: the 173 city files
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/partyorg_bench_import \\
        .venv/bin/python bench/import_city.py --dir bench/out/dirty [--units 173]
"""

import argparse
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.pgdb import prepare_database

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partyorg.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/partyorg_bench_import")
# The worker's way: counters and the audit chain are folded in the background, not per commit.
os.environ.setdefault("PARTYORG_TICK", "worker")
# Uploads are encrypted at rest, as in production: a throwaway key for this run.
if "PARTYORG_ENCRYPTION_KEYS" not in os.environ:
    from cryptography.fernet import Fernet

    os.environ["PARTYORG_ENCRYPTION_KEYS"] = Fernet.generate_key().decode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", type=Path, default=Path("bench/out/dirty"))
    parser.add_argument("--units", type=int, default=None)
    args = parser.parse_args()
    url = os.environ["DATABASE_URL"]
    if not url.startswith("postgres"):
        sys.exit("bench/import_city.py measures PostgreSQL: set DATABASE_URL=postgres://…")
    files = sorted(p for p in args.dir.iterdir() if p.suffix in (".xlsx", ".csv"))[: args.units]
    if not files:
        sys.exit(f"no unit files in {args.dir}: run bench/dirty.py --out {args.dir} first")
    prepare_database(url, fresh=True)

    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import connection, transaction

    from cleaning.commit import batch_commit
    from cleaning.models import BatchRow, DuplicateCandidate
    from cleaning.services import _finish_review, batch_process
    from members.models import Member
    from orgs.models import Kind
    from orgs.services import org_create
    from partyorg.tick import tick

    call_command("migrate", verbosity=0)
    root = org_create(code="TW", name="Đảng Cộng sản Việt Nam", kind=Kind.CENTRAL, parent=None)
    city = org_create(
        code="79", name="Đảng bộ Thành phố Hồ Chí Minh", kind=Kind.PROVINCE, parent=root
    )
    units = [
        org_create(code=f"79.U{i:03d}", name=f"Đơn vị {i}", kind=Kind.GRASSROOTS_CELL, parent=city)
        for i in range(len(files))
    ]
    tick()

    from cleaning.models import Batch, BatchFile
    from cleaning.storage import store_upload

    process_s = commit_s = 0.0
    rows_total = created = 0
    started = time.monotonic()
    for unit, path in zip(units, files, strict=True):
        with transaction.atomic():
            batch = Batch.objects.create(org=unit)
            relative, digest, size = store_upload(
                batch.pk, SimpleUploadedFile(path.name, path.read_bytes()), 0
            )
            BatchFile.objects.create(
                batch=batch, name=path.name, size=size, sha256=digest, stored=relative
            )
        t0 = time.monotonic()
        batch = batch_process(batch)
        process_s += time.monotonic() - t0
        if batch.status != "review":
            print(f"{path.name}: {batch.status} {batch.error}")
            continue
        t0 = time.monotonic()
        # The review: accept proposed fixes, set aside what blocks (errors, duplicate pairs).
        with transaction.atomic():
            rows = list(BatchRow.objects.filter(batch=batch))
            for row in rows:
                for p in row.problems:
                    p["accepted"] = True
                row.skipped = row.errors > 0
            BatchRow.objects.bulk_update(rows, ["problems", "skipped"], batch_size=1000)
            pairs = DuplicateCandidate.objects.filter(batch=batch)
            BatchRow.objects.filter(id__in=[p.row_b_id or p.row_a_id for p in pairs]).update(
                skipped=True
            )
            pairs.update(decision="different")
            _finish_review(batch)
        review_s = time.monotonic() - t0
        t0 = time.monotonic()
        summary = batch_commit(batch=batch, by=None)
        commit_s += time.monotonic() - t0
        rows_total += batch.rows_total
        created += summary["created"]
        del review_s
    total_s = time.monotonic() - started
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
        f"units: {len(files)}  rows read: {rows_total:,}  members created: {created:,} (registry now {members:,})"
    )
    print(
        f"parse + clean + match: {process_s:7.1f} s  ({rows_total / max(process_s, 0.001):,.0f} rows/s)"
    )
    print(
        f"commit:                {commit_s:7.1f} s  ({created / max(commit_s, 0.001):,.0f} members/s)"
    )
    print(
        f"whole run (with review and storage): {total_s:7.1f} s; counters and audit chain folded after: {fold_s:.1f} s"
    )
    print(
        f"raw COPY of the same {members:,} member rows (the floor): {floor_s:.1f} s → the pipeline costs {total_s / max(floor_s, 0.001):.0f}× the floor"
    )
    print(f"peak memory: {peak_mb:,.0f} MB")
    print(
        f"\nreproduce: .venv/bin/python bench/dirty.py --out {args.dir} && DATABASE_URL={url} .venv/bin/python bench/import_city.py --dir {args.dir}"
    )


if __name__ == "__main__":
    main()
