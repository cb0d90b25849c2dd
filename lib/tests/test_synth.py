"""Synthetic party members: determinism, per-person rules, uniqueness, distributions, tables."""

import dataclasses
import datetime
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib import synth_data as D
from lib.synth import Person, PersonFactory, people

TODAY = datetime.date(2025, 11, 20)
PHONE = re.compile(r"^\+84(3[2-9]|5[25689]|7[06-9]|8[1-9]|9[0-46-9])\d{7}$")
EMAIL = re.compile(r"^[a-z0-9.]+@example\.(com|net|org)$")
LEGACY_COMMUNE = ("xã ", "phường ", "thị trấn ")
LEGACY_DISTRICT = ("huyện ", "quận ", "thị xã ", "thành phố ")
PROVINCE = ("tỉnh ", "thành phố ")


@cache
def factory(seed: int, province_code: int | None) -> PersonFactory:
    return PersonFactory(seed, province_code=province_code)


@cache
def sample(seed: int, province_code: int | None, n: int) -> tuple[Person, ...]:
    return tuple(people(seed, n, province_code=province_code, today=TODAY))


@cache
def legacy_addresses(code: int) -> frozenset[str]:
    return frozenset(D.legacy_units().commune_addresses[code])


@cache
def all_legacy_addresses() -> frozenset[str]:
    return frozenset(a for v in D.legacy_units().commune_addresses.values() for a in v)


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, month=3, day=1)


def age_on(birth: datetime.date, day: datetime.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def check_person(p: Person, today: datetime.date, province_code: int | None) -> None:
    """Every rule a single synthetic person must satisfy."""
    assert type(p) is Person
    # names and text: NFC, no stray spaces
    for field in dataclasses.fields(Person):
        value = getattr(p, field.name)
        if isinstance(value, str):
            assert unicodedata.is_normalized("NFC", value), (field.name, value)
            assert value == value.strip() and "  " not in value, (field.name, value)
    assert 2 <= len(p.full_name.split()) <= 6
    assert p.sex in ("M", "F")
    # age 18-95
    assert 18 <= age_on(p.birth_date, today) <= 95
    # CCCD: PPP G YY RRRRRR
    assert re.fullmatch(r"\d{12}", p.cccd)
    ppp, g, yy = int(p.cccd[:3]), int(p.cccd[3]), p.cccd[4:6]
    assert ppp in D.LEGACY_POPULATION
    century = 2 * (p.birth_date.year // 100 - 19)
    assert g == century + (0 if p.sex == "M" else 1)
    assert yy == f"{p.birth_date.year % 100:02d}"
    # birth place in the CCCD province, hometown a real legacy commune, residence current
    assert p.birth_place in legacy_addresses(ppp)
    assert p.hometown in all_legacy_addresses()
    parts = p.hometown.split(", ")
    assert len(parts) == 3
    assert parts[0].startswith(LEGACY_COMMUNE)
    assert parts[1].startswith(LEGACY_DISTRICT)
    assert parts[2].startswith(PROVINCE)
    units = D.current_units()
    head, commune, province = p.residence.rsplit(", ", 2)
    assert head
    code = next(c for c, name in units.province_name.items() if name == province)
    if province_code is not None:
        assert code == province_code
    assert commune in units.urban[code] + units.rural[code]
    # phone and e-mail
    assert PHONE.match(p.phone), p.phone
    assert p.email == "" or EMAIL.match(p.email), p.email
    # party career
    assert p.admission_date <= today
    assert p.admission_date >= add_years(p.birth_date, 18)
    assert 18 <= age_on(p.birth_date, p.admission_date) <= D.MAX_ADMISSION_AGE
    recent = p.admission_date > today - datetime.timedelta(days=365)
    assert (p.official_date is None) == recent
    if p.official_date is not None:
        assert p.official_date <= today
        assert 365 <= (p.official_date - p.admission_date).days <= 365 + 60
    # the rest come from the tables
    assert p.service in ("", "army", "police", "retired")
    assert (p.service == "retired") == (p.occupation == D.RETIRED)
    assert (p.service in ("army", "police")) == (p.occupation == D.ARMED_FORCES)
    assert p.occupation in D.OCCUPATIONS
    assert p.education in {e for rows in D.EDUCATION_WEIGHTS.values() for e, _ in rows}
    assert p.political_theory in ("", "Sơ cấp", "Trung cấp", "Cao cấp", "Cử nhân")
    assert p.religion in {r for rows in D.RELIGION_BY_REGION.values() for r, _ in rows}


# -- determinism ------------------------------------------------------------------------------


def test_same_seed_serial_and_today_give_the_same_person() -> None:
    a = PersonFactory(11, province_code=79)
    b = PersonFactory(11, province_code=79)
    serials = [0, 1, 63, 64, 65, 5_000, 1_048_575, 1_048_576, 1_500_000]
    forward = [a.person(serial=s, today=TODAY) for s in serials]
    backward = [b.person(serial=s, today=TODAY) for s in reversed(serials)]
    assert forward == backward[::-1]
    # asking again, after other serials, changes nothing
    assert a.person(serial=63, today=TODAY) == forward[2]


def test_people_matches_person() -> None:
    f = PersonFactory(5, province_code=1)
    batch = list(f.people(200, today=TODAY, start=37))
    assert batch == [f.person(serial=s, today=TODAY) for s in range(37, 237)]
    assert list(people(5, 50, province_code=1, today=TODAY)) == [
        f.person(serial=s, today=TODAY) for s in range(50)
    ]


def test_national_factory_is_deterministic() -> None:
    first = list(people(3, 300, province_code=None, today=TODAY))
    fresh = PersonFactory(3)
    again = [fresh.person(serial=s, today=TODAY) for s in range(299, -1, -1)]
    assert first == again[::-1]


def test_seed_province_and_today_matter() -> None:
    base = sample(1, 79, 200)
    assert base != sample(2, 79, 200)
    assert base != sample(1, 1, 200)
    later = list(people(1, 200, province_code=79, today=datetime.date(2026, 11, 20)))
    assert base != tuple(later)


def test_person_is_a_frozen_dataclass() -> None:
    p = factory(1, 79).person(serial=0, today=TODAY)
    assert type(p) is Person
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.full_name = "x"  # type: ignore[misc]
    assert p == dataclasses.replace(p) and hash(p) == hash(dataclasses.replace(p))
    assert set(p.__slots__) == {f.name for f in dataclasses.fields(Person)}


# -- rules for every person -------------------------------------------------------------------


@pytest.mark.parametrize("province_code", [79, 1, 8, 92, None])
def test_every_person_follows_the_rules(province_code: int | None) -> None:
    for p in sample(2025, province_code, 3000):
        check_person(p, TODAY, province_code)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(min_value=-(2**63), max_value=2**63),
    province_code=st.sampled_from([None, *sorted(D.current_units().province_name)]),
    serial=st.integers(min_value=0, max_value=900_000),
    today=st.sampled_from(
        [
            TODAY,
            datetime.date(2028, 2, 29),
            datetime.date(2026, 1, 1),
            datetime.date(2025, 12, 31),
            datetime.date(2040, 7, 1),
            datetime.date(2003, 3, 1),
            datetime.date(2125, 6, 1),  # births from 2100 on: century digit 4/5
        ]
    ),
)
def test_rules_hold_for_any_seed(
    seed: int, province_code: int | None, serial: int, today: datetime.date
) -> None:
    f = PersonFactory(seed, province_code=province_code)
    batch = [f.person(serial=s, today=today) for s in (serial, serial + 1, serial + 64)]
    for p in batch:
        check_person(p, today, province_code)
    again = PersonFactory(seed, province_code=province_code)
    assert again.person(serial=serial + 64, today=today) == batch[2]
    assert again.person(serial=serial, today=today) == batch[0]


# -- uniqueness -------------------------------------------------------------------------------


def test_cccd_and_phone_unique_within_and_across_factories() -> None:
    seed = 77
    batches = [
        list(factory(seed, 79).people(60_000, today=TODAY)),
        # the second stratification block of the same province
        list(factory(seed, 79).people(20_000, today=TODAY, start=1 << 20)),
        list(factory(seed, 75).people(20_000, today=TODAY)),  # Đồng Nai, a neighbour
        list(factory(seed, None).people(60_000, today=TODAY)),
    ]
    everyone = [p for batch in batches for p in batch]
    cccds = Counter(p.cccd for p in everyone)
    phones = Counter(p.phone for p in everyone)
    assert cccds.most_common(1)[0][1] == 1
    assert phones.most_common(1)[0][1] == 1


def test_capacity_covers_national_scale() -> None:
    assert factory(1, None).capacity(TODAY) >= 5_600_000
    for code in D.current_units().province_name:
        assert factory(1, code).capacity(TODAY) >= 1_000_000
    # the first and last serials inside the capacity work
    f = factory(1, 1)
    last = f.capacity(TODAY) - 1
    check_person(f.person(serial=last, today=TODAY), TODAY, 1)


def test_serials_beyond_capacity_raise_instead_of_colliding() -> None:
    from lib.synth import _BLOCK, _PHONE_SLICE

    f = factory(1, 1)
    # three times as many blocks as fit: the most frequent CCCD prefix overflows its slice
    start = 3 * (f.capacity(TODAY) // _BLOCK) * _BLOCK
    assert start + 50_000 < _PHONE_SLICE  # so it is the CCCD, not the phone, that overflows
    with pytest.raises(ValueError, match="capacity"):
        for _ in f.people(50_000, today=TODAY, start=start):
            pass
    with pytest.raises(ValueError):
        f.person(serial=-1, today=TODAY)


def test_unknown_province_is_refused() -> None:
    with pytest.raises(ValueError, match="not a current province"):
        PersonFactory(1, province_code=2)  # Hà Giang: merged into Tuyên Quang in 2025


# -- distributions ----------------------------------------------------------------------------


def share(persons: tuple[Person, ...], predicate: Callable[[Person], bool]) -> float:
    return sum(1 for p in persons if predicate(p)) / len(persons)


def test_national_distributions_are_realistic() -> None:
    ps = sample(9, None, 20_000)
    assert 0.56 <= share(ps, lambda p: p.sex == "M") <= 0.64
    assert 0.03 <= share(ps, lambda p: p.official_date is None) <= 0.05
    assert 0.80 <= share(ps, lambda p: p.ethnicity == "Kinh") <= 0.90
    assert 0.90 <= share(ps, lambda p: p.religion == "Không") <= 0.96
    assert 0.30 <= share(ps, lambda p: p.full_name.startswith("Nguyễn ")) <= 0.42
    assert 0.05 <= share(ps, lambda p: p.email != "") <= 0.30
    ages = [age_on(p.birth_date, TODAY) for p in ps]
    assert 45 <= sum(ages) / len(ages) <= 57
    assert min(ages) == 18 and max(ages) >= 90
    admission_ages = Counter(age_on(p.birth_date, p.admission_date) for p in ps)
    assert sum(n for a, n in admission_ages.items() if 20 <= a <= 35) / len(ps) >= 0.7
    assert len({p.full_name.split()[-1] for p in ps}) >= 200
    assert {"Thuỷ", "Hoà"} <= {p.full_name.split()[-1] for p in ps}
    assert 0.05 <= share(ps, lambda p: len(p.full_name.split()) == 4) <= 0.12
    assert share(ps, lambda p: len(p.full_name.split()) == 2) >= 0.005


def test_province_residents_are_mostly_born_in_its_legacy_provinces() -> None:
    ps = sample(9, 79, 20_000)
    local = set(D.current_units().legacy_sources[79])
    assert local == {74, 77, 79}
    assert 0.72 <= share(ps, lambda p: int(p.cccd[:3]) in local) <= 0.79
    # southern naming, Hoa minority, retirees in the city
    surnames = Counter(p.full_name.split()[0] for p in ps)
    assert surnames["Huỳnh"] > surnames["Hoàng"] and surnames["Võ"] > surnames["Vũ"]
    assert share(ps, lambda p: p.ethnicity == "Hoa") >= 0.02
    assert share(ps, lambda p: p.occupation == D.RETIRED) >= 0.25
    north = Counter(p.full_name.split()[0] for p in sample(9, 1, 20_000))
    assert north["Hoàng"] > north["Huỳnh"] and north["Vũ"] > north["Võ"]


def test_phone_numbers_are_valid_for_libphonenumber() -> None:
    phonenumbers = pytest.importorskip("phonenumbers")
    from lib.synth import _PHONE_UNITS

    for unit in _PHONE_UNITS:
        for tail in ("000000", "999999"):
            number = phonenumbers.parse(unit + tail)
            assert phonenumbers.is_valid_number(number), unit
            assert phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE
    for p in sample(2025, None, 3000)[:500]:
        assert phonenumbers.is_valid_number(phonenumbers.parse(p.phone))


# -- tables -----------------------------------------------------------------------------------


def all_table_strings() -> list[str]:
    out: list[str] = []
    out += [n for n, _ in D.SURNAMES_NORTH + D.SURNAMES_SOUTH]
    out += [n for rows in D.ETHNIC_SURNAMES.values() for n, _ in rows]
    out += [n for rows in D.MIDDLE_NAMES.values() for n, _ in rows]
    out += [n for n, _, _ in D.GIVEN_NAMES_MALE + D.GIVEN_NAMES_FEMALE]
    out += [n for rows in D.MINORITY_MIX.values() for n, _ in rows]
    out += [n for rows in D.RELIGION_BY_REGION.values() for n, _ in rows]
    out += [n for rows in D.QUALIFICATION_WEIGHTS.values() for n, _ in rows]
    out += [n for rows in D.LANGUAGE_WEIGHTS.values() for n, _ in rows]
    out += list(D.OCCUPATIONS)
    return out


def test_tables_are_nfc_and_big_enough() -> None:
    for s in all_table_strings():
        assert unicodedata.is_normalized("NFC", s), s
    assert len({n for n, _ in D.SURNAMES_NORTH + D.SURNAMES_SOUTH}) >= 40
    for names in (D.GIVEN_NAMES_MALE, D.GIVEN_NAMES_FEMALE):
        assert len({n for n, _, _ in names}) == len(names) >= 120
    for rows in D.MIDDLE_NAMES.values():
        middles = [m for m, _ in rows]
        assert "" in middles and any(len(m.split()) == 2 for m in middles)
    # both tone placements are present on purpose
    given = {n for n, _, _ in D.GIVEN_NAMES_MALE + D.GIVEN_NAMES_FEMALE}
    assert {"Thủy", "Thuỷ", "Hòa", "Hoà", "Khỏe", "Khoẻ"} <= given


def test_surname_head_matches_published_frequencies() -> None:
    north = dict(D.SURNAMES_NORTH)
    total = sum(north.values())
    assert 0.36 <= north["Nguyễn"] / total <= 0.40
    assert north["Nguyễn"] > north["Trần"] > north["Lê"] > north["Phạm"]


def test_administrative_units_load_from_vietnam_provinces() -> None:
    legacy, current = D.legacy_units(), D.current_units()
    assert len(legacy.province_name) == 63
    assert legacy.province_name[80] == "tỉnh Long An"
    assert "xã Tân Phú, huyện Đức Hòa, tỉnh Long An" in legacy.commune_addresses[80]
    assert len(current.province_name) == 34
    assert sum(len(current.urban[c]) + len(current.rural[c]) for c in current.province_name) == 3321
    assert len(current.urban[79]) + len(current.rural[79]) == 168
    # every legacy province belongs to exactly one current province
    sources = [old for olds in current.legacy_sources.values() for old in olds]
    assert sorted(sources) == sorted(legacy.province_name)
    assert current.legacy_sources[82] == (82, 87)  # Tiền Giang + Đồng Tháp
    assert current.legacy_sources[80] == (72, 80)  # Tây Ninh + Long An
    assert set(D.LEGACY_POPULATION) == set(legacy.province_name) == set(D.LEGACY_REGION)


def test_lower_division_and_ascii_fold() -> None:
    assert D.lower_division("Thành Phố Bắc Kạn") == "thành phố Bắc Kạn"
    assert D.lower_division("Đặc khu Côn Đảo") == "đặc khu Côn Đảo"
    assert D.lower_division("Phường 5") == "phường 5"
    assert D.ascii_fold("Nguyễn Thị Thuỷ Đào") == "nguyenthithuydao"
