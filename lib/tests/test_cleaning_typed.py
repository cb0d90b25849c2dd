from hypothesis import given
from hypothesis import strategies as st

from lib.cleaning.typed import typed_delta, typed_from

FIELDS = st.sampled_from(["full_name", "cccd", "cell", "phone", "birth_date", "hometown"])
TEXT = st.sampled_from(["", "a", "A", " a", "079185000101", "Nguyễn", "Nguyê\u0303n"])
ROWS = st.dictionaries(FIELDS, TEXT)


@given(ROWS, ROWS)
def test_the_text_as_typed_comes_back_whole(typed, values) -> None:
    delta = typed_delta(typed, values)
    assert typed_from(delta, values) == typed
    # Only what differs is kept.
    assert all(values.get(name) != text for name, text in delta.items())


@given(ROWS, ROWS, ROWS)
def test_new_values_keep_the_text_as_typed(typed, values, new_values) -> None:
    """Whoever changes a row's values stores the delta of its text as typed again."""
    again = typed_delta(typed_from(typed_delta(typed, values), values), new_values)
    assert typed_from(again, new_values) == typed


def test_a_standard_row_stores_almost_nothing() -> None:
    typed = {"full_name": "NGUYỄN  thị hoà", "cccd": "079185000101", "phone": "0903123456"}
    values = {**typed, "full_name": "Nguyễn Thị Hoà", "phone": "+84903123456", "cell": "C1"}
    assert typed_delta(typed, values) == {
        "full_name": "NGUYỄN  thị hoà",
        "phone": "0903123456",
        "cell": None,
    }
