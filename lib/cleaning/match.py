"""Duplicate finding: the same person twice in a batch, or already in the registry.

The CCCD is the key, so equal CCCDs are the first and surest match. Everyone else is matched
by probabilistic record linkage (lib.cleaning.linkage, Fellegi–Sunter): never all pairs
(366,000 people would make 67 billion), only pairs that share a *blocking key*:

- birth date (also with day and month swapped) + given name; + surname and the given name's
  first letter; + surname and middle names: a one-letter typo spoils at most one of them;
- birth date + phone;
- the CCCD with one digit left out (a CCCD one digit off);
- name key (surname + given name, folded) + birth year + hometown (its current name).

Blocks are capped in size. Each blocked pair is compared field by field (name, birth date,
CCCD, phone, sex, admission date, birthplace, hometown, residence, ethnicity); the weights of
the comparison levels are estimated from the batch by expectation–maximisation, exact names
count by how rare they are, and the score is the match probability in percent. Two valid
CCCDs that differ by more than a typo (one digit, or two neighbours swapped) are two people
and are never scored; nor are two names more than one letter apart (diacritics aside), nor two
full dates of birth that are neither equal nor swapped: admission dates and CCCD serials cluster
in a unit (a cell admits several people on one day, numbers are issued in sequence), and the
model, which takes fields as independent, would add them up as if they did not. Nor, for the
same reason turned round, are two admission dates that no one slip of typing explains (not one
digit off or two neighbours swapped, not day and month swapped, not a partial date agreeing as
far as it goes): a namesake born the same day in the same commune agrees on name, birth date
and places, which the model adds up as unrelated evidence, while the admission, a fact for life
printed on the card, says two people.
"""

import math
import random
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date

from lib.cleaning import linkage
from lib.cleaning.fast import fold
from lib.cleaning.places import legacy_place
from lib.vn.cccd import is_structurally_valid
from lib.vn.dates import PartialDate

# Rows from this match probability (%) join one duplicate group (`partyorg clean --threshold`).
DEFAULT_THRESHOLD = 99
# Pairs from this one are shown for review in the import: a person decides the doubtful ones.
REVIEW_THRESHOLD = 90
MAX_BLOCK = 200  # people per block; bigger name blocks are split by birth year


@dataclass(frozen=True, slots=True)
class Person:
    """What matching needs of a record (batch row or registry member)."""

    key: str
    full_name: str | None = None
    sex: str | None = None
    birth: PartialDate | date | None = None
    cccd: str | None = None
    phone: str | None = None
    hometown: str | None = None
    birth_place: str | None = None
    residence: str | None = None
    admission: PartialDate | date | None = None
    ethnicity: str | None = None


@dataclass(frozen=True, slots=True)
class Candidate:
    """Two records that may be the same person."""

    a_key: str
    b_key: str
    score: int
    reasons: list[str] = field(default_factory=list)
    exact: bool = False


@dataclass(slots=True)
class _Prepared:
    key: str
    registry: bool
    name: str  # folded
    lower: str  # lower case, diacritics kept
    name_key: str
    sex: str | None
    birth: tuple[int, int | None, int | None] | None
    cccd: str | None  # only when structurally valid
    phone: str | None
    hometown: tuple[str, str]  # (folded text, current name's key)
    birth_place: tuple[str, str]
    residence: str
    admission: str
    ethnicity: str
    birth_keys: list[str]


def _birth(value: PartialDate | date | None) -> tuple[int, int | None, int | None] | None:
    if value is None:
        return None
    if isinstance(value, PartialDate):
        return (value.year, value.month, value.day)
    return (value.year, value.month, value.day)


def name_key(full_name: str | None) -> str:
    """Folded surname and given name: "Nguyễn Thị Thuỷ" -> "nguyen thuy"."""
    words = fold(full_name or "").split()
    if not words:
        return ""
    return words[0] if len(words) == 1 else f"{words[0]} {words[-1]}"


def _iso(value: PartialDate | date | None) -> str:
    if value is None:
        return ""
    return value.iso() if isinstance(value, PartialDate) else value.isoformat()


_PLACES: dict[str, tuple[str, str]] = {}


def _place(text: str | None) -> tuple[str, str]:
    """(the place as written, folded; the key of its current name, old units converted)."""
    if not text:
        return "", ""
    found = _PLACES.get(text)
    if found is None:
        folded = fold(text)
        found = (folded, _current_key(text)) if folded else ("", "")
        if len(_PLACES) < 200_000:
            _PLACES[text] = found
    return found


_CURRENT: dict[str, str] = {}


def _current_key(text: str) -> str:
    found = _CURRENT.get(text)
    if found is None:
        place = legacy_place(text)
        current = place.proposal if place and place.proposal else text
        found = _CURRENT[text] = _place_key(fold(current))
    return found


def _prepare(person: Person, registry: bool) -> _Prepared:
    name = fold(person.full_name or "")
    words = name.split()
    cccd = person.cccd if person.cccd and is_structurally_valid(person.cccd) else None
    birth = _birth(person.birth)
    return _Prepared(
        person.key,
        registry,
        name,
        " ".join((person.full_name or "").lower().split()),
        "" if not words else words[0] if len(words) == 1 else f"{words[0]} {words[-1]}",
        person.sex if person.sex in ("M", "F") else None,
        birth,
        cccd,
        person.phone or None,
        _place(person.hometown),
        _place(person.birth_place),
        _place(person.residence)[0],
        _iso(person.admission),
        fold(person.ethnicity or ""),
        _birth_keys(birth),
    )


def _birth_keys(birth: tuple[int, int | None, int | None] | None) -> list[str]:
    if birth is None:
        return []
    year, month, day = birth
    if month is None or day is None:
        return []
    keys = [f"{year}-{month:02d}-{day:02d}"]
    if day != month and day <= 12:
        keys.append(f"{year}-{day:02d}-{month:02d}")
    return keys


def _birth_score(
    a: tuple[int, int | None, int | None] | None, b: tuple[int, int | None, int | None] | None
) -> tuple[float, str | None]:
    if a is None or b is None:
        return 0.5, None
    if a == b:
        return 1.0, "birth date"
    if a[0] != b[0]:
        return 0.0, None
    if None in (a[1], a[2], b[1], b[2]):
        # A partial date that agrees as far as it goes ("1948" and "12/03/1948").
        if a[1] is None or b[1] is None or a[1] == b[1]:
            return 0.7, "birth year"
        return 0.0, None
    if (a[1], a[2]) == (b[2], b[1]):
        return 0.9, "birth date (day/month swapped)"
    if a[1] == b[1]:
        return 0.4, "birth month"
    return 0.3, "birth year"


def _hamming(a: str, b: str) -> int:
    return sum(x != y for x, y in zip(a, b, strict=True))


def _typo(a: str, b: str) -> bool:
    """One wrong digit, or two neighbouring digits swapped: what typing does to a number."""
    diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    if len(diff) <= 1:
        return True
    i, j = diff[0], diff[-1]
    return len(diff) == 2 and j == i + 1 and a[i] == b[j] and a[j] == b[i]


# Unit words say nothing about which place it is; two addresses share them all the time.
_PLACE_WORDS = frozenset(
    [
        "xa",
        "phuong",
        "huyen",
        "quan",
        "tinh",
        "thanh",
        "pho",
        "thi",
        "tran",
        "dac",
        "khu",
        "ap",
        "to",
        "so",
        "khom",
        "ban",
        "thon",
    ]
)


def _place_key(folded: str) -> str:
    return " ".join(w for w in folded.replace(",", " ").split() if w not in _PLACE_WORDS)


def _repeats_birth_place(p: _Prepared) -> bool:
    """Whether the hometown only repeats the birthplace (most forms: born where the family
    comes from), so that agreeing on it says nothing the birthplace has not said."""
    return bool(p.hometown[0]) and p.hometown[1] == p.birth_place[1]


def _pattern(a: _Prepared, b: _Prepared) -> tuple[int, ...]:
    """The pair's comparison levels, in linkage.FIELDS order.

    Fellegi–Sunter adds fields up as if independent. A hometown that repeats the birthplace on
    both records is the same fact twice (two random people agree on both 400 times as often as
    independence says), so it is left unknown there and the birthplace counts it once; a
    hometown that differs from the birthplace on either record is compared as usual.
    """
    hometown = (
        0
        if _repeats_birth_place(a) and _repeats_birth_place(b)
        else linkage.compare_places(a.hometown[0], b.hometown[0], a.hometown[1], b.hometown[1])
    )
    return (
        linkage.compare_names(a.lower, b.lower, a.name, b.name),
        linkage.compare_births(a.birth, b.birth),
        linkage.compare_cccds(a.cccd, b.cccd),
        linkage.compare_exact(a.phone, b.phone),
        linkage.compare_exact(a.sex, b.sex),
        linkage.compare_admissions(a.admission, b.admission),
        linkage.compare_places(
            a.birth_place[0], b.birth_place[0], a.birth_place[1], b.birth_place[1]
        ),
        hometown,
        linkage.compare_residences(a.residence, b.residence),
        linkage.compare_exact(a.ethnicity, b.ethnicity),
    )


def _admitted_apart(a: _Prepared, b: _Prepared, pattern: tuple[int, ...]) -> bool:
    """Two admission dates that no one slip of typing explains (not one digit off or two
    neighbours swapped, not day and month swapped, not a partial date that agrees as far as it
    goes; two full dates of one year, otherwise apart, included): a member's admission is a
    fact for life, printed on the card, so these are two people, as two dates of birth apart
    are."""
    level = pattern[_ADMISSION]
    return level == _ADMISSION_APART or (
        level == _ADMISSION_YEAR and len(a.admission) == len(b.admission) == 10
    )


RANDOM_PAIRS = 4_000
_NAME_TYPO = linkage.LEVELS["name"].index("typo")
_BIRTH_YEAR = linkage.LEVELS["birth"].index("year")
_ADMISSION = linkage.FIELDS.index("admission")
_ADMISSION_YEAR = linkage.LEVELS["admission"].index("year")
_ADMISSION_APART = linkage.LEVELS["admission"].index("different")
RANDOM_AT_LEAST = 1000  # records; below, u keeps its starting values


def _random_patterns(people: Sequence[_Prepared]) -> Iterator[tuple[int, ...]]:
    """The levels of pairs drawn at random (the same draw on every run): what u is made of."""
    if len(people) < RANDOM_AT_LEAST:
        return  # a few random pairs of a small batch say more about its duplicates than about u
    draw = random.Random(len(people))
    for _ in range(min(RANDOM_PAIRS, len(people) * (len(people) - 1) // 2)):
        i, j = draw.randrange(len(people)), draw.randrange(len(people))
        if i != j:
            yield _pattern(people[i], people[j])


def reasons_of(scored: linkage.Scored) -> list[str]:
    """What each field counted, as stored with a candidate: "fs:<field>:<level>:<bits>"."""
    return [f"fs:{field}:{level}:{bits:+.1f}" for field, level, bits in scored.parts]


def _blocking_keys(p: _Prepared) -> list[str]:
    keys: list[str] = []
    words = p.name.split()
    for birth in p.birth_keys:
        if len(words) >= 2:
            surname, given = words[0], words[-1]
            keys.append(f"g|{birth}|{given}")
            keys.append(f"s|{birth}|{surname} {given[0]}")
            keys.append(f"m|{birth}|{' '.join(words[:-1])}")
        elif words:
            keys.append(f"g|{birth}|{words[0]}")
        if p.phone:
            keys.append(f"p|{birth}|{p.phone}")
    if p.cccd:
        # The serial part (the last six digits): a typo in the first six (province, sex,
        # century and year) is flagged by the CCCD's own rules and leaves no valid number.
        cccd = p.cccd
        keys += [f"c{i}|{cccd[:i]}{cccd[i + 1 :]}" for i in range(6, len(cccd))]
    if p.name_key and p.birth and p.hometown[1]:
        keys.append(f"h|{p.name_key}|{p.birth[0]}|{p.hometown[1]}")
    return keys


@dataclass(slots=True)
class Linkage:
    """What the matching did: the candidates, the pairs the blocking produced, the model."""

    candidates: list[Candidate]
    blocked: list[tuple[str, str]]
    model: linkage.Model


def link(
    batch: Iterable[Person],
    registry: Iterable[Person] = (),
    *,
    threshold: int = REVIEW_THRESHOLD,
    max_block: int = MAX_BLOCK,
) -> Linkage:
    """Candidate pairs, exact CCCD matches first, then those scoring >= threshold (the match
    probability in percent), with the blocked pairs and the estimated model.

    Pairs of two registry records are never reported (the registry's own duplicates are
    another job); a batch record is compared with the batch and with the registry.
    """
    people = [_prepare(p, False) for p in batch]
    people += [_prepare(p, True) for p in registry]
    linked: set[tuple[int, int]] = set()

    # 1. Exact CCCD.
    exact_pairs: list[tuple[int, int]] = []
    by_cccd: dict[str, list[int]] = defaultdict(list)
    for index, p in enumerate(people):
        if p.cccd:
            by_cccd[p.cccd].append(index)
    for indices in by_cccd.values():
        if len(indices) < 2 or all(people[i].registry for i in indices):
            continue
        # Linking every record to the first is enough for the groups; in a small group
        # every pair is reported so the reviewer sees each comparison.
        pairs = (
            [(indices[0], j) for j in indices[1:]]
            if len(indices) > 10
            else [(i, j) for n, i in enumerate(indices) for j in indices[n + 1 :]]
        )
        for i, j in pairs:
            if people[i].registry and people[j].registry:
                continue
            exact_pairs.append((i, j))
            linked.add((i, j))

    # 2. Blocks.
    blocks: dict[str, list[int]] = defaultdict(list)
    for index, p in enumerate(people):
        for key in _blocking_keys(p):
            blocks[key].append(index)
    to_score: set[tuple[int, int]] = set()
    by_birth: set[tuple[int, int]] = set()  # pairs from the birth-date keys: EM learns on them
    for block_key, block in blocks.items():
        if len(block) < 2 or len(block) > max_block:
            continue
        on_birth = block_key[0] in "gsmp"
        for n, i in enumerate(block):
            for j in block[n + 1 :]:
                if i != j:
                    pair = (i, j) if i < j else (j, i)
                    to_score.add(pair)
                    if on_birth:
                        by_birth.add(pair)
    compared: list[tuple[int, int, tuple[int, ...]]] = []
    for i, j in sorted(to_score):
        a, b = people[i], people[j]
        if a.registry and b.registry:
            continue
        if a.cccd and b.cccd and a.cccd != b.cccd and not _typo(a.cccd, b.cccd):
            continue  # two valid, different CCCDs: two people
        compared.append((i, j, _pattern(a, b)))

    # 3. Weights from the data, then each pair's probability.
    exact_patterns = [(i, j, _pattern(people[i], people[j])) for i, j in exact_pairs]
    batch_size = sum(1 for p in people if not p.registry)
    all_pairs = batch_size * (batch_size - 1) / 2 + batch_size * (len(people) - batch_size)
    model = linkage.estimate(
        [c[2] for c in compared if (c[0], c[1]) in by_birth] + [c[2] for c in exact_patterns],
        u=linkage.estimate_u(_random_patterns(people)),
        all_pairs=all_pairs,
    )
    tf = linkage.name_adjustments(p.lower for p in people)
    out: list[Candidate] = []
    for i, j, pattern in exact_patterns:
        scored = linkage.score(model, pattern, name_tf=tf.get(people[i].lower, 0.0))
        out.append(
            Candidate(people[i].key, people[j].key, 100, ["CCCD", *reasons_of(scored)], True)
        )
    table = linkage.weight_table(model)
    prior = math.log2(model.prior / (1 - model.prior))
    # The weight a pair needs to reach the threshold; only those are explained in full.
    needed = math.log2(threshold / (100 - threshold)) if 0 < threshold < 100 else -math.inf
    for i, j, pattern in compared:
        if (i, j) in linked:
            continue
        weight = prior + sum(t[level] for t, level in zip(table, pattern, strict=True))
        if pattern[0] == 1:
            weight += tf.get(people[i].lower, 0.0)
        if (
            weight < needed - 0.5
            or pattern[0] > _NAME_TYPO
            or pattern[1] >= _BIRTH_YEAR
            or _admitted_apart(people[i], people[j], pattern)
        ):
            continue  # names a letter apart, dates of birth or of admission apart: two people
        scored = linkage.score(model, pattern, name_tf=tf.get(people[i].lower, 0.0))
        percent = math.floor(100 * scored.probability)
        if percent >= threshold:
            out.append(Candidate(people[i].key, people[j].key, percent, reasons_of(scored)))
    blocked = [(people[i].key, people[j].key) for i, j, _ in compared]
    blocked += [(people[i].key, people[j].key) for i, j in exact_pairs]
    return Linkage(out, blocked, model)


def find_candidates(
    batch: Iterable[Person],
    registry: Iterable[Person] = (),
    *,
    threshold: int = REVIEW_THRESHOLD,
    max_block: int = MAX_BLOCK,
) -> list[Candidate]:
    """Candidate pairs, exact CCCD matches first, then fuzzy ones scoring >= threshold."""
    return link(batch, registry, threshold=threshold, max_block=max_block).candidates


def duplicate_groups(
    candidates: Sequence[Candidate], threshold: int = DEFAULT_THRESHOLD
) -> dict[str, str]:
    """key -> group id for every record judged the same as another (union-find).

    Exact CCCD pairs always join; fuzzy ones from threshold up. The group id is "D"
    plus a number, numbered by each group's smallest key, so it is stable across runs.
    """
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(x, x) != root:  # path compression
            parent[x], x = root, parent[x]
        return root

    for c in candidates:
        if not (c.exact or c.score >= threshold):
            continue
        ra, rb = find(c.a_key), find(c.b_key)
        parent.setdefault(ra, ra)
        parent.setdefault(rb, rb)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    members: dict[str, list[str]] = defaultdict(list)
    for key in parent:
        members[find(key)].append(key)
    ordered = sorted(members.values(), key=min)
    width = max(4, len(str(len(ordered))))
    return {key: f"D{n:0{width}d}" for n, keys in enumerate(ordered, 1) for key in keys}
