"""Dates as Vietnamese records hold them: dd/mm/yyyy, partial dates, Excel serials.

Old members often have only a year ("1948") or a month ("3/1948") of admission, so a
date is a PartialDate with a precision, not a datetime.date.
"""

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from lib.vn.messages import WORDS
from lib.vn.problems import Problem, Severity
from lib.vn.text import fold

Precision = Literal["day", "month", "year"]

# Excel's 1900 date system counts 1 = 1900-01-01 and, copying Lotus 1-2-3, believes
# 1900 was a leap year: serial 60 is the non-existent 29/02/1900, and from 61 on the
# count is one day ahead. Epoch 1899-12-30 is right for serials >= 61.
_EXCEL_EPOCH = date(1899, 12, 30)
_EXCEL_MAX_SERIAL = 80_000  # 2119-01-10: anything larger is not a date in a register


@dataclass(frozen=True)
class PartialDate:
    """A date known to the day, the month or only the year."""

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        # Validate eagerly so an impossible date can never be stored.
        if self.month is None and self.day is not None:
            raise ValueError("a day needs a month")
        date(
            self.year,
            1 if self.month is None else self.month,
            1 if self.day is None else self.day,
        )

    @classmethod
    def from_date(cls, d: date) -> "PartialDate":
        return cls(d.year, d.month, d.day)

    @property
    def precision(self) -> Precision:
        if self.day is not None:
            return "day"
        return "month" if self.month is not None else "year"

    def as_date(self) -> date:
        """First day of the period, for sorting and comparisons."""
        return date(self.year, self.month or 1, self.day or 1)

    def format(self) -> str:
        """dd/mm/yyyy, mm/yyyy or yyyy: how Vietnamese forms print dates."""
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.month:02d}/{self.year:04d}"
        return f"{self.day:02d}/{self.month:02d}/{self.year:04d}"

    def iso(self) -> str:
        """yyyy-mm-dd, yyyy-mm or yyyy: unambiguous whatever day_first says.

        Proposed fixes use this form, so re-parsing a fix never raises a new problem.
        """
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"


def format_date(d: date | PartialDate | None) -> str:
    """dd/mm/yyyy for a date, the partial form for a PartialDate, "" for None."""
    if d is None:
        return ""
    if isinstance(d, datetime):
        d = d.date()
    if isinstance(d, date):
        return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"
    return d.format()


def _problem(code: str, severity: Severity, vi: str, en: str, fix: str | None = None) -> Problem:
    return Problem(code, severity, vi, en, fix)


def _format_error(raw: object) -> Problem:
    return _problem(
        "date.format",
        "error",
        f"Không đọc được ngày {str(raw)[:40]!r}; hãy nhập theo dạng dd/mm/yyyy.",
        f"Cannot read the date {str(raw)[:40]!r}; use dd/mm/yyyy.",
    )


def _invalid(text: str) -> Problem:
    return _problem(
        "date.invalid",
        "error",
        f"Ngày {text} không tồn tại.",
        f"The date {text} does not exist.",
    )


def _build(year: int, month: int, day: int, shown: str) -> tuple[PartialDate | None, list[Problem]]:
    """PartialDate with 0 meaning "unknown" (00/03/1975 is a real way to say 03/1975)."""
    if month == 0 and day != 0:
        return None, [_invalid(shown)]
    try:
        return PartialDate(year, month or None, day or None), []
    except ValueError:
        return None, [_invalid(shown)]


def _full_year(digits: str, today: date) -> tuple[int, list[Problem]]:
    year = int(digits)
    if len(digits) != 2:
        return year, []
    # Two-digit years pivot on today: up to this year's two digits means 20yy, above
    # means 19yy ("25" -> 2025, "26" -> 1926 in 2025). Members are adults, so a wrong
    # guess shows up at once as a birth date in the future or an age under 18.
    century = today.year // 100 * 100
    full = century + year if year <= today.year % 100 else century - 100 + year
    return full, [
        _problem("date.two_digit_year", "info", *WORDS["date.two_digit_year"](f"{full:04d}"))
    ]


def _with_year(
    digits: str,
    today: date,
    build: Callable[[int], tuple[PartialDate | None, list[Problem]]],
) -> tuple[PartialDate | None, list[Problem]]:
    """Build with the full year; the two-digit-year note only if a date came out."""
    year, notes = _full_year(digits, today)
    result, problems = build(year)
    if result is None:
        return None, problems
    if notes:
        notes = [notes[0]._replace(fix=result.iso())]
    return result, notes + problems


def _day_month(
    a: int, b: int, year: int, day_first: bool
) -> tuple[PartialDate | None, list[Problem]]:
    """Read a/b/year, where a and b are day and month in some order."""
    shown = f"{a:02d}/{b:02d}/{year:04d}"
    day, month = (a, b) if day_first else (b, a)
    if day == 0 or month == 0:
        return _build(year, month, day, shown)
    if month <= 12:
        result, problems = _build(year, month, day, shown)
        if result and not day_first and a != b and a <= 12 and b <= 12:
            problems.append(
                _problem(
                    "date.ambiguous",
                    "info",
                    f"{shown} có thể là ngày {a} tháng {b} hoặc ngày {b} tháng {a}; "
                    f"đã đọc là ngày {day} tháng {month}.",
                    f"{shown} could be read either way; read as day {day}, month {month}.",
                )
            )
        return result, problems
    if day <= 12:  # the month slot holds 13..31: the two were typed the other way
        result, problems = _build(year, day, month, shown)
        if result:
            problems.append(
                _problem(
                    "date.day_month_swapped",
                    "warning",
                    f"Ngày và tháng trong {shown} bị đảo; đã hiểu là ngày {result.day} "
                    f"tháng {result.month} năm {result.year}.",
                    f"Day and month in {shown} are swapped; read as day {result.day}, "
                    f"month {result.month}, year {result.year}.",
                    fix=result.iso(),
                )
            )
        return result, problems
    return None, [_invalid(shown)]


def _from_serial(value: float) -> tuple[PartialDate | None, list[Problem]]:
    if not (math.isfinite(value) and 1 <= value < _EXCEL_MAX_SERIAL + 1):
        return None, [_format_error(value)]
    serial = math.floor(value)  # a fraction is the time of day
    if not 1 <= serial <= _EXCEL_MAX_SERIAL:
        return None, [_format_error(value)]
    if serial == 60:
        return None, [_invalid("29/02/1900 (Excel)")]
    start = _EXCEL_EPOCH if serial > 60 else _EXCEL_EPOCH + timedelta(days=1)
    return PartialDate.from_date(start + timedelta(days=serial)), []


_TIME = re.compile(r"[ t]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*(am|pm|sa|ch)?(z|[+-]\d{2}:?\d{2})?$")
_TEXT_DMY = re.compile(r"^(\d{1,2}) ?thang ?(\d{1,2}) ?(?:nam|[,/.-])? ?(\d{4}|\d{2})$")
_TEXT_MY = re.compile(r"^thang ?(\d{1,2}) ?(?:nam|[,/.-])? ?(\d{4}|\d{2})$")
_TEXT_Y = re.compile(r"^nam ?(\d{4}|\d{2})$")
_ISO = re.compile(r"^(\d{4}) ?[-/.] ?(\d{1,2}) ?[-/.] ?(\d{1,2})$")
_ISO_MONTH = re.compile(r"^(\d{4}) ?[-/.] ?(\d{1,2})$")
_DMY = re.compile(r"^(\d{1,2}) ?[-/. ] ?(\d{1,2}) ?[-/. ] ?(\d{4}|\d{2})$")
_MY = re.compile(r"^(\d{1,2}) ?[-/. ] ?(\d{4})$")
_NUMBER = re.compile(r"^\d+(\.\d+)?$")


def _parse_text(
    text: str, day_first: bool, today: date
) -> tuple[PartialDate | None, list[Problem]]:
    # fold() strips diacritics and case: "Ngày 12 Tháng 3 Năm 1975" -> "ngay 12 thang 3
    # nam 1975", so one set of patterns covers every way of typing the words.
    s = _TIME.sub("", fold(text)).rstrip(".").strip()
    s = re.sub(r"^ngay ?", "", s)
    if m := _TEXT_DMY.match(s):  # the words say which is the day: no ambiguity
        d, mo = int(m[1]), int(m[2])
        return _with_year(m[3], today, lambda y: _build(y, mo, d, s))
    if m := _TEXT_MY.match(s) or _MY.match(s):
        mo = int(m[1])
        return _with_year(m[2], today, lambda y: _build(y, mo, 0, s))
    if m := _TEXT_Y.match(s):
        return _with_year(m[1], today, lambda y: _build(y, 0, 0, s))
    if m := _ISO.match(s):
        return _build(int(m[1]), int(m[2]), int(m[3]), s)
    if m := _ISO_MONTH.match(s):
        return _build(int(m[1]), int(m[2]), 0, s)
    if m := _DMY.match(s):
        a, b = int(m[1]), int(m[2])
        return _with_year(m[3], today, lambda y: _day_month(a, b, y, day_first))
    if re.fullmatch(r"\d{4}", s):
        # A bare 4-digit number is a year, even from a numeric Excel cell: as serials
        # 1000-9999 would be dates in 1902-1927, which nobody in a member register has.
        return _build(int(s), 0, 0, s)
    if re.fullmatch(r"\d{8}", s):
        return _compact(s)
    if _NUMBER.match(s):
        return _from_serial(float(s))
    return None, [_format_error(text)]


def _compact(s: str) -> tuple[PartialDate | None, list[Problem]]:
    """yyyymmdd (what databases export) or ddmmyyyy (what people type)."""
    for year, month, day in ((s[:4], s[4:6], s[6:]), (s[4:], s[2:4], s[:2])):
        if 1800 <= int(year) <= 2199:
            result, problems = _build(int(year), int(month), int(day), s)
            if result and result.precision == "day":
                return result, problems
    return None, [_format_error(s)]


def parse_date(
    raw: str | int | float | date | None,
    *,
    day_first: bool = True,
    today: date | None = None,
) -> tuple[PartialDate | None, list[Problem]]:
    """Read a date from whatever an import gives us; never raises.

    day_first=True is the Vietnamese convention: 03/04/1975 is 3 April, silently.
    day_first=False says the source cannot be trusted to be day-first (an export from
    an English-language system): such dates are read month-first and flagged
    "date.ambiguous". Either way a value whose month slot holds 13..31 is read the other
    way round with a "date.day_month_swapped" warning. ISO dates, Vietnamese text and
    Excel serials are unambiguous. Two-digit years: up to this year's two digits means
    20yy, above means 19yy (info "date.two_digit_year"). Fixes are ISO strings, which
    re-parse to the same date whatever day_first says. Blank input gives (None, []).
    today (default: the real today) is what "date.future" compares with.
    """
    today = today or date.today()
    try:
        result, problems = _parse(raw, day_first, today)
    except (ValueError, OverflowError):  # belt and braces: a parser must not crash imports
        return None, [_format_error(raw)]
    if result and result.as_date() > today:
        problems.append(
            _problem(
                "date.future",
                "error",
                f"Ngày {result.format()} ở tương lai.",
                f"The date {result.format()} is in the future.",
            )
        )
    return result, problems


def _parse(
    raw: str | int | float | date | None, day_first: bool, today: date
) -> tuple[PartialDate | None, list[Problem]]:
    if raw is None:
        return None, []
    if isinstance(raw, datetime):
        return PartialDate.from_date(raw.date()), []
    if isinstance(raw, date):
        return PartialDate.from_date(raw), []
    if isinstance(raw, bool):
        return None, [_format_error(raw)]
    if isinstance(raw, float):
        if not math.isfinite(raw) or raw < 0:
            return None, [_format_error(raw)]
        if not raw.is_integer():
            return _from_serial(raw)
        raw = int(raw)
    text = str(raw).strip()
    if not text:
        return None, []
    return _parse_text(text, day_first, today)
