"""Problems whose words are made again from their code and fix (lib.vn.messages).

What matters: a problem stored without its words is shown exactly as its rule wrote it, and
the commonest problems are in fact stored without them.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.cleaning.columns import RawRecord, SourceRow
from lib.cleaning.rules import (
    RULES,
    CleanRecord,
    RowProblem,
    clean_record,
    stored_problem,
    with_words,
)
from lib.tests.test_cleaning_rules import GOOD, TODAY
from lib.vn.encodings import encode_legacy
from lib.vn.messages import WORDS

# One row for each rule lib.vn.messages keeps the words of, as units type them.
EXAMPLES: dict[str, dict[str, str]] = {
    "text.legacy_tcvn3": {"full_name": encode_legacy("Nguyễn Thị Thuỷ", "tcvn3")},
    "text.legacy_vni": {"full_name": encode_legacy("Nguyễn Thị Thuỷ", "vni")},
    "text.unicode_form": {"full_name": "Nguye\u0302\u0303n Văn An"},
    "text.eth_for_d": {"full_name": "Võ Minh \u00d0ức"},
    "text.lookalike": {"occupation": "Giáo viên \u0441ấp 2"},
    "text.invisible": {"occupation": "Kỹ\u200b sư"},
    "text.whitespace": {"full_name": "Nguyễn  Văn An"},
    "name.case": {"full_name": "NGUYỄN VĂN AN"},
    "cccd.leading_zero_restored": {"cccd": "79085000123"},
    "cccd.reformatted": {"cccd": "0790 8500 0123"},
    "card.leading_zero_restored": {"card_number": "345678"},
    "phone.leading_zero_restored": {"phone": "912345678"},
    "phone.old_mobile_prefix": {"phone": "0166 234 5678"},
    "sex.numeric_code": {"sex": "2"},
    "date.two_digit_year": {"birth_date": "4/3/85"},
    "date.excel_serial": {"birth_date": "31110"},
    "place.legacy": {"hometown": "Phường 5, Quận 3, TP. Hồ Chí Minh"},
    "place.legacy_residence": {
        "residence": "xã Tân Thông Hội, huyện Củ Chi, thành phố Hồ Chí Minh"
    },
}

# Their words exactly as the rules wrote them before lib.vn.messages (9be2ebc): rows staged
# then and now are shown alike, and a change of wording here is a decision, not an accident.
WORDING: dict[str, tuple[str, str]] = {
    "text.legacy_tcvn3": (
        "Họ và tên: Văn bản gõ bằng bảng mã cũ TCVN3 (ABC, .VnTime), đã chuyển sang Unicode: Nguyễn Thị Thuỷ",
        "Full name: Text typed in the legacy TCVN3 (ABC, .VnTime) encoding, converted to Unicode: Nguyễn Thị Thuỷ",
    ),
    "text.legacy_vni": (
        "Họ và tên: Văn bản gõ bằng bảng mã cũ VNI (VNI-Times), đã chuyển sang Unicode: Nguyễn Thị Thuỷ",
        "Full name: Text typed in the legacy VNI (VNI-Times) encoding, converted to Unicode: Nguyễn Thị Thuỷ",
    ),
    "text.unicode_form": (
        "Họ và tên: chữ tổ hợp (NFD) đã chuẩn hóa.",
        "Full name: decomposed Unicode normalised.",
    ),
    "text.eth_for_d": (
        "Họ và tên: chữ Ð (eth) đã sửa thành Đ.",
        "Full name: Ð (eth) corrected to Đ.",
    ),
    "text.lookalike": (
        "Nghề nghiệp: chữ Kirin giống chữ Latinh đã thay.",
        "Occupation: Cyrillic look-alikes replaced.",
    ),
    "text.invisible": (
        "Nghề nghiệp: ký tự vô hình đã bỏ.",
        "Occupation: invisible characters removed.",
    ),
    "text.whitespace": (
        "Họ và tên: khoảng trắng thừa đã bỏ.",
        "Full name: extra spaces removed.",
    ),
    "name.case": (
        "Họ và tên: viết lại thành 'Nguyễn Văn An'.",
        "Full name: written as 'Nguyễn Văn An'.",
    ),
    "cccd.leading_zero_restored": (
        "Số CCCD: Đã thêm số 0 bị Excel làm mất ở đầu: 079*******23.",
        "CCCD: Restored the leading zero Excel dropped: 079*******23.",
    ),
    "cccd.reformatted": (
        "Số CCCD: đã bỏ dấu cách, dấu chấm.",
        "CCCD: spaces and dots removed.",
    ),
    "card.leading_zero_restored": (
        "Số thẻ đảng viên: Đã thêm số 0 bị mất ở đầu số thẻ đảng: 00345678.",
        "Party card number: Restored the leading zeros of the party card number: 00345678.",
    ),
    "phone.leading_zero_restored": (
        "Điện thoại: Đã thêm số 0 bị Excel làm mất ở đầu số điện thoại.",
        "Phone: Restored the leading zero Excel dropped from the phone number.",
    ),
    "phone.old_mobile_prefix": (
        "Điện thoại: Số di động 11 số cũ đã được đổi sang đầu số mới (từ năm 2018).",
        "Phone: Old 11-digit mobile number converted to its new prefix (2018).",
    ),
    "sex.numeric_code": (
        "Giới tính: Mã 2 được hiểu là Nữ (1 = Nam, 2 = Nữ).",
        "Sex: Code 2 read as female (1 = male, 2 = female).",
    ),
    "date.two_digit_year": (
        "Ngày sinh: Năm ghi 2 chữ số '85' được hiểu là 1985.",
        "Date of birth: Two-digit year '85' read as 1985.",
    ),
    "date.excel_serial": (
        "Ngày sinh: số 31110 của Excel là ngày 04/03/1985.",
        "Date of birth: Excel serial 31110 is 04/03/1985.",
    ),
    "place.legacy": (
        "Quê quán: địa danh trước sáp nhập 2025 (giữ nguyên); nay là phường Bàn Cờ, thành phố Hồ Chí Minh.",
        "Hometown: place name from before the 2025 merger (kept); now phường Bàn Cờ, thành phố Hồ Chí Minh.",
    ),
    "place.legacy_residence": (
        "Nơi thường trú: ghi theo đơn vị hành chính trước 1/7/2025; nay là xã Củ Chi, thành phố Hồ Chí Minh.",
        "Residence: written with units from before 1 July 2025; now xã Củ Chi, thành phố Hồ Chí Minh.",
    ),
}


def clean(fields: dict[str, str]) -> CleanRecord:
    return clean_record(RawRecord(SourceRow("u.xlsx", 7, []), {**GOOD, **fields}), today=TODAY)


def shown(p: RowProblem) -> tuple[object, object]:
    words = with_words(stored_problem(p))
    return words["vi"], words["en"]


def test_every_rule_with_kept_words_has_an_example_and_its_wording() -> None:
    assert set(EXAMPLES) == set(WORDS) == set(WORDING)
    assert set(WORDS) <= set(RULES)


@pytest.mark.parametrize("code", sorted(EXAMPLES))
def test_the_wording_is_what_the_rules_always_wrote(code: str) -> None:
    (p,) = [p for p in clean(EXAMPLES[code]).problems if p.code == code]
    assert (p.problem.message_vi, p.problem.message_en) == WORDING[code]
    assert shown(p) == WORDING[code]


@pytest.mark.parametrize("code", sorted(EXAMPLES))
def test_its_problem_is_stored_without_words_and_shown_as_the_rule_wrote_it(code: str) -> None:
    record = clean(EXAMPLES[code])
    found = [p for p in record.problems if p.code == code]
    assert found, record.codes
    for p in found:
        assert p.remade, p.problem
        assert shown(p) == (p.problem.message_vi, p.problem.message_en)


def test_a_message_made_otherwise_is_stored_whole() -> None:
    # The commune was split: the province is named, and there is no fix to make it from.
    record = clean({"birth_place": "tỉnh Bình Dương"})
    (p,) = [p for p in record.problems if p.code == "place.legacy"]
    assert p.problem.fix is None and not p.remade
    assert shown(p) == (p.problem.message_vi, p.problem.message_en)
    # A rule that keeps no words: its own, always.
    (p,) = [p for p in clean({"cccd": "12345"}).problems if p.code == "cccd.format"]
    assert not p.remade


def test_a_stored_problem_whose_words_cannot_be_made_shows_its_rules_title() -> None:
    words = with_words({"field": "birth_date", "code": "date.excel_serial", "fix": "not a date"})
    assert words["vi"] == "Ngày sinh: Ngày ở dạng số seri của Excel"
    assert words["en"] == "Date of birth: Date given as an Excel serial number"
    assert with_words({"field": "x", "code": "gone.rule"})["vi"] == "x: gone.rule"


# Vietnamese letters and what units type among them: digits, spaces, dots, legacy-font bytes.
texts = st.text(
    alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyAĐNTHàáạảãầấậẩẫèéẹẻẽềếệìíịòóọỏõồốộổỗờớợùúụưừứựỳýỷ"
    "0123456789 ,./-\u0301\u0303\u00d0\u200bµ¸Ñ",
    max_size=30,
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    st.fixed_dictionaries(
        {},
        optional={
            name: texts
            for name in (
                "full_name",
                "cccd",
                "phone",
                "sex",
                "birth_date",
                "hometown",
                "residence",
                "occupation",
                "admission_date",
                "official_date",
                "card_number",
            )
        },
    )
)
def test_whatever_is_typed_every_problem_is_shown_as_its_rule_wrote_it(
    fields: dict[str, str],
) -> None:
    for p in clean(fields).problems:
        assert shown(p) == (p.problem.message_vi, p.problem.message_en)
