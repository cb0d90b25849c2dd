"""Hard duplicates at the city's scale, with exact truth; our matching and Splink 5 side by side.

The set (about 100,000 rows in 40 unit files, CSV) holds, besides people written once:

- unrecorded transfers (one person in 35): the person again in a later unit, with a one-letter
  name typo, a new phone, a new residence, a CCCD missing, stale (the old 9-digit CMND) or one
  digit off, and a hometown written otherwise (the current 2025 name for the old one, or
  abbreviated units);
- exact copies (the same row twice in a file);
- birth dates with day and month swapped (both <= 12), the CCCD kept or left out;
- CCCDs with one digit mistyped, everything else the same;
- 400 namesake pairs: two different people with the same full name and birth date (one of
  them without a CCCD in half the pairs), who must NOT be merged.

Harder cases (since the second version of the set, `hard<people>-v2`), each realistic:

- transfers whose admission date was typed again at the new unit (one digit wrong, day and month
  swapped, or only the year), besides the transfer's own changes (`transfer_retyped`);
- a woman moved to another unit (a marriage): a new phone and residence, her CCCD missing or
  her old 9-digit CMND in its place, everything else as before (`moved_woman`);
- a stale copy: the old 9-digit CMND in the CCCD column, the phone changed in half
  (`stale_cccd`);
- namesakes from one commune: same full name, birth date, sex, hometown, birthplace and
  ethnicity, each their own CCCD (of the same province and year) or one left out, their own
  phone, residence and admission date: two people, who must NOT be merged;
- twins: same birth date, birthplace, hometown and family name and middle name, given names
  one letter or one tone apart in half the pairs (Hùng and Hưng), their own CCCD or one left
  out, their own phone, their own admission date (in nine pairs of ten; the tenth were admitted
  together), the same residence in half: NOT to be merged.

The truth is a person id per row. Both methods read the same files through our parse and clean
(the standardised values are the input; Splink is given the same columns). The scorer prints
pairwise precision, recall and F1, recall on transfers and on exact copies, namesake pairs
merged, and the recall of the blocking alone (pairs reaching the scoring).

    .venv/bin/python bench/dedupe_hard.py                  # generate (once) and measure both
    .venv/bin/python bench/dedupe_hard.py --people 5000    # a quick run
    .venv/bin/python bench/dedupe_hard.py --no-splink      # ours only
"""

import argparse
import csv
import datetime
import json
import os
import random
import resource
import sys
import time
import unicodedata
from collections import defaultdict
from itertools import combinations
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
# isort: off
import partyorg  # noqa: F401 - before lib/: it puts lib's compiled build first, if current
# isort: on

from lib.cleaning.linkage import LEVELS
from lib.cleaning.match import duplicate_groups, link
from lib.cleaning.pipeline import bulk_allocation, clean_files, person_of, record_key
from lib.cleaning.places import legacy_place
from lib.synth import Person, PersonFactory

TODAY = datetime.date(2026, 11, 20)
UNITS = 40
COLUMNS = [
    "Họ và tên",
    "Số CCCD",
    "Giới tính",
    "Ngày sinh",
    "Nơi sinh",
    "Quê quán",
    "Nơi thường trú",
    "Dân tộc",
    "Tôn giáo",
    "Ngày vào Đảng",
    "Ngày chính thức",
    "Số thẻ đảng viên",
    "Điện thoại",
]
KINDS = (
    "transfer",
    "exact_copy",
    "swapped_date",
    "cccd_typo",
    "transfer_retyped",
    "moved_woman",
    "stale_cccd",
)
# Pairs of different people the methods must keep apart: (truth key, row kind).
APART = (("namesakes", "namesake"), ("commune_namesakes", "namesake_commune"), ("twins", "twin"))
# Given names of twins one letter or one tone apart (the other half: any two given names).
TWIN_NAMES = (
    ("Hùng", "Hưng"),
    ("Thanh", "Thành"),
    ("Tâm", "Tân"),
    ("Tuấn", "Tuân"),
    ("Hoà", "Hoài"),
    ("Phương", "Phượng"),
    ("Anh", "Ánh"),
    ("Lan", "Lam"),
    ("Hà", "Hải"),
    ("Long", "Lông"),
)
_VOWELS = "aăâeêioôơuưy"
_LETTERS = "bcdghklmnpqrstvx"


def _date(d: datetime.date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else ""


def _cells(p: Person, serial: int) -> list[str]:
    card = f"{serial % 100_000_000:08d}" if p.official_date else ""
    return [
        p.full_name,
        p.cccd,
        "Nam" if p.sex == "M" else "Nữ",
        _date(p.birth_date),
        p.birth_place,
        p.hometown,
        p.residence,
        p.ethnicity,
        p.religion,
        _date(p.admission_date),
        _date(p.official_date),
        card,
        "0" + p.phone[3:],
    ]


def name_typo(name: str, rng: random.Random) -> str:
    """One letter wrong: replaced, dropped or doubled, in one word (never the whole word)."""
    words = name.split()
    index = rng.randrange(len(words))
    word = words[index]
    for _ in range(20):
        at = rng.randrange(len(word))
        how = rng.random()
        if how < 0.5:
            pool = _VOWELS if word[at].lower() in _VOWELS else _LETTERS
            letter = rng.choice(pool)
            new = word[:at] + (letter.upper() if word[at].isupper() else letter) + word[at + 1 :]
        elif how < 0.75 and len(word) > 2 and at > 0:
            new = word[:at] + word[at + 1 :]
        else:
            new = word[: at + 1] + word[at:]
        if new != word:
            words[index] = new
            return " ".join(words)
    return name


def digit_typo(number: str, rng: random.Random, *, tail_only: bool = True) -> str:
    """One digit of the serial part wrong (the province, sex and year digits kept)."""
    at = rng.randrange(6 if tail_only else 0, len(number))
    digit = rng.choice([d for d in "0123456789" if d != number[at]])
    return number[:at] + digit + number[at + 1 :]


_ABBREVIATE = (("xã ", "X. "), ("huyện ", "H. "), ("tỉnh ", "T. "), ("thành phố ", "TP. "))


def other_hometown_text(text: str, rng: random.Random) -> str:
    """The same hometown written otherwise: its current (2025) name, or abbreviated units."""
    place = legacy_place(text)
    if place and place.proposal and rng.random() < 0.6:
        return place.proposal
    out = text
    for long, short in _ABBREVIATE:
        out = out.replace(long, short)
    return out if out != text else text.upper()


def retyped_date(d: datetime.date, rng: random.Random) -> str:
    """A date typed again: one digit wrong, day and month swapped, or only the year."""
    how = rng.random()
    if how < 0.3 and d.day <= 12 and d.day != d.month:
        return _date(d.replace(month=d.day, day=d.month))
    if how < 0.65:
        return str(d.year)
    text = _date(d)
    for _ in range(50):
        at = rng.choice([0, 1, 3, 4, 8, 9])  # the day, the month, the year's last two digits
        typed = text[:at] + rng.choice("0123456789") + text[at + 1 :]
        try:
            new = datetime.datetime.strptime(typed, "%d/%m/%Y").date()
        except ValueError:
            continue
        if new != d and new <= TODAY:
            return typed
    return str(d.year)


_TONES = ("\u0300", "\u0301", "\u0303", "\u0309", "\u0323")


def near_given(given: str) -> str:
    """A twin's given name one letter or one tone from the other's (Hùng and Hưng, Thanh and
    Thành): the pair's partner, else the name without its tone, or with a falling one."""
    for a, b in TWIN_NAMES:
        if given in (a, b):
            return b if given == a else a
    letters = unicodedata.normalize("NFD", given)
    if any(c in _TONES for c in letters):
        return unicodedata.normalize("NFC", "".join(c for c in letters if c not in _TONES))
    at = next((i for i, c in enumerate(letters) if c.lower() in "aeiouy"), None)
    if at is None:
        return given + "h"
    return unicodedata.normalize("NFC", letters[: at + 1] + "\u0300" + letters[at + 1 :])


def cmnd(rng: random.Random) -> str:
    return f"{rng.randrange(10**8, 10**9):09d}"


def own_cccd(p: Person, rng: random.Random) -> str:
    """Another person's CCCD of the same province, sex, century and year of birth."""
    while True:
        number = p.cccd[:6] + f"{rng.randrange(10**6):06d}"
        if sum(a != b for a, b in zip(number, p.cccd, strict=True)) > 1:
            return number


def own_dates(p: Person, rng: random.Random) -> tuple[str, str]:
    """Admission and official dates of someone born on p's birthday, admitted another day."""
    born = p.birth_date
    earliest = datetime.date(born.year + 18, born.month, 1) + datetime.timedelta(days=31)
    for _ in range(50):
        admitted = p.admission_date + datetime.timedelta(days=rng.randrange(-3000, 3000))
        if earliest <= admitted <= TODAY and abs((admitted - p.admission_date).days) > 40:
            break
    else:
        admitted = p.admission_date + datetime.timedelta(days=60)
    official = admitted + datetime.timedelta(days=365)
    return _date(admitted), _date(official) if official < TODAY else ""


def generate(out: Path, *, people: int, seed: int) -> dict[str, Any]:
    """Write the unit files and truth.json; returns the truth."""
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    factory = PersonFactory(seed, province_code=79)
    units: list[list[tuple[int, str, list[str]]]] = [[] for _ in range(UNITS)]  # (pid, kind, cells)
    base = [factory.person(serial=i, today=TODAY) for i in range(people)]
    for pid, p in enumerate(base):
        units[pid * UNITS // people].append((pid, "", _cells(p, pid)))
    # Namesakes: a new person given the name and birth date of someone else.
    namesakes: list[tuple[int, int]] = []
    extra = people
    for pid in rng.sample(range(people), min(400, people // 10)):
        other = factory.person(serial=extra + 1_000_000, today=TODAY)
        twin = base[pid]
        # Same full name and birth date; the same sex (the name says it), all else their own.
        while other.sex != twin.sex:
            extra += 1
            other = factory.person(serial=extra + 1_000_000, today=TODAY)
        cells = _cells(other, extra)
        cells[0], cells[3] = twin.full_name, _date(twin.birth_date)
        if rng.random() < 0.5:
            cells[1] = ""  # one of the two without a CCCD: only the other fields tell
        units[rng.randrange(UNITS)].append((extra, "namesake", cells))
        namesakes.append((pid, extra))
        extra += 1
    apart: dict[str, list[tuple[int, int]]] = {"commune_namesakes": [], "twins": []}
    for what, pid in zip(
        ["commune_namesakes", "twins"] * min(400, people // 10),
        rng.sample(range(people), 2 * min(400, people // 10)),
        strict=True,
    ):
        p = base[pid]
        other = factory.person(serial=extra + 1_000_000, today=TODAY)
        cells = _cells(other, extra)
        # One commune, one birthday: the places, the sex and the ethnicity are p's.
        cells[2], cells[3], cells[4], cells[5], cells[7] = (
            "Nam" if p.sex == "M" else "Nữ",
            _date(p.birth_date),
            p.birth_place,
            p.hometown,
            p.ethnicity,
        )
        cells[9], cells[10] = own_dates(p, rng)
        cells[11] = cells[11] if cells[10] else ""
        cells[1] = own_cccd(p, rng) if rng.random() < 0.5 else ""
        if what == "commune_namesakes":
            cells[0], kind = p.full_name, "namesake_commune"
        else:
            words = p.full_name.split()
            if rng.random() < 0.5:
                words[-1] = near_given(words[-1])
            else:
                given = other.full_name.split()[-1]
                words[-1] = given if given != words[-1] else near_given(given)
            cells[0], kind = " ".join(words), "twin"
            if rng.random() < 0.5:
                cells[6] = p.residence
            if rng.random() < 0.1:  # admitted together, in one cell
                cells[9], cells[10] = _date(p.admission_date), _date(p.official_date)
        units[pid * UNITS // people].append((extra, kind, cells))
        apart[what].append((pid, extra))
        extra += 1
    chosen = rng.sample(range(people), people // 35 + people * 3 // 100 + people * 3 // 100)
    transfers, rest = chosen[: people // 35], chosen[people // 35 :]
    for pid in transfers:
        p = base[pid]
        cells = _cells(p, pid)
        cells[0] = name_typo(p.full_name, rng)
        cells[12] = "0" + rng.choice("3789") + f"{rng.randrange(10**8):08d}"
        cells[6] = factory.person(serial=rng.randrange(people) + 1_500_000, today=TODAY).residence
        cells[5] = other_hometown_text(p.hometown, rng)
        how = rng.random()
        cells[1] = (
            ""
            if how < 0.45
            else f"{rng.randrange(10**9):09d}"
            if how < 0.8
            else digit_typo(p.cccd, rng)
        )
        unit = pid * UNITS // people
        units[(unit + rng.randrange(1, UNITS)) % UNITS].append((pid, "transfer", cells))
    for n, pid in enumerate(rest):
        p = base[pid]
        cells = _cells(p, pid)
        unit = pid * UNITS // people
        kind = (
            "exact_copy",
            "swapped_date",
            "cccd_typo",
            "transfer_retyped",
            "moved_woman",
            "stale_cccd",
        )[n % 6]
        if kind == "transfer_retyped":
            cells[0] = name_typo(p.full_name, rng) if rng.random() < 0.5 else p.full_name
            cells[12] = "0" + rng.choice("3789") + f"{rng.randrange(10**8):08d}"
            cells[6] = factory.person(
                serial=rng.randrange(people) + 1_500_000, today=TODAY
            ).residence
            cells[5] = other_hometown_text(p.hometown, rng)
            how = rng.random()
            cells[1] = "" if how < 0.45 else cmnd(rng) if how < 0.8 else digit_typo(p.cccd, rng)
            cells[9] = retyped_date(p.admission_date, rng)
            unit = (unit + rng.randrange(1, UNITS)) % UNITS
        elif kind == "moved_woman":
            if p.sex != "F":
                continue
            cells[12] = "0" + rng.choice("3789") + f"{rng.randrange(10**8):08d}"
            cells[6] = factory.person(
                serial=rng.randrange(people) + 1_500_000, today=TODAY
            ).residence
            cells[1] = "" if rng.random() < 0.6 else cmnd(rng)
            unit = (unit + rng.randrange(1, UNITS)) % UNITS
        elif kind == "stale_cccd":
            cells[1] = cmnd(rng)
            if rng.random() < 0.5:
                cells[12] = "0" + rng.choice("3789") + f"{rng.randrange(10**8):08d}"
        elif kind == "swapped_date":
            d = p.birth_date
            if d.day > 12 or d.day == d.month:
                continue
            cells[3] = _date(d.replace(month=d.day, day=d.month))
            if rng.random() < 0.5:
                cells[1] = ""
        elif kind == "cccd_typo":
            cells[1] = digit_typo(p.cccd, rng)
        units[unit].append((pid, kind, cells))
    truth: dict[str, Any] = {
        "seed": seed,
        "people": people,
        "rows": {},
        "namesakes": namesakes,
        **apart,
    }
    for n, rows in enumerate(units, 1):
        rng.shuffle(rows)
        name = f"hard_{n:02d}.csv"
        with open(out / name, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(COLUMNS)
            for row, (pid, kind, cells) in enumerate(rows, 2):
                writer.writerow(cells)
                truth["rows"][f"{name}:{row}"] = [pid, kind]
    with open(out / "truth.json", "w", encoding="utf-8") as handle:
        json.dump(truth, handle, ensure_ascii=False)
    return truth


# -- Scoring ---------------------------------------------------------------------------------


def pairs_of(groups: dict[str, str]) -> set[tuple[str, str]]:
    members: dict[str, list[str]] = defaultdict(list)
    for key, group in groups.items():
        members[group].append(key)
    return {
        (a, b) if a < b else (b, a) for keys in members.values() for a, b in combinations(keys, 2)
    }


def truth_pairs(truth: dict[str, Any]) -> tuple[set[tuple[str, str]], dict[tuple[str, str], str]]:
    by_person: dict[int, list[tuple[str, str]]] = defaultdict(list)
    apart = {kind for _what, kind in APART}
    for key, (pid, kind) in truth["rows"].items():
        if kind not in apart:
            by_person[pid].append((key, kind))
    pairs: set[tuple[str, str]] = set()
    kind_of: dict[tuple[str, str], str] = {}
    for rows in by_person.values():
        for (a, ka), (b, kb) in combinations(rows, 2):
            pair = (a, b) if a < b else (b, a)
            pairs.add(pair)
            kind_of[pair] = ka or kb
    return pairs, kind_of


def score(
    label: str,
    predicted: set[tuple[str, str]],
    truth: dict[str, Any],
    blocked: set[tuple[str, str]] | None = None,
) -> dict[str, Any]:
    true, kind_of = truth_pairs(truth)
    found = predicted & true
    precision = len(found) / len(predicted) if predicted else 1.0
    recall = len(found) / len(true) if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    by_kind = {
        kind: (
            sum(1 for p in found if kind_of[p] == kind),
            sum(1 for p in true if kind_of[p] == kind),
        )
        for kind in KINDS
    }
    # Pairs of two people (namesakes, twins): any row of the first and the other's row
    # predicted to be one person.
    rows_of: dict[int, list[str]] = defaultdict(list)
    row_of: dict[int, str] = {}
    apart = {kind for _what, kind in APART}
    for key, (pid, kind) in truth["rows"].items():
        if kind in apart:
            row_of[pid] = key
        else:
            rows_of[pid].append(key)
    merged: dict[str, tuple[int, int]] = {}
    for what, _kind in APART:
        pairs = truth.get(what, [])
        merged[what] = (
            sum(
                1
                for first, other in pairs
                if any(
                    ((a, row_of[other]) if a < row_of[other] else (row_of[other], a)) in predicted
                    for a in rows_of[first]
                )
            ),
            len(pairs),
        )
    out = {
        "method": label,
        "pairs_true": len(true),
        "pairs_predicted": len(predicted),
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "by_kind": by_kind,
        "merged": merged,
    }
    if blocked is not None:
        out["blocking_recall"] = len(blocked & true) / len(true) if true else 1.0
        out["blocked_pairs"] = len(blocked)
    return out


def show(result: dict[str, Any], seconds: float) -> None:
    kinds = ", ".join(
        f"{kind} {found:,}/{total:,} ({100 * found / total if total else 0:.1f}%)"
        for kind, (found, total) in result["by_kind"].items()
    )
    apart = ", ".join(
        f"{what} {merged}/{total}" for what, (merged, total) in result["merged"].items()
    )
    blocking = (
        f"; blocking recall {100 * result['blocking_recall']:.2f}% "
        f"({result['blocked_pairs']:,} pairs scored)"
        if "blocking_recall" in result
        else ""
    )
    print(
        f"{result['method']}: precision {100 * result['precision']:.2f}%, recall "
        f"{100 * result['recall']:.2f}%, F1 {100 * result['f1']:.2f}% "
        f"({result['pairs_predicted']:,} pairs predicted, {result['pairs_true']:,} true)"
        f"{blocking}; {seconds:.1f} s\n    recall by kind: {kinds}\n"
        f"    different people merged: {apart}"
    )


# -- Splink ----------------------------------------------------------------------------------


def run_splink(records: list[Any]) -> tuple[set[tuple[str, str]], float]:
    """Splink 5 with DuckDB, configured as its documentation suggests for people: EM-trained
    m probabilities, u from random sampling, term frequencies on the name."""
    import pyarrow as pa  # type: ignore[import-untyped]
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    from lib.cleaning.fast import fold
    from lib.cleaning.rules import format_value

    started = time.perf_counter()
    rows = []
    for record in records:
        v = record.values
        name = fold(v.get("full_name") or "")
        words = name.split()
        birth = format_value(v.get("birth_date"))
        admitted = format_value(v.get("admission_date"))
        rows.append(
            {
                "unique_id": record_key(record),
                "full_name": name or None,
                "surname": words[0] if words else None,
                "given_name": words[-1] if words else None,
                "birth_date": birth if len(birth) == 10 else None,
                "birth_year": birth[:4] or None,
                "cccd": v.get("cccd") or None,
                "phone": v.get("phone") or None,
                "sex": v.get("sex") or None,
                "hometown": fold(v.get("hometown") or "") or None,
                "birth_place": fold(v.get("birth_place") or "") or None,
                "admission_date": admitted if len(admitted) == 10 else None,
            }
        )
    db_api = DuckDBAPI()
    table = db_api.register(pa.Table.from_pylist(rows))
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("full_name").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison("birth_date", input_is_string=True),
            cl.LevenshteinAtThresholds("cccd", [1, 2]),
            cl.ExactMatch("phone"),
            cl.ExactMatch("sex"),
            cl.JaroWinklerAtThresholds("hometown", [0.9, 0.8]),
            cl.JaroWinklerAtThresholds("birth_place", [0.9, 0.8]),
            # As for the birth date: a date typed again (one character, a month, a year off).
            cl.DateOfBirthComparison("admission_date", input_is_string=True),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("cccd"),
            block_on("birth_date", "surname"),
            block_on("birth_date", "given_name"),
            block_on("birth_date", "phone"),
            block_on("full_name", "birth_year"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(table, settings, log_level="WARNING")
    linker.training.estimate_probability_two_random_records_match(
        [block_on("cccd"), block_on("full_name", "birth_date", "admission_date")], recall=0.8
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("birth_date"))
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("surname", "given_name")
    )
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=0.9
    )
    groups = _clusters(clusters)
    return pairs_of(groups), time.perf_counter() - started


def _clusters(clusters: Any) -> dict[str, str]:
    relation = clusters.as_duckdbpyrelation()
    return {str(uid): str(cid) for uid, cid in relation.select("unique_id, cluster_id").fetchall()}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=97_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--no-splink", action="store_true")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()
    out = args.out or Path(__file__).resolve().parent / "out" / f"hard{args.people}-v2"
    if not (out / "truth.json").exists():
        started = time.perf_counter()
        truth = generate(out, people=args.people, seed=args.seed)
        print(
            f"generated {len(truth['rows']):,} rows in {out} ({time.perf_counter() - started:.1f} s)"
        )
    truth = json.loads((out / "truth.json").read_text(encoding="utf-8"))
    files = sorted(out.glob("hard_*.csv"))
    load = os.getloadavg()
    print(
        f"{len(files)} files, {len(truth['rows']):,} rows; load average {load[0]:.2f} "
        f"{load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores"
    )
    started = time.perf_counter()
    result = clean_files(files, today=TODAY)
    cleaned = time.perf_counter() - started
    print(f"parse + clean + match (ours, as `partyorg clean` runs it): {cleaned:.1f} s")
    people = [person_of(r) for r in result.records]
    started = time.perf_counter()
    with bulk_allocation():  # as the pipeline runs it
        linked = link(people, threshold=result.threshold)
        groups = duplicate_groups(linked.candidates, result.threshold)
    ours_seconds = time.perf_counter() - started
    blocked = {(a, b) if a < b else (b, a) for a, b in linked.blocked}
    model = linked.model
    print(
        f"model: {model.pairs:,} compared pairs, {model.iterations} EM iterations, "
        f"prior {model.prior:.4f}; weights (bits): "
        + "; ".join(
            f"{f} "
            + " ".join(
                f"{LEVELS[f][n]} {model.weight(f, n):+.1f}" for n in range(1, len(LEVELS[f]))
            )
            for f in LEVELS
        )
    )
    figures = [score("ours", pairs_of(groups), truth, blocked)]
    show(figures[-1], ours_seconds)
    if not args.no_splink:
        predicted, seconds = run_splink(result.records)
        figures.append(score("splink 5", predicted, truth))
        show(figures[-1], seconds)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak:,.0f} MB")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1), encoding="utf-8")
    print(
        f"reproduce: .venv/bin/python bench/dedupe_hard.py --people {args.people} "
        f"--seed {args.seed}"
    )


if __name__ == "__main__":
    main()
