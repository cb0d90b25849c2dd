from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib.vn.problems import Problem
from lib.vn.values import (
    ETHNICITIES,
    FOREIGNER,
    POLITICAL_THEORY,
    RELIGIONS,
    normalise_card_number,
    normalise_ethnicity,
    normalise_political_theory,
    normalise_religion,
    normalise_sex,
)

Normaliser = Callable[[str], tuple[str | None, list[Problem]]]


def codes(result: tuple[str | None, list[Problem]]) -> tuple[str | None, list[str]]:
    return result[0], [p.code for p in result[1]]


# --- sex -----------------------------------------------------------------------------
@pytest.mark.parametrize("raw", ["Nam", "nam", "NAM", " nam ", "M", "m", "male", "Male", "Ông"])
def test_male_is_recognised_in_any_spelling(raw: str) -> None:
    assert normalise_sex(raw) == ("M", [])


@pytest.mark.parametrize(
    "raw", ["Nữ", "nữ", "NỮ", "Nu", "NU", "nu", "F", "female", "Bà", "nu\u0303"]
)
def test_female_is_recognised_in_any_spelling(raw: str) -> None:
    assert normalise_sex(raw) == ("F", [])


def test_numeric_codes_follow_the_statistics_office_with_a_note() -> None:
    assert codes(normalise_sex("1")) == ("M", ["sex.numeric_code"])
    assert codes(normalise_sex(2)) == ("F", ["sex.numeric_code"])


@pytest.mark.parametrize("raw", ["n", "N", "0", "x", "khác", "?"])
def test_ambiguous_or_unknown_sex_is_an_error(raw: str) -> None:
    value, problems = normalise_sex(raw)
    assert value is None
    assert [(p.code, p.severity) for p in problems] == [("sex.unknown", "error")]


# --- ethnicity -----------------------------------------------------------------------------
def test_the_list_has_the_54_groups_numbered_by_the_statistics_office() -> None:
    assert len(ETHNICITIES) == 54
    assert [code for code, _ in ETHNICITIES] == [f"{i:02d}" for i in range(1, 55)]
    assert ETHNICITIES[0] == ("01", "Kinh")
    assert ETHNICITIES[-1] == ("54", "Ơ Đu")
    assert len({name for _, name in ETHNICITIES}) == 54
    assert FOREIGNER == ("55", "Người nước ngoài")


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("kinh", "Kinh"), ("Kinh", "Kinh"), ("KINH", "Kinh"), ("dân tộc Kinh", "Kinh"),
        ("DT Kinh", "Kinh"), ("Việt", "Kinh"), ("Hoa", "Hoa"), ("Khơ-me", "Khmer"),
        ("Khơ me", "Khmer"), ("H'Mông", "Mông"), ("Hmông", "Mông"), ("Mèo", "Mông"),
        ("Ê-đê", "Ê Đê"), ("Êđê", "Ê Đê"), ("Gia-rai", "Gia Rai"), ("Ba-na", "Ba Na"),
        ("Bru - Vân Kiều", "Bru Vân Kiều"), ("Xtiêng", "Xtiêng"), ("Stiêng", "Xtiêng"),
        ("Tày", "Tày"), ("Thái", "Thái"), ("Ơ-đu", "Ơ Đu"), ("người Chăm", "Chăm"),
    ],
)  # fmt: skip
def test_ethnicity_variants_map_to_the_listed_name(raw: str, name: str) -> None:
    assert normalise_ethnicity(raw) == (name, [])


def test_every_listed_name_maps_to_itself() -> None:
    for _, name in [*ETHNICITIES, FOREIGNER]:
        assert normalise_ethnicity(name) == (name, [])
        assert normalise_ethnicity(name.upper()) == (name, [])


def test_a_typo_is_matched_with_a_warning_that_proposes_the_name() -> None:
    value, problems = normalise_ethnicity("Kihn")
    assert value == "Kinh"
    assert [(p.code, p.severity, p.fix) for p in problems] == [
        ("ethnicity.guessed", "warning", "Kinh")
    ]


def test_an_unknown_ethnicity_is_a_warning_without_a_guess() -> None:
    value, problems = normalise_ethnicity("Sao Hỏa")
    assert value is None
    assert [(p.code, p.severity, p.fix) for p in problems] == [
        ("ethnicity.unknown", "warning", None)
    ]


# --- religion ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("không", "Không"), ("Ko", "Không"), ("KHÔNG", "Không"), ("không theo tôn giáo", "Không"),
        ("Phật", "Phật giáo"), ("đạo Phật", "Phật giáo"), ("Phật giáo", "Phật giáo"),
        ("Công giáo", "Công giáo"), ("Tin Lành", "Tin lành"), ("Cao đài", "Cao Đài"),
        ("Hoà Hảo", "Phật giáo Hòa Hảo"), ("Hồi giáo", "Hồi giáo"), ("Baha'i", "Tôn giáo Baha'i"),
        ("Mặc Môn", "Giáo hội Các Thánh hữu Ngày sau của Chúa Giê-su Ky-tô"),
        ("Bà La Môn", "Bà-la-môn giáo"), ("Tứ Ân Hiếu Nghĩa", "Phật giáo Tứ Ân Hiếu Nghĩa"),
    ],
)  # fmt: skip
def test_religion_variants_map_to_the_official_name(raw: str, name: str) -> None:
    assert normalise_religion(raw) == (name, [])


def test_every_listed_religion_maps_to_itself() -> None:
    assert len(RELIGIONS) == 17  # "Không" and the 16 recognised religions
    for name in RELIGIONS:
        assert normalise_religion(name) == (name, [])


@pytest.mark.parametrize("raw", ["", "  ", "-", "0"])
def test_a_blank_religion_means_none_with_a_note(raw: str) -> None:
    value, problems = normalise_religion(raw)
    assert value == "Không"
    assert [(p.code, p.severity, p.fix) for p in problems] == [
        ("religion.blank_as_none", "info", "Không")
    ]


def test_thien_chua_is_read_as_the_catholic_church_with_a_note() -> None:
    value, problems = normalise_religion("Thiên chúa giáo")
    assert value == "Công giáo"
    assert [(p.code, p.severity) for p in problems] == [("religion.renamed", "info")]


def test_an_unknown_religion_is_a_warning() -> None:
    assert codes(normalise_religion("Đạo Dừa")) == (None, ["religion.unknown"])


# --- political theory ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", ""), ("Không", ""), ("chưa qua đào tạo", ""), ("Sơ cấp", "so-cap"), ("SC", "so-cap"),
        ("Trung cấp", "trung-cap"), ("Trung cấp LLCT", "trung-cap"), ("TC", "trung-cap"),
        ("Cao cấp", "cao-cap"), ("Cao cấp lý luận chính trị", "cao-cap"), ("Cử nhân", "cu-nhan"),
        ("Cử nhân chính trị", "cu-nhan"),
    ],
)  # fmt: skip
def test_political_theory_levels_map_to_their_code(raw: str, code: str) -> None:
    assert normalise_political_theory(raw) == (code, [])
    assert code in dict(POLITICAL_THEORY)


def test_a_law_degree_is_not_a_political_theory_level() -> None:
    assert codes(normalise_political_theory("Cử nhân Luật")) == (None, ["political_theory.unknown"])


def test_two_levels_in_one_cell_must_be_chosen_by_a_person() -> None:
    assert codes(normalise_political_theory("Cao cấp, cử nhân")) == (
        None,
        ["political_theory.ambiguous"],
    )


# --- party card number ------------------------------------------------------------------------
def test_an_eight_digit_card_number_passes() -> None:
    assert normalise_card_number("12345678") == ("12345678", [])
    assert normalise_card_number("12.345.678") == ("12345678", [])
    assert normalise_card_number(12345678) == ("12345678", [])


@pytest.mark.parametrize("raw", ["1234567", 1234567, 1234567.0, "01234567.0"])
def test_it_restores_the_leading_zeros_excel_dropped_from_a_card_number(raw: object) -> None:
    value, problems = normalise_card_number(raw)  # type: ignore[arg-type]
    if raw == "01234567.0":
        assert (value, problems) == ("01234567", [])
        return
    assert value == "01234567"
    assert [(p.code, p.severity, p.fix) for p in problems] == [
        ("card.leading_zero_restored", "warning", "01234567")
    ]


@pytest.mark.parametrize("raw", ["1234", "123456789", "abc", "1234.5", 1234.5])
def test_other_card_numbers_are_a_format_error(raw: object) -> None:
    assert codes(normalise_card_number(raw)) == (None, ["card.format"])  # type: ignore[arg-type]


# --- properties of every normaliser -------------------------------------------------------------
NORMALISERS: list[Normaliser] = [
    normalise_sex,
    normalise_ethnicity,
    normalise_religion,
    normalise_political_theory,
    normalise_card_number,
]


@pytest.mark.parametrize("normalise", NORMALISERS, ids=lambda f: f.__name__)
@given(
    raw=st.one_of(
        st.text(),
        st.none(),
        st.integers(),
        st.sampled_from([n for _, n in ETHNICITIES] + RELIGIONS),
    )
)
def test_every_normaliser_never_raises_and_is_idempotent(normalise: Normaliser, raw: str) -> None:
    value, problems = normalise(raw)
    if value:
        assert normalise(value) == (value, [])
    for problem in problems:
        if problem.fix is not None:
            assert normalise(problem.fix) == (problem.fix, [])
