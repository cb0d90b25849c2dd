"""lib.live: which watched organisations a change concerns."""

from hypothesis import given
from hypothesis import strategies as st

from lib.live import compact, concerned, decode, encode

CITY, WARD, OTHER_WARD, CELL = "0001", "00010002", "00010003", "000100020004"
WATCHED = {CITY, WARD, OTHER_WARD, CELL}


def _concerned(entries: list[tuple[str, bool]]) -> dict[str, set[str]]:
    return concerned(entries, WATCHED, sorted(WATCHED))


def test_a_change_concerns_its_organisation_and_ancestors_not_siblings_or_children() -> None:
    assert _concerned([(WARD, False)]) == {CITY: {WARD}, WARD: {WARD}}


def test_a_subtree_concerns_the_watchers_below_it_too() -> None:
    # A watcher above a subtree is told of itself: a subtree's prefix need not be a path.
    assert _concerned([(WARD, True)]) == {CITY: {CITY}, WARD: {WARD}, CELL: {CELL}}
    # Everything: every watcher, each told of itself.
    assert _concerned([("", True)]) == {p: {p} for p in WATCHED}


def test_a_prefix_cut_between_steps_concerns_whoever_shares_it() -> None:
    found = _concerned([("0001000", True)])
    assert found == {CITY: {CITY}, WARD: {WARD}, OTHER_WARD: {OTHER_WARD}, CELL: {CELL}}


def test_it_leaves_few_paths_as_they_are() -> None:
    assert compact([WARD, CELL, WARD], 5) == [(WARD, False), (CELL, False)]
    assert compact([], 5) == []


def test_it_cuts_many_paths_to_common_prefixes() -> None:
    paths = [f"00010002{i:04d}" for i in range(50)] + [f"00010003{i:04d}" for i in range(50)]
    # The longest prefixes that leave at most `limit` of them.
    assert compact(paths, 10) == [(f"{WARD}00{i}", True) for i in range(5)] + [
        (f"{OTHER_WARD}00{i}", True) for i in range(5)
    ]
    assert compact(paths, 2) == [(f"{WARD}00", True), (f"{OTHER_WARD}00", True)]
    assert compact(paths, 1) == [("0001000", True)]
    assert compact(["0001", "0002"], 1) == [("000", True)]
    assert compact(["0001", "1001"], 1) == [("", True)]


@given(st.lists(st.text("0123", min_size=1, max_size=12), max_size=60), st.integers(1, 20))
def test_a_compacted_change_still_concerns_every_watcher_the_whole_one_did(
    paths: list[str], limit: int
) -> None:
    entries = compact(paths, limit)
    assert len(entries) <= limit
    watched = {p[:n] for p in paths for n in range(1, len(p) + 1)}
    ordered = sorted(watched)
    whole = concerned([(p, False) for p in paths], watched, ordered)
    assert set(whole) <= set(concerned(entries, watched, ordered))


def test_entries_travel_as_payloads_within_a_budget() -> None:
    entries = [(WARD, False), (CELL, True), (OTHER_WARD, False)]
    payloads = encode(entries, 22)
    assert payloads == ["00010002 000100020004*", "00010003"]
    assert [e for p in payloads for e in decode(p)] == entries
