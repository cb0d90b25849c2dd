import locale
import re
import sqlite3
import unicodedata
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib.tests.vn_names import ALL_NAMES
from lib.vn.text import (
    canonical_tones,
    fold,
    is_vietnamese_syllable,
    nfc,
    sort_key,
    split_name,
    title_name,
)

# Text made of Vietnamese letters (any case, precomposed or not) and spaces.
VIETNAMESE_LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂBCDĐEÊGHIKLMNOÔƠPQRSTUƯVXY"
TONES = "\u0300\u0301\u0309\u0303\u0323"
vietnamese_text = st.text(alphabet=VIETNAMESE_LETTERS + TONES + " ")


# --- nfc -----------------------------------------------------------------------------
def test_it_composes_decomposed_text() -> None:
    assert nfc(unicodedata.normalize("NFD", "Nguyễn Thị Thuỷ")) == "Nguyễn Thị Thuỷ"


def test_it_replaces_the_icelandic_eth_with_the_vietnamese_d() -> None:
    assert nfc("\u00d0ặng \u00f0ức") == "Đặng đức"


def test_it_replaces_cyrillic_look_alikes_pasted_into_a_latin_word() -> None:
    assert nfc("Nguy\u0435n V\u0430n \u0410n") == "Nguyen Van An"


def test_it_leaves_real_russian_words_alone() -> None:
    assert nfc("Москва") == "Москва"


def test_it_removes_zero_width_characters_and_collapses_spaces() -> None:
    assert nfc("  Nguyễn\u200b  Văn\u00a0\u00a0An\ufeff ") == "Nguyễn Văn An"


def test_it_keeps_the_soft_hyphen_that_is_the_tcvn3_letter_u_horn() -> None:
    assert nfc("H\xad¬ng") == "H\xad¬ng"


# --- canonical_tones --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Hòa", "Hoà"),
        ("Thủy", "Thuỷ"),
        ("Khỏe", "Khoẻ"),
        ("Thụy", "Thuỵ"),
        ("Thúy", "Thuý"),
        ("HÒA", "HOÀ"),
        ("Nguyễn Thị Thủy Hòa", "Nguyễn Thị Thuỷ Hoà"),
    ],
)
def test_old_and_new_tone_placements_compare_equal(old: str, new: str) -> None:
    assert canonical_tones(old) == canonical_tones(new) == new
    assert canonical_tones(new, style="old") == old


@pytest.mark.parametrize(
    "word",
    [
        "Quý", "Quả", "Quỳnh", "Già", "Giữa", "Gì", "Gìn", "Giếng", "Guốc", "Hoàng",
        "Huỳnh", "Toán", "Người", "Rượu", "Khuya", "Khuỷu", "Ngoài", "Của", "Mùa", "Kìa",
        "Thuở", "Tuấn", "Huế", "Nguyễn", "Nguyệt", "Yến", "Ý",
    ],
)  # fmt: skip
def test_syllables_that_have_one_placement_are_left_as_they_are(word: str) -> None:
    assert canonical_tones(word) == word
    assert canonical_tones(word, style="old") == word


def test_it_moves_a_misplaced_tone_to_its_place() -> None:
    assert canonical_tones("Nguyêñ".replace("ñ", "n\u0303")) == "Nguyễn"


def test_it_leaves_words_with_two_tones_as_typed() -> None:
    assert canonical_tones("Hóà") == "Hóà"


# --- fold -------------------------------------------------------------------------------
def test_search_finds_a_name_typed_without_diacritics() -> None:
    assert fold("Nguyễn Thị Thuỷ") == fold("nguyen thi thuy") == "nguyen thi thuy"
    assert fold("Nguyễn Thị Thủy") == "nguyen thi thuy"


def test_folding_turns_d_stroke_into_d() -> None:
    assert fold("ĐẶNG Đình Ð") == "dang dinh d"


# --- title_name and split_name ----------------------------------------------------------
def test_it_title_cases_a_name_and_keeps_the_persons_tone_placement() -> None:
    assert title_name("NGUYỄN thị  thuỷ") == "Nguyễn Thị Thuỷ"
    assert title_name("nguyễn thị thủy") == "Nguyễn Thị Thủy"


def test_it_capitalises_each_part_of_a_minority_name() -> None:
    assert title_name("h'hen niê") == "H'Hen Niê"
    assert title_name("y-moan ÊBAN") == "Y-Moan Êban"


def test_it_splits_surname_middle_and_given_name() -> None:
    assert split_name("Nguyễn Thị Minh Khai") == ("Nguyễn", "Thị Minh", "Khai")
    assert split_name("Phạm Anh") == ("Phạm", "", "Anh")
    assert split_name("Yến") == ("", "", "Yến")
    assert split_name("   ") == ("", "", "")


# --- sort_key ---------------------------------------------------------------------------
EXPECTED_ORDER = [
    "Trần Thị An",
    "Lê Văn An",
    "Nguyễn Văn An",
    "Phạm Anh",
    "Hoàng Minh Anh",
    "Vũ Thị Ánh",
    "Đặng Văn Ân",
    "Nguyễn Thị Bích",
    "Lê Văn Bình",
    "Nguyễn Thị Chi",
    "Trần Văn Cường",
    "Võ Thị Dung",
    "Phạm Văn Dũng",
    "Hồ Văn Đức",
    "Tôn Nữ Thị Hà",
    "Lê Thị Hà",
    "Trần Văn Hải",
    "Nguyễn Văn Hùng",
    "Lê Thị Hương",
    "Trần Quốc Khánh",
    "Phạm Thị Lan",
    "Ngô Minh Long",
    "Nguyễn Thị Mai",
    "Dương Văn Minh",
    "Đinh Văn Minh",
    "Lý Thị Nga",
    "Lý Thị Ngân",
    "Trần Thị Oanh",
    "Lê Văn Ơn",
    "Nguyễn Văn Phúc",
    "Trần Thị Quỳnh",
    "Lê Thị Thu",
    "Phạm Thị Thuý",
    "Lê Thị Thủy",
    "Nguyễn Văn Tú",
    "Trần Anh Tuấn",
    "Phan Thị Út",
    "Đỗ Thị Uyên",
    "Lê Thị Vân",
    "Nguyễn Văn Việt",
    "Trần Thị Xuân",
    "Phạm Thị Yến",
]


def test_people_sort_by_given_name_then_middle_then_surname_in_vietnamese_order() -> None:
    shuffled = sorted(EXPECTED_ORDER, key=lambda name: name[::-1])
    assert sorted(shuffled, key=sort_key) == EXPECTED_ORDER


def test_letters_with_diacritics_follow_their_base_letter() -> None:
    names = ["Bình", "Ăn", "Ánh", "Anh", "An"]
    assert sorted(names, key=sort_key) == ["An", "Anh", "Ánh", "Ăn", "Bình"]


def test_tones_come_after_all_the_letters_of_the_word_as_in_a_dictionary() -> None:
    names = ["Hai", "Hạ", "Hà", "Ha", "Há", "Hả", "Hã"]
    assert sorted(names, key=sort_key) == ["Ha", "Hà", "Há", "Hả", "Hã", "Hạ", "Hai"]


def test_d_stroke_sorts_after_every_d() -> None:
    assert sorted(["Đào", "Dũng", "Dương"], key=sort_key) == ["Dũng", "Dương", "Đào"]


def test_old_and_new_tone_placement_sort_as_equals() -> None:
    assert sort_key("Nguyễn Thị Hòa") == sort_key("Nguyễn Thị Hoà")
    assert sort_key("Lê Thủy") == sort_key("LÊ THUỶ") == sort_key("lê thu\u0309y")


def test_letters_outside_the_alphabet_sort_after_y_and_digits_after_them() -> None:
    names = ["Y", "Zét", "Willy", "Fan", "Jack", "2", "Ksor", "Иван"]
    assert sorted(names, key=sort_key) == ["Ksor", "Y", "Fan", "Jack", "Willy", "Zét", "2", "Иван"]


def test_the_key_survives_a_database_that_sorts_by_bytes() -> None:
    with sqlite3.connect(":memory:") as db:
        db.execute("create table m (name text, k text)")
        db.executemany(
            "insert into m values (?, ?)", [(n, sort_key(n)) for n in EXPECTED_ORDER[::-1]]
        )
        rows = [r[0] for r in db.execute("select name from m order by k")]
    assert rows == EXPECTED_ORDER


@pytest.fixture
def english_collation() -> Iterator[None]:
    previous = locale.setlocale(locale.LC_COLLATE)
    try:
        locale.setlocale(locale.LC_COLLATE, "en_US.UTF-8")
    except locale.Error:
        pytest.skip("the en_US.UTF-8 locale is not installed here")
    yield
    locale.setlocale(locale.LC_COLLATE, previous)


@pytest.mark.usefixtures("english_collation")
def test_the_key_sorts_the_same_under_the_glibc_english_collation() -> None:
    keys = [sort_key(n) for n in ALL_NAMES]
    assert sorted(keys, key=locale.strxfrm) == sorted(keys)


@given(st.text())
def test_the_key_holds_only_lower_case_ascii_letters(name: str) -> None:
    assert re.fullmatch(r"[a-z]*", sort_key(name))


@given(vietnamese_text)
def test_the_key_ignores_case_and_tone_placement(name: str) -> None:
    assert sort_key(canonical_tones(name)) == sort_key(name)
    assert sort_key(title_name(name)) == sort_key(name.upper()) == sort_key(name)


@given(st.lists(st.sampled_from(ALL_NAMES), min_size=2, max_size=2))
def test_real_names_get_different_keys_unless_only_placement_differs(pair: list[str]) -> None:
    a, b = pair
    assert (sort_key(a) == sort_key(b)) == (canonical_tones(a) == canonical_tones(b))


# --- properties shared by every text function ----------------------------------------------
@given(st.text())
def test_every_text_function_is_idempotent_and_never_raises(s: str) -> None:
    for func in (nfc, fold, canonical_tones, title_name):
        once = func(s)
        assert func(once) == once, func.__name__
    assert len(split_name(s)) == 3
    assert isinstance(is_vietnamese_syllable(s), bool)


@given(vietnamese_text)
def test_vietnamese_text_folds_to_plain_ascii(s: str) -> None:
    assert re.fullmatch(r"[a-z ]*", fold(s))
    assert fold(s) == fold(canonical_tones(s)) == fold(title_name(s))


def test_real_names_are_well_formed_syllables() -> None:
    minority = {"Ksor", "Kdăm", "H'Hen", "Niê"}  # Ê Đê names, not Kinh syllables
    words = {w for name in ALL_NAMES for w in name.split()} - minority
    assert [w for w in sorted(words) if not is_vietnamese_syllable(w)] == []


@pytest.mark.parametrize("garbage", ["NguyÔn", "Nguyeãn", "V¨n", "Vaên", "Mat", "Aùnh"])
def test_encoding_garbage_is_not_a_syllable(garbage: str) -> None:
    assert not is_vietnamese_syllable(garbage)
