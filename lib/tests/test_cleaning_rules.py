"""The cleaning rules: examples of each, and properties (never raises, idempotent)."""

import re
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.cleaning.columns import FIELDS, RawRecord, SourceRow
from lib.cleaning.rules import (
    FIELD_LABELS,
    RULES,
    CleanRecord,
    clean_record,
    format_value,
    probation_over_on,
)
from lib.vn.dates import PartialDate
from lib.vn.encodings import encode_legacy

TODAY = date(2025, 11, 20)
GOOD = {
    "full_name": "Nguyễn Văn An",
    "cccd": "079085000123",
    "sex": "Nam",
    "birth_date": "04/03/1985",
    "admission_date": "19/05/2010",
    "official_date": "19/05/2011",
}


def clean(**fields: str) -> CleanRecord:
    raw = dict(GOOD)
    raw.update(fields)
    raw = {k: v for k, v in raw.items() if v is not None}
    return clean_record(RawRecord(SourceRow("u.xlsx", 7, []), raw), today=TODAY)


def codes(record: CleanRecord) -> set[str]:
    return set(record.codes)


def problem(record: CleanRecord, code: str):
    return next(p for p in record.problems if p.problem.code == code)


def test_a_clean_record_has_no_problems():
    record = clean()
    assert record.problems == []
    assert record.values["cccd"] == "079085000123"
    assert record.values["birth_date"] == PartialDate(1985, 3, 4)
    assert record.values["sex"] == "M"


def test_it_keeps_the_original_text():
    record = clean(full_name="  NGUYỄN VĂN AN ")
    assert record.original["full_name"] == "  NGUYỄN VĂN AN "
    assert record.values["full_name"] == "Nguyễn Văn An"


class TestNames:
    def test_it_writes_names_in_title_case(self):
        record = clean(full_name="NGUYỄN THỊ THUỶ")
        assert record.values["full_name"] == "Nguyễn Thị Thuỷ"
        assert problem(record, "name.case").problem.fix == "Nguyễn Thị Thuỷ"
        assert problem(record, "name.case").problem.severity == "info"

    def test_it_keeps_the_persons_own_tone_placement(self):
        assert clean(full_name="Lê Thị Hòa").values["full_name"] == "Lê Thị Hòa"
        assert clean(full_name="Lê Thị Hoà").values["full_name"] == "Lê Thị Hoà"
        assert codes(clean(full_name="Lê Thị Hòa")) == set()

    def test_it_composes_decomposed_unicode(self):
        record = clean(full_name="Nguye\u0302\u0303n Văn An")
        assert record.values["full_name"] == "Nguyễn Văn An"
        assert "text.unicode_form" in codes(record)

    def test_it_replaces_eth_with_d_with_stroke(self):
        record = clean(full_name="Võ Minh \u00d0ức")
        assert record.values["full_name"] == "Võ Minh Đức"
        assert "text.eth_for_d" in codes(record)

    def test_it_converts_text_typed_in_legacy_fonts(self):
        for encoding in ("tcvn3", "vni"):
            record = clean(full_name=encode_legacy("Nguyễn Thị Thuỷ", encoding))
            assert record.values["full_name"] == "Nguyễn Thị Thuỷ"
            assert f"text.legacy_{encoding}" in codes(record)

    def test_it_removes_extra_spaces(self):
        record = clean(full_name="Nguyễn  Văn   An")
        assert record.values["full_name"] == "Nguyễn Văn An"
        assert "text.whitespace" in codes(record)

    def test_it_flags_digits_in_a_name(self):
        assert "name.characters" in codes(clean(full_name="Nguyễn Văn 2"))


class TestCccd:
    def test_it_restores_the_leading_zero_excel_dropped(self):
        record = clean(cccd="79085000123")
        assert record.values["cccd"] == "079085000123"
        assert problem(record, "cccd.leading_zero_restored").problem.fix == "079085000123"

    def test_it_removes_spaces_and_dots(self):
        record = clean(cccd="079 085 000 123")
        assert record.values["cccd"] == "079085000123"
        assert problem(record, "cccd.reformatted").problem.severity == "info"

    def test_it_reads_full_scientific_notation_but_refuses_a_rounded_one(self):
        assert clean(cccd="7.9085000123E+10").values["cccd"] == "079085000123"
        record = clean(cccd="7.9085E+10")
        assert record.values["cccd"] is None
        assert "cccd.excel_rounded" in codes(record)
        assert "required.cccd" not in codes(record)

    def test_it_flags_a_cmnd_in_the_cccd_column_and_keeps_it_as_cmnd(self):
        record = clean(cccd="023456789")
        assert record.values["cmnd"] == "023456789"
        assert "cccd.legacy_cmnd" in codes(record)

    def test_it_moves_a_cccd_out_of_the_cmnd_column(self):
        record = clean(cccd="", cmnd="079085000123")
        assert record.values["cccd"] == "079085000123"
        assert "cmnd.is_cccd" in codes(record)

    def test_it_requires_a_cccd(self):
        assert "required.cccd" in codes(clean(cccd=""))
        assert "cccd.only_cmnd" in codes(clean(cccd="", cmnd="023456789"))

    def test_it_flags_but_never_fixes_a_cccd_that_disagrees_with_sex_and_birth_year(self):
        record = clean(sex="Nữ", birth_date="04/03/1986")
        assert {"cccd.sex_mismatch", "cccd.year_mismatch"} <= codes(record)
        for code in ("cccd.sex_mismatch", "cccd.year_mismatch"):
            assert problem(record, code).problem.fix is None
            assert problem(record, code).problem.severity == "error"
        assert record.values["cccd"] == "079085000123"
        assert record.values["sex"] == "F"


class TestDates:
    def test_it_reads_day_first_and_flags_a_swapped_day_and_month(self):
        record = clean(birth_date="12/25/1985")
        assert record.values["birth_date"] == PartialDate(1985, 12, 25)
        assert problem(record, "date.day_month_swapped").problem.fix == "1985-12-25"

    def test_it_reads_excel_serial_numbers(self):
        record = clean(birth_date="31110")
        assert record.values["birth_date"] == PartialDate(1985, 3, 4)
        assert problem(record, "date.excel_serial").problem.fix == "1985-03-04"

    def test_it_keeps_a_year_only_date_partial(self):
        record = clean(admission_date="2010", official_date="2011")
        assert record.values["admission_date"] == PartialDate(2010)
        assert format_value(record.values["admission_date"]) == "2010"
        assert "date.partial" in codes(record)

    def test_it_reads_vietnamese_words_and_two_digit_years(self):
        assert clean(birth_date="ngày 4 tháng 3 năm 1985").values["birth_date"] == PartialDate(
            1985, 3, 4
        )
        record = clean(birth_date="4/3/85")
        assert record.values["birth_date"] == PartialDate(1985, 3, 4)
        assert "date.two_digit_year" in codes(record)

    def test_it_flags_ambiguous_dates_when_the_file_is_month_first(self):
        raw = RawRecord(SourceRow("u.csv", 2, []), dict(GOOD, birth_date="03/04/1985"))
        record = clean_record(raw, today=TODAY, day_first={"birth_date": False})
        assert record.values["birth_date"] == PartialDate(1985, 3, 4)
        assert "date.ambiguous" in codes(record)

    def test_it_flags_ambiguous_dates_when_nothing_in_the_file_shows_the_order(self):
        """day_first None: no date in the column proves either order (a file of a few rows)."""
        raw = RawRecord(SourceRow("u.csv", 2, []), dict(GOOD, birth_date="03/04/1985"))
        record = clean_record(raw, today=TODAY, day_first={"birth_date": None})
        assert record.values["birth_date"] == PartialDate(1985, 4, 3)
        assert problem(record, "date.ambiguous").problem.severity == "info"
        # Not ambiguous: a day over 12, or the same number twice.
        for text in ("25/04/1985", "04/04/1985"):
            raw = RawRecord(SourceRow("u.csv", 2, []), dict(GOOD, birth_date=text))
            record = clean_record(raw, today=TODAY, day_first={"birth_date": None})
            assert "date.ambiguous" not in codes(record), text

    def test_a_typed_date_cell_is_never_ambiguous(self):
        raw = RawRecord(
            SourceRow("u.xlsx", 2, []), dict(GOOD, birth_date="1985-03-04"), {"birth_date"}
        )
        assert clean_record(raw, today=TODAY, day_first={"birth_date": False}).problems == []

    def test_it_flags_an_official_date_before_the_admission_date(self):
        record = clean(official_date="19/05/2009")
        assert problem(record, "dates.official_before_admission").field == "official_date"

    def test_it_flags_admission_before_the_age_of_18(self):
        assert "dates.admission_under_18" in codes(
            clean(admission_date="01/01/2002", official_date="")
        )
        assert "dates.admission_under_18" not in codes(
            clean(admission_date="04/03/2003", official_date="")
        )

    def test_it_flags_a_future_date(self):
        assert "date.future" in codes(clean(admission_date="01/01/2030", official_date=""))


class TestCodedValues:
    def test_it_reads_the_ways_people_write_sex(self):
        for raw, value in [
            ("Nam", "M"),
            ("Nữ", "F"),
            ("NU", "F"),
            ("nữ giới", "F"),
            ("M", "M"),
            ("f", "F"),
        ]:
            assert clean(sex=raw, cccd="").values["sex"] == value
        assert "sex.unknown" in codes(clean(sex="?"))

    def test_it_normalises_phones_to_e164(self):
        record = clean(phone="912345678")
        assert record.values["phone"] == "+84912345678"
        assert "phone.leading_zero_restored" in codes(record)
        assert clean(phone="0912 345 678").values["phone"] == "+84912345678"
        assert clean(phone="+84 912.345.678").values["phone"] == "+84912345678"
        assert "phone.invalid" in codes(clean(phone="12345"))

    def test_it_normalises_ethnicity_religion_and_theory(self):
        record = clean(ethnicity="dân tộc kinh", religion="", political_theory="TC LLCT")
        assert record.values["ethnicity"] == "Kinh"
        assert record.values["religion"] == "Không"
        assert record.values["political_theory"] == "Trung cấp"

    def test_a_probationary_member_has_no_card(self):
        record = clean(official_date="", card_number="12345678")
        assert problem(record, "card.probationary").field == "card_number"
        assert "card.probationary" not in codes(clean(card_number="12345678"))

    def test_a_phone_number_not_yet_assigned_is_kept_and_flagged(self):
        record = clean(phone="0521 059 145")
        assert record.values["phone"] == "+84521059145"
        assert problem(record, "phone.unassigned").problem.severity == "warning"
        assert "phone.invalid" not in codes(record)

    def test_a_member_without_a_phone_is_flagged(self):
        record = clean(phone="")
        assert problem(record, "phone.missing").field == "phone"
        assert problem(record, "phone.missing").problem.severity == "warning"
        assert "phone.missing" not in codes(clean(phone="0912345678"))

    def test_a_probation_ended_without_an_official_date_is_flagged(self):
        record = clean(admission_date="19/05/2024", official_date="")
        assert problem(record, "dates.official_missing").field == "official_date"
        assert problem(record, "dates.official_missing").problem.severity == "warning"
        # Admitted less than 12 months before today: still on probation.
        assert "dates.official_missing" not in codes(
            clean(admission_date="01/01/2025", official_date="")
        )

    def test_a_probation_is_over_the_day_after_the_first_anniversary_of_the_last_possible_day(
        self,
    ):
        assert probation_over_on(PartialDate(2025, 12, 6)) == date(2026, 12, 7)
        assert probation_over_on(PartialDate(2025, 12, 31)) == date(2027, 1, 1)
        assert probation_over_on(PartialDate(2024, 2, 29)) == date(2025, 3, 1)
        assert probation_over_on(PartialDate(2025, 2)) == date(2026, 3, 1)
        assert probation_over_on(PartialDate(2025)) == date(2027, 1, 1)

    def test_an_official_member_without_a_card_is_flagged(self):
        record = clean(card_number="")
        assert problem(record, "card.missing").field == "card_number"
        assert problem(record, "card.missing").problem.severity == "warning"
        assert "card.missing" not in codes(clean(card_number="12345678"))
        assert "card.missing" not in codes(clean(card_number="", official_date=""))

    def test_it_checks_the_card_number_format(self):
        assert "card.format" in codes(clean(card_number="12-AB"))
        assert clean(card_number="1234567").values["card_number"] == "01234567"

    def test_it_requires_the_required_fields(self):
        record = clean(full_name="", sex="", birth_date="", admission_date="", official_date="")
        assert {
            "required.full_name",
            "required.sex",
            "required.birth_date",
            "required.admission_date",
        } <= codes(record)
        absent = clean_record(
            RawRecord(SourceRow("u.csv", 2, []), {"full_name": "An Bình"}), today=TODAY
        )
        assert "required.cccd" in codes(absent) and "required.birth_date" in codes(absent)


class TestPlaces:
    def test_it_proposes_the_current_commune_for_an_old_hometown_and_keeps_the_original(self):
        record = clean(hometown="Phường 5, Quận 3, TP. Hồ Chí Minh")
        assert record.values["hometown"] == "Phường 5, Quận 3, TP. Hồ Chí Minh"
        found = problem(record, "place.legacy")
        assert found.problem.severity == "info"
        assert found.problem.fix == "phường Bàn Cờ, thành phố Hồ Chí Minh"

    def test_it_names_only_the_province_when_the_commune_was_split(self):
        found = problem(clean(birth_place="tỉnh Bình Dương"), "place.legacy")
        assert found.problem.fix is None
        assert "thành phố Hồ Chí Minh" in found.problem.message_vi

    def test_it_leaves_current_addresses_alone(self):
        assert codes(clean(residence="Khu phố 8, phường Sài Gòn, thành phố Hồ Chí Minh")) == set()

    def test_it_warns_about_a_residence_written_with_old_units(self):
        record = clean(residence="xã Tân Thông Hội, huyện Củ Chi, thành phố Hồ Chí Minh")
        assert problem(record, "place.legacy_residence").problem.severity == "warning"


def test_every_message_names_its_field():
    record = clean(
        full_name="NGUYỄN  VĂN AN",
        cccd="79085000123",
        sex="Nữ",
        birth_date="31110",
        phone="912345678",
    )
    assert record.problems
    for p in record.problems:
        vi, en = FIELD_LABELS[p.field]
        assert p.problem.message_vi.startswith(vi + ": ")
        assert p.problem.message_en.startswith(en + ": ")


def test_rules_lists_every_code_of_lib_vn_with_the_same_severity():
    source = "".join(p.read_text() for p in (Path(__file__).parents[1] / "vn").glob("*.py"))
    found = set(
        re.findall(r'Problem\(\s*(?:f?)"([a-z_]+\.[a-z_0-9{}]+)",\s*"(error|warning|info)"', source)
    )
    found |= set(
        re.findall(r'_problem\(\s*"([a-z_]+\.[a-z_0-9]+)",\s*"(error|warning|info)"', source)
    )
    expanded = set()
    for code, severity in found:
        if "{encoding}" in code:
            expanded |= {(code.replace("{encoding}", e), severity) for e in ("tcvn3", "vni")}
        else:
            expanded.add((code, severity))
    assert len(expanded) > 20
    for code, severity in expanded:
        assert code in RULES, code
        assert RULES[code].severity == severity, code


def test_every_rule_has_titles_in_both_languages():
    for code, rule in RULES.items():
        assert rule.code == code
        assert rule.severity in ("error", "warning", "info")
        assert rule.title_vi and rule.title_en


# --- Properties ----------------------------------------------------------------------------
_LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂBCDĐEÊGHIKLMNOÔƠPQRSTUƯVXY"
_TONED = "àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
_ODD = (
    "\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b\u00d0\u00f0\u200b\ufeffаеорсху¸µ¶·¹¨¾»¼½Æ©ÊÇ"
)
_text = st.text(alphabet=_LETTERS + _TONED + _ODD + "0123456789 ,./-:'+E()@", max_size=40)
_dates = st.one_of(
    _text,
    st.dates(date(1900, 1, 1), date(2030, 12, 31)).map(lambda d: f"{d.day}/{d.month}/{d.year}"),
    st.dates(date(1900, 1, 1), date(2030, 12, 31)).map(
        lambda d: f"{d.month:02d}/{d.day:02d}/{d.year % 100:02d}"
    ),
    st.integers(0, 90_000).map(str),
    st.integers(1900, 2030).map(str),
)
_digits = st.one_of(
    _text, st.from_regex(r"\A[0-9 .]{8,14}\Z"), st.from_regex(r"\A[0-9]\.[0-9]{1,11}E\+1[01]\Z")
)
_values = {
    **dict.fromkeys(FIELDS, _text),
    "birth_date": _dates,
    "admission_date": _dates,
    "official_date": _dates,
    "cccd": _digits,
    "cmnd": _digits,
    "phone": _digits,
    "card_number": _digits,
    "sex": st.one_of(_text, st.sampled_from(["Nam", "Nữ", "NU", "M", "F", "1", "2", "nam giới"])),
    "hometown": st.one_of(
        _text, st.sampled_from(["Phường 5, Quận 3, TP. Hồ Chí Minh", "tỉnh Bình Dương"])
    ),
}
_records = st.fixed_dictionaries({}, optional=_values)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    _records,
    st.dictionaries(
        st.sampled_from(["birth_date", "admission_date", "official_date"]),
        st.sampled_from([True, False, None]),
    ),
    st.sampled_from([None, "tcvn3", "vni"]),
)
def test_rules_never_raise_and_only_emit_listed_codes(raw, day_first, legacy):
    record = clean_record(
        RawRecord(SourceRow("u.csv", 2, []), raw), today=TODAY, day_first=day_first, legacy=legacy
    )
    for p in record.problems:
        assert p.problem.code in RULES
        assert p.problem.severity == RULES[p.problem.code].severity
        assert p.field in FIELD_LABELS
    assert record.original == raw


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_records, st.sampled_from([None, "tcvn3", "vni"]))
def test_cleaning_the_cleaned_output_again_proposes_nothing_new(raw, legacy):
    first = clean_record(RawRecord(SourceRow("u.csv", 2, []), raw), today=TODAY, legacy=legacy)
    # What write_clean_csv writes, read back as a new file (every column it produced).
    output = {name: format_value(value) for name, value in first.values.items()}
    second = clean_record(RawRecord(SourceRow("u.csv", 2, []), output), today=TODAY, legacy=legacy)
    assert {k: format_value(v) for k, v in second.values.items()} == {
        k: format_value(v) for k, v in first.values.items()
    }
    proposals_before = {(p.field, p.problem.code, p.problem.fix) for p in first.problems}
    for p in second.problems:
        if p.problem.fix is not None:
            assert p.problem.fix != output.get(p.field), p  # an automatic fix came back
            assert (p.field, p.problem.code, p.problem.fix) in proposals_before, p


def test_a_files_legacy_font_settles_short_cells_and_restores_tcvn3_capitals():
    raw = {
        "ethnicity": encode_legacy("Hrê", "tcvn3"),
        "hometown": encode_legacy("xã Ái Quốc, huyện Ý Yên", "tcvn3"),
    }
    record = clean_record(RawRecord(SourceRow("u.xlsx", 2, []), raw), today=TODAY, legacy="tcvn3")
    assert record.values["ethnicity"] == "Hrê"
    assert record.values["hometown"] == "xã Ái Quốc, huyện Ý Yên"
    assert clean(occupation=encode_legacy("Kỹ sư", "tcvn3")).values["occupation"] == "Kỹ sư"


def test_a_name_whose_title_case_would_read_as_a_legacy_font_is_left_as_typed():
    """ "BÂ" title-cased is "Bâ", which TCVN3 reads "Bõ": cleaning the clean file again must not
    turn the name into another one (found by the property test above)."""
    first = clean(full_name="BÂ").values["full_name"]
    assert first == "BÂ"
    assert clean(full_name=first).values["full_name"] == first
    assert clean(full_name="NGUYỄN VĂN AN").values["full_name"] == "Nguyễn Văn An"


def test_an_email_with_a_mark_typed_after_a_space_is_cleaned_once_for_all():
    """A combining mark after a space joins its letter once the space is gone: the address is
    composed (NFC), so cleaning it again changes nothing (found by the property test above)."""
    first = clean(email="U \u0300").values["email"]
    assert first == "\u00f9"
    assert clean(email=first).values["email"] == first
