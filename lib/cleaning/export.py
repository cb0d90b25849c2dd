"""The one writer of every exported spreadsheet (xlsx and csv): each text cell is neutralised.

Every export goes through `XlsxBook` or `CsvRows`: the annotated workbook, the campaign export,
the member exports (command and page) and the clean CSV. Neither gives a way to write a text
cell without `neutralise`, so a value someone typed ("=HYPERLINK(...)", "@SUM(1)",
"+cmd|...") never becomes a formula in the spreadsheet that opens the file, nor after a
round trip through csv. Numbers are written as numbers, dates as dates.
"""

import csv
import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import IO, Any

import xlsxwriter
from xlsxwriter.format import Format

# A cell that starts with one of these is read as a formula by Excel, LibreOffice and
# Google Sheets ("=HYPERLINK(...)", "@SUM(...)", "+cmd|..."); tab and CR are on OWASP's
# list because some importers strip them and then see the formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A plain number cannot carry a formula, so it is left alone: E.164 phone numbers
# ("+84912345678") and negative numbers keep their exact text.
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")

Cell = str | int | float | date | None


def neutralise(value: str) -> str:
    """The value with a leading apostrophe when a spreadsheet would run it as a formula."""
    if value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def unneutralise(value: str) -> str:
    """What `neutralise` was given, for a workbook of ours taken back (the annotated one).

    Text typed with its own apostrophe before a formula sign ("'=x") cannot be told from a
    neutralised "=x" and loses the apostrophe; nobody types that into a member's record.
    """
    if value.startswith("'") and neutralise(value[1:]) == value:
        return value[1:]
    return value


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    return str(value)


class CsvRows:
    """A csv writer whose every cell is neutralised."""

    def __init__(self, out: IO[str]) -> None:
        self._writer = csv.writer(out)

    def writerow(self, values: Iterable[Cell]) -> None:
        self._writer.writerow([_text(value) for value in values])


class XlsxSheet:
    """One worksheet of an XlsxBook: text neutralised, numbers as numbers, dates as dates."""

    def __init__(self, book: "XlsxBook", sheet: Any) -> None:
        self._book = book
        self._sheet = sheet

    def write(self, row: int, col: int, value: Cell, style: Format | None = None) -> None:
        sheet = self._sheet
        if value is None or value == "":
            sheet.write_blank(row, col, None, style)
        elif isinstance(value, str):
            sheet.write_string(row, col, neutralise(value), style)
        elif isinstance(value, bool):
            sheet.write_boolean(row, col, value, style)
        elif isinstance(value, (int, float)):
            sheet.write_number(row, col, value, style)
        elif isinstance(value, datetime):
            sheet.write_datetime(row, col, value, style or self._book.moment)
        else:
            sheet.write_datetime(row, col, value, style or self._book.day)

    def write_row(self, row: int, values: Iterable[Cell], style: Format | None = None) -> None:
        for col, value in enumerate(values):
            self.write(row, col, value, style)

    def freeze_panes(self, row: int, col: int) -> None:
        self._sheet.freeze_panes(row, col)

    def hide_column(self, col: int) -> None:
        self._sheet.set_column(col, col, None, None, {"hidden": True})


class XlsxBook:
    """An xlsx workbook (xlsxwriter) written only through XlsxSheet.

    `target` is a file name or a binary buffer; with `constant_memory` each row is written
    once, top to bottom, through temporary files in `tmpdir` (a province's batch held as cells
    would take about a gigabyte).
    """

    def __init__(
        self, target: str | IO[bytes], *, constant_memory: bool = False, tmpdir: str | None = None
    ) -> None:
        options: dict[str, Any] = {
            "constant_memory": constant_memory,
            "in_memory": not constant_memory,
            # write_string is the only way text is written; these make sure nothing else
            # ever turns text into a formula, a link or a number.
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        }
        if tmpdir is not None:
            options["tmpdir"] = tmpdir
        self._book = xlsxwriter.Workbook(target, options)
        self.day = self.style({"num_format": "dd/mm/yyyy"})
        self.moment = self.style({"num_format": "dd/mm/yyyy hh:mm"})

    def style(self, properties: dict[str, Any]) -> Format:
        return self._book.add_format(properties)

    def sheet(self, name: str) -> XlsxSheet:
        return XlsxSheet(self, self._book.add_worksheet(name))

    def close(self) -> None:
        self._book.close()
