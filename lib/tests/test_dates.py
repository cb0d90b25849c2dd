from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib.vn.dates import PartialDate, format_date, parse_date
from lib.vn.problems import Problem

TODAY = date(2025, 11, 22)
FAR_FUTURE = date(9999, 12, 31)  # for round trips of any date


def parse(raw: object, **kwargs: bool) -> tuple[PartialDate | None, list[str]]:
    result, problems = parse_date(raw, today=TODAY, **kwargs)  # type: ignore[arg-type]
    return result, [p.code for p in problems]


def day(y: int, m: int, d: int) -> PartialDate:
    return PartialDate(y, m, d)


@pytest.mark.parametrize(
    "raw",
    [
        "12/03/1975", "12/3/1975", "12-03-1975", "12.03.1975", " 12 / 3 / 1975 ", "1975-03-12",
        "1975/03/12", "1975-03-12T00:00:00", "12/03/1975 00:00:00", "ngày 12 tháng 03 năm 1975",
        "12 tháng 3 năm 1975", "Ngày 12 Tháng 3 Năm 1975", "12 tháng 3, 1975", "19750312",
        "12031975", date(1975, 3, 12), datetime(1975, 3, 12, 8, 30), 27465, 27465.0, "27465",
        27465.75,
    ],
)  # fmt: skip
def test_every_common_way_of_writing_12_march_1975_is_read(raw: object) -> None:
    assert parse(raw) == (day(1975, 3, 12), [])


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1975", PartialDate(1975)),
        ("năm 1975", PartialDate(1975)),
        (1975, PartialDate(1975)),
        ("3/1975", PartialDate(1975, 3)),
        ("03-1975", PartialDate(1975, 3)),
        ("tháng 3/1975", PartialDate(1975, 3)),
        ("Tháng 3 năm 1975", PartialDate(1975, 3)),
        ("1975-03", PartialDate(1975, 3)),
        ("00/03/1975", PartialDate(1975, 3)),
        ("00/00/1975", PartialDate(1975)),
    ],
)
def test_partial_dates_of_old_members_keep_their_precision(
    raw: object, expected: PartialDate
) -> None:
    assert parse(raw) == (expected, [])


def test_a_partial_date_knows_its_precision_sort_date_and_printed_form() -> None:
    assert PartialDate(1948).precision == "year"
    assert PartialDate(1948, 3).precision == "month"
    assert PartialDate(1948, 3, 19).precision == "day"
    assert PartialDate(1948, 3).as_date() == date(1948, 3, 1)
    assert PartialDate(1948).as_date() == date(1948, 1, 1)
    assert [
        PartialDate(1948, 3, 9).format(),
        PartialDate(1948, 3).format(),
        PartialDate(1948).format(),
    ] == [
        "09/03/1948",
        "03/1948",
        "1948",
    ]


@pytest.mark.parametrize(
    "args", [(1990, 2, 31), (1990, 13, None), (1990, 0, None), (1990, None, 5), (0, None, None)]
)
def test_an_impossible_partial_date_cannot_be_built(
    args: tuple[int, int | None, int | None],
) -> None:
    with pytest.raises(ValueError):
        PartialDate(*args)


def test_both_numbers_up_to_12_are_read_day_first_without_complaint() -> None:
    assert parse("03/04/1975") == (day(1975, 4, 3), [])


def test_a_month_first_date_is_swapped_back_with_a_warning() -> None:
    result, problems = parse_date("04/13/1975", today=TODAY)
    assert result == day(1975, 4, 13)
    assert [(p.code, p.severity, p.fix) for p in problems] == [
        ("date.day_month_swapped", "warning", "1975-04-13")
    ]


def test_when_day_first_cannot_be_assumed_an_ambiguous_date_is_flagged() -> None:
    assert parse("03/04/1975", day_first=False) == (day(1975, 3, 4), ["date.ambiguous"])
    assert parse("04/04/1975", day_first=False) == (day(1975, 4, 4), [])
    assert parse("13/04/1975", day_first=False) == (day(1975, 4, 13), ["date.day_month_swapped"])


def test_iso_text_and_serials_are_never_ambiguous() -> None:
    assert parse("1975-04-03", day_first=False) == (day(1975, 4, 3), [])
    assert parse("3 tháng 4 năm 1975", day_first=False) == (day(1975, 4, 3), [])
    assert parse(27487, day_first=False) == (day(1975, 4, 3), [])


def test_two_digit_years_pivot_on_the_current_year() -> None:
    assert parse("12/3/75") == (day(1975, 3, 12), ["date.two_digit_year"])
    assert parse("12/3/25") == (day(2025, 3, 12), ["date.two_digit_year"])
    assert parse("12/3/26") == (day(1926, 3, 12), ["date.two_digit_year"])
    _, problems = parse_date("12/3/75", today=TODAY)
    assert problems[0].fix == "1975-03-12"


def test_an_impossible_date_is_an_error() -> None:
    assert parse("31/02/1990") == (None, ["date.invalid"])
    assert parse("13/13/1990") == (None, ["date.invalid"])
    assert parse("1990-02-30") == (None, ["date.invalid"])


def test_excels_fictitious_29_february_1900_is_an_error() -> None:
    assert parse(60) == (None, ["date.invalid"])
    assert parse(59) == (day(1900, 2, 28), [])
    assert parse(61) == (day(1900, 3, 1), [])
    assert parse(1.0) == (day(1900, 1, 1), [])


@pytest.mark.parametrize(
    "raw",
    ["abc", "không rõ", "12/03", "-5", 0, -3, 80_001, float("nan"), float("inf"), True, "1e400"],
)
def test_what_cannot_be_read_is_a_format_error(raw: object) -> None:
    assert parse(raw) == (None, ["date.format"])


def test_a_date_in_the_future_is_an_error_but_still_read() -> None:
    assert parse("12/03/2030") == (day(2030, 3, 12), ["date.future"])
    assert parse("12/2025") == (PartialDate(2025, 12), ["date.future"])
    assert parse("11/2025") == (PartialDate(2025, 11), [])


def test_blank_input_is_not_a_problem() -> None:
    assert parse(None) == (None, [])
    assert parse("  ") == (None, [])


def test_dates_are_shown_day_first() -> None:
    assert format_date(date(1975, 3, 9)) == "09/03/1975"
    assert format_date(datetime(1975, 3, 9, 12, 0)) == "09/03/1975"
    assert format_date(PartialDate(1975, 3)) == "03/1975"
    assert format_date(None) == ""


partial_dates = st.dates().flatmap(
    lambda d: st.sampled_from(
        [PartialDate(d.year, d.month, d.day), PartialDate(d.year, d.month), PartialDate(d.year)]
    )
)


@given(partial_dates)
def test_formatting_then_parsing_gives_the_same_date(d: PartialDate) -> None:
    assert parse_date(d.format(), today=FAR_FUTURE) == (d, [])
    assert parse_date(d.iso(), today=FAR_FUTURE) == (d, [])
    assert parse_date(d.iso(), today=FAR_FUTURE, day_first=False) == (d, [])


@given(st.dates())
def test_a_date_object_is_read_as_itself(d: date) -> None:
    assert parse_date(d, today=FAR_FUTURE) == (PartialDate.from_date(d), [])
    assert parse_date(format_date(d), today=FAR_FUTURE)[0] == PartialDate.from_date(d)


def assert_fixes_are_final(problems: list[Problem], day_first: bool) -> None:
    for problem in problems:
        if problem.fix is not None:
            _, again = parse_date(problem.fix, day_first=day_first, today=FAR_FUTURE)
            assert [p for p in again if p.fix is not None] == []


@given(
    st.one_of(
        st.text(),
        st.integers(),
        st.floats(),
        st.none(),
        st.from_regex(r"\A\d{1,4}[/.\- ]\d{1,2}[/.\- ]\d{1,4}\Z"),
    ),
    st.booleans(),
)
def test_parsing_never_raises_and_applying_a_fix_needs_no_further_fix(
    raw: object, day_first: bool
) -> None:
    result, problems = parse_date(raw, day_first=day_first)  # type: ignore[arg-type]
    assert result is None or isinstance(result, PartialDate)
    assert all(p.severity in ("error", "warning", "info") for p in problems)
    assert_fixes_are_final(problems, day_first)
    if result is not None:
        assert parse_date(result.iso(), day_first=day_first, today=FAR_FUTURE) == (result, [])
