"""Duplicate finding: exact CCCD, blocked fuzzy candidates, groups, and scale."""

import time
from datetime import date
from typing import Any

from lib.cleaning.match import Candidate, Person, duplicate_groups, find_candidates, name_key
from lib.synth import PersonFactory
from lib.vn.dates import PartialDate

AN = Person(
    "a",
    "Nguyễn Văn An",
    "M",
    date(1985, 3, 4),
    "079085000123",
    "+84912345678",
    "xã Bình Lợi, huyện Bình Chánh",
)


def _pairs(candidates: list[Candidate]) -> set[tuple[str, str]]:
    return {(c.a_key, c.b_key) for c in candidates}


def _levels(candidate: Candidate) -> set[str]:
    """The (field, level) of each weighed comparison, from the stored reasons."""
    return {":".join(r.split(":")[1:3]) for r in candidate.reasons if r.startswith("fs:")}


def test_it_matches_equal_cccds_exactly():
    other = Person("b", "Nguyen Van An", "M", date(1985, 3, 4), "079085000123")
    [candidate] = find_candidates([AN, other])
    assert candidate.exact and candidate.score == 100
    assert "CCCD" in candidate.reasons


def test_it_finds_the_same_person_without_a_cccd():
    other = Person("b", "NGUYỄN VĂN AN", "M", date(1985, 3, 4), None, "+84912345678")
    [candidate] = find_candidates([AN, other])
    assert not candidate.exact and candidate.score >= 85
    assert _levels(candidate) >= {"birth:exact", "phone:exact"}


def test_it_matches_old_and_new_tone_placement_and_swapped_day_and_month():
    a = Person("a", "Phạm Thị Thuỷ", "F", date(1979, 4, 11), None)
    b = Person("b", "Phạm Thị Thủy", "F", date(1979, 11, 4), "079179000001")
    [candidate] = find_candidates([a, b])
    assert "birth:swapped" in _levels(candidate)


def test_it_matches_a_partial_birth_date():
    a = Person("a", "Lê Văn Tám", "M", PartialDate(1948), None, None, "xã Hoà Bình")
    b = Person("b", "Lê Văn Tám", "M", date(1948, 6, 1), "079048000001", None, "xã Hòa Bình")
    assert _pairs(find_candidates([a, b])) == {("a", "b")}


def test_it_tells_different_people_with_the_same_birth_date_apart():
    other = Person("b", "Trần Thị Bình", "F", date(1985, 3, 4), None)
    assert find_candidates([AN, other]) == []


def test_two_valid_different_cccds_are_two_people():
    namesake = Person("b", "Nguyễn Văn An", "M", date(1985, 3, 4), "001085999999", "+84912345678")
    assert find_candidates([AN, namesake]) == []


def test_it_compares_cccds_that_differ_by_a_typo_but_not_by_a_province():
    typo = Person("b", "Nguyễn Văn An", "M", date(1985, 3, 4), "079085000132", "+84912345678")
    far = Person("c", "Nguyễn Văn An", "M", date(1985, 3, 4), "001085000123", "+84912345678")
    [candidate] = find_candidates([AN, typo, far])
    assert (candidate.a_key, candidate.b_key) == ("a", "b")
    assert "cccd:one_digit" in _levels(candidate)


def test_it_matches_batch_rows_against_the_registry_but_not_the_registry_with_itself():
    member = Person("member:1", "Nguyễn Văn An", "M", date(1985, 3, 4), None)
    twin = Person("member:2", "Nguyễn Văn An", "M", date(1985, 3, 4), None)
    row = Person("u.xlsx:5", "Nguyen Van An", "M", date(1985, 3, 4), None)
    pairs = _pairs(find_candidates([row], [member, twin]))
    assert pairs == {("u.xlsx:5", "member:1"), ("u.xlsx:5", "member:2")}


def test_it_groups_transitively_and_numbers_groups_stably():
    candidates = [
        Candidate("x:3", "x:1", 100, [], True),
        Candidate("x:1", "y:9", 90, []),
        Candidate("z:1", "z:2", 60, []),
    ]
    groups = duplicate_groups(candidates, 85)
    assert groups == {"x:1": "D0001", "x:3": "D0001", "y:9": "D0001"}


def test_shared_unit_words_do_not_make_hometowns_alike():
    a = Person(
        "a",
        "Nguyễn Thị Hiền",
        "F",
        date(1993, 9, 28),
        None,
        "+84377374473",
        "phường Mỹ Long, thành phố Long Xuyên, tỉnh An Giang",
    )
    b = Person(
        "b",
        "Nguyễn Thị Hiền",
        "F",
        date(1993, 9, 28),
        "038193709359",
        "+84347870222",
        "xã Đồng Thái, huyện Ba Vì, thành phố Hà Nội",
    )
    assert find_candidates([a, b]) == []


def test_the_name_key_ignores_case_diacritics_and_middle_names():
    assert name_key("NGUYỄN THỊ THUỶ") == name_key("Nguyen Thuy") == "nguyen thuy"


def test_it_scales_to_a_city_in_seconds():
    today = date(2025, 11, 20)
    people = [
        Person(
            str(n),
            p.full_name,
            p.sex,
            p.birth_date,
            p.cccd if n % 20 else None,
            p.phone,
            p.hometown,
        )
        for n, p in enumerate(PersonFactory(7, province_code=79).people(100_000, today=today))
    ]
    started = time.process_time()
    candidates = find_candidates(people)
    elapsed = time.process_time() - started
    assert elapsed < 20, elapsed  # about 1-2 s here; generous for slow CI machines
    # Synthetic people are all different: only true namesakes born the same day may pair.
    assert len(candidates) < 50


def test_an_admission_date_typed_again_keeps_its_traces():
    from lib.cleaning.linkage import LEVELS, compare_admissions

    def level(a: str, b: str) -> str:
        return LEVELS["admission"][compare_admissions(a, b)]

    assert level("2010-05-19", "2010-05-19") == "exact"
    assert level("2010-05-09", "2010-09-05") == "swapped"
    assert level("2010-05-19", "2010-05-18") == "one_digit"
    assert level("2010-05-19", "2011-05-19") == "one_digit"  # the year's last digit
    assert level("2010-05-19", "2010-05-91") == "one_digit"  # two neighbours swapped
    assert level("2010-05-19", "2010") == "partial"
    assert level("2010-05", "2010-05-19") == "partial"
    # A partial date is compared as far as it goes: the year typed again, one digit off.
    assert level("2010", "2011-05-19") == "one_digit"
    assert level("2010-06", "2010-05-19") == "one_digit"
    assert level("2010-05-19", "2010-08-30") == "year"
    assert level("2010-11", "2010-05-19") == "year"
    assert level("2010-05-19", "2014-11-02") == "different"
    assert level("2010", "2024-05-19") == "different"
    assert level("", "2010-05-19") == "unknown"


def test_admission_dates_no_slip_of_typing_explains_are_two_people():
    """Namesakes born the same day in one commune, one without a CCCD: everything else
    agrees, but the admission dates are apart, and only a typo would make one person."""
    base: dict[str, Any] = dict(
        full_name="Lý Thị Hường",
        sex="F",
        birth=date(1963, 3, 19),
        birth_place="thị trấn Củ Chi, huyện Củ Chi, thành phố Hồ Chí Minh",
        hometown="phường 2, quận 4, thành phố Hồ Chí Minh",
        ethnicity="Kinh",
    )
    first = Person("a", cccd="079163952343", admission=date(1988, 5, 7), **base)
    for admitted, same in (
        (date(1988, 5, 7), True),
        (date(1988, 5, 8), True),  # one digit
        (date(1988, 7, 5), True),  # day and month swapped
        (PartialDate(1988), True),  # only the year kept
        (date(1988, 11, 2), False),  # the same year, nothing a slip explains
        (date(1979, 6, 20), False),
        (PartialDate(1979), False),
    ):
        other = Person("b", phone="+84912000000", admission=admitted, **base)
        assert bool(find_candidates([first, other], threshold=50)) is same, admitted
