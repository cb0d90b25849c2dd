"""Fellegi–Sunter scoring of candidate pairs: how much each field's agreement says, from the data.

Each pair is compared field by field; each comparison falls in one *level* (exact, one-letter
typo, day and month swapped, one CCCD or date digit off, the old and the new name of one
hometown, different, unknown). A level has two probabilities: m, that a pair of records of one
person falls in it, and u, that a pair of two people does. Its weight is log2(m / u) bits: positive
when the level is evidence of one person, negative against; an unknown value weighs nothing.
The pair's weight is the prior (log2 of the odds that a compared pair is one person) plus its
levels' weights, and its match probability is 2^w / (1 + 2^w).

m, u and the prior are estimated from the batch itself by expectation–maximisation over the
pairs the blocking produced (as Splink does): start from STARTING values, and alternate the
probability that each pair is one person with the m and u that probability implies. The
pseudo-counts keep a small batch near the starting values. Term frequencies: an exact name
counts by how rare that name is (two "Nguyễn Văn An" are weak evidence, two "Lò Thị Xuân"
strong): its u is the share of records carrying the name, not the average over names.

Weights are inspectable: each pair keeps, per field, its level and its weight in bits.
"""

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler

# field -> its levels, best first; level 0 of every field is "unknown" (no weight).
LEVELS: dict[str, tuple[str, ...]] = {
    "name": ("unknown", "exact", "diacritics", "typo", "similar", "different"),
    "birth": ("unknown", "exact", "swapped", "partial", "year", "different"),
    "cccd": ("unknown", "exact", "one_digit", "different"),
    "phone": ("unknown", "exact", "different"),
    "sex": ("unknown", "exact", "different"),
    "admission": ("unknown", "exact", "swapped", "one_digit", "partial", "year", "different"),
    "birth_place": ("unknown", "exact", "renamed", "similar", "different"),
    "hometown": ("unknown", "exact", "renamed", "similar", "different"),
    "residence": ("unknown", "exact", "similar", "different"),
    "ethnicity": ("unknown", "exact", "different"),
}
FIELDS = tuple(LEVELS)

# Starting values (m, u) per level, 1.. of each field: a guess that EM corrects from the data.
# A transfer changes phone and residence, so their disagreement starts cheap. Two valid CCCDs
# that differ by more than one digit are never scored: two people (the costliest disagreement).
STARTING: dict[str, tuple[tuple[float, float], ...]] = {
    "name": ((0.85, 1e-4), (0.04, 1e-5), (0.08, 1e-3), (0.02, 0.02), (0.01, 0.98)),
    "birth": ((0.93, 5e-5), (0.03, 1e-5), (0.01, 2e-4), (0.02, 0.02), (0.01, 0.98)),
    "cccd": ((0.6, 1e-6), (0.39, 1e-5), (0.01, 0.99999)),
    "phone": ((0.7, 1e-5), (0.3, 0.99999)),
    "sex": ((0.99, 0.5), (0.01, 0.5)),
    # A date typed again falls in swapped, one digit or partial: an unrelated date is rare
    # for one person (it was "different" before those levels, issue 25).
    "admission": (
        (0.915, 1e-4),
        (0.01, 1e-5),
        (0.03, 1e-4),
        (0.02, 0.005),
        (0.02, 0.03),
        (0.005, 0.96479),
    ),
    "birth_place": ((0.9, 0.01), (0.04, 0.005), (0.03, 0.05), (0.03, 0.935)),
    "hometown": ((0.7, 0.01), (0.2, 0.005), (0.05, 0.05), (0.05, 0.935)),
    "residence": ((0.6, 0.001), (0.1, 0.01), (0.3, 0.989)),
    "ethnicity": ((0.98, 0.8), (0.02, 0.2)),
}
STARTING_PAIR_PRIOR = 1e-6  # of any two records, the chance that they are one person
STARTING_PRIOR = 0.3  # of the pairs the blocking produces, the share that is one person
# The blocking keys are made of these: blocked pairs agree on them by construction, so they
# cannot tell the E-step anything (Splink leaves a session's blocking columns out the same way).
BLOCKED_ON = frozenset({"name", "birth"})
PSEUDO_PAIRS = 200.0  # the starting values weigh as much as this many pairs
# u from random pairs: a small batch's few random pairs (its duplicates among them) must not
# outweigh what random pairs of people look like.
U_PSEUDO_PAIRS = 5000.0
FLOOR = 1e-6  # no level is impossible


@dataclass(slots=True)
class Model:
    """Estimated parameters: per field, (m, u) of levels 1..; the prior share of matches."""

    m: dict[str, list[float]]
    u: dict[str, list[float]]
    prior: float
    iterations: int = 0
    pairs: int = 0

    def weight(self, field: str, level: int) -> float:
        if level == 0:
            return 0.0
        return math.log2(self.m[field][level - 1] / self.u[field][level - 1])


def starting_model() -> Model:
    return Model(
        {f: [m for m, _ in STARTING[f]] for f in FIELDS},
        {f: [u for _, u in STARTING[f]] for f in FIELDS},
        STARTING_PRIOR,
    )


def estimate_u(patterns: Iterable[tuple[int, ...]]) -> dict[str, list[float]]:
    """u per level: how often two records taken at random fall in it (plus pseudo-counts)."""
    counts = {f: [0.0] * (len(LEVELS[f]) - 1) for f in FIELDS}
    for pattern in patterns:
        for f, level in zip(FIELDS, pattern, strict=True):
            if level:
                counts[f][level - 1] += 1
    start = starting_model().u
    out = {}
    for f in FIELDS:
        values = [c + U_PSEUDO_PAIRS * v for c, v in zip(counts[f], start[f], strict=True)]
        total = sum(values)
        out[f] = [max(FLOOR, v / total) for v in values]
    return out


def estimate(
    patterns: Iterable[tuple[int, ...]],
    *,
    u: dict[str, list[float]] | None = None,
    all_pairs: float | None = None,
    iterations: int = 25,
    tolerance: float = 1e-5,
) -> Model:
    """m by expectation–maximisation over the compared pairs' levels, u fixed (from random
    pairs, estimate_u); the prior is then the expected matches over all_pairs.

    patterns: one tuple of levels (in FIELDS order) per compared pair. The E-step leaves out
    the fields the blocking is made of (BLOCKED_ON); their m is still estimated.
    """
    counts = Counter(patterns)
    model = starting_model()
    if u is not None:
        model.u = {f: list(v) for f, v in u.items()}
    model.pairs = sum(counts.values())
    if not counts:
        return model
    start = starting_model()
    share = STARTING_PRIOR
    matches = 0.0
    for n in range(1, iterations + 1):
        prior_odds = share / (1 - share)
        m_sum = {f: [0.0] * (len(LEVELS[f]) - 1) for f in FIELDS}
        matches = 0.0
        for pattern, count in counts.items():
            ratio = prior_odds
            for f, level in zip(FIELDS, pattern, strict=True):
                if level and f not in BLOCKED_ON:
                    ratio *= model.m[f][level - 1] / model.u[f][level - 1]
            p = ratio / (1 + ratio)
            matches += p * count
            for f, level in zip(FIELDS, pattern, strict=True):
                if level:
                    m_sum[f][level - 1] += p * count
        change = 0.0
        for f in FIELDS:
            values = [s + PSEUDO_PAIRS * v for s, v in zip(m_sum[f], start.m[f], strict=True)]
            total = sum(values)
            new = [max(FLOOR, v / total) for v in values]
            change = max(change, *(abs(a - b) for a, b in zip(new, model.m[f], strict=True)))
            model.m[f] = new
        new_share = min(
            max((matches + PSEUDO_PAIRS * STARTING_PRIOR) / (model.pairs + PSEUDO_PAIRS), FLOOR),
            1 - FLOOR,
        )
        change = max(change, abs(new_share - share))
        share = new_share
        model.iterations = n
        if change < tolerance:
            break
    # The prior of any pair: the matches found among the compared pairs, over all pairs; a
    # small batch is pulled towards one match in a million pairs.
    pairs = max(all_pairs or model.pairs, model.pairs)
    model.prior = (matches + 1) / (pairs + 1 / STARTING_PAIR_PRIOR)
    return model


def weight_table(model: Model) -> list[list[float]]:
    """Per field (FIELDS order), the weight of each level (0 for unknown): for fast sums."""
    return [[model.weight(f, n) for n in range(len(LEVELS[f]))] for f in FIELDS]


@dataclass(frozen=True, slots=True)
class Scored:
    probability: float
    weight: float  # bits, prior included
    parts: tuple[tuple[str, str, float], ...]  # (field, level name, bits) of known fields


def score(model: Model, pattern: Sequence[int], *, name_tf: float = 0.0) -> Scored:
    """The pair's match probability and what each field counted.

    name_tf: for an exact name, log2 of (the average frequency of agreeing names / this name's
    frequency): the term-frequency adjustment, positive for a rare name, negative for a common.
    """
    weight = math.log2(model.prior / (1 - model.prior))
    parts = []
    for f, level in zip(FIELDS, pattern, strict=True):
        if not level:
            continue
        bits = model.weight(f, level)
        if f == "name" and level == 1:
            bits += name_tf
        weight += bits
        parts.append((f, LEVELS[f][level], round(bits, 1)))
    probability = 1.0 / (1.0 + 2.0 ** (-weight)) if weight > -60 else 0.0
    return Scored(probability, weight, tuple(parts))


def name_adjustments(names: Iterable[str], *, at_least: int = 1000) -> dict[str, float]:
    """Term-frequency adjustment (bits) per name; none for a batch too small to tell."""
    counts = Counter(n for n in names if n)
    total = sum(counts.values())
    if total < at_least:
        return {}
    # A random pair that agrees on the name holds name v with probability c_v^2 / sum c^2.
    squares = sum(c * c for c in counts.values())
    mean = sum(c * c * c for c in counts.values()) / squares
    return {name: math.log2(mean / c) for name, c in counts.items()}


# -- Comparisons -------------------------------------------------------------------------------


def compare_names(a: str, b: str, a_folded: str, b_folded: str) -> int:
    """a, b: names in lower case with diacritics; *_folded: without."""
    if not a or not b:
        return 0
    if a == b:
        return 1
    if a_folded == b_folded:
        return 2
    if (
        DamerauLevenshtein.distance(a, b, score_cutoff=1) <= 1
        or DamerauLevenshtein.distance(a_folded, b_folded, score_cutoff=1) <= 1
    ):
        return 3
    if JaroWinkler.similarity(a_folded, b_folded) >= 0.9:
        return 4
    return 5


Birth = tuple[int, int | None, int | None] | None


def compare_births(a: Birth, b: Birth) -> int:
    if a is None or b is None:
        return 0
    if a == b:
        return 1
    if a[0] != b[0]:
        return 5
    if None in (a[1], a[2], b[1], b[2]):
        # A partial date that agrees as far as it goes ("1948" and "12/03/1948").
        return 3 if a[1] is None or b[1] is None or a[1] == b[1] else 4
    if (a[1], a[2]) == (b[2], b[1]):
        return 2
    return 4


def one_digit_off(a: str, b: str) -> bool:
    """One wrong digit, or two neighbouring digits swapped."""
    if len(a) != len(b):
        return False
    diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    if len(diff) <= 1:
        return True
    i, j = diff[0], diff[-1]
    return len(diff) == 2 and j == i + 1 and a[i] == b[j] and a[j] == b[i]


def compare_cccds(a: str | None, b: str | None) -> int:
    """Two valid CCCDs that differ by more than a typo are never scored (two people); the
    level exists to estimate u from random pairs."""
    if not a or not b:
        return 0
    if a == b:
        return 1
    return 2 if one_digit_off(a, b) else 3


def compare_exact(a: object, b: object) -> int:
    if not a or not b:
        return 0
    return 1 if a == b else 2


def compare_admissions(a: str | None, b: str | None) -> int:
    """ISO dates (yyyy, yyyy-mm or yyyy-mm-dd).

    A date typed again at another unit keeps its traces: day and month swapped, one digit
    wrong (or two neighbours swapped), or only the year (or month) kept, agreeing as far as it
    goes. Each is a level of its own, so the data tells how rare each is between two people,
    and a date merely of the same year, or unrelated, is left as the evidence it is.
    """
    if not a or not b:
        return 0
    if a == b:
        return 1
    if len(a) == len(b) == 10 and a[:4] == b[:4] and (a[5:7], a[8:10]) == (b[8:10], b[5:7]):
        return 2
    # A partial date is compared as far as it goes.
    shared = min(len(a), len(b))
    if len(a) != len(b) and a[:shared] == b[:shared]:
        return 4
    if one_digit_off(a[:shared], b[:shared]):
        return 3
    return 5 if a[:4] == b[:4] else 6


def compare_places(a_text: str, b_text: str, a_key: str, b_key: str) -> int:
    """*_text: the folded place as written; *_key: its current name's key (old units converted)."""
    if not a_text or not b_text:
        return 0
    if a_text == b_text:
        return 1
    if a_key and a_key == b_key:
        return 2
    if _token_set(a_key, b_key) >= 0.8:
        return 3
    return 4


def compare_residences(a: str, b: str) -> int:
    if not a or not b:
        return 0
    if a == b:
        return 1
    return 2 if _token_set(a, b) >= 0.8 else 3


def _token_set(a: str, b: str) -> float:
    words_a, words_b = set(a.split()), set(b.split())
    if not words_a or not words_b:
        return 0.0
    return len(words_a & words_b) / min(len(words_a), len(words_b))
