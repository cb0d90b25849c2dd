import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib.vn.phones import format_phone_vn, mask_phone, normalise_phone


@pytest.mark.parametrize(
    "raw",
    ["0912345678", "0912 345 678", "0912.345.678", "0912-345-678", "+84 912 345 678", "+84912345678",
     "84912345678", "0084912345678", "(+84) 912 345 678", "'0912345678", "0912345678.0"],
)  # fmt: skip
def test_every_usual_way_of_writing_a_mobile_number_gives_e164(raw: str) -> None:
    assert normalise_phone(raw) == ("+84912345678", [])


@pytest.mark.parametrize("raw", ["912345678", 912345678, 912345678.0])
def test_it_restores_the_leading_zero_excel_dropped(raw: object) -> None:
    value, problems = normalise_phone(raw)  # type: ignore[arg-type]
    assert value == "+84912345678"
    assert [(p.code, p.severity, p.fix) for p in problems] == [
        ("phone.leading_zero_restored", "info", "+84912345678")
    ]


def test_a_landline_that_lost_its_zero_is_restored_too() -> None:
    value, problems = normalise_phone("2838234567")
    assert value == "+842838234567"
    assert [p.code for p in problems] == ["phone.leading_zero_restored"]


@pytest.mark.parametrize("raw", ["1800 00000", "18001091", "1900 1234"])
def test_a_service_number_is_written_without_a_zero_and_none_is_added(raw: str) -> None:
    value, problems = normalise_phone(raw)
    assert value == "+84" + raw.replace(" ", "") and problems == []


def test_an_old_eleven_digit_mobile_gets_its_new_prefix() -> None:
    value, problems = normalise_phone("0166 234 5678")
    assert value == "+84362345678"
    assert [(p.code, p.fix) for p in problems] == [("phone.old_mobile_prefix", "+84362345678")]


def test_foreign_numbers_are_kept_in_e164() -> None:
    assert normalise_phone("+1 650 253 0000") == ("+16502530000", [])


@pytest.mark.parametrize("raw", ["abc", "123", "0912345678 / 0987654321", "0912345", "091234567.5"])
def test_what_is_not_a_phone_number_is_an_error(raw: str) -> None:
    value, problems = normalise_phone(raw)
    assert value is None
    assert [(p.code, p.severity) for p in problems] == [("phone.invalid", "error")]


def test_a_well_formed_number_not_yet_assigned_is_kept_with_a_warning() -> None:
    value, problems = normalise_phone("0521 059 145")
    assert value == "+84521059145"
    assert [(p.code, p.severity, p.fix) for p in problems] == [
        ("phone.unassigned", "warning", None)
    ]


@pytest.mark.parametrize("raw", ["000300000000", "00 0912 345 678"])
def test_zeros_before_a_national_number_are_not_a_number_to_keep(raw: str) -> None:
    # phonenumbers keeps such zeros in E.164 (+8400300000000); cleaning that again dropped one.
    value, problems = normalise_phone(raw)
    assert value is None
    assert [p.code for p in problems] == ["phone.invalid"]


def test_a_blank_cell_is_not_a_problem() -> None:
    assert normalise_phone("") == (None, [])
    assert normalise_phone(None) == (None, [])


def test_numbers_are_shown_as_vietnamese_read_them() -> None:
    assert format_phone_vn("+84912345678") == "0912 345 678"
    assert format_phone_vn("+842838234567") == "028 3823 4567"
    assert format_phone_vn("+16502530000").startswith("+1 650")
    assert format_phone_vn("garbage") == "garbage"
    assert format_phone_vn(None) == ""


def test_masking_hides_the_middle_digits() -> None:
    assert mask_phone("+84912345678") == "091****678"
    assert mask_phone("0912 345 678") == "091****678"
    assert mask_phone("12345") == "*****"
    assert mask_phone(None) == ""


@given(
    st.one_of(
        st.text(), st.integers(), st.floats(), st.none(), st.from_regex(r"\A[+0-9 .()\-]{0,16}\Z")
    )
)
def test_normalising_never_raises_and_is_idempotent(raw: object) -> None:
    value, problems = normalise_phone(raw)  # type: ignore[arg-type]
    # A number whose prefix is not assigned stays flagged however often it is normalised.
    kept = [p for p in problems if p.code == "phone.unassigned"]
    if value is not None:
        assert value.startswith("+")
        assert normalise_phone(value) == (value, kept)
        assert normalise_phone(format_phone_vn(value)) == (value, kept)
    for problem in problems:
        if problem.fix is not None:
            assert normalise_phone(problem.fix) == (problem.fix, kept)
    assert (
        "*" in mask_phone(str(raw))
        or len(mask_phone(str(raw))) == 0
        or not any(c.isdigit() for c in str(raw))
    )


@given(st.from_regex(r"\A0(3[2-9]|5[689]|7[06-9]|8[1-9]|9[0-9])[0-9]{7}\Z"))
def test_every_vietnamese_mobile_number_survives_excel(number: str) -> None:
    value, _ = normalise_phone(number)
    if value is not None:  # a few prefixes in the range are not allocated
        assert normalise_phone(int(number))[0] == value
        assert format_phone_vn(value).replace(" ", "") == number
