"""Which watched organisations a change concerns: the pure half of the live layer (core/live.py).

A change is told as organisation paths. An exact path `P` says "something of the organisation at
P changed", which concerns P and every ancestor of P (their counters cover P's subtree), never
a sibling or a child. A path marked as a subtree, `P*`, says "something somewhere under the
prefix P changed": a large change (a bulk import, a rebuild) is told that way, in a few entries
instead of thousands, and it concerns the watchers above P and the watchers below it.
"""

from bisect import bisect_left
from collections.abc import Collection, Iterable
from itertools import pairwise

# An entry: a path and whether it stands for everything under it.
Entry = tuple[str, bool]

SUBTREE_MARK = "*"


def compact(paths: Iterable[str], limit: int) -> list[Entry]:
    """The paths as at most `limit` entries: when there are more, they are cut to the longest
    common length that leaves at most `limit` of them, each cut path standing for everything
    under its prefix."""
    exact = sorted(set(paths))
    if len(exact) <= limit:
        return [(p, False) for p in exact]
    # Cut to a length, sorted paths stay sorted, so equal prefixes are neighbours: there are as
    # many prefixes of length L as neighbours sharing fewer than L characters, plus one.
    shared = sorted(_common_length(a, b) for a, b in pairwise(exact))
    length = shared[limit - 1]
    if length == 0:
        return [("", True)]
    cut: dict[str, bool] = {}
    for p in exact:
        # A prefix both cut and exact stands for its subtree (which includes itself).
        cut[p[:length]] = cut.get(p[:length], False) or len(p) > length
    return sorted(cut.items())


def _common_length(a: str, b: str) -> int:
    n = min(len(a), len(b))
    for i in range(n):
        if a[i] != b[i]:
            return i
    return n


def encode(entries: Iterable[Entry], budget: int) -> list[str]:
    """Entries as space-separated payloads of at most `budget` characters each."""
    payloads: list[str] = []
    current: list[str] = []
    size = 0
    for path, subtree in entries:
        word = path + SUBTREE_MARK if subtree else path
        if current and size + 1 + len(word) > budget:
            payloads.append(" ".join(current))
            current, size = [], 0
        current.append(word)
        size += len(word) + (1 if size else 0)
    if current:
        payloads.append(" ".join(current))
    return payloads


def decode(payload: str) -> list[Entry]:
    return [
        (word[:-1], True) if word.endswith(SUBTREE_MARK) else (word, False)
        for word in payload.split()
    ]


def concerned(
    entries: Iterable[Entry], watched: Collection[str], ordered: list[str]
) -> dict[str, set[str]]:
    """For each watched path a change concerns, what to tell its watchers: the changed paths
    inside its subtree, or the watched path itself where the change was told as a larger
    subtree. `ordered` is `watched` sorted (to find the watchers under a subtree)."""
    found: dict[str, set[str]] = {}
    for path, subtree in entries:
        # The watchers of the path and of its ancestors. Watched paths are organisation paths,
        # so any prefix of `path` found among them is an ancestor (or the path itself).
        for end in range(1, len(path) + 1):
            prefix = path[:end]
            if prefix in watched:
                found.setdefault(prefix, set()).add(
                    path if not subtree or end == len(path) else prefix
                )
        if subtree:
            for i in range(bisect_left(ordered, path), len(ordered)):
                below = ordered[i]
                if not below.startswith(path):
                    break
                found.setdefault(below, set()).add(below)
    return found
