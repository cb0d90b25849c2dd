"""Quality and speed of the cleaning pipeline on the dirty unit files of bench/dirty.py.

For every kind of injected error: how many were injected, found (the expected problem code
on the row), fixed correctly (the standardised value equals the true one, for kinds a
machine can fix), and per problem code the false alarms (codes on rows where nothing was
injected that explains them). Duplicates are scored as pairs of rows. Wrong values that
pass with no problem on their field are counted as "silent errors", the figure that
matters most. Speed: parse, clean and match separately, rows per second, peak memory.

    .venv/bin/python bench/dirty.py --units 10 && .venv/bin/python bench/cleaning_quality.py --units 10
    .venv/bin/python bench/dirty.py && .venv/bin/python bench/cleaning_quality.py     # the city
"""

import argparse
import datetime
import json
import resource
import sys
import time
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
# isort: off
import partyorg  # noqa: F401 - before lib/: it puts lib's compiled build first, if current
# isort: on

from bench.dirty import truth_values
from lib.cleaning.columns import SourceRow
from lib.cleaning.match import duplicate_groups, find_candidates
from lib.cleaning.parse import parse_file
from lib.cleaning.pipeline import bulk_allocation, clean_parsed, person_of, record_key
from lib.cleaning.rules import RULES, CleanRecord, format_value
from lib.synth import PersonFactory
from lib.vn.text import canonical_tones

# kind -> (codes that find it, whether a machine can restore the true value)
EXPECTED: dict[str, tuple[set[str], bool]] = {
    "nfd": ({"text.unicode_form"}, True),
    "old_tone": (set(), True),
    "eth_for_d": ({"text.eth_for_d"}, True),
    "whitespace": ({"text.whitespace"}, True),
    "cccd_spaces": ({"cccd.reformatted"}, True),
    "cccd_scientific": ({"cccd.excel_rounded"}, False),
    "cccd_missing": ({"required.cccd"}, False),
    "sex_wrong": ({"cccd.sex_mismatch"}, False),
    "birth_year_wrong": ({"cccd.year_mismatch"}, False),
    "date_serial": ({"date.excel_serial"}, True),
    # A column whose text dates are mostly month-first is read month-first, and its
    # ambiguous dates flagged "date.ambiguous": that finds a swap too.
    "date_swapped (day > 12)": ({"date.day_month_swapped", "date.ambiguous"}, True),
    "date_swapped (day <= 12)": ({"date.day_month_swapped", "date.ambiguous"}, False),
    "year_only": ({"date.partial"}, True),
    "phone_no_zero": ({"phone.leading_zero_restored"}, True),
    "sex_variant": (set(), True),
    "official_before_admission": ({"dates.official_before_admission"}, False),
    "admission_under_18": ({"dates.admission_under_18"}, False),
    "missing_required": (
        {"required.full_name", "required.sex", "required.birth_date", "required.admission_date"},
        False,
    ),
    "legacy_residence": ({"place.legacy_residence"}, False),
    "ethnicity_typo": ({"ethnicity.guessed"}, True),
    "card_probationary": ({"card.probationary"}, False),
    "name_case": ({"name.case"}, True),
    "cccd_leading_zero": ({"cccd.leading_zero_restored"}, True),
    "card_leading_zero": ({"card.leading_zero_restored"}, True),
    "two_digit_year": ({"date.two_digit_year"}, True),
    "legacy_tcvn3": ({"text.legacy_tcvn3"}, True),
    "legacy_vni": ({"text.legacy_vni"}, True),
    "lost_in_encoding": (set(), False),
}
# Codes that fire on correct data by design: synthetic hometowns and birthplaces are
# written with the old units, as the forms require (info, with the current name proposed).
BY_DESIGN = {"place.legacy", "sex.numeric_code"}
# Codes that follow from an injected error of another kind (a wrong birth year can make the
# admission age look under 18) or from a duplicate row.
ALSO_EXPLAINS: dict[str, set[str]] = {
    "birth_year_wrong": {"dates.admission_under_18", "dates.birth_implausible"},
    "date_serial": {"date.ambiguous"},
    "transfer_duplicate_no_cccd": {"required.cccd"},
}


def _same(field: str, output: str, true: str) -> bool:
    if field == "full_name":
        return canonical_tones(output) == canonical_tones(true)
    return output == true


def _expand_file_kinds(
    name: str,
    meta: dict[str, Any],
    truths: dict[int, dict[str, str]],
    row_errors: set[tuple[int, str]],
) -> list[dict[str, Any]]:
    """The file-wide dirt as one error per (row, field) it really changed."""
    out = []
    for row, serial in meta["rows"]:
        truth = truths[serial]
        for item in meta["file_kinds"]:
            field, kind = item["field"], item["kind"]
            if field not in meta["columns"]:
                continue
            value = truth.get(field, "")
            if not value:
                continue
            if kind == "card_leading_zero" and not value.startswith("0"):
                continue
            if kind.startswith("legacy_") and value.isascii():
                continue
            # A row dirtied again in the same field only explains codes; it is not scored.
            explain_only = (row, field) in row_errors
            out.append(
                {
                    "file": name,
                    "row": row,
                    "field": field,
                    "kind": kind,
                    "true": value,
                    "explain_only": explain_only,
                }
            )
    return out


def evaluate(records: list[CleanRecord], truth: dict[str, Any], groups: dict[str, str]) -> None:
    today = datetime.date.fromisoformat(truth["today"])
    factory = PersonFactory(truth["seed"], province_code=79)
    serial_of: dict[tuple[str, int], int] = {}
    for name, meta in truth["files"].items():
        for row, serial in meta["rows"]:
            serial_of[(name, row)] = serial
    truths = {
        s: truth_values(factory.person(serial=s, today=today), s) for s in set(serial_of.values())
    }

    errors = [e for e in truth["errors"] if e["field"] != "*"]
    row_errors: dict[str, set[tuple[int, str]]] = defaultdict(set)
    for e in errors:
        row_errors[e["file"]].add((e["row"], e["field"]))
        if e["kind"] == "date_swapped":
            day = int(e["true"][8:10])
            e["kind"] = "date_swapped (day > 12)" if day > 12 else "date_swapped (day <= 12)"
    for name, meta in truth["files"].items():
        errors += _expand_file_kinds(name, meta, truths, row_errors[name])

    by_row = {(r.source.file, r.source.row): r for r in records}
    explained: dict[tuple[str, int], set[str]] = defaultdict(set)
    stats: dict[str, Counter[str]] = defaultdict(Counter)
    found_at: set[tuple[str, int, str]] = set()
    for e in truth["errors"]:
        if e["field"] == "*":
            explained[(e["file"], e["row"])] |= ALSO_EXPLAINS.get(e["kind"], set())
    for e in errors:
        codes, fixable = EXPECTED[e["kind"]]
        key = (e["file"], e["row"])
        explained[key] |= codes | ALSO_EXPLAINS.get(e["kind"], set())
        if e.get("explain_only"):
            continue
        record = by_row.get(key)
        s = stats[e["kind"]]
        s["injected"] += 1
        if record is None:
            s["row lost"] += 1
            continue
        if not codes or codes & set(record.codes):
            s["found"] += 1
            if codes:
                found_at.add((e["file"], e["row"], e["field"]))
        if fixable:
            s["fixable"] += 1
            if _same(e["field"], format_value(record.values.get(e["field"])), e["true"]):
                s["fixed"] += 1

    print(f"\n{'injected kind':<28}{'injected':>9}{'found':>8}{'recall':>8}{'fixed ok':>10}")
    for kind in sorted(stats, key=lambda k: -stats[k]["injected"]):
        s = stats[kind]
        codes, fixable = EXPECTED[kind]
        recall = f"{s['found'] / s['injected']:.1%}" if codes else "(none)"
        fixed = f"{s['fixed']}/{s['fixable']}" if fixable else "n/a"
        print(f"{kind:<28}{s['injected']:>9}{s['found']:>8}{recall:>8}{fixed:>10}")

    # Per problem code: how many rows got it, how many were explained by an injection.
    emitted: Counter[str] = Counter()
    true_positive: Counter[str] = Counter()
    for record in records:
        key = (record.source.file, record.source.row)
        for code in record.codes:
            emitted[code] += 1
            if code in explained.get(key, ()):
                true_positive[code] += 1
    print(f"\n{'problem code':<34}{'severity':<9}{'rows':>8}{'false alarms':>14}{'precision':>11}")
    for code, count in sorted(emitted.items(), key=lambda kv: -kv[1]):
        false_alarms = count - true_positive[code]
        note = "  (by design)" if code in BY_DESIGN else ""
        print(
            f"{code:<34}{RULES[code].severity:<9}{count:>8}{false_alarms:>14}{true_positive[code] / count:>11.1%}{note}"
        )

    # Wrong values that pass without a problem on their field, nor a found error that
    # points at them (a wrong sex is flagged on the CCCD, "cccd.sex_mismatch").
    silent: Counter[str] = Counter()
    compared = 0
    injected_at = found_at | {
        (e["file"], e["row"], e["field"]) for e in errors if e["kind"] == "lost_in_encoding"
    }
    for record in records:
        serial = serial_of.get((record.source.file, record.source.row))
        if serial is None:
            continue
        flagged = {p.field for p in record.problems}
        for field, true in truths[serial].items():
            if (
                field not in record.original
                or (record.source.file, record.source.row, field) in injected_at
            ):
                continue
            compared += 1
            if (
                not _same(field, format_value(record.values.get(field)), true)
                and field not in flagged
            ):
                silent[field] += 1
    total_silent = sum(silent.values())
    print(
        f"\nsilent errors (value wrong, no problem on its field): {total_silent} of {compared:,} values"
        + (f"  {dict(silent.most_common())}" if silent else "")
    )

    # Duplicates, as pairs of rows that are the same person.
    rows_of_serial: dict[int, list[str]] = defaultdict(list)
    for (name, row), serial in serial_of.items():
        rows_of_serial[serial].append(f"{name}:{row}")
    true_pairs = {
        tuple(sorted(p))
        for keys in rows_of_serial.values()
        if len(keys) > 1
        for p in combinations(keys, 2)
    }
    members: dict[str, list[str]] = defaultdict(list)
    for row_key, group in groups.items():
        members[group].append(row_key)
    found_pairs = {tuple(sorted(p)) for keys in members.values() for p in combinations(keys, 2)}
    hit = len(true_pairs & found_pairs)
    print(
        f"\nduplicates: {len(true_pairs)} true pairs, {len(found_pairs)} found, {hit} right: "
        f"recall {hit / max(1, len(true_pairs)):.1%}, precision {hit / max(1, len(found_pairs)):.1%}"
    )
    dup_kinds: Counter[str] = Counter()
    dup_found: Counter[str] = Counter()
    for e in truth["errors"]:
        if e["field"] != "*":
            continue
        dup_key = f"{e['file']}:{e['row']}"
        dup_kinds[e["kind"]] += 1
        serial = serial_of[(e["file"], e["row"])]
        others = [k for k in rows_of_serial[serial] if k != dup_key]
        if dup_key in groups and any(groups.get(k) == groups[dup_key] for k in others):
            dup_found[e["kind"]] += 1
    for kind, n in sorted(dup_kinds.items()):
        print(f"  {kind:<32}{n:>6} injected {dup_found[kind]:>6} found ({dup_found[kind] / n:.1%})")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--units", type=int, default=173)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    folder = args.dir or Path(__file__).resolve().parent / "out" / f"dirty{args.units}"
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    paths = [folder / name for name in truth["files"]]
    today = datetime.date.fromisoformat(truth["today"])

    wall, cpu = time.perf_counter(), time.process_time()
    t_parse = 0.0
    records: list[CleanRecord] = []
    with bulk_allocation():
        # File by file, as clean_files does: parse, clean, then drop the parsed cells.
        for path in paths:
            started = time.perf_counter()
            parsed = parse_file(path)
            t_parse += time.perf_counter() - started
            for record in clean_parsed(parsed, today=today)[0]:
                source = record.source
                record.source = SourceRow(source.file, source.row, [], source.typed_dates)
                records.append(record)
        t_clean = time.perf_counter() - wall - t_parse
        candidates = find_candidates([person_of(r) for r in records])
        groups = duplicate_groups(candidates)
    t_total = time.perf_counter() - wall
    t_match = t_total - t_parse - t_clean
    cpu = time.process_time() - cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = len(records)
    print(
        f"cleaning quality: {len(paths)} files, {rows:,} rows (bench/dirty.py seed {truth['seed']})"
    )
    print(
        f"speed: parse {t_parse:.1f} s, clean {t_clean:.1f} s, match {t_match:.1f} s; total {t_total:.1f} s "
        f"wall, {cpu:.1f} s CPU = {rows / t_total:,.0f} rows/s; peak memory {peak_mb:,.0f} MB; "
        f"{len(candidates):,} candidate pairs, {len(set(groups.values())):,} duplicate groups"
    )
    from partyorg.compiled import in_use

    print("rules under lib/: " + ("compiled with mypyc" if in_use() else "pure Python"))
    assert all(record_key(r) for r in records)
    evaluate(records, truth, groups)
    units = len(paths)
    print(
        f"\nreproduce: .venv/bin/python bench/dirty.py --units {units} --seed {truth['seed']} "
        f"&& .venv/bin/python bench/cleaning_quality.py --units {units}"
    )


if __name__ == "__main__":
    main()
