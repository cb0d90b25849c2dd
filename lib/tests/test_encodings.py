import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib.tests.vn_names import ALL_NAMES
from lib.vn.encodings import decode_legacy, detect_legacy, encode_legacy, fix_legacy
from lib.vn.text import fold, is_vietnamese_syllable

ENCODINGS = ["tcvn3", "vni"]


@pytest.mark.parametrize(
    ("garbled", "encoding", "text"),
    [
        ("NguyÔn V¨n An", "tcvn3", "Nguyễn Văn An"),
        ("Ph¹m V¨n §ång", "tcvn3", "Phạm Văn Đồng"),
        ("TrÇn ThÞ H\xad¬ng", "tcvn3", "Trần Thị Hương"),
        ("Nguyªn", "tcvn3", "Nguyên"),
        ("NGUYÔN V¡N §øC", "tcvn3", "NGUYỄN VĂN ĐỨC"),
        ("Nguyeãn Vaên An", "vni", "Nguyễn Văn An"),
        ("Tröôøng Chinh", "vni", "Trường Chinh"),
        ("Ñaëng Thò Ngoïc Thònh", "vni", "Đặng Thị Ngọc Thịnh"),
        ("NGUYEÃN VAÊN ÑÖÙC", "vni", "NGUYỄN VĂN ĐỨC"),
    ],
)
def test_it_repairs_names_typed_in_a_legacy_font(garbled: str, encoding: str, text: str) -> None:
    assert detect_legacy(garbled) == encoding
    fixed, problems = fix_legacy(garbled)
    assert fixed == text
    assert [(p.code, p.severity, p.fix) for p in problems] == [
        (f"text.legacy_{encoding}", "warning", text)
    ]


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_names_encoded_in_a_legacy_font_come_back_exactly(encoding: str) -> None:
    unrecoverable = []
    for name in ALL_NAMES + [n.upper() for n in ALL_NAMES]:
        garbled = encode_legacy(name, encoding)  # type: ignore[arg-type]
        if garbled == name:  # plain ASCII, or only letters both encodings share
            assert detect_legacy(garbled) is None
            continue
        fixed, _ = fix_legacy(garbled)
        if fixed != name:
            # The only excuse: the garbage is itself valid Unicode Vietnamese (VNI
            # "Hoà" is "Hồ"), and then it must be left alone, not "repaired" wrongly.
            assert fixed == garbled, (name, garbled, fixed)
            assert all(is_vietnamese_syllable(w) for w in garbled.replace("'", " ").split())
            unrecoverable.append(name)
    assert len(unrecoverable) <= len(ALL_NAMES) // 50, unrecoverable


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_the_decoder_inverts_the_encoder_letter_by_letter(encoding: str) -> None:
    letters = "aáàảãạăắằẳẵặâấầẩẫậđeéèẻẽẹêếềểễệiíìỉĩịoóòỏõọôốồổỗộơớờởỡợuúùủũụưứừửữựyýỳỷỹỵ"
    for letter in letters:
        word = f"{letter}n"  # lower case: TCVN3 cannot store toned capitals
        assert decode_legacy(encode_legacy(word, encoding), encoding) == word  # type: ignore[arg-type]
    if encoding == "vni":
        for letter in letters.upper():
            assert decode_legacy(encode_legacy(letter, "vni"), "vni") == letter


def test_unicode_and_ascii_names_are_never_taken_for_legacy_text() -> None:
    variants = []
    for name in ALL_NAMES:
        variants += [
            name,
            name.upper(),
            name.lower(),
            fold(name),
            unicodedata.normalize("NFD", name),
        ]
    assert [v for v in variants if detect_legacy(v) is not None] == []


@pytest.mark.parametrize(
    "text", ["José María", "Zoë Müller", "François", "Ærøskøbing", "Hoàng Chí Tâm", "Lê Hà"]
)
def test_foreign_latin_text_is_not_taken_for_legacy_text(text: str) -> None:
    assert fix_legacy(text) == (text, [])


@given(st.text())
def test_detection_never_raises_and_a_fix_is_final(s: str) -> None:
    fixed, problems = fix_legacy(s)
    if problems:
        assert problems[0].fix == fixed
        assert fix_legacy(fixed) == (fixed, [])
    else:
        assert fixed == s


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_plain_ascii_is_never_legacy(s: str) -> None:
    assert detect_legacy(s) is None
