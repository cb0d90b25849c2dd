import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib.vn.cccd import (
    LEGACY_PROVINCES,
    cccd_birth_century_and_sex,
    cccd_birth_year,
    check_cccd,
    make_cccd,
    mask_cccd,
    normalise_cccd,
)
from lib.vn.problems import Problem

provinces = st.sampled_from(sorted(int(code) for code in LEGACY_PROVINCES))
sexes = st.sampled_from(["M", "F"])
years = st.integers(min_value=1900, max_value=2399)
serials = st.integers(min_value=0, max_value=999_999)
anything = st.one_of(
    st.none(), st.text(), st.integers(), st.floats(), st.from_regex(r"\A[0-9 .eE+\-']{0,20}\Z")
)


def codes(problems: list[Problem]) -> list[str]:
    return [p.code for p in problems]


def test_the_legacy_province_table_has_the_63_provinces_zero_padded() -> None:
    assert len(LEGACY_PROVINCES) == 63
    assert LEGACY_PROVINCES["001"] == "Thành phố Hà Nội"
    assert LEGACY_PROVINCES["079"] == "Thành phố Hồ Chí Minh"
    assert LEGACY_PROVINCES["096"] == "Tỉnh Cà Mau"


def test_a_clean_cccd_passes_unchanged() -> None:
    assert normalise_cccd("079090001234") == ("079090001234", [])


@pytest.mark.parametrize(
    "raw", ["079 090 001 234", "079.090.001.234", "079-090-001234", "'079090001234"]
)
def test_it_strips_the_separators_people_type(raw: str) -> None:
    assert normalise_cccd(raw) == ("079090001234", [])


@pytest.mark.parametrize(
    "raw", ["79090001234", 79090001234, 79090001234.0, "79090001234.0", "7.9090001234E+10"]
)
def test_it_restores_the_leading_zero_excel_dropped(raw: object) -> None:
    value, problems = normalise_cccd(raw)  # type: ignore[arg-type]
    assert value == "079090001234"
    assert codes(problems) == ["cccd.leading_zero_restored"]
    assert problems[0].severity == "warning"
    assert problems[0].fix == "079090001234"
    assert "079090001234" not in problems[0].message_vi  # messages get logged: masked


def test_it_restores_both_zeros_of_a_ha_noi_number() -> None:
    value, problems = normalise_cccd("1090001234")
    assert value == "001090001234"
    assert codes(problems) == ["cccd.leading_zero_restored"]


def test_it_does_not_pad_a_number_whose_province_would_not_exist() -> None:
    # "0" + "99..." gives province 099, which does not exist: not a CCCD that lost a zero.
    assert normalise_cccd("99090001234") == (None, normalise_cccd("99090001234")[1])
    assert codes(normalise_cccd("99090001234")[1]) == ["cccd.format"]


def test_a_number_excel_rounded_to_scientific_notation_is_refused_not_padded() -> None:
    value, problems = normalise_cccd("7.9012E+10")
    assert value is None
    assert codes(problems) == ["cccd.excel_rounded"]
    assert problems[0].fix is None


def test_an_old_nine_digit_id_card_number_is_flagged_without_a_fix() -> None:
    value, problems = normalise_cccd("023456789")
    assert value is None
    assert codes(problems) == ["cccd.legacy_cmnd"]
    assert problems[0].fix is None


@pytest.mark.parametrize("raw", ["abc", "07909000123X", "0790900012345", "12345", "79090001234.5"])
def test_anything_else_is_a_format_error(raw: str) -> None:
    value, problems = normalise_cccd(raw)
    assert value is None
    assert codes(problems) == ["cccd.format"]
    assert problems[0].severity == "error"


def test_a_blank_cell_is_not_a_format_problem() -> None:
    assert normalise_cccd("") == (None, [])
    assert normalise_cccd(None) == (None, [])


def test_the_g_digit_gives_century_and_sex() -> None:
    assert cccd_birth_century_and_sex("079090001234") == (1900, "M")
    assert cccd_birth_century_and_sex("079190001234") == (1900, "F")
    assert cccd_birth_century_and_sex("079305001234") == (2000, "F")
    assert cccd_birth_year("079305001234") == 2005
    with pytest.raises(ValueError):
        cccd_birth_century_and_sex("1234")


def test_a_consistent_cccd_has_no_problems() -> None:
    assert check_cccd("079090001234", sex="M", birth_year=1990) == []


def test_a_sex_mismatch_is_flagged_and_never_fixed() -> None:
    problems = check_cccd("079090001234", sex="F", birth_year=1990)
    assert codes(problems) == ["cccd.sex_mismatch"]
    assert problems[0].fix is None
    assert "nữ" in problems[0].message_vi


def test_a_birth_year_mismatch_is_flagged_and_never_fixed() -> None:
    problems = check_cccd("079090001234", sex="M", birth_year=2090)
    assert codes(problems) == ["cccd.year_mismatch"]
    assert problems[0].fix is None


def test_an_unknown_province_code_is_flagged() -> None:
    assert codes(check_cccd("099090001234")) == ["cccd.province"]


def test_a_malformed_value_is_only_a_format_error() -> None:
    assert codes(check_cccd("79090001234", sex="M", birth_year=1990)) == ["cccd.format"]


def test_unknown_sex_values_are_not_compared() -> None:
    assert check_cccd("079090001234", sex="Nam") == []


def test_masking_shows_only_the_first_three_and_last_two_digits() -> None:
    assert mask_cccd("079090001234") == "079*******34"


@pytest.mark.parametrize(
    ("raw", "masked"), [(None, ""), ("", ""), ("12345", "*****"), ("023456789", "*********")]
)
def test_masking_short_or_missing_values_never_reveals_them(raw: str | None, masked: str) -> None:
    assert mask_cccd(raw) == masked


@given(provinces, sexes, years, serials)
def test_synthetic_numbers_always_pass_the_checks(
    province: int, sex: str, year: int, serial: int
) -> None:
    cccd = make_cccd(province, sex, year, serial)
    assert check_cccd(cccd, sex=sex, birth_year=year) == []
    assert normalise_cccd(cccd) == (cccd, [])
    assert cccd_birth_century_and_sex(cccd)[1] == sex
    assert cccd_birth_year(cccd) == year
    assert cccd[:3] not in mask_cccd(cccd)[3:] or cccd.count(cccd[:3]) > 1


@given(provinces, sexes, years, serials)
def test_excel_damage_to_a_real_number_is_always_repaired(
    province: int, sex: str, year: int, serial: int
) -> None:
    cccd = make_cccd(province, sex, year, serial)
    value, _ = normalise_cccd(int(cccd))
    assert value == cccd
    value, _ = normalise_cccd(float(int(cccd)))
    assert value == cccd


def test_make_cccd_refuses_what_cannot_be_encoded() -> None:
    for province, sex, year, serial in [
        (99, "M", 1990, 1),
        (79, "X", 1990, 1),
        (79, "M", 1899, 1),
        (79, "M", 1990, 10**6),
    ]:
        with pytest.raises(ValueError):
            make_cccd(province, sex, year, serial)


@given(anything)
def test_normalising_never_raises_and_is_idempotent(raw: object) -> None:
    value, problems = normalise_cccd(raw)  # type: ignore[arg-type]
    if value is not None:
        assert normalise_cccd(value) == (value, [])
        assert len(value) == 12
    for problem in problems:
        if problem.fix is not None:
            assert normalise_cccd(problem.fix) == (problem.fix, [])


@given(st.text(), st.one_of(st.none(), st.text()), st.one_of(st.none(), st.integers()))
def test_checking_never_raises(cccd: str, sex: str | None, year: int | None) -> None:
    check_cccd(cccd, sex=sex, birth_year=year)
    masked = mask_cccd(cccd)
    assert len(masked) == len(cccd.strip())
    if len(cccd.strip()) >= 12:
        assert masked[3:-2] == "*" * (len(cccd.strip()) - 5)
