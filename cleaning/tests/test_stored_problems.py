"""A staged row's problems as the import stores them (lib.cleaning.staging.stored_problems)
and as the pages show them (BatchRow.shown_problems): shown exactly as their rules wrote them."""

import pytest

from cleaning.models import BatchRow
from lib.cleaning.staging import stored_problems
from lib.tests.test_messages import EXAMPLES, clean
from lib.vn.encodings import encode_legacy

# Problems whose message says more than their fix: their words must be stored with them.
SAID_MORE = {
    "place.legacy": {"birth_place": "tỉnh Bình Dương"},  # the commune was split: the province
    "date.excel_serial": {"birth_date": "31110.5"},  # the serial as typed
    "text.legacy_vni": {"full_name": encode_legacy("nguyễn thị thuỷ", "vni")},  # then re-cased
}


def _shown(
    fields: dict[str, str], code: str
) -> list[tuple[dict, tuple[str, str], tuple[str, str]]]:
    """(stored, shown words, words the rule wrote) of each of a row's problems of `code`."""
    record = clean(fields)
    stored = stored_problems(record)
    shown = BatchRow(problems=stored).shown_problems
    found = [
        (s, (w["vi"], w["en"]), (p.problem.message_vi, p.problem.message_en))
        for s, w, p in zip(stored, shown, record.problems, strict=True)
        if p.code == code
    ]
    assert found, record.codes
    return found


@pytest.mark.parametrize("code", sorted(EXAMPLES))
def test_common_problems_are_stored_without_words_and_shown_as_written(code: str) -> None:
    for stored, shown, written in _shown(EXAMPLES[code], code):
        assert "vi" not in stored and "en" not in stored
        assert shown == written


@pytest.mark.parametrize("code", sorted(SAID_MORE))
def test_a_problem_that_says_more_than_its_fix_keeps_its_words(code: str) -> None:
    for stored, shown, written in _shown(SAID_MORE[code], code):
        assert (stored["vi"], stored["en"]) == written == shown
