"""Column mapping from the headers officials write."""

import pytest

from lib.cleaning.columns import (
    FIELDS,
    RawRecord,
    SourceRow,
    apply_mapping,
    guess_mapping,
)
from lib.cleaning.parse import ParsedFile


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Họ và tên", "full_name"),
        ("Họ tên", "full_name"),
        ("HỌ VÀ TÊN ĐẢNG VIÊN", "full_name"),
        ("Số CCCD", "cccd"),
        ("CCCD/CMND", "cccd"),
        ("Số định danh cá nhân", "cccd"),
        ("Ngày sinh", "birth_date"),
        ("Ngày sinh\n(dd/mm/yyyy)", "birth_date"),
        ("Giới tính", "sex"),
        ("Nam/Nữ", "sex"),
        ("Quê quán", "hometown"),
        ("Nơi sinh", "birth_place"),
        ("Dân tộc", "ethnicity"),
        ("Tôn giáo", "religion"),
        ("Ngày vào Đảng", "admission_date"),
        ("Ngày kết nạp", "admission_date"),
        ("Ngày chính thức", "official_date"),
        ("Ngày vào Đảng chính thức", "official_date"),
        ("Số thẻ đảng viên", "card_number"),
        ("Số thẻ", "card_number"),
        ("Điện thoại", "phone"),
        ("SĐT", "phone"),
        ("Trình độ LLCT", "political_theory"),
        ("Chi bộ", "cell"),
        ("Full name", "full_name"),
        ("ID number", "cccd"),
        ("Date of birth", "birth_date"),
        ("Ngày Vào Đảng", "admission_date"),
        ("ngay vao dang", "admission_date"),
    ],
)
def test_it_maps_the_headers_officials_write(header, field):
    assert guess_mapping([header]) == {0: field}


def test_it_leaves_unknown_and_numbering_columns_unmapped():
    assert guess_mapping(["STT", "Xếp loại 2024", ""]) == {0: None, 1: None, 2: None}


def test_it_maps_each_field_from_one_header_only_the_best():
    mapping = guess_mapping(["Họ tên khai sinh", "Họ và tên", "Họ tên"])
    assert mapping == {0: None, 1: "full_name", 2: None}


def test_it_tells_admission_and_official_dates_apart():
    mapping = guess_mapping(["Ngày vào Đảng", "Ngày vào Đảng chính thức", "Ngày sinh"])
    assert mapping == {0: "admission_date", 1: "official_date", 2: "birth_date"}


def test_every_field_has_synonyms_that_map_back_to_it():
    from lib.cleaning.columns import SYNONYMS

    assert set(SYNONYMS) == set(FIELDS)
    for field, synonyms in SYNONYMS.items():
        assert guess_mapping([synonyms[0]]) == {0: field}


def _parsed(rows: list[list[str]]) -> ParsedFile:
    return ParsedFile(
        "u.csv",
        None,
        1,
        ["STT", "Họ và tên", "Ngày sinh"],
        [
            SourceRow("u.csv", n + 2, r, frozenset({2}) if n == 0 else frozenset())
            for n, r in enumerate(rows)
        ],
    )


def test_it_turns_rows_into_raw_records_with_the_callers_mapping():
    parsed = _parsed([["1", " Nguyễn Văn An ", "1985-03-04"], ["2", "", ""], ["3", "Lê Thị B"]])
    records = apply_mapping(parsed, {0: None, 1: "full_name", 2: "birth_date"})
    assert records == [
        RawRecord(
            parsed.rows[0],
            {"full_name": " Nguyễn Văn An ", "birth_date": "1985-03-04"},
            {"birth_date"},
        ),
        RawRecord(parsed.rows[2], {"full_name": "Lê Thị B", "birth_date": ""}, set()),
    ]


def test_it_refuses_a_mapping_to_an_unknown_field():
    with pytest.raises(ValueError, match="bogus"):
        apply_mapping(_parsed([["1"]]), {0: "bogus"})
