"""Deterministic synthetic party members, for demo data and national-scale benchmarks.

    factory = PersonFactory(seed=1, province_code=79)   # members living in Hồ Chí Minh City
    p = factory.person(serial=0, today=datetime.date(2025, 11, 20))
    for p in factory.people(1000, today=datetime.date(2025, 11, 20)): ...
    for p in people(1, 1000, province_code=None, today=datetime.date(2025, 11, 20)): ...

A person is a pure function of ``(seed, province_code, serial, today)``: asking for the
same serial again, in any order, from another factory instance, in another process or on
another machine, gives an equal :class:`Person`. ``province_code`` is a *current*
(post-2025) province; ``None`` draws people from the whole country, provinces weighted by
their (inferred) number of members. The distributions live in :mod:`lib.synth_data`.

Rules every person follows (``lib/tests/test_synth.py`` checks them): aged 18-95 on
``today``; admitted between the 18th birthday and ``today``, aged at most 45; official
12 months after admission plus 0-60 days, and ``official_date is None`` exactly when the
admission is less than 365 days before ``today`` (about 4 % of members); the CCCD's
province, century/sex digit and year agree with the birth place, sex and birth date;
birth place and hometown are real pre-2025 communes, the residence a real current one.

Uniqueness of CCCD and phone numbers
------------------------------------
The CCCD is ``PPP G YY RRRRRR``. Its prefix (birth province, century and sex, birth year)
is part of the person, so the last six digits must differ between all people who share a
prefix. Instead of hoping, we guarantee it:

* Serials are cut into blocks of 2**20. Within a block, a keyed bijection of the serial
  picks the prefix by *stratified* sampling: each prefix owns a fixed range of the
  permuted values, in proportion to its probability. A person's rank inside that range
  is therefore unique among the block's people with that prefix, and
  ``block * (size of the range) + rank`` is unique among all serials.
* The 1,000,000 possible six-digit numbers are split into 68 slices of 14,705: one per
  current province (34), and one per province for people drawn by a national factory
  (34). The number within the slice is scrambled by a keyed bijection of 0..999,999.

Hence: **CCCDs are unique across every person made with the same seed, by any mix of
provincial and national factories, for serials below** :meth:`PersonFactory.capacity`
(for ``today`` in 2025: 1,048,576 for every province, 2,097,152 or more for the big
southern ones, 8,388,608 for the national factory). A serial beyond the capacity raises
``ValueError`` rather than risk a duplicate. Two different seeds may produce the same
CCCD. Phone numbers work the same way over the 225 million mobile numbers of
:data:`lib.synth_data.PHONE_PREFIX_BLOCKS` (3.3 million per slice), so they are unique
under the same conditions. E-mail addresses are not unique. Synthetic CCCDs and phone
numbers are well-formed and may belong to real people: never message them (e-mail
addresses use the reserved ``example.*`` domains).

Speed
-----
Everything a person needs is a lookup in small tables precomputed per province and per
``today``; random draws (8 and 16 bits) come from one ``random.Random`` per group of 64
serials, keyed by the seed. ``python -m lib.synth`` prints the rate for 200,000 people.
At this speed CPU caches matter more than the interpreter: tables are kept small, and
bulk generation should use :meth:`PersonFactory.people` (or :func:`people`).
"""

from __future__ import annotations

import array
import dataclasses
import datetime
import functools
import hashlib
import random
import struct
import time
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from lib import synth_data as D

__all__ = ["Person", "PersonFactory", "people"]


@dataclass(frozen=True, slots=True)
class Person:
    """One synthetic party member, with the fields of the member form (2-HSĐV)."""

    full_name: str
    sex: str  # "M" / "F"
    birth_date: datetime.date
    cccd: str  # 12 digits, PPP G YY RRRRRR (PPP = legacy province of birth)
    phone: str  # E.164, "+849..."
    email: str  # "" for most members
    ethnicity: str
    religion: str
    birth_place: str  # legacy (pre-2025) units: "xã X, huyện Y, tỉnh Z"
    hometown: str  # legacy (pre-2025) units, as the forms record it
    residence: str  # current units: "Tổ dân phố 3, phường X, thành phố Y"
    education: str  # "12/12", "10/10", ...
    political_theory: str  # "", "Sơ cấp", "Trung cấp", "Cao cấp", "Cử nhân"
    qualification: str
    occupation: str
    foreign_language: str
    admission_date: datetime.date
    official_date: datetime.date | None  # None while still probationary
    service: str  # "" | "army" | "police" | "retired"


# A frozen dataclass's __init__ sets each field through object.__setattr__, which costs
# about 4 µs for 19 fields: most of our budget. We fill a mutable twin with the same slots
# and then give it Person's class, which CPython allows because the memory layouts are
# identical; the result is an ordinary, frozen Person. If a Python ever refuses, we fall
# back to the normal constructor.
_FIELD_NAMES = tuple(f.name for f in dataclasses.fields(Person))
_Mutable: Any = dataclasses.make_dataclass(
    "_MutablePerson", [(name, object) for name in _FIELD_NAMES], slots=True
)


def _swap_works() -> bool:
    probe = _Mutable(*range(len(_FIELD_NAMES)))
    try:
        probe.__class__ = Person
    except TypeError:  # pragma: no cover - layout refused
        return False
    return bool(probe == Person(*range(len(_FIELD_NAMES))))


_SWAP = _swap_works()
_BUILD: Any = _Mutable if _SWAP else Person

# --------------------------------------------------------------------------------------------
# Constants
# --------------------------------------------------------------------------------------------
# Sampling tables have 2**8 entries, indexed by an 8-bit draw, or 2**12 (16-bit draw >> 4)
# where rare values matter: names, ethnicities, places. Small tables matter: at this speed
# the CPU caches are the bottleneck, not the interpreter.
_COARSE = 8
_FINE = 12
_BLOCK_BITS = 20  # stratification blocks of 2**20 serials
_BLOCK = 1 << _BLOCK_BITS
_BLOCK_MASK = _BLOCK - 1
_SLOTS = 68  # 34 provincial factories + 34 provinces of the national factory
_CCCD_SPACE = 1_000_000
_CCCD_SLICE = _CCCD_SPACE // _SLOTS  # 14,705
_PHONE_UNITS: tuple[str, ...] = tuple(
    f"+84{prefix[1:]}{lead}" for prefix, leads in D.PHONE_PREFIX_BLOCKS for lead in leads
)
_PHONE_SPACE = len(_PHONE_UNITS) * 1_000_000
_PHONE_SLICE = _PHONE_SPACE // _SLOTS
_PHONE_BITS = max(1, (_PHONE_SPACE - 1).bit_length())
_PHONE_MASK = (1 << _PHONE_BITS) - 1
_CCCD_BITS = 20
_GROUP = 64  # people per random.Random instance
# Random draws per person: 13 of 16 bits, then 12 of 8 bits (small ints are preallocated
# in CPython, so 8-bit draws cost nothing to unpack).
_DRAWS_16, _DRAWS_8 = 13, 12
_DRAWS = _DRAWS_16 + _DRAWS_8
_DRAW_BYTES = 2 * _DRAWS_16 + _DRAWS_8
_UNPACK_GROUP = struct.Struct("<" + f"{_DRAWS_16}H{_DRAWS_8}B" * _GROUP).unpack
_MIN_AGE_DAYS = 6575  # 18 years are 6574 or 6575 days: birth + 6575 is never before 18
_YOUNGEST_BIRTH = _MIN_AGE_DAYS + 1  # so that admission on the last day is still possible
_PROBATION = D.PROBATION_DAYS


def _table[T](items: Iterable[tuple[T, float]], bits: int = _COARSE) -> tuple[T, ...]:
    """A lookup table of 2**bits entries where each value fills a share of slots equal to
    its weight (largest-remainder rounding). Sampling is ``table[draw >> (16 - bits)]``."""
    size = 1 << bits
    pairs = [(v, float(w)) for v, w in items if w > 0]
    total = sum(w for _, w in pairs)
    exact = [w / total * size for _, w in pairs]
    counts = [int(e) for e in exact]
    by_remainder = sorted(range(len(pairs)), key=lambda i: counts[i] - exact[i])
    for i in by_remainder[: size - sum(counts)]:
        counts[i] += 1
    out: list[T] = []
    for (value, _), count in zip(pairs, counts, strict=True):
        out.extend([value] * count)
    return tuple(out)


def _int_range_table(
    ranges: Iterable[tuple[int, int, float]], bits: int = _COARSE
) -> tuple[int, ...]:
    """Table of integers, uniform within each inclusive (lo, hi, weight) range."""
    items: list[tuple[int, float]] = []
    for lo, hi, weight in ranges:
        span = hi - lo + 1
        items.extend((lo + k, weight / span) for k in range(span))
    return _table(items, bits)


def _threshold(share: float, bits: int = 16) -> int:
    """Draws of ``bits`` bits below this value happen with probability ``share``."""
    return round(min(max(share, 0.0), 1.0) * (1 << bits))


def _keyed_ints(*parts: object, count: int) -> list[int]:
    digest = hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8 * count).digest()
    return [int.from_bytes(digest[8 * i : 8 * i + 8], "little") for i in range(count)]


def _mixer(bits: int, *key: object) -> tuple[int, int, int, int]:
    """Constants of a keyed bijection of 0 .. 2**bits - 1 (see :func:`_mix`)."""
    mask = (1 << bits) - 1
    a1, c1, a2, a3 = _keyed_ints(*key, count=4)
    return (a1 & mask) | 1, c1 & mask, (a2 & mask) | 1, (a3 & mask) | 1


def _mix(x: int, consts: tuple[int, int, int, int], bits: int) -> int:
    """x -> ((x*a1 + c1) then xorshift, odd multiply, xorshift, odd multiply, xorshift) mod
    2**bits: each step is invertible, so the whole is a permutation. (The hot paths inline
    it.)"""
    a1, c1, a2, a3 = consts
    mask = (1 << bits) - 1
    h = bits // 2
    x = (x * a1 + c1) & mask
    x ^= x >> h
    x = (x * a2) & mask
    x ^= x >> (h - 1)
    x = (x * a3) & mask
    return x ^ (x >> (h + 1))


# --------------------------------------------------------------------------------------------
# Tables shared by every factory (built on first use)
# --------------------------------------------------------------------------------------------
def _value_at_age(steps: Sequence[tuple[int, float]], age: int) -> float:
    for upto, value in steps:
        if age <= upto:
            return value
    return steps[-1][1]


@functools.cache
def _age_weights() -> tuple[dict[int, float], dict[int, float]]:
    """Probability of each single age, for (rural, urban) residents."""
    rural: dict[int, float] = {}
    urban: dict[int, float] = {}
    for lo, hi, w_rural, w_urban in D.AGE_BANDS:
        ages = range(lo, hi + 1)
        shape = {a: D.YOUNG_AGE_SHAPE.get(a, 1.0) for a in ages}
        total = sum(shape.values())
        for a in ages:
            rural[a] = w_rural * shape[a] / total
            urban[a] = w_urban * shape[a] / total
    r_total, u_total = sum(rural.values()), sum(urban.values())
    return {a: w / r_total for a, w in rural.items()}, {a: w / u_total for a, w in urban.items()}


@functools.cache
def _surname_table(key: str) -> tuple[tuple[str, str], ...]:
    if key == "north":
        items = D.SURNAMES_NORTH
    elif key == "south":
        items = D.SURNAMES_SOUTH
    else:
        items = D.ETHNIC_SURNAMES[key]
    return _table((((name, D.ascii_fold(name)), w) for name, w in items), _FINE)


@functools.cache
def _religion_table(key: str) -> tuple[str, ...]:
    if key in D.RELIGION_BY_ETHNICITY:
        return _table(D.RELIGION_BY_ETHNICITY[key])
    return _table(D.RELIGION_BY_REGION[key])


_EthEntry = tuple[str, tuple[tuple[str, str], ...], tuple[str, ...]]


@functools.cache
def _ethnicity_table(legacy_code: int) -> tuple[_EthEntry, ...]:
    region = D.LEGACY_REGION[legacy_code]
    kinh = D.KINH_SHARE.get(legacy_code, D.DEFAULT_KINH_SHARE)
    mix_name = D.MINORITY_MIX_BY_PROVINCE.get(legacy_code, D.MINORITY_MIX_BY_REGION[region])
    mix = D.MINORITY_MIX[mix_name]
    mix_total = sum(w for _, w in mix)
    naming = "south" if region in D.SOUTHERN_NAMING else "north"
    religion_group = D.RELIGION_GROUP_BY_REGION[region]

    def entry(ethnicity: str) -> _EthEntry:
        surnames = _surname_table(ethnicity if ethnicity in D.ETHNIC_SURNAMES else naming)
        religion = ethnicity if ethnicity in D.RELIGION_BY_ETHNICITY else religion_group
        return ethnicity, surnames, _religion_table(religion)

    items = [(entry("Kinh"), kinh)]
    items += [(entry(name), (100.0 - kinh) * w / mix_total) for name, w in mix]
    return _table(items, _FINE)


@functools.cache
def _middle_table(sex: str, generation: str) -> tuple[tuple[str, str, str], ...]:
    def entry(middle: str) -> tuple[str, str, str]:
        words = middle.split()
        initials = "".join(D.ascii_fold(w)[:1] for w in words)
        return (middle + " " if middle else "", D.ascii_fold(middle), initials)

    return _table(((entry(m), w) for m, w in D.MIDDLE_NAMES[(sex, generation)]), _FINE)


@functools.cache
def _given_table(sex: str, generation: str) -> tuple[tuple[str, str], ...]:
    names = D.GIVEN_NAMES_MALE if sex == "M" else D.GIVEN_NAMES_FEMALE
    old = generation == "old"
    return _table((((n, D.ascii_fold(n)), o if old else y) for n, o, y in names), _FINE)


# Occupation entries carry everything that depends on the occupation:
# (name, manual, e-mail group 0 office / 1 manual / 2 retired, qualification table,
#  theory table for adults, theory table for the young, service "" / "retired" / "armed")
_OccEntry = tuple[str, bool, int, tuple[str, ...], tuple[str, ...], tuple[str, ...], str]


@functools.cache
def _occupation_entry(name: str) -> _OccEntry:
    manual = name in D.MANUAL_OCCUPATIONS
    group = 2 if name == D.RETIRED else (1 if manual or name not in D.OFFICE_OCCUPATIONS else 0)
    if name in D.THEORY_WEIGHTS:
        adult = D.THEORY_WEIGHTS[name]
    elif name in ("Kinh doanh", "Nhân viên doanh nghiệp"):
        adult = D.THEORY_WEIGHTS["business"]
    else:
        adult = D.THEORY_WEIGHTS["other"]
    young = D.THEORY_WEIGHTS["young_armed" if name == D.ARMED_FORCES else "young"]
    service = "retired" if name == D.RETIRED else ("armed" if name == D.ARMED_FORCES else "")
    return (
        name,
        manual,
        group,
        _table(D.QUALIFICATION_WEIGHTS[name]),
        _table(adult),
        _table(young),
        service,
    )


@functools.cache
def _occupation_table(stage: str, urban: bool) -> tuple[_OccEntry, ...]:
    return _table(
        (_occupation_entry(name), w_urban if urban else w_rural)
        for name, w_urban, w_rural in D.OCCUPATION_WEIGHTS[stage]
    )


@functools.cache
def _education_table(generation: str, ten_year: bool, manual: bool) -> tuple[tuple[str, bool], ...]:
    factor = D.MANUAL_FULL_SCHOOLING_FACTOR if manual else 1.0
    return _table(
        ((edu, edu in D.FULL_SCHOOLING), w * (factor if edu in D.FULL_SCHOOLING else 1.0))
        for edu, w in D.EDUCATION_WEIGHTS[(generation, ten_year)]
    )


@functools.cache
def _language_table(generation: str, manual: bool) -> tuple[str, ...]:
    return _table(D.LANGUAGE_WEIGHTS[(generation, manual)])


@functools.cache
def _low_qualification_table() -> tuple[str, ...]:
    return _table(D.QUALIFICATION_WEIGHTS_LOW_SCHOOLING)


@functools.cache
def _residence_heads(urban: bool, south: bool) -> tuple[str, ...]:
    """Address lines below the commune: "Số 12, Tổ dân phố 3", "Ấp 4", ... (numbers only)."""
    rng = random.Random(f"residence|{urban}|{south}")  # fixed: the table is data
    patterns = D.RESIDENCE_HEADS[(urban, south)]
    house_share = D.HOUSE_NUMBER_SHARE[urban]
    heads = []
    for i in range(1 << _COARSE):
        pattern, top = patterns[i % len(patterns)]
        head = pattern.format(rng.randint(1, top))
        if rng.random() < house_share:
            head = f"Số {rng.randint(1, 250)}, {head[0].lower()}{head[1:]}"
        heads.append(head)
    return tuple(heads)


@functools.cache
def _delay_table() -> tuple[int, ...]:
    return _int_range_table(D.OFFICIAL_DELAY_DAYS)


@functools.cache
def _admission_offset_table() -> tuple[int, ...]:
    """Days from the earliest possible admission (18th birthday) to the admission."""
    ranges = [(lo - D.MIN_AGE, hi - D.MIN_AGE, w) for lo, hi, w in D.ADMISSION_AGE_WEIGHTS]
    years = _int_range_table(ranges, _FINE)
    # spread each year's ~150 slots over its 365 days
    return tuple(y * 365 + (i * 7919) % 365 for i, y in enumerate(years))


@functools.cache
def _hometown_province_table() -> tuple[int, ...]:
    return _table(D.LEGACY_POPULATION.items(), _FINE)


# A birth place: (code, communes, number of communes, ethnicity table, 10-year schools,
# threshold "hometown = birth place", threshold "hometown in the same province")
_Place = tuple[int, tuple[str, ...], int, tuple[_EthEntry, ...], bool, int, int]


@functools.cache
def _place(legacy_code: int) -> _Place:
    communes = D.legacy_units().commune_addresses[legacy_code]
    same, same_province = (0.45, 0.10) if legacy_code in D.CITY_CODES else (0.75, 0.15)
    return (
        legacy_code,
        communes,
        len(communes),
        _ethnicity_table(legacy_code),
        legacy_code <= D.TEN_YEAR_SCHOOLS_MAX_CODE,
        _threshold(same, 8),
        _threshold(same + same_province, 8),
    )


# Everything that depends on sex and age only:
# (sex, middle names, given names, occupations (rural, urban), education [ten_year][manual],
#  languages [manual], e-mail thresholds [group], young for theory, probationary threshold)
_Profile = tuple[
    str,
    tuple[tuple[str, str, str], ...],
    tuple[tuple[str, str], ...],
    tuple[tuple[_OccEntry, ...], tuple[_OccEntry, ...]],
    tuple[tuple[tuple[tuple[str, bool], ...], ...], ...],
    tuple[tuple[str, ...], tuple[str, ...]],
    tuple[int, int, int],
    bool,
    int,
]


@functools.cache
def _profile(sex: str, age: int) -> _Profile:
    generation = "old" if age >= 50 else "young"
    retire = D.RETIREMENT_AGE[sex]
    if age < 23:
        stage = "study"
    elif age < retire - 1:
        stage = "work"
    elif age <= retire:
        stage = "late"
    else:
        stage = "old"
    g4 = "g1" if age < 35 else "g2" if age < 50 else "g3" if age < 65 else "g4"
    g3 = "y" if age < 35 else "m" if age < 60 else "o"
    education = tuple(
        tuple(_education_table(g4, ten_year, manual) for manual in (False, True))
        for ten_year in (False, True)
    )
    email = tuple(_threshold(D.EMAIL_SHARE[(g3, g)], 8) for g in ("office", "manual", "retired"))
    return (
        sex,
        _middle_table(sex, generation),
        _given_table(sex, generation),
        (_occupation_table(stage, False), _occupation_table(stage, True)),
        education,
        (_language_table(g3, False), _language_table(g3, True)),
        (email[0], email[1], email[2]),
        age < D.YOUNG_THEORY_AGE,
        _threshold(_value_at_age(D.PROBATIONARY_SHARE_BY_AGE, age)),
    )


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


# A stratification key, one per (birth province, sex, birth year), shared by every province
# and seed: (CCCD prefix, first birth ordinal, number of birth days, birth year, index of
# the birth year, profile, place)
_Key = tuple[str, int, int, int, int, _Profile, _Place]


@dataclass(frozen=True, slots=True)
class _Years:
    """Everything about birth years and dates for one ``today``, shared by all factories."""

    ordinal: int
    years: tuple[tuple[int, int, int, int], ...]  # (year, first birth ordinal, days, age)
    keys: dict[tuple[int, str, int], _Key]  # (legacy code, sex, year index) -> key
    dates: tuple[datetime.date, ...]  # every date a person can hold, from date_base
    date_base: int  # ordinal of dates[0]


@functools.lru_cache(maxsize=8)
def _years(today: datetime.date) -> _Years:
    ordinal = today.toordinal()
    youngest = ordinal - _YOUNGEST_BIRTH
    oldest = _years_before(today, D.MAX_AGE + 1).toordinal() + 1
    years = []
    for year in range(datetime.date.fromordinal(oldest).year, today.year - D.MIN_AGE + 1):
        jan1 = datetime.date(year, 1, 1).toordinal()
        dec31 = datetime.date(year, 12, 31).toordinal()
        first, last = max(jan1, oldest), min(dec31, youngest)
        if last >= first:
            age = min(max(today.year - year, D.MIN_AGE), D.MAX_AGE)
            years.append((year, first, last - first + 1, age))
    keys: dict[tuple[int, str, int], _Key] = {}
    for code in sorted(D.LEGACY_POPULATION):
        place = _place(code)
        for sex in ("M", "F"):
            for yi, (year, first, days, age) in enumerate(years):
                g = 2 * (year // 100 - 19) + (sex == "F")  # 0/1 1900s, 2/3 2000s, 4/5 ...
                prefix = f"{code:03d}{g}{year % 100:02d}"
                keys[(code, sex, yi)] = (prefix, first, days, year, yi, _profile(sex, age), place)
    return _Years(ordinal, tuple(years), keys, _date_range(oldest, ordinal), oldest)


@dataclass(frozen=True, slots=True)
class _Today:
    """The stratification of one province for one ``today`` (seed-independent).

    Key ``k`` owns the permuted values ``bounds[k-1] .. bounds[k] - 1`` of every block;
    ``buckets[i]`` is the first key whose range reaches past ``i * 1024``, which narrows
    the search to a few neighbouring entries (a plain bisection over 10,000 bounds misses
    the CPU caches at every step once 34 provinces are in use).
    """

    years: _Years
    bounds: array.array[int]
    keys: list[_Key]
    buckets: array.array[int]
    urban: list[int]  # by year index: threshold of u16 draws below which one lives in a ward
    max_per_block: int


# --------------------------------------------------------------------------------------------
# Factories
# --------------------------------------------------------------------------------------------
class PersonFactory:
    """Makes :class:`Person` objects; see the module docstring for the guarantees.

    ``province_code`` is a current (post-2025) province code (``79`` = Hồ Chí Minh City);
    residents live in its communes, and 75 % were born in one of the legacy provinces it was
    merged from. ``None`` draws from the whole country. Factories may be shared between
    threads; two factories with the same arguments agree on every person.
    """

    def __init__(self, seed: int, *, province_code: int | None = None) -> None:
        self.seed = int(seed)
        self.province_code = province_code
        units = D.current_units()
        codes = sorted(units.province_name)
        if province_code is not None and province_code not in units.province_name:
            raise ValueError(f"{province_code!r} is not a current province code: {codes}")
        self._label = "nation" if province_code is None else f"province:{province_code}"
        self._cached: tuple[int, tuple[int, ...]] = (-1, ())
        self._provinces: list[tuple[int, int, _Province]] = []  # national: (lo, per block, sub)
        if province_code is None:
            subs = [_Province(self, code, len(codes) + i) for i, code in enumerate(codes)]
            weights = [
                sum(
                    D.LEGACY_POPULATION[old] * D.PARTY_DENSITY[D.LEGACY_REGION[old]]
                    for old in units.legacy_sources[code]
                )
                for code in codes
            ]
            cut = _stratify(weights)
            self._provinces = [(lo, hi - lo, sub) for (lo, hi), sub in zip(cut, subs, strict=True)]
            self._one = self._national([hi for _, hi in cut])
        else:
            self._province = _Province(self, province_code, codes.index(province_code))
            self._one = self._province.make

    # -- public -------------------------------------------------------------------------------
    def person(self, *, serial: int, today: datetime.date) -> Person:
        """The person with this serial (any int >= 0 below :meth:`capacity`)."""
        if serial < 0:
            raise ValueError("serial must be >= 0")
        group, offset = divmod(serial, _GROUP)
        cached_group, draws = self._cached
        if group != cached_group:
            draws = self._draws(group)
            self._cached = (group, draws)
        start = offset * _DRAWS
        return self._one(serial, today, draws[start : start + _DRAWS])

    def people(self, n: int, *, today: datetime.date, start: int = 0) -> Iterator[Person]:
        """Persons with serials ``start .. start + n - 1``, in order (faster than a loop over
        :meth:`person`)."""
        if start < 0:
            raise ValueError("start must be >= 0")
        one, step = self._one, _DRAWS
        serial, stop = start, start + n
        while serial < stop:
            group, offset = divmod(serial, _GROUP)
            draws = self._draws(group)
            for o in range(offset * step, min(_GROUP, offset + stop - serial) * step, step):
                yield one(serial, today, draws[o : o + step])
                serial += 1

    def capacity(self, today: datetime.date) -> int:
        """Serials ``0 .. capacity - 1`` are guaranteed to work and to get unique CCCDs and
        phone numbers (among all factories with this seed)."""
        if not self._provinces:
            return self._province.capacity(today)
        blocks = min(sub.capacity(today) // per_block for _, per_block, sub in self._provinces)
        return blocks * _BLOCK

    # -- internals ------------------------------------------------------------------------------
    def _draws(self, group: int) -> tuple[int, ...]:
        """The 16-bit random draws of the 64 people of one group of serials."""
        rng = random.Random(f"{self.seed}|{self._label}|{group}")
        return _UNPACK_GROUP(rng.randbytes(_GROUP * _DRAW_BYTES))

    def _national(self, bounds: list[int]) -> Callable[[int, datetime.date, Sequence[int]], Person]:
        """Pick the province by stratified sampling, which also gives the person a serial
        unique within that province's national slice."""
        parts = [(lo, per_block, sub.make) for lo, per_block, sub in self._provinces]
        perm: dict[int, tuple[int, int, int, int]] = {}
        seed = self.seed

        def national(serial: int, today: datetime.date, draws: Sequence[int]) -> Person:
            block = serial >> 20
            consts = perm.get(block)
            if consts is None:
                consts = perm[block] = _mixer(20, "nation", seed, block)
            a1, c1, a2, _ = consts
            x = (serial & 0xFFFFF) * a1 + c1 & 0xFFFFF
            x ^= x >> 10
            x = x * a2 & 0xFFFFF
            x ^= x >> 9
            lo, per_block, make = parts[bisect_right(bounds, x)]
            return make(block * per_block + x - lo, today, draws)

        return national


def people(
    seed: int, n: int, *, province_code: int | None = None, today: datetime.date
) -> Iterator[Person]:
    """Persons with serials 0 .. n-1 of ``PersonFactory(seed, province_code=...)``."""
    return PersonFactory(seed, province_code=province_code).people(n, today=today)


def _stratify(weights: Sequence[float]) -> list[tuple[int, int]]:
    """Cut 0 .. 2**20 into consecutive ranges (lo, hi) proportional to the weights."""
    total = sum(weights)
    out: list[tuple[int, int]] = []
    cumulative = 0.0
    lo = 0
    for w in weights:
        cumulative += w
        hi = round(cumulative / total * _BLOCK)
        out.append((lo, hi))
        lo = hi
    return out


@functools.cache
def _province_setup(code: int) -> tuple[float, dict[int, float]]:
    """(share of members living in wards, probability of each legacy birth province)."""
    units = D.current_units()
    # residents in wards (phường) weigh double: towns hold more members per commune
    n_urban, n_rural = 2 * len(units.urban[code]), len(units.rural[code])
    urban_share = n_urban / (n_urban + n_rural)
    # birth provinces: 75 % the legacy provinces merged into this one, 25 % elsewhere
    local = units.legacy_sources[code]
    local_total = sum(D.LEGACY_POPULATION[c] for c in local)
    other_total = sum(p for c, p in D.LEGACY_POPULATION.items() if c not in local)
    elsewhere = D.BORN_ELSEWHERE_SHARE
    birth_weights = {
        c: ((1 - elsewhere) * p / local_total if c in local else elsewhere * p / other_total)
        for c, p in sorted(D.LEGACY_POPULATION.items())
    }
    return urban_share, birth_weights


@functools.lru_cache(maxsize=256)
def _province_tables(code: int, today: datetime.date) -> _Today:
    """The stratification keys of a current province for one ``today`` (seed-independent)."""
    pu, birth_weights = _province_setup(code)
    rural_w, urban_w = _age_weights()
    shared = _years(today)
    weights, urban = [], []
    for year, _first, days, age in shared.years:
        w_u, w_r = pu * urban_w[age], (1 - pu) * rural_w[age]
        jan1 = datetime.date(year, 1, 1).toordinal()
        in_year = datetime.date(year, 12, 31).toordinal() - jan1 + 1
        weights.append((w_u + w_r) * days / in_year)
        urban.append(_threshold(w_u / (w_u + w_r), 8))
    raw: list[tuple[float, _Key]] = []
    for legacy, p_code in birth_weights.items():
        for sex in ("M", "F"):
            for yi, (_, _, _, age) in enumerate(shared.years):
                male = _value_at_age(D.MALE_SHARE_BY_AGE, age)
                w = p_code * weights[yi] * (male if sex == "M" else 1 - male)
                raw.append((w, shared.keys[(legacy, sex, yi)]))
    bounds = array.array("q")
    keys: list[_Key] = []
    widest = 0
    for (lo, hi), (_, key) in zip(_stratify([w for w, _ in raw]), raw, strict=True):
        if hi > lo:
            bounds.append(hi)
            keys.append(key)
            widest = max(widest, hi - lo)
    buckets = array.array("q", (bisect_right(bounds, i << 10) for i in range((_BLOCK >> 10) + 1)))
    return _Today(shared, bounds, keys, buckets, urban, widest)


class _Province:
    """The part of a factory that makes residents of one current province."""

    def __init__(self, owner: PersonFactory, code: int, slot: int) -> None:
        self.seed = owner.seed
        self.code = code
        self.slot = slot
        self.make = self._compile()

    def capacity(self, today: datetime.date) -> int:
        tables = _province_tables(self.code, today)
        return min((_CCCD_SLICE // tables.max_per_block) * _BLOCK, _PHONE_SLICE)

    def _compile(self) -> Callable[[int, datetime.date, Sequence[int]], Person]:
        """The hot path, as a closure over everything it needs: each line of ``make`` runs
        once per person, so nothing in it looks anything up by attribute or by name that
        a local variable can hold."""
        code, slot, seed = self.code, self.slot, self.seed
        tables_for = _province_tables
        key_label = f"{seed}|{slot}"
        key_consts: dict[int, tuple[int, int, int, int]] = {}
        cccd_tails: list[array.array[int]] = []  # built on first use
        cccd_base = slot * _CCCD_SLICE
        phone_base = slot * _PHONE_SLICE
        e1, f1, e2, _ = _mixer(_PHONE_BITS, "phone", seed)
        units = D.current_units()
        province = units.province_name[code]
        south = code >= D.SOUTH_MIN_CURRENT_CODE
        urban_list = tuple(f", {c}, {province}" for c in units.urban[code])
        rural_list = tuple(f", {c}, {province}" for c in units.rural[code])
        communes = ((rural_list, len(rural_list)), (urban_list, len(urban_list)))
        if not communes[1][1]:
            communes = (communes[0], communes[0])
        if not communes[0][1]:
            communes = (communes[1], communes[1])
        heads = (_residence_heads(False, south), _residence_heads(True, south))
        phone_units = _PHONE_UNITS
        phone_space = _PHONE_SPACE
        phone_mask = _PHONE_MASK
        low_qualifications = _LOW_QUALIFICATIONS
        delays = _DELAYS
        admission_offsets = _ADMISSION_OFFSETS
        hometown_provinces = _HOMETOWN_PROVINCES
        email_domains = _EMAIL_DOMAINS
        army_threshold = _ARMY_THRESHOLD
        build, swap, person_class = _BUILD, _SWAP, Person
        place_of = _place
        probation = _PROBATION
        min_age_days = _MIN_AGE_DAYS
        cccd_slice = _CCCD_SLICE
        phone_slice = _PHONE_SLICE
        block_mask = _BLOCK_MASK
        # (today, and the parts of its tables used below), replaced in one assignment
        last: list[tuple[Any, ...]] = [(None, 0, (), 0, (), (), (), ())]

        def make(serial: int, today: datetime.date, draws: Sequence[int]) -> Person:
            cached_today, tord, dates, date_base, bounds, buckets, keys, urban_by_year = last[0]
            if cached_today is not today and cached_today != today:
                t = tables_for(code, today)
                y = t.years
                last[0] = (
                    today,
                    y.ordinal,
                    y.dates,
                    y.date_base,
                    t.bounds,
                    t.buckets,
                    t.keys,
                    t.urban,
                )
                _, tord, dates, date_base, bounds, buckets, keys, urban_by_year = last[0]
            # -- stratified key: birth province, sex, birth year --------------------------
            block = serial >> 20
            consts = key_consts.get(block)
            if consts is None:
                consts = key_consts[block] = _mixer(20, "key", key_label, block)
            a1, c1, a2, _ = consts
            x = (serial & block_mask) * a1 + c1 & block_mask
            x ^= x >> 10
            x = x * a2 & block_mask
            x ^= x >> 9
            k = bisect_right(bounds, x, buckets[x >> 10], buckets[(x >> 10) + 1])
            lo = bounds[k - 1] if k else 0
            prefix, first, days, year, yi, profile, place = keys[k]
            urban_thr = urban_by_year[yi]
            index = block * (bounds[k] - lo) + x - lo
            if index >= cccd_slice or serial >= phone_slice:
                raise ValueError(
                    f"serial {serial} is beyond the capacity of province {code} for unique "
                    f"CCCD and phone numbers ({self.capacity(today)})"
                )
            if not cccd_tails:
                cccd_tails.append(_cccd_tails(seed, cccd_base))
            # -- phone: keyed bijection of all mobile numbers (cycle-walking) -----------------
            z = (phone_base + serial) * e1 + f1 & phone_mask
            z ^= z >> 14
            z = z * e2 & phone_mask
            z ^= z >> 13
            while z >= phone_space:
                z = z * e1 + f1 & phone_mask
                z ^= z >> 14
                z = z * e2 & phone_mask
                z ^= z >> 13
            unit, number = divmod(z, 1_000_000)
            (
                # 16 bits
                u_birth, u_commune, u_surname, u_middle, u_given, u_eth, u_bplace, u_home_prov,
                u_home_commune, u_prob, u_adm, u_adm2, u_email_num,
                # 8 bits
                u_urban, u_head, u_rel, u_home, u_occ, u_edu, u_qual, u_theory, u_lang, u_delay,
                u_email, u_email_dom,
            ) = draws  # fmt: skip
            sex, middles, givens, occupations, educations, languages, email_thr, young, prob = (
                profile
            )
            _, birth_communes, n_birth, ethnicities, ten_year, home_same, home_province = place
            birth_ord = first + (u_birth * days >> 16)
            urban = u_urban < urban_thr
            # -- names ---------------------------------------------------------------------
            ethnicity, surnames, religions = ethnicities[u_eth >> 4]
            surname, surname_ascii = surnames[u_surname >> 4]
            middle, middle_ascii, middle_initials = middles[u_middle >> 4]
            given, given_ascii = givens[u_given >> 4]
            # -- places --------------------------------------------------------------------
            birth_place = birth_communes[u_bplace * n_birth >> 16]
            if u_home < home_same:
                hometown = birth_place
            elif u_home < home_province:
                hometown = birth_communes[u_home_commune * n_birth >> 16]
            else:
                other = place_of(hometown_provinces[u_home_prov >> 4])
                hometown = other[1][u_home_commune * other[2] >> 16]
            residence_communes, n_res = communes[urban]
            residence = heads[urban][u_head] + residence_communes[u_commune * n_res >> 16]
            # -- work and schooling --------------------------------------------------------
            occupation, manual, group, qualifications, theory_adult, theory_young, service = (
                occupations[urban][u_occ]
            )
            education, full_schooling = educations[ten_year][manual][u_edu]
            qualification = (qualifications if full_schooling else low_qualifications)[u_qual]
            theory = (theory_young if young else theory_adult)[u_theory]
            if service == "armed":  # four random bits: 10 in 16 are army
                service = "army" if u_email_num & 15 < army_threshold else "police"
            # -- party career --------------------------------------------------------------
            earliest = birth_ord + min_age_days
            delay = delays[u_delay]
            recognised_by = tord - probation - delay  # last admission day already recognised
            if u_prob >= prob and earliest <= recognised_by:
                admission = earliest + admission_offsets[u_adm >> 4]
                if admission > recognised_by:
                    admission = earliest + (u_adm2 * (recognised_by - earliest + 1) >> 16)
                official: datetime.date | None = dates[admission + probation + delay - date_base]
            else:
                start = max(earliest, tord - probation + 1)
                admission = start + (u_adm2 * (tord - start + 1) >> 16)
                official = None
            # -- e-mail --------------------------------------------------------------------
            if u_email < email_thr[group]:
                pattern = u_email_num >> 14
                if pattern == 0:
                    local = f"{surname_ascii}{middle_ascii}{given_ascii}{year % 100:02d}"
                elif pattern == 1:
                    local = f"{given_ascii}{surname_ascii[:1]}{middle_initials}{u_email_num % 100}"
                elif pattern == 2:
                    local = f"{given_ascii}.{surname_ascii}{year}"
                else:
                    local = f"{surname_ascii}.{given_ascii}{u_email_num % 1000}"
                email = f"{local}@{email_domains[u_email_dom]}"
            else:
                email = ""
            obj = build(
                f"{surname} {middle}{given}",
                sex,
                dates[birth_ord - date_base],
                f"{prefix}{cccd_tails[0][index]:06d}",
                f"{phone_units[unit]}{number:06d}",
                email,
                ethnicity,
                religions[u_rel],
                birth_place,
                hometown,
                residence,
                education,
                theory,
                qualification,
                occupation,
                languages[manual][u_lang],
                dates[admission - date_base],
                official,
                service,
            )
            if swap:
                obj.__class__ = person_class
            return obj

        return make


@functools.lru_cache(maxsize=4)
def _date_range(first: int, last: int) -> tuple[datetime.date, ...]:
    """Date objects for ordinals first .. last: indexing a tuple is 4x faster than
    date.fromordinal, and 35,000 dates take about 2 MB."""
    fromordinal = datetime.date.fromordinal
    return tuple(fromordinal(o) for o in range(first, last + 1))


def _cccd_tails(seed: int, base: int) -> array.array[int]:
    """The six last CCCD digits for indices base .. base + slice - 1 of a keyed bijection of
    0 .. 999,999 (the 20-bit permutation of :func:`_mix`, cycle-walked back into range)."""
    consts = _mixer(_CCCD_BITS, "cccd", seed)
    tails = []
    for i in range(base, base + _CCCD_SLICE):
        y = _mix(i, consts, _CCCD_BITS)
        while y >= _CCCD_SPACE:
            y = _mix(y, consts, _CCCD_BITS)
        tails.append(y)
    return array.array("l", tails)


_fromordinal = datetime.date.fromordinal
_ARMY_THRESHOLD = round(D.ARMY_SHARE_OF_ARMED_FORCES * 16)  # compared with 4 random bits
_LOW_QUALIFICATIONS = _low_qualification_table()
_DELAYS = _delay_table()
_ADMISSION_OFFSETS = _admission_offset_table()
_HOMETOWN_PROVINCES = _hometown_province_table()
_EMAIL_DOMAINS = _table(D.EMAIL_DOMAINS)


def _benchmark(n: int = 200_000) -> None:
    """Print people per second (wall clock and CPU time of this process) for n people."""
    today = datetime.date(2025, 11, 20)
    for code in (79, None):
        factory = PersonFactory(2025, province_code=code)
        for _ in factory.people(_GROUP * 200, today=today):  # build tables outside the timing
            pass
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in factory.people(n, today=today, start=_GROUP * 200):
            pass
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        where = "national" if code is None else f"province {code}"
        print(
            f"{where:>12}: {n:,} people in {wall:.2f} s = {n / wall:,.0f} people/second "
            f"(CPU time {cpu:.2f} s = {n / cpu:,.0f} people/second)"
        )


if __name__ == "__main__":
    _benchmark()
