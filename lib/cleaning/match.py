"""Duplicate finding: the same person twice in a batch, or already in the registry.

The CCCD is the key, so equal CCCDs are the first and surest match. People whose CCCD is
missing or unusable are matched fuzzily: never all pairs (366,000 people would make 67
billion), only pairs that share a *block*: the birth date (also with day and month
swapped), a name key (surname + given name, folded, so tone placement and diacritics do
not matter) or a phone number. Blocks are capped in size; an oversized name block is split
by birth year. Pairs of people who both have a valid CCCD are compared only when they
share both name key and birth date, and only when the two numbers differ by a typo (one
digit, or two neighbours swapped); otherwise two valid, different CCCDs are two people.
Hometowns are compared without their unit words (xã, huyện, tỉnh ...), which every
address shares.

Scores are 0..100: 50 % name (rapidfuzz token_sort_ratio on folded names), 30 % birth
date (equal, swapped day/month, same month, same year), 10 % hometown, 10 % phone; an
unknown value counts half; a different sex costs 20 points.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from rapidfuzz import fuzz

from lib.cleaning.fast import fold
from lib.vn.cccd import is_structurally_valid
from lib.vn.dates import PartialDate

DEFAULT_THRESHOLD = 85
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
    name_key: str
    sex: str | None
    birth: tuple[int, int | None, int | None] | None
    cccd: str | None  # only when structurally valid
    phone: str | None
    hometown: str
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


def _prepare(person: Person, registry: bool) -> _Prepared:
    name = fold(person.full_name or "")
    words = name.split()
    cccd = person.cccd if person.cccd and is_structurally_valid(person.cccd) else None
    birth = _birth(person.birth)
    return _Prepared(
        person.key,
        registry,
        name,
        "" if not words else words[0] if len(words) == 1 else f"{words[0]} {words[-1]}",
        person.sex if person.sex in ("M", "F") else None,
        birth,
        cccd,
        person.phone or None,
        _place_key(fold(person.hometown or "")),
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


def _score(a: _Prepared, b: _Prepared) -> tuple[int, list[str]]:
    reasons: list[str] = []
    name = fuzz.token_sort_ratio(a.name, b.name) / 100 if a.name and b.name else 0.0
    reasons.append(f"name {round(name * 100)}")
    birth, why = _birth_score(a.birth, b.birth)
    if why:
        reasons.append(why)
    if a.hometown and b.hometown:
        home = fuzz.token_set_ratio(a.hometown, b.hometown) / 100
        if home >= 0.8:
            reasons.append(f"hometown {round(home * 100)}")
    else:
        home = 0.5
    if a.phone and b.phone:
        phone = 1.0 if a.phone == b.phone else 0.0
        if phone:
            reasons.append("phone")
    else:
        phone = 0.5
    score = 100 * (0.5 * name + 0.3 * birth + 0.1 * home + 0.1 * phone)
    if a.sex and b.sex and a.sex != b.sex:
        score -= 20
        reasons.append("sex differs")
    if a.cccd and b.cccd and a.cccd != b.cccd:
        reasons.append(f"CCCD differs in {_hamming(a.cccd, b.cccd)} digits")
    return max(0, min(100, round(score))), reasons


def find_candidates(
    batch: Iterable[Person],
    registry: Iterable[Person] = (),
    *,
    threshold: int = DEFAULT_THRESHOLD,
    max_block: int = MAX_BLOCK,
) -> list[Candidate]:
    """Candidate pairs, exact CCCD matches first, then fuzzy ones scoring >= threshold.

    Pairs of two registry records are never reported (the registry's own duplicates are
    another job); a batch record is compared with the batch and with the registry.
    """
    people = [_prepare(p, False) for p in batch]
    people += [_prepare(p, True) for p in registry]
    out: list[Candidate] = []
    linked: set[tuple[int, int]] = set()

    # 1. Exact CCCD.
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
            _, reasons = _score(people[i], people[j])
            out.append(Candidate(people[i].key, people[j].key, 100, ["CCCD", *reasons], True))
            linked.add((i, j))

    # 2. Blocks.
    pairs_to_score: set[tuple[int, int]] = set()

    def add_pairs(block: list[int], focus: list[int] | None) -> None:
        if len(block) < 2:
            return
        if focus is None:
            for n, i in enumerate(block):
                for j in block[n + 1 :]:
                    pairs_to_score.add((i, j))
        else:
            for i in focus:
                for j in block:
                    if i != j:
                        pairs_to_score.add((i, j) if i < j else (j, i))

    # Same name key and birth date: everyone, the place where CCCD typos are found.
    tight: dict[str, list[int]] = defaultdict(list)
    for index, p in enumerate(people):
        if p.name_key:
            for birth_key in p.birth_keys:
                tight[f"{p.name_key}|{birth_key}"].append(index)
    for block in tight.values():
        if len(block) <= max_block:
            add_pairs(block, None)

    # People without a usable CCCD: anyone sharing their birth date, name key or phone.
    suspects = {i for i, p in enumerate(people) if not p.cccd and not p.registry}
    if suspects:

        def keys_of(p: _Prepared) -> list[str]:
            keys = [f"b|{k}" for k in p.birth_keys]
            if p.name_key:
                keys.append(f"n|{p.name_key}")
            if p.phone:
                keys.append(f"p|{p.phone}")
            return keys

        # Only blocks that hold a suspect matter: collect their keys first, then members.
        wanted = {key for i in suspects for key in keys_of(people[i])}
        blocks: dict[str, list[int]] = defaultdict(list)
        for index, p in enumerate(people):
            for key in keys_of(p):
                if key in wanted:
                    blocks[key].append(index)
        for block_key, block in blocks.items():
            focus = [i for i in block if i in suspects]
            if len(block) <= max_block:
                add_pairs(block, focus)
            elif block_key.startswith("n|"):
                by_year: dict[int, list[int]] = defaultdict(list)
                for i in block:
                    birth = people[i].birth
                    if birth:
                        by_year[birth[0]].append(i)
                for sub in by_year.values():
                    sub_focus = [i for i in sub if i in suspects]
                    if sub_focus and len(sub) <= max_block:
                        add_pairs(sub, sub_focus)

    fuzzy: list[tuple[int, int, Candidate]] = []
    for i, j in pairs_to_score:
        if (i, j) in linked:
            continue
        a, b = people[i], people[j]
        if a.registry and b.registry:
            continue
        if a.cccd and b.cccd and (a.cccd == b.cccd or not _typo(a.cccd, b.cccd)):
            continue
        # Bound the score before the costly part: with the best possible name, hometown
        # and phone, can this birth date still reach the threshold?
        birth_agreement, _ = _birth_score(a.birth, b.birth)
        if 100 * (0.5 + 0.3 * birth_agreement + 0.2) < threshold:
            continue
        score, reasons = _score(a, b)
        if score >= threshold:
            fuzzy.append((i, j, Candidate(a.key, b.key, score, reasons, False)))
    fuzzy.sort(key=lambda item: item[:2])  # the same order on every run
    return out + [candidate for _, _, candidate in fuzzy]


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
