from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from lib.cleaning.columns import RawRecord, SourceRow
from lib.cleaning.rules import clean_record
from lib.cleaning.shown import shown_value
from lib.cleaning.staging import values_as_text

TODAY = date(2025, 11, 20)


def test_values_are_shown_as_officials_write_them() -> None:
    assert shown_value("birth_date", "1985-03-04") == "04/03/1985"
    assert shown_value("admission_date", "2010-05") == "05/2010"
    assert shown_value("official_date", "2011") == "2011"
    assert shown_value("sex", "F") == "Nữ" and shown_value("sex", "M") == "Nam"
    assert shown_value("phone", "+84903123456") == "0903 123 456"
    assert shown_value("full_name", "Nguyễn Thị Hoà") == "Nguyễn Thị Hoà"
    assert shown_value("birth_date", "") == "" and shown_value("phone", None) == ""
    # What is not a stored value is shown as it is.
    assert shown_value("birth_date", "ngày xưa") == "ngày xưa"


def _cleaned(raw: dict[str, str]) -> dict[str, str]:
    """Values as a staged row keeps them."""
    record = RawRecord(SourceRow("f.csv", 2, []), raw)
    return values_as_text(clean_record(record, today=TODAY).values)


@given(
    st.dates(min_value=date(1920, 1, 1), max_value=date(2007, 12, 31)),
    st.sampled_from(["M", "F"]),
    st.sampled_from(["903123456", "0283 823 4567", "+84 912 345 678"]),
)
def test_what_is_shown_reads_back_as_the_same_value(birth, sex, phone) -> None:
    """A value shown (and left unchanged in the review workbook) is cleaned into itself."""
    values = _cleaned({"birth_date": birth.isoformat(), "sex": sex, "phone": phone})
    shown = {name: shown_value(name, values[name]) for name in ("birth_date", "sex", "phone")}
    assert _cleaned(shown) == values
