"""clean_files and write_clean_csv: the whole pipeline over files, and the clean CSV."""

import csv
import io
from datetime import date

import openpyxl
import pytest

from lib.cleaning.columns import RawRecord, SourceRow
from lib.cleaning.export import neutralise
from lib.cleaning.match import Person
from lib.cleaning.parse import ParseError
from lib.cleaning.pipeline import OUTPUT_COLUMNS, clean_files, infer_day_first, write_clean_csv

TODAY = date(2025, 11, 20)
HEADER = ["Họ và tên", "Số CCCD", "Giới tính", "Ngày sinh", "Ngày vào Đảng"]


def _xlsx(path, rows):
    book = openpyxl.Workbook()
    for row in [HEADER, *rows]:
        book.active.append(row)
    book.save(path)
    return path


def _output(result) -> list[dict[str, str]]:
    buffer = io.StringIO()
    write_clean_csv(result, buffer)
    return list(csv.DictReader(io.StringIO(buffer.getvalue())))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("+84912345678", "+84912345678"),
        ("-12.5", "-12.5"),
        ("Nguyễn Văn An", "Nguyễn Văn An"),
        ("", ""),
    ],
)
def test_it_neutralises_formulas_but_not_plain_numbers(value, expected):
    assert neutralise(value) == expected


def test_it_writes_one_row_per_input_row_with_groups_across_files(tmp_path):
    first = _xlsx(
        tmp_path / "a.xlsx", [["NGUYỄN VĂN AN", 79085000123, "Nam", "04/03/1985", "19/05/2010"]]
    )
    second = _xlsx(
        tmp_path / "b.xlsx",
        [
            ["Nguyễn Văn An", "079085000123", "Nam", "04/03/1985", "19/05/2010"],
            ["Trần Thị Bình", "", "Nữ", "25/12/1990", "2015"],
        ],
    )
    result = clean_files([first, second], today=TODAY)
    rows = _output(result)
    assert list(rows[0]) == list(OUTPUT_COLUMNS)
    assert [(r["source_file"], r["source_row"]) for r in rows] == [
        ("a.xlsx", "2"),
        ("b.xlsx", "2"),
        ("b.xlsx", "3"),
    ]
    assert rows[0]["duplicate_group"] == rows[1]["duplicate_group"] == "D0001"
    assert rows[2]["duplicate_group"] == ""
    assert rows[0]["full_name"] == "Nguyễn Văn An" and rows[0]["cccd"] == "079085000123"
    assert rows[2]["admission_date"] == "2015"
    assert rows[2]["problems"].split(";") == ["date.partial", "required.cccd"]
    assert result.counts()["required.cccd"] == 1


def test_it_matches_against_registry_people(tmp_path):
    path = _xlsx(tmp_path / "a.xlsx", [["Lê Văn Cường", "", "Nam", "01/02/1970", "2000"]])
    member = Person("member:7", "Lê Văn Cường", "M", date(1970, 2, 1), "079070000001")
    result = clean_files([path], today=TODAY, registry=[member])
    assert result.groups["a.xlsx:2"] == result.groups["member:7"]


def test_files_with_the_same_name_keep_distinct_row_keys(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    a = _xlsx(
        tmp_path / "x" / "u.xlsx", [["An Văn Bình", "079085000123", "Nam", "04/03/1985", "2010"]]
    )
    b = _xlsx(
        tmp_path / "y" / "u.xlsx", [["An Văn Bình", "079085000123", "Nam", "04/03/1985", "2010"]]
    )
    rows = _output(clean_files([a, b], today=TODAY))
    assert [r["source_file"] for r in rows] == ["u.xlsx", "u.xlsx#2"]
    assert rows[0]["duplicate_group"] == rows[1]["duplicate_group"] != ""


def test_it_raises_parse_error_for_a_refused_file(tmp_path):
    bad = tmp_path / "bad.ods"
    bad.write_bytes(b"\x00" * 100)
    with pytest.raises(ParseError):
        clean_files([bad], today=TODAY)


def test_it_reports_progress_by_stage(tmp_path):
    path = _xlsx(
        tmp_path / "a.xlsx", [["An Văn Bình", "079085000123", "Nam", "04/03/1985", "2010"]]
    )
    seen = []
    clean_files(
        [path], today=TODAY, progress=lambda stage, done, total: seen.append((stage, done, total))
    )
    assert ("parse", 1, 1) in seen and ("clean", 1, 1) in seen and ("match", 1, 1) in seen


def _raw(date_text: str) -> RawRecord:
    return RawRecord(SourceRow("u.csv", 2, []), {"birth_date": date_text})


def test_a_column_of_month_first_dates_is_read_month_first():
    month_first = [_raw(t) for t in ["12/25/1985", "01/31/1990", "03/15/1970", "04/03/1985"]]
    assert infer_day_first(month_first)["birth_date"] is False


def test_a_few_swapped_dates_do_not_turn_a_vietnamese_column():
    records = [_raw(t) for t in ["25/12/1985", "31/01/1990", "12/25/1985", "04/03/1985"]]
    assert infer_day_first(records)["birth_date"] is True


def test_a_column_with_no_date_that_shows_its_order_is_unproven():
    """Every date in it reads both ways (day and month both up to 12): nothing in the file
    says day-first, so its ambiguous dates are read the Vietnamese way and flagged."""
    records = [_raw(t) for t in ["03/04/1985", "11/02/1990", "05/05/1970"]]
    assert infer_day_first(records)["birth_date"] is None
    assert infer_day_first([*records, _raw("25/12/1985")])["birth_date"] is True
