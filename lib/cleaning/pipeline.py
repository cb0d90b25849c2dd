"""parse -> map -> clean -> match over a set of files, and the clean CSV it writes.

This is what ``partyorg clean`` runs; the review pages run the same steps one by one.
"""

import contextlib
import gc
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, cast

from lib.cleaning.columns import DATE_FIELDS, FIELDS, Mapping, RawRecord, SourceRow, apply_mapping
from lib.cleaning.export import CsvRows
from lib.cleaning.match import (
    DEFAULT_THRESHOLD,
    Candidate,
    Person,
    duplicate_groups,
    find_candidates,
)
from lib.cleaning.parse import Limits, ParsedFile, parse_file
from lib.cleaning.rules import CleanRecord, clean_record, format_value
from lib.vn.encodings import Encoding, detect_legacy

# progress(stage, done, total): stages are "parse" (files), "clean" (rows), "match".
Progress = Callable[[str, int, int], None]

OUTPUT_COLUMNS: tuple[str, ...] = (
    "source_file",
    "source_row",
    *FIELDS,
    "duplicate_group",
    "problems",
)

_DATE_LIKE = re.compile(r"^\s*(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*\d{2,4}\s*$")


@dataclass(slots=True)
class CleanResult:
    files: list[ParsedFile]
    records: list[CleanRecord]
    candidates: list[Candidate]
    groups: dict[str, str]  # record key (file:row) or registry key -> duplicate group id
    threshold: int = DEFAULT_THRESHOLD
    day_first: dict[str, dict[str, bool | None]] = field(default_factory=dict)  # file -> field

    def counts(self) -> Counter[str]:
        """How many rows have each problem code."""
        counter: Counter[str] = Counter()
        for record in self.records:
            counter.update(record.codes)
        return counter


@contextlib.contextmanager
def bulk_allocation() -> Iterator[None]:
    """Pause the cyclic garbage collector while hundreds of thousands of records are built.

    The records hold no reference cycles, so nothing is lost; but with the collector on,
    each of its full passes walks every record made so far, which costs more than the
    cleaning itself on a city's files.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def record_key(record: CleanRecord) -> str:
    return f"{record.source.file}:{record.source.row}"


def infer_day_first(records: Sequence[RawRecord]) -> dict[str, bool | None]:
    """Per date field: False when the file's text dates show month-first writing, None when
    none of them shows either order.

    A value like 25/12/1985 proves day-first, 12/25/1985 month-first. A column is read
    month-first only on clear evidence (at least 3 month-first proofs and more than twice
    the day-first ones): a few swapped values in a Vietnamese file are typing slips, which
    the day-first reading flags one by one ("date.day_month_swapped"). A column with no proof
    at all (a file of a few rows) is read day-first, the Vietnamese way, and each of its dates
    that reads both ways is flagged ("date.ambiguous"): that is a guess, not evidence.
    """
    out: dict[str, bool | None] = {}
    for name in DATE_FIELDS:
        day_proof = month_proof = 0
        for record in records:
            text = record.raw.get(name)
            if not text or name in record.typed_dates:
                continue
            m = _DATE_LIKE.match(text)
            if m:
                a, b = int(m[1]), int(m[2])
                day_proof += a > 12 >= b
                month_proof += b > 12 >= a
        if not day_proof and not month_proof:
            out[name] = None
        else:
            out[name] = not (month_proof >= 3 and month_proof > 2 * day_proof)
    return out


_TEXT_SAMPLE = 3000


def infer_legacy(records: Sequence[RawRecord]) -> Encoding | None:
    """The legacy font most of a file's text was typed in, or None.

    A short cell alone can read as TCVN3 or as VNI; a file is typed in one font, so the
    majority over its cells decides (at least 5 cells and a fifth of the non-ASCII ones).
    """
    counts: Counter[str] = Counter()
    seen = 0
    for record in records:
        for name in ("full_name", "hometown", "birth_place", "residence", "occupation"):
            text = record.raw.get(name)
            if not text or text.isascii():
                continue
            seen += 1
            found = detect_legacy(" ".join(text.split()))
            if found:
                counts[found] += 1
        if seen >= _TEXT_SAMPLE:
            break
    if not counts:
        return None
    encoding, n = counts.most_common(1)[0]
    return cast(Encoding, encoding) if n >= 5 and n * 5 >= seen else None


def person_of(record: CleanRecord) -> Person:
    v = record.values
    return Person(
        record_key(record),
        v.get("full_name"),
        v.get("sex"),
        v.get("birth_date"),
        v.get("cccd"),
        v.get("phone"),
        v.get("hometown"),
        v.get("birth_place"),
        v.get("residence"),
        v.get("admission_date"),
        v.get("ethnicity"),
    )


def clean_parsed(
    parsed: ParsedFile,
    *,
    today: date,
    mapping: Mapping | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[list[CleanRecord], dict[str, bool | None]]:
    """Map and clean one parsed file: (records, the day-first decision per date field)."""
    raws = apply_mapping(parsed, mapping if mapping is not None else parsed.mapping)
    day_first = infer_day_first(raws)
    legacy = infer_legacy(raws)
    out: list[CleanRecord] = []
    for n, raw in enumerate(raws, 1):
        out.append(clean_record(raw, today=today, day_first=day_first, legacy=legacy))
        if progress and n % 1000 == 0:
            progress(1000)
    if progress:
        progress(len(raws) % 1000)
    return out, day_first


def clean_files(
    paths: Sequence[Path | str],
    *,
    today: date,
    registry: Iterable[Person] = (),
    threshold: int = DEFAULT_THRESHOLD,
    mappings: dict[str, Mapping] | None = None,
    limits: Limits = Limits(),  # noqa: B008 - frozen
    progress: Progress | None = None,
) -> CleanResult:
    """Run parse -> map -> clean -> match; raises parse.ParseError for a refused file.

    The returned files keep their metadata (sheet, header, mapping) but not their rows,
    and each record's source keeps its file and row but not the other cells: a city's
    files would otherwise be held in memory three times.

    Files with the same name get "name#2", "name#3" so every row key stays unique.
    mappings (display name -> mapping) override the guessed column mapping.
    """
    files: list[ParsedFile] = []
    seen: Counter[str] = Counter()
    for n, path in enumerate(paths, 1):
        name = Path(path).name
        seen[name] += 1
        display = name if seen[name] == 1 else f"{name}#{seen[name]}"
        files.append(parse_file(path, display_name=display, limits=limits))
        if progress:
            progress("parse", n, len(paths))
    total = sum(len(f.rows) for f in files)
    records: list[CleanRecord] = []
    decisions: dict[str, dict[str, bool | None]] = {}
    done = 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress("clean", done, total)

    with bulk_allocation():
        for parsed in files:
            mapping = (mappings or {}).get(parsed.name)
            cleaned, decisions[parsed.name] = clean_parsed(
                parsed, today=today, mapping=mapping, progress=advance
            )
            # Keep memory to one copy of each value: the cleaned records hold the mapped
            # cells (original) and their source's file and row, not every cell again.
            for record in cleaned:
                source = record.source
                record.source = SourceRow(source.file, source.row, [], source.typed_dates)
            parsed.rows = []
            records.extend(cleaned)
        if progress:
            progress("match", 0, 1)
        candidates = find_candidates([person_of(r) for r in records], registry, threshold=threshold)
        groups = duplicate_groups(candidates, threshold)
    if progress:
        progress("match", 1, 1)
    return CleanResult(files, records, candidates, groups, threshold, decisions)


def output_row(record: CleanRecord, group: str) -> list[str]:
    """One line of the clean CSV (not yet neutralised)."""
    values = record.values
    return [
        record.source.file,
        str(record.source.row),
        *(format_value(values.get(name)) for name in FIELDS),
        group,
        ";".join(record.codes),
    ]


def write_clean_csv(result: CleanResult, out: Path | str | IO[str]) -> int:
    """Write the clean file (UTF-8 with BOM, so Excel shows Vietnamese); returns rows written.

    One row per input row, in input order; every cell neutralised against formulas.
    """
    if isinstance(out, (str, Path)):
        with open(out, "w", encoding="utf-8-sig", newline="") as handle:
            return write_clean_csv(result, handle)
    writer = CsvRows(out)
    writer.writerow(OUTPUT_COLUMNS)
    for record in result.records:
        writer.writerow(output_row(record, result.groups.get(record_key(record), "")))
    return len(result.records)
