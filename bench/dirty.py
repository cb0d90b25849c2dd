"""Dirty unit files for the cleaning benchmark, with a ground truth of every injected error.

Ho Chi Minh City's campaign had 365,911 members in 173 units. This writes one file per
unit (xlsx, or csv in UTF-8, UTF-8 with BOM, UTF-16 or Windows-1258), filled with the
members of ``lib.synth.PersonFactory(seed, province_code=79)`` (serials 0..N-1, split
between the units), and dirties them the way real unit files are dirty (DOMAIN.md, "What
dirty data looks like"):

* per file: title rows above the header, an STT column, a row of column numbers, header
  names from the many variants officials use, the date style (dd/mm/yyyy, date cells,
  ISO, d/m/yy, dd.mm.yyyy, Vietnamese words), sex written as Nam/Nữ, M/F, 1/2 ..., names
  in capitals, CCCD/phone/card numbers stored as numbers (Excel drops the leading zero),
  text typed in the legacy TCVN3 or VNI fonts;
* per row, at most one of: NFD text, old tone placement, Ð for Đ, extra spaces, CCCD
  with spaces / in scientific notation / missing, wrong sex, wrong birth year, an Excel
  serial date, day and month swapped, a year-only date, phone without its leading zero,
  an odd sex value, official date before admission, admission before 18, a missing
  required field, a pre-merger residence, a misspelt ethnicity, a card for a
  probationary member, an exact duplicate row, the same person again in another unit.

The ground truth (``truth.json``) lists for every file its rows (spreadsheet row -> person
serial), its file-wide dirt, and every row-level injected error: file, row, field, kind,
true value. ``bench/cleaning_quality.py`` reads it back.

    .venv/bin/python bench/dirty.py --units 10 --out bench/out/dirty10
    .venv/bin/python bench/dirty.py                      # the whole city: 173 units
    .venv/bin/python bench/dirty.py --units 3321 --members 5600000 --out bench/out/dirty-nation
"""

import argparse
import csv
import datetime
import json
import random
import sys
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lib.synth import Person, PersonFactory
from lib.vn.encodings import encode_legacy
from lib.vn.text import canonical_tones

CITY_MEMBERS = 365_911
CITY_UNITS = 173
TODAY = datetime.date(2025, 11, 20)

# Header variants per field, as officials write them.
HEADERS: dict[str, list[str]] = {
    "full_name": ["Họ và tên", "Họ tên", "HỌ VÀ TÊN ĐẢNG VIÊN", "Họ và tên đảng viên"],
    "cccd": ["Số CCCD", "CCCD", "Số định danh cá nhân", "CCCD/CMND"],
    "sex": ["Giới tính", "Nam/Nữ", "GIỚI TÍNH"],
    "birth_date": ["Ngày sinh", "Ngày tháng năm sinh", "NGÀY SINH"],
    "birth_place": ["Nơi sinh"],
    "hometown": ["Quê quán", "QUÊ QUÁN"],
    "residence": ["Nơi ở hiện nay", "Nơi thường trú", "Địa chỉ"],
    "ethnicity": ["Dân tộc"],
    "religion": ["Tôn giáo"],
    "education": ["Trình độ học vấn", "Giáo dục phổ thông"],
    "political_theory": ["Trình độ LLCT", "Lý luận chính trị"],
    "qualification": ["Chuyên môn", "Trình độ chuyên môn"],
    "foreign_language": ["Ngoại ngữ"],
    "occupation": ["Nghề nghiệp"],
    "admission_date": ["Ngày vào Đảng", "Ngày kết nạp", "NGÀY VÀO ĐẢNG"],
    "official_date": ["Ngày chính thức", "Ngày công nhận chính thức"],
    "card_number": ["Số thẻ đảng viên", "Số thẻ", "Số thẻ ĐV"],
    "phone": ["Điện thoại", "SĐT", "Số điện thoại"],
    "email": ["Email", "Thư điện tử"],
}
REQUIRED = ["full_name", "cccd", "sex", "birth_date", "admission_date"]
OPTIONAL = [f for f in HEADERS if f not in REQUIRED]
SEX_STYLES = [("Nam", "Nữ"), ("nam", "nữ"), ("NAM", "NỮ"), ("M", "F"), ("1", "2"), ("Nam", "Nu")]
DATE_STYLES = ["dmy", "dmy", "dmy", "cells", "cells", "iso", "dots", "short", "words"]
TEXT_FIELDS = [
    "full_name", "birth_place", "hometown", "residence", "ethnicity", "religion",
    "qualification", "occupation", "foreign_language",
]  # fmt: skip

# Row-level dirt: kind -> rate. At most one per row, so every error is measured alone.
ROW_KINDS: dict[str, float] = {
    "nfd": 0.02,
    "old_tone": 0.02,
    "eth_for_d": 0.01,
    "whitespace": 0.02,
    "cccd_spaces": 0.01,
    "cccd_scientific": 0.004,
    "cccd_missing": 0.005,
    "sex_wrong": 0.004,
    "birth_year_wrong": 0.004,
    "date_serial": 0.01,
    "date_swapped": 0.01,
    "year_only": 0.005,
    "phone_no_zero": 0.02,
    "sex_variant": 0.01,
    "official_before_admission": 0.003,
    "admission_under_18": 0.003,
    "missing_required": 0.005,
    "legacy_residence": 0.01,
    "ethnicity_typo": 0.003,
    "card_probationary": 0.002,
    "exact_duplicate": 0.003,
    "transfer_duplicate": 0.005,
}
SEX_VARIANTS = {"M": ["NAM", "nam giới", "Male", "m"], "F": ["NU", "nữ giới", "Female", "f", "NỮ"]}


def card_number(serial: int) -> str:
    """A deterministic 8-digit card number, unique per serial below 10**8."""
    return f"{(serial * 48271 + 1234567) % 100_000_000:08d}"


def iso(d: datetime.date | None) -> str:
    return d.isoformat() if d else ""


def excel_serial(d: datetime.date) -> int:
    return (d - datetime.date(1899, 12, 30)).days


def write_date(d: datetime.date, style: str) -> Any:
    if style == "cells":
        return d
    if style == "iso":
        return d.isoformat()
    if style == "dots":
        return f"{d.day:02d}.{d.month:02d}.{d.year}"
    if style == "short":
        return f"{d.day}/{d.month}/{d.year % 100:02d}"
    if style == "words":
        return f"ngày {d.day} tháng {d.month} năm {d.year}"
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


@dataclass
class UnitFile:
    index: int
    name: str
    fmt: str  # xlsx | csv
    encoding: str | None
    columns: list[str]
    headers: list[str]
    date_style: str
    sex_style: tuple[str, str]
    capitals: bool
    numbers_as_numbers: bool
    legacy: str | None
    title_rows: int
    numbering_row: bool
    stt: bool
    file_kinds: list[dict[str, str]] = field(default_factory=list)


def plan_unit(index: int, rng: random.Random) -> UnitFile:
    fmt = "csv" if rng.random() < 0.3 else "xlsx"
    encoding = rng.choice(["utf-8", "utf-8-sig", "utf-16", "cp1258"]) if fmt == "csv" else None
    columns = list(REQUIRED)
    columns += [f for f in OPTIONAL if rng.random() < 0.75 or f in ("official_date", "phone")]
    rng.shuffle(columns)
    columns.sort(key=lambda f: 0 if f == "full_name" else 1)  # the name comes first
    headers = [rng.choice(HEADERS[f]) for f in columns]
    style = rng.choice(DATE_STYLES)
    if style == "cells" and fmt == "csv":
        style = "dmy"
    legacy = None
    if fmt == "xlsx" and rng.random() < 0.08:
        legacy = rng.choice(["tcvn3", "vni"])
    if encoding == "cp1258":
        legacy = None  # a Windows-1258 file is already Unicode-capable
    unit = UnitFile(
        index=index,
        name=f"unit_{index:03d}.{fmt}",
        fmt=fmt,
        encoding=encoding,
        columns=columns,
        headers=headers,
        date_style=style,
        sex_style=rng.choice(SEX_STYLES),
        capitals=rng.random() < 0.25,
        numbers_as_numbers=fmt == "xlsx" and rng.random() < 0.4,
        legacy=legacy,
        title_rows=rng.choice([0, 2, 3]),
        numbering_row=rng.random() < 0.3,
        stt=rng.random() < 0.8,
    )
    if unit.capitals:
        unit.file_kinds.append({"field": "full_name", "kind": "name_case"})
    if unit.numbers_as_numbers:
        unit.file_kinds += [
            {"field": "cccd", "kind": "cccd_leading_zero"},
            {"field": "phone", "kind": "phone_no_zero"},
            {"field": "card_number", "kind": "card_leading_zero"},
        ]
    if style == "short":
        for f in ("birth_date", "admission_date", "official_date"):
            unit.file_kinds.append({"field": f, "kind": "two_digit_year"})
    if legacy:
        for f in TEXT_FIELDS:
            if f in columns:
                unit.file_kinds.append({"field": f, "kind": f"legacy_{legacy}"})
    return unit


def unit_sizes(units: int, members: int, rng: random.Random) -> list[int]:
    weights = [rng.lognormvariate(0, 0.6) for _ in range(units)]
    total = sum(weights)
    sizes = [max(1, int(members * w / total)) for w in weights]
    sizes[-1] += members - sum(sizes)
    return sizes


def _retone_old(name: str) -> str:
    return canonical_tones(name, style="old")


def person_cells(p: Person, serial: int, unit: UnitFile) -> dict[str, Any]:
    """The clean cells of a person as this unit writes them (file-wide style applied)."""
    male, female = unit.sex_style
    card = card_number(serial) if p.official_date else ""
    cells: dict[str, Any] = {
        "full_name": p.full_name.upper() if unit.capitals else p.full_name,
        "cccd": p.cccd,
        "sex": male if p.sex == "M" else female,
        "birth_date": write_date(p.birth_date, unit.date_style),
        "birth_place": p.birth_place,
        "hometown": p.hometown,
        "residence": p.residence,
        "ethnicity": p.ethnicity,
        "religion": p.religion,
        "education": p.education,
        "political_theory": p.political_theory,
        "qualification": p.qualification,
        "foreign_language": p.foreign_language,
        "occupation": p.occupation,
        "admission_date": write_date(p.admission_date, unit.date_style),
        "official_date": write_date(p.official_date, unit.date_style) if p.official_date else "",
        "card_number": card,
        "phone": "0" + p.phone[3:],
        "email": p.email,
    }
    if unit.numbers_as_numbers:
        cells["cccd"] = int(p.cccd)
        cells["phone"] = int(cells["phone"])
        cells["card_number"] = int(card) if card else ""
    return cells


def truth_values(p: Person, serial: int) -> dict[str, str]:
    return {
        "full_name": p.full_name,
        "cccd": p.cccd,
        "sex": p.sex,
        "birth_date": iso(p.birth_date),
        "birth_place": p.birth_place,
        "hometown": p.hometown,
        "residence": p.residence,
        "ethnicity": p.ethnicity,
        "religion": p.religion,
        "education": p.education,
        "political_theory": p.political_theory,
        "qualification": p.qualification,
        "foreign_language": p.foreign_language,
        "occupation": p.occupation,
        "admission_date": iso(p.admission_date),
        "official_date": iso(p.official_date),
        "card_number": card_number(serial) if p.official_date else "",
        "phone": p.phone,
        "email": p.email,
    }


def pick_kind(rng: random.Random) -> str | None:
    x = rng.random()
    for kind, rate in ROW_KINDS.items():
        if x < rate:
            return kind
        x -= rate
    return None


def dirty_row(
    kind: str, cells: dict[str, Any], p: Person, unit: UnitFile, rng: random.Random
) -> tuple[str, str] | None:
    """Apply one kind of dirt to cells; (field, true value) or None when it cannot apply."""
    cols = unit.columns
    style = "dmy" if unit.date_style == "cells" else unit.date_style
    # Windows-1258 and the legacy fonts store letters their own way: NFD and Ð cannot
    # survive into such files, so those kinds go only into UTF files and workbooks.
    unicode_file = unit.encoding != "cp1258" and not unit.legacy
    if kind in ("nfd", "eth_for_d") and not unicode_file:
        return None
    if kind == "nfd":
        if cells["full_name"].isascii():
            return None
        cells["full_name"] = unicodedata.normalize("NFD", cells["full_name"])
        return "full_name", p.full_name
    if kind == "old_tone":
        old = _retone_old(cells["full_name"])
        if old == cells["full_name"]:
            return None
        cells["full_name"] = old
        return "full_name", p.full_name
    if kind == "eth_for_d":
        if "Đ" not in cells["full_name"] and "đ" not in cells["full_name"]:
            return None
        cells["full_name"] = cells["full_name"].replace("Đ", "\u00d0").replace("đ", "\u00f0")
        return "full_name", p.full_name
    if kind == "whitespace":
        cells["full_name"] = "  " + cells["full_name"].replace(" ", "  ", 1) + " "
        return "full_name", p.full_name
    if kind == "cccd_spaces":
        c = p.cccd
        cells["cccd"] = f"{c[:3]} {c[3:6]} {c[6:9]} {c[9:]}"
        return "cccd", p.cccd
    if kind == "cccd_scientific":
        cells["cccd"] = f"{int(p.cccd):.4E}".replace("E+", "E+")
        return "cccd", p.cccd
    if kind == "cccd_missing":
        cells["cccd"] = ""
        return "cccd", p.cccd
    if kind == "sex_wrong":
        male, female = unit.sex_style
        cells["sex"] = female if p.sex == "M" else male
        return "sex", p.sex
    if kind == "birth_year_wrong":
        wrong = p.birth_date.replace(
            year=p.birth_date.year + rng.choice([-2, -1, 1, 2]), day=min(p.birth_date.day, 28)
        )
        cells["birth_date"] = write_date(wrong, unit.date_style)
        return "birth_date", iso(p.birth_date)
    if kind == "date_serial":
        cells["birth_date"] = str(excel_serial(p.birth_date))
        return "birth_date", iso(p.birth_date)
    if kind == "date_swapped":
        d = p.birth_date
        if d.day == d.month or style not in ("dmy", "dots"):
            return None
        sep = "." if style == "dots" else "/"
        cells["birth_date"] = f"{d.month:02d}{sep}{d.day:02d}{sep}{d.year}"
        return "birth_date", iso(d)
    if kind == "year_only":
        cells["admission_date"] = str(p.admission_date.year)
        return "admission_date", str(p.admission_date.year)
    if kind == "phone_no_zero":
        if unit.numbers_as_numbers or "phone" not in cols:
            return None
        cells["phone"] = p.phone[3:]
        return "phone", p.phone
    if kind == "sex_variant":
        cells["sex"] = rng.choice(SEX_VARIANTS[p.sex])
        return "sex", p.sex
    if kind == "official_before_admission":
        if not p.official_date or "official_date" not in cols:
            return None
        wrong = p.admission_date - datetime.timedelta(days=rng.randint(30, 400))
        cells["official_date"] = write_date(wrong, unit.date_style)
        return "official_date", iso(p.official_date)
    if kind == "admission_under_18":
        b = p.birth_date
        wrong = b.replace(year=b.year + rng.choice([15, 16, 17]), day=min(b.day, 28))
        if wrong >= TODAY or (p.official_date and p.official_date < wrong):
            return None
        cells["admission_date"] = write_date(wrong, unit.date_style)
        return "admission_date", iso(p.admission_date)
    if kind == "missing_required":
        name = rng.choice(["full_name", "sex", "birth_date", "admission_date"])
        cells[name] = ""
        return name, truth_values(p, 0)[name]
    if kind == "legacy_residence":
        if "residence" not in cols:
            return None
        cells["residence"] = p.birth_place
        return "residence", p.residence
    if kind == "ethnicity_typo":
        if "ethnicity" not in cols or len(p.ethnicity) < 4 or " " in p.ethnicity:
            return None
        e = p.ethnicity
        cells["ethnicity"] = e[:-2] + e[-1] + e[-2]
        return "ethnicity", p.ethnicity
    if kind == "card_probationary":
        if p.official_date or "card_number" not in cols:
            return None
        cells["card_number"] = f"{rng.randint(10_000_000, 99_999_999)}"
        return "card_number", ""
    return None


def cp1258_form(text: str) -> str:
    """Text Windows-1258 can encode: letters with their vowel marks, tones combining."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        d = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in d if c in "\u0300\u0301\u0303\u0309\u0323")
        base = unicodedata.normalize("NFC", "".join(c for c in d if c not in tones))
        out.append(base + tones)
    return "".join(out)


def _encodable(text: str) -> bool:
    try:
        text.encode("cp1258")
    except UnicodeEncodeError:
        return False
    return True


def legacy_cells(cells: dict[str, Any], encoding: str) -> None:
    for f in TEXT_FIELDS:
        if isinstance(cells.get(f), str):
            cells[f] = encode_legacy(cells[f], encoding)  # type: ignore[arg-type]


def rows_of(
    unit: UnitFile,
    serials: list[int],
    factory: PersonFactory,
    rng: random.Random,
    transfers: list[int],
) -> Iterator[tuple[int, dict[str, Any], dict[str, Any] | None]]:
    """(serial, cells, injected error or None) for every data row, in order."""
    for serial in serials:
        p = factory.person(serial=serial, today=TODAY)
        cells = person_cells(p, serial, unit)
        kind = pick_kind(rng)
        error = None
        if kind == "exact_duplicate":
            if unit.legacy:
                legacy_cells(cells, unit.legacy)
            yield serial, cells, None
            yield serial, dict(cells), {"field": "*", "kind": "exact_duplicate", "true": ""}
            continue
        if kind == "transfer_duplicate":
            transfers.append(serial)
            kind = None
        if kind:
            result = dirty_row(kind, cells, p, unit, rng)
            if result:
                error = {"field": result[0], "kind": kind, "true": result[1]}
        if unit.legacy:
            legacy_cells(cells, unit.legacy)
        yield serial, cells, error


def header_rows(unit: UnitFile) -> list[list[Any]]:
    rows: list[list[Any]] = []
    if unit.title_rows:
        rows.append(["ĐẢNG BỘ THÀNH PHỐ HỒ CHÍ MINH"])
        rows.append([f"DANH SÁCH ĐẢNG VIÊN ĐƠN VỊ SỐ {unit.index}"])
        if unit.title_rows == 3:
            rows.append([])
    headers = (["STT"] if unit.stt else []) + unit.headers
    rows.append(headers)
    if unit.numbering_row:
        rows.append([f"({i})" for i in range(1, len(headers) + 1)])
    return rows


def write_unit(
    unit: UnitFile,
    out: Path,
    data: list[tuple[int, dict[str, Any], dict[str, Any] | None]],
) -> tuple[list[list[int]], list[dict[str, Any]]]:
    """Write the file; returns ([[row, serial], ...], [errors with file and row])."""
    top = header_rows(unit)
    rows: list[list[int]] = []
    errors: list[dict[str, Any]] = []
    first_data_row = len(top) + 1
    lines: list[list[Any]] = []
    for n, (serial, cells, error) in enumerate(data):
        row_number = first_data_row + n
        rows.append([row_number, serial])
        if error:
            errors.append({"file": unit.name, "row": row_number, **error})
        line = ([n + 1] if unit.stt else []) + [cells.get(f, "") for f in unit.columns]
        lines.append(line)
    path = out / unit.name
    if unit.fmt == "xlsx":
        import xlsxwriter

        book = xlsxwriter.Workbook(
            str(path), {"constant_memory": True, "strings_to_numbers": False}
        )
        sheet = book.add_worksheet("Danh sách")
        date_format = book.add_format({"num_format": "dd/mm/yyyy"})
        for r, line in enumerate(top + lines):
            for c, value in enumerate(line):
                if value == "" or value is None:
                    continue
                if isinstance(value, datetime.date):
                    sheet.write_datetime(
                        r, c, datetime.datetime.combine(value, datetime.time()), date_format
                    )
                elif isinstance(value, int):
                    sheet.write_number(r, c, value)
                else:
                    sheet.write_string(r, c, str(value))
        if unit.title_rows:
            sheet.merge_range(0, 0, 0, 5, "ĐẢNG BỘ THÀNH PHỐ HỒ CHÍ MINH")
        book.close()
    else:
        encoding = unit.encoding or "utf-8"
        offset = 1 if unit.stt else 0
        with open(path, "w", encoding=encoding, newline="", errors="replace") as handle:
            writer = csv.writer(handle, delimiter=";" if unit.index % 3 == 0 else ",")
            for n, line in enumerate(top + lines):
                texts = ["" if v is None else str(v) for v in line]
                if encoding == "cp1258":
                    texts = [cp1258_form(t) for t in texts]
                    # Letters Windows-1258 cannot hold (ŭ in some minority names) become
                    # "?", as in a real export: recorded, so they are not blamed on cleaning.
                    for c, text in enumerate(texts):
                        if n >= len(top) and c >= offset and not _encodable(text):
                            errors.append(
                                {
                                    "file": unit.name,
                                    "row": n + 1,
                                    "field": unit.columns[c - offset],
                                    "kind": "lost_in_encoding",
                                    "true": "",
                                }
                            )
                writer.writerow(texts)
    return rows, errors


def generate(out: Path, *, units: int, members: int, seed: int) -> dict[str, Any]:
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    factory = PersonFactory(seed, province_code=79)
    if members > factory.capacity(TODAY):
        # More people than one province holds (the nation's 5.6 million): the national factory.
        factory = PersonFactory(seed)
    sizes = unit_sizes(units, members, rng)
    plans = [plan_unit(i + 1, rng) for i in range(units)]
    truth: dict[str, Any] = {
        "seed": seed,
        "today": TODAY.isoformat(),
        "members": members,
        "files": {},
        "errors": [],
    }
    start = 0
    pending_transfers: list[int] = []
    for unit, size in zip(plans, sizes, strict=True):
        serials = list(range(start, start + size))
        start += size
        transfers: list[int] = []
        data = list(rows_of(unit, serials, factory, rng, transfers))
        # People whose transfer was never closed appear again here (from earlier units).
        for serial in pending_transfers:
            p = factory.person(serial=serial, today=TODAY)
            cells = person_cells(p, serial, unit)
            variant = rng.choice(["same", "no_cccd", "old_tone"])
            if variant == "no_cccd":
                cells["cccd"] = ""
            elif variant == "old_tone":
                cells["full_name"] = _retone_old(cells["full_name"])
            if unit.legacy:
                legacy_cells(cells, unit.legacy)
            data.append(
                (serial, cells, {"field": "*", "kind": f"transfer_duplicate_{variant}", "true": ""})
            )
        pending_transfers = transfers
        rows, errors = write_unit(unit, out, data)
        truth["files"][unit.name] = {
            "format": unit.fmt,
            "encoding": unit.encoding,
            "columns": unit.columns,
            "date_style": unit.date_style,
            "legacy": unit.legacy,
            "file_kinds": unit.file_kinds,
            "rows": rows,
        }
        truth["errors"].extend(errors)
    with open(out / "truth.json", "w", encoding="utf-8") as handle:
        json.dump(truth, handle, ensure_ascii=False)
    return truth


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--units", type=int, default=CITY_UNITS)
    parser.add_argument(
        "--members", type=int, default=None, help="default: the city's share for --units"
    )
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    members = args.members or round(CITY_MEMBERS * args.units / CITY_UNITS)
    out = args.out or Path(__file__).resolve().parent / "out" / f"dirty{args.units}"
    started = time.perf_counter()
    truth = generate(out, units=args.units, members=members, seed=args.seed)
    rows = sum(len(f["rows"]) for f in truth["files"].values())
    print(
        f"{len(truth['files'])} files, {rows:,} rows ({members:,} members), "
        f"{len(truth['errors']):,} row-level errors in {out} "
        f"({time.perf_counter() - started:.1f} s)"
    )


if __name__ == "__main__":
    main()
