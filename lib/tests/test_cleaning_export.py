"""The one writer of every export: text neutralised, numbers and phone numbers kept exactly."""

import csv
import io
from datetime import date, datetime

import openpyxl
import pytest

from lib.cleaning.export import CsvRows, XlsxBook, neutralise, unneutralise

# What someone may type into a name, an address or a note, and what a spreadsheet would run.
HOSTILE = ['=HYPERLINK("http://x.example","bấm")', "@SUM(1)", "+cmd|' /C calc'!A0", "-2+3", "\t=1"]
# Text that looks like a number keeps its exact text: an E.164 phone, a negative number.
KEPT = ["+84912345678", "-5", "-12.5", "Nguyễn Văn An", ""]


def test_it_writes_every_text_cell_of_an_xlsx_neutralised() -> None:
    buffer = io.BytesIO()
    book = XlsxBook(buffer)
    sheet = book.sheet("Trang")
    sheet.write_row(0, [*HOSTILE, *KEPT])
    sheet.write_row(1, [-5, 3.25, 7, date(2025, 3, 4), datetime(2025, 3, 4, 8, 30), None])
    book.close()
    rows = list(openpyxl.load_workbook(buffer).active.iter_rows(values_only=True))
    assert list(rows[0][: len(HOSTILE)]) == ["'" + v for v in HOSTILE]
    assert list(rows[0][len(HOSTILE) : len(HOSTILE) + 4]) == KEPT[:-1]
    assert rows[1][:3] == (-5, 3.25, 7)
    assert rows[1][3] == datetime(2025, 3, 4) and rows[1][4] == datetime(2025, 3, 4, 8, 30)


@pytest.mark.parametrize("constant_memory", [True, False])
def test_it_never_writes_a_formula(constant_memory: bool, tmp_path) -> None:
    path = tmp_path / "out.xlsx"
    book = XlsxBook(str(path), constant_memory=constant_memory, tmpdir=str(tmp_path))
    book.sheet("Trang").write_row(0, HOSTILE)
    book.close()
    sheet = openpyxl.load_workbook(path).active
    assert all(cell.data_type == "s" for cell in sheet[1])


def test_it_writes_every_text_cell_of_a_csv_neutralised() -> None:
    out = io.StringIO()
    CsvRows(out).writerow([*HOSTILE, *KEPT, -5, 3.25, None])
    assert next(csv.reader(io.StringIO(out.getvalue()))) == [
        *("'" + v for v in HOSTILE),
        *KEPT,
        "-5",
        "3.25",
        "",
    ]


@pytest.mark.parametrize("value", [*HOSTILE, *KEPT, "'quoted", "Ông 'Tư'"])
def test_what_it_neutralised_comes_back_as_it_was(value: str) -> None:
    assert unneutralise(neutralise(value)) == value
