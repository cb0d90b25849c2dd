"""django-import-export on the same rows as bench/import_city.py: the tool a Django team would use.

Issue 3 asks for our import pipeline's figures as ratios against django-import-export
importing the same files into the same model. This module times its two modes on
``members.models.Member`` with the ModelResource a Django team would write (``MemberResource``
below: the model's fields, the unit by code through a ForeignKeyWidget, CCCD as the import
id, the derived columns filled in ``before_save_instance``, everything else at the library's
defaults):

* row mode: ``use_bulk=False``, the default, one ``save()`` per row;
* bulk mode: ``use_bulk=True``, ``batch_size=1000``;

each through ``resource.import_data(dataset, dry_run=False, use_transactions=True)`` on an
empty members table.

The same data. import-export does no Vietnamese cleaning, so it is fed the cleaned values of
the same files: ``lib.cleaning.pipeline.clean_files`` (what ``partyorg clean`` runs), one
row per input row, as text, the way the clean CSV holds them. Rows are set aside the way
import_city.py's review does, so both tools load the same people: rows with a blocking
error (which includes every row missing a required value: CCCD, name, sex, birth date,
admission date), every row of a duplicate group after its first, and rows with a value
longer than its column. Without that, import-export would stop on the first NOT NULL or
unique violation and roll the whole import back. The counts are returned and printed. The cleaning is timed on its own
(``clean_s``) and is not part of import-export's times.

An empty members table inside the caller's database: each mode runs in a transaction that
first empties ``members_member`` (``TRUNCATE … CASCADE``, which also empties the tables
pointing at members), imports, counts, and is then rolled back, so the caller's registry
is left as it was. import-export's own transaction is therefore a savepoint of ours: the
import's final COMMIT (one WAL flush) is the only work not timed.

Calling it (django.setup() done, database migrated, the organisations created)::

    from bench.import_export import measure

    figures = measure(files, org=units, limit=20_000)

    measure(
        files: Sequence[Path],          # the unit files (xlsx, csv...), as import_city reads them
        *,
        org: Org | str | Sequence[Org | str],  # where members go: one Org (or its code) for
                                        # every file, or one per file (import_city: units)
        limit: int | None = None,       # row mode imports only the first `limit` rows
        bulk_limit: int | None = None,  # same for bulk mode (default: every row)
        today: date | None = None,      # the cleaning's "today" (default: today)
    ) -> dict[str, float]

Keys of the result: ``rows_read``, ``rows`` (fed to import-export after the skips),
``skipped_errors``, ``skipped_duplicates``, ``skipped_too_long``, ``clean_s``; for each mode ``m`` in ``row`` and
``bulk``: ``{m}_rows`` (imported), ``{m}_s`` (wall seconds of import_data), ``{m}_cpu_s``
(this process's CPU seconds in it), ``{m}_rows_per_s``, and ``{m}_all_s`` = ``rows`` /
rows per second, the time for every row: measured when the mode ran on all rows,
extrapolated when it ran on fewer (``{m}_extrapolated`` is then 1.0).

Alone, on its own PostgreSQL database (recreated; default name partyorg_bench_iex)::

    .venv/bin/python bench/dirty.py --units 4 --out /tmp/iex/dirty4
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/partyorg_bench_iex \\
        .venv/bin/python bench/import_export.py --dir /tmp/iex/dirty4 [--units N] [--limit 20000]
"""

import argparse
import importlib
import os
import sys
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

if TYPE_CHECKING:
    from orgs.models import Org

# Dataset columns: the unit's code, then the record's fields the unit files carry (the fields a
# commit compares, as cleaning.matching.COMPARED says, plus the identifiers and card number).
_NOT_IN_FILES = {"birth_name", "other_names", "service"}


def columns() -> tuple[str, ...]:
    from lib.record import TYPED as RECORD_FIELDS

    return ("org", *(f for f in RECORD_FIELDS if f not in _NOT_IN_FILES), "card_number")


BATCH_SIZE = 1000


def _load_library() -> None:
    """Import the django-import-export package, not this file of the same name.

    Run as a script (this one or bench/import_city.py), bench/ is first on sys.path and
    ``import import_export`` would find this module.
    """
    here = Path(__file__).resolve()
    loaded = sys.modules.get("import_export")
    if loaded is not None and Path(loaded.__file__ or "").resolve() != here:
        return
    saved = sys.path[:]
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here.parent]
    sys.modules.pop("import_export", None)
    try:
        importlib.import_module("import_export")
    finally:
        sys.path[:] = saved


def member_resource(*, bulk: bool) -> Any:
    """The ModelResource a Django team would write for Member (row or bulk mode).

    Built on call, not at import, so that importing this module needs no django.setup().
    """
    _load_library()
    from import_export import fields, resources, widgets

    from members.models import Member
    from members.record import name_columns, status_when_admitted
    from orgs.models import Org

    class PartialDateWidget(widgets.DateWidget):
        """ISO dates; old records know some dates only to the year or the month."""

        def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
            if isinstance(value, str) and len(value) in (4, 7):
                value = (value + "-01-01")[:10]
            return super().clean(value, row, **kwargs)

    class MemberResource(resources.ModelResource):
        org = fields.Field(
            attribute="org", column_name="org", widget=widgets.ForeignKeyWidget(Org, "code")
        )
        birth_date = fields.Field(
            attribute="birth_date", column_name="birth_date", widget=PartialDateWidget()
        )
        official_date = fields.Field(
            attribute="official_date", column_name="official_date", widget=PartialDateWidget()
        )
        admission_date = fields.Field(
            attribute="admission_date", column_name="admission_date", widget=PartialDateWidget()
        )

        class Meta:
            model = Member
            fields = columns()
            import_id_fields = ("cccd",)
            use_bulk = bulk
            batch_size = BATCH_SIZE

        def before_save_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
            # What members.services / cleaning.commit derive from the record.
            birth = row["birth_date"]
            instance.birth_date_precision = {4: "year", 7: "month"}.get(len(birth), "day")
            instance.cmnd = instance.cmnd[:9]
            instance.resume_number = instance.resume_number[:32]
            official = instance.official_date is not None
            instance.status = status_when_admitted(instance.official_date)
            # A card only for official members; no card is NULL (the column is unique).
            instance.card_number = (instance.card_number or None) if official else None
            for column, value in name_columns(instance.full_name, instance.org.path).items():
                setattr(instance, column, value)

    return MemberResource


def prepare_rows(
    files: Sequence[Path], codes: Sequence[str], *, today: date
) -> tuple[list[tuple[str, ...]], dict[str, float]]:
    """The cleaned rows to feed import-export, and the counts of what was read and set aside."""
    from lib.cleaning.pipeline import clean_files, record_key
    from lib.cleaning.rules import format_value
    from members.models import Member

    started = time.monotonic()
    result = clean_files(list(files), today=today)
    clean_s = time.monotonic() - started
    code_of = {parsed.name: code for parsed, code in zip(result.files, codes, strict=True)}
    limits: dict[str, int] = {}
    for model_field in Member._meta.concrete_fields:
        length = getattr(model_field, "max_length", None)
        if length:
            limits[model_field.name] = length
    rows: list[tuple[str, ...]] = []
    seen_groups: set[str] = set()
    seen_keys: set[tuple[str, str]] = set()
    errors = duplicates = too_long = 0
    for record in result.records:
        if record.blocked:
            errors += 1
            continue
        group = result.groups.get(record_key(record))
        if group is not None:
            if group in seen_groups:
                duplicates += 1
                continue
            seen_groups.add(group)
        values = {name: format_value(record.values.get(name)) for name in columns()[1:]}
        # Unique columns repeated outside a duplicate group (the commit, too, keeps the first).
        keys = {("cccd", values["cccd"])}
        if values["card_number"] and values["official_date"]:
            keys.add(("card_number", values["card_number"]))
        if keys & seen_keys:
            duplicates += 1
            continue
        seen_keys |= keys
        if any(
            len(text) > limits.get(name, len(text))
            for name, text in values.items()
            if name not in ("cmnd", "resume_number")  # cut to length, as the commit does
        ):
            too_long += 1
            continue
        rows.append((code_of[record.source.file], *values.values()))
    counts = {
        "rows_read": float(len(result.records)),
        "rows": float(len(rows)),
        "skipped_errors": float(errors),
        "skipped_duplicates": float(duplicates),
        "skipped_too_long": float(too_long),
        "clean_s": clean_s,
    }
    return rows, counts


def _time_import(resource_class: Any, rows: list[tuple[str, ...]]) -> dict[str, float]:
    """Import `rows` into an emptied members table; measure; roll everything back."""
    import tablib
    from django.db import connection, transaction

    from members.models import Member

    class Rollback(Exception):
        pass

    figures: dict[str, float] = {}
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f'TRUNCATE "{Member._meta.db_table}" CASCADE')
            dataset = tablib.Dataset(*rows, headers=list(columns()))
            resource = resource_class()
            wall, cpu = time.monotonic(), time.process_time()
            result = resource.import_data(dataset, dry_run=False, use_transactions=True)
            wall, cpu = time.monotonic() - wall, time.process_time() - cpu
            if result.has_errors() or result.has_validation_errors():
                first = (
                    result.base_errors
                    or [e for _n, errs in result.row_errors() for e in errs]
                    or result.invalid_rows
                )[0]
                raise RuntimeError(f"import-export failed: {getattr(first, 'error', first)!r}")
            imported = Member.objects.count()
            if imported != len(rows):
                raise RuntimeError(f"import-export wrote {imported} members of {len(rows)} rows")
            figures = {"rows": float(imported), "s": wall, "cpu_s": cpu}
            raise Rollback
    except Rollback:
        pass
    return figures


def measure(
    files: Sequence[Path],
    *,
    org: "Org | str | Sequence[Org | str]",
    limit: int | None = None,
    bulk_limit: int | None = None,
    today: date | None = None,
) -> dict[str, float]:
    """Time django-import-export's row and bulk modes on the cleaned rows of `files`.

    See the module's docstring for the arguments and the keys of the result.
    """
    from django.utils import timezone

    if isinstance(org, str) or not isinstance(org, Sequence):
        orgs: list[Any] = [org] * len(files)
    else:
        orgs = list(org)
    codes = [o if isinstance(o, str) else o.code for o in orgs]
    rows, figures = prepare_rows(files, codes, today=today or timezone.localdate())
    for mode, cap in (("row", limit), ("bulk", bulk_limit)):
        part = rows[:cap] if cap is not None else rows
        timed = _time_import(member_resource(bulk=mode == "bulk"), part)
        rate = timed["rows"] / max(timed["s"], 1e-9)
        figures |= {
            f"{mode}_rows": timed["rows"],
            f"{mode}_s": timed["s"],
            f"{mode}_cpu_s": timed["cpu_s"],
            f"{mode}_rows_per_s": rate,
            f"{mode}_all_s": len(rows) / rate if rate else 0.0,
            f"{mode}_extrapolated": float(len(part) < len(rows)),
        }
    return figures


def report(figures: dict[str, float]) -> list[str]:
    """The figures as lines of text."""
    f = figures
    lines = [
        f"rows read: {f['rows_read']:,.0f}; fed to import-export: {f['rows']:,.0f} "
        f"(set aside as import_city's review does: {f['skipped_errors']:,.0f} with blocking "
        f"errors, missing required values included; {f['skipped_duplicates']:,.0f} repeats "
        f"of a duplicate group, CCCD or card number; {f['skipped_too_long']:,.0f} with a value "
        "longer than its column)",
        f"cleaning the files for it (lib.cleaning.pipeline, not in the times below): "
        f"{f['clean_s']:.1f} s",
    ]
    labels = {
        "row": "row mode  (use_bulk=False, one save per row)",
        "bulk": f"bulk mode (use_bulk=True, batch_size={BATCH_SIZE})",
    }
    for mode, label in labels.items():
        lines.append(
            f"{label}: {f[f'{mode}_rows']:,.0f} rows in {f[f'{mode}_s']:.1f} s "
            f"(CPU of this process {f[f'{mode}_cpu_s']:.1f} s) → "
            f"{f[f'{mode}_rows_per_s']:,.0f} rows/s"
        )
        if f[f"{mode}_extrapolated"]:
            lines.append(
                f"    all {f['rows']:,.0f} rows, EXTRAPOLATED from that rate: "
                f"{f[f'{mode}_all_s']:,.0f} s"
            )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dir", type=Path, default=Path("bench/out/dirty"))
    parser.add_argument("--units", type=int, default=None)
    parser.add_argument("--limit", type=int, default=None, help="rows for row mode")
    parser.add_argument("--bulk-limit", type=int, default=None, help="rows for bulk mode")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partyorg.settings")
    # Not production: the settings refuse to start without a key (or DEBUG, which a bench must not
    # run with: it keeps every query in memory).
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/partyorg_bench_iex")
    url = os.environ["DATABASE_URL"]
    from bench.pgdb import prepare_database, require_postgresql, unit_files

    require_postgresql(url, "bench/import_export.py")
    files = unit_files(args.dir, args.units)

    prepare_database(url, fresh=True)
    load_before = os.getloadavg()

    import django

    django.setup()
    _load_library()
    from django.core.management import call_command
    from import_export import __version__

    from orgs.models import Kind
    from orgs.services import org_create

    call_command("migrate", verbosity=0)
    # The organisations of import_city.py: file i goes to unit i.
    root = org_create(code="TW", name="Đảng Cộng sản Việt Nam", kind=Kind.CENTRAL, parent=None)
    city = org_create(
        code="79", name="Đảng bộ Thành phố Hồ Chí Minh", kind=Kind.PROVINCE, parent=root
    )
    units = [
        org_create(code=f"79.U{i:03d}", name=f"Đơn vị {i}", kind=Kind.GRASSROOTS_CELL, parent=city)
        for i in range(len(files))
    ]
    figures = measure(files, org=units, limit=args.limit, bulk_limit=args.bulk_limit)
    load_after = os.getloadavg()
    print(
        f"django-import-export {__version__} into members_member on {url.rsplit('/', 1)[-1]}: "
        f"{len(files)} unit files from {args.dir}"
    )
    for line in report(figures):
        print(line)
    print(
        f"{os.cpu_count()} cores shared with other work: load average "
        f"{load_before[0]:.2f} before, {load_after[0]:.2f} after (1-minute)"
    )
    limits = "".join(
        f" --{name} {value}"
        for name, value in (
            ("units", args.units),
            ("limit", args.limit),
            ("bulk-limit", args.bulk_limit),
        )
        if value is not None
    )
    in_dir = sum(1 for p in args.dir.iterdir() if p.suffix in (".xlsx", ".csv"))
    print(
        f"\nreproduce: .venv/bin/python bench/dirty.py --units {in_dir} --out {args.dir} && "
        f"DATABASE_URL={url} .venv/bin/python bench/import_export.py --dir {args.dir}{limits}"
    )


if __name__ == "__main__":
    main()
