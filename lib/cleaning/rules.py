"""Standardise one raw record and list its problems: the pure rules of the import.

``clean_record`` never raises and never loses the original: ``CleanRecord.original`` is
the text of the file, ``values`` the standardised values, and every change or doubt is a
``RowProblem(field, Problem)``. A problem that proposes a value carries it as text in
``Problem.fix`` (the final value of the field, so accepting any one fix of a field gives
the same result). Severities: ``error`` blocks the commit, ``warning`` needs a look,
``info`` is an automatic fix shown for the record.

``RULES`` lists every code any rule here (or in lib/vn) can emit, and the two the import adds
against the registry (an unknown cell, a CCCD decided to be someone else's), so the review page
can group and count by rule and docs/cleaning.md can print the table.
"""

import functools
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from lib.cleaning.columns import DATE_FIELDS, FIELDS, RawRecord, SourceRow
from lib.cleaning.fast import title_name
from lib.cleaning.places import legacy_place
from lib.vn import values as vn_values
from lib.vn._cells import cell_text, compact_digits
from lib.vn.cccd import check_cccd, normalise_cccd
from lib.vn.dates import PartialDate, parse_date
from lib.vn.encodings import Encoding, decode_legacy, fix_legacy
from lib.vn.messages import WORDS, excel_serial_words, words_of
from lib.vn.phones import normalise_phone
from lib.vn.problems import Problem, Severity
from lib.vn.text import is_vietnamese_syllable, nfc
from lib.vn.values import POLITICAL_THEORY, normalise_card_number

# The coded-value normalisers are pure and their inputs repeat endlessly ("Nam", "Kinh",
# "Không"): cached, a city's import calls each of them a few hundred times, not 366,000.
_Normaliser = Callable[[Any], tuple[Any, list[Problem]]]


def _cached(normaliser: _Normaliser) -> Callable[[str | None], tuple[Any, tuple[Problem, ...]]]:
    @functools.lru_cache(maxsize=4096)
    def cached(raw: str | None) -> tuple[Any, tuple[Problem, ...]]:
        value, problems = normaliser(raw)
        return value, tuple(problems)

    return cached


normalise_sex = _cached(vn_values.normalise_sex)
normalise_ethnicity = _cached(vn_values.normalise_ethnicity)
normalise_religion = _cached(vn_values.normalise_religion)
_theory = _cached(vn_values.normalise_political_theory)
# Words around the level that the list does not expect: "TC LLCT", "Trình độ: Cao cấp".
_THEORY_NOISE = re.compile(
    r"\b(trình độ|llct|lý luận chính trị|chính trị|lý luận)\b[:.]?", re.IGNORECASE
)


def normalise_political_theory(raw: str | None) -> tuple[Any, tuple[Problem, ...]]:
    code, problems = _theory(raw)
    if code is None and raw:
        bare = " ".join(_THEORY_NOISE.sub(" ", raw).split())
        if bare and bare != raw:
            retry, retry_problems = _theory(bare)
            if retry is not None:
                return retry, retry_problems
    return code, problems


@dataclass(frozen=True, slots=True)
class RuleInfo:
    code: str
    severity: Severity
    title_vi: str
    title_en: str


class RowProblem(NamedTuple):
    field: str
    problem: Problem
    # Whether the message (after the field's label) is what lib.vn.messages makes from the
    # code and fix: if so, it need not be stored with the problem.
    remade: bool = False

    @property
    def code(self) -> str:
        return self.problem.code


@dataclass(slots=True)
class CleanRecord:
    source: SourceRow
    original: dict[str, str]
    values: dict[str, Any]
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def codes(self) -> list[str]:
        """Problem codes in order, each once."""
        return list(dict.fromkeys(p.problem.code for p in self.problems))

    @property
    def blocked(self) -> bool:
        return any(p.problem.severity == "error" for p in self.problems)


# Field names as the forms print them, to put in front of every message.
FIELD_LABELS: dict[str, tuple[str, str]] = {
    "full_name": ("Họ và tên", "Full name"),
    "cccd": ("Số CCCD", "CCCD"),
    "cmnd": ("Số CMND", "Old ID (CMND)"),
    "sex": ("Giới tính", "Sex"),
    "birth_date": ("Ngày sinh", "Date of birth"),
    "birth_place": ("Nơi sinh", "Place of birth"),
    "hometown": ("Quê quán", "Hometown"),
    "residence": ("Nơi thường trú", "Residence"),
    "ethnicity": ("Dân tộc", "Ethnicity"),
    "religion": ("Tôn giáo", "Religion"),
    "education": ("Giáo dục phổ thông", "General education"),
    "political_theory": ("Lý luận chính trị", "Political theory"),
    "qualification": ("Chuyên môn", "Qualification"),
    "foreign_language": ("Ngoại ngữ", "Foreign language"),
    "occupation": ("Nghề nghiệp", "Occupation"),
    "position": ("Chức vụ", "Position"),
    "admission_date": ("Ngày vào Đảng", "Admission date"),
    "admission_place": ("Nơi vào Đảng", "Admission place"),
    "official_date": ("Ngày chính thức", "Official date"),
    "official_place": ("Nơi công nhận chính thức", "Place made official"),
    "card_number": ("Số thẻ đảng viên", "Party card number"),
    "resume_number": ("Số lý lịch", "Résumé number"),
    "phone": ("Điện thoại", "Phone"),
    "email": ("Thư điện tử", "E-mail"),
    "cell": ("Chi bộ", "Cell"),
    "note": ("Ghi chú", "Note"),
}

REQUIRED: tuple[str, ...] = ("full_name", "sex", "birth_date", "admission_date")

_RULE_LIST: list[RuleInfo] = [
    # Text, every field.
    RuleInfo("text.unicode_form", "info", "Chữ Unicode dựng sẵn/tổ hợp lẫn lộn, đã chuẩn hóa NFC", "Decomposed or mixed Unicode, normalised to NFC"),
    RuleInfo("text.eth_for_d", "info", "Chữ Ð (eth) thay cho Đ, đã sửa", "Ð (eth) typed for Đ, corrected"),
    RuleInfo("text.lookalike", "info", "Chữ Kirin giống chữ Latinh, đã thay", "Cyrillic look-alike letters replaced"),
    RuleInfo("text.invisible", "info", "Ký tự vô hình đã bỏ", "Invisible characters removed"),
    RuleInfo("text.whitespace", "info", "Khoảng trắng thừa đã bỏ", "Extra spaces removed"),
    RuleInfo("text.legacy_tcvn3", "warning", "Văn bản gõ bảng mã TCVN3, đã chuyển Unicode", "Text in the legacy TCVN3 encoding, converted"),
    RuleInfo("text.legacy_vni", "warning", "Văn bản gõ bảng mã VNI, đã chuyển Unicode", "Text in the legacy VNI encoding, converted"),
    # Names.
    RuleInfo("name.case", "info", "Họ tên viết hoa chữ cái đầu", "Name put in title case"),
    RuleInfo("name.characters", "warning", "Họ tên có chữ số hoặc ký hiệu lạ", "Name contains digits or symbols"),
    RuleInfo("name.single_word", "warning", "Họ tên chỉ có một chữ", "Name has a single word"),
    # CCCD and CMND.
    RuleInfo("cccd.format", "error", "Số CCCD không đúng 12 chữ số", "CCCD is not 12 digits"),
    RuleInfo("cccd.excel_rounded", "error", "Số CCCD bị Excel làm tròn (dạng 7.9E+10)", "CCCD rounded by Excel (7.9E+10)"),
    RuleInfo("cccd.legacy_cmnd", "error", "Ô CCCD chứa số CMND 9 số", "CCCD cell holds a 9-digit CMND"),
    RuleInfo("cccd.leading_zero_restored", "warning", "Đã thêm số 0 đầu CCCD bị Excel làm mất", "Leading zero of the CCCD restored"),
    RuleInfo("cccd.reformatted", "info", "Số CCCD có dấu cách/dấu chấm, đã bỏ", "Spaces or dots removed from the CCCD"),
    RuleInfo("cccd.province", "error", "Mã tỉnh đầu CCCD không tồn tại", "Unknown province code in the CCCD"),
    RuleInfo("cccd.sex_mismatch", "error", "CCCD không khớp giới tính", "CCCD does not match the sex"),
    RuleInfo("cccd.year_mismatch", "error", "CCCD không khớp năm sinh", "CCCD does not match the birth year"),
    RuleInfo("cccd.only_cmnd", "error", "Chỉ có số CMND cũ, thiếu số CCCD", "Only the old CMND, no CCCD"),
    RuleInfo("cmnd.format", "warning", "Số CMND không đúng 9 chữ số", "CMND is not 9 digits"),
    RuleInfo("cmnd.is_cccd", "info", "Ô CMND chứa số CCCD 12 số, đã chuyển sang ô CCCD", "CMND cell holds a 12-digit CCCD, moved"),
    # Required fields.
    RuleInfo("required.full_name", "error", "Thiếu họ và tên", "Full name missing"),
    RuleInfo("required.cccd", "error", "Thiếu số CCCD (và CMND)", "CCCD (and CMND) missing"),
    RuleInfo("required.sex", "error", "Thiếu giới tính", "Sex missing"),
    RuleInfo("required.birth_date", "error", "Thiếu ngày sinh", "Date of birth missing"),
    RuleInfo("required.admission_date", "error", "Thiếu ngày vào Đảng", "Admission date missing"),
    # Coded values.
    RuleInfo("sex.unknown", "error", "Không xác định được giới tính", "Sex not recognised"),
    RuleInfo("sex.numeric_code", "info", "Giới tính ghi bằng mã 1/2", "Sex written as code 1/2"),
    RuleInfo("ethnicity.guessed", "warning", "Dân tộc gõ sai, đã đoán tên đúng", "Ethnicity misspelt, name guessed"),
    RuleInfo("ethnicity.unknown", "warning", "Dân tộc không có trong danh mục", "Ethnicity not in the list"),
    RuleInfo("religion.blank_as_none", "info", "Tôn giáo để trống, hiểu là Không", "Blank religion read as none"),
    RuleInfo("religion.renamed", "info", "Tôn giáo đổi sang tên chính thức", "Religion given its official name"),
    RuleInfo("religion.unknown", "warning", "Tôn giáo không có trong danh mục", "Religion not in the list"),
    RuleInfo("political_theory.ambiguous", "warning", "Ghi nhiều trình độ lý luận chính trị", "Several political theory levels"),
    RuleInfo("political_theory.unknown", "warning", "Không nhận ra trình độ lý luận chính trị", "Political theory level not recognised"),
    RuleInfo("card.format", "error", "Số thẻ đảng viên không đúng 8 chữ số", "Party card number is not 8 digits"),
    RuleInfo("card.leading_zero_restored", "warning", "Đã thêm số 0 đầu số thẻ đảng", "Leading zeros of the card number restored"),
    RuleInfo("card.probationary", "warning", "Đảng viên dự bị (chưa có ngày chính thức) đã có số thẻ", "Probationary member (no official date) has a card"),
    RuleInfo("card.missing", "warning", "Đảng viên chính thức chưa có số thẻ đảng viên", "Official member without a party card number"),
    RuleInfo("phone.invalid", "error", "Số điện thoại không hợp lệ", "Phone number not valid"),
    RuleInfo("phone.unassigned", "warning", "Số điện thoại đủ chữ số nhưng đầu số chưa được cấp (giữ nguyên)", "Phone number well formed but its prefix is not assigned (kept)"),
    RuleInfo("phone.missing", "warning", "Chưa có số điện thoại (Sổ tay đảng viên cần để liên lạc)", "No phone number (the handbook needs one to reach the member)"),
    RuleInfo("phone.leading_zero_restored", "info", "Đã thêm số 0 đầu số điện thoại", "Leading zero of the phone restored"),
    RuleInfo("phone.old_mobile_prefix", "warning", "Số di động 11 số cũ đã đổi đầu số", "Old 11-digit mobile converted"),
    RuleInfo("email.invalid", "warning", "Địa chỉ thư điện tử không hợp lệ", "E-mail address not valid"),
    # Dates.
    RuleInfo("date.format", "error", "Không đọc được ngày", "Date not readable"),
    RuleInfo("date.invalid", "error", "Ngày không tồn tại", "Date does not exist"),
    RuleInfo("date.future", "error", "Ngày ở tương lai", "Date in the future"),
    RuleInfo("date.two_digit_year", "info", "Năm ghi 2 chữ số", "Two-digit year"),
    RuleInfo("date.ambiguous", "info", "Ngày/tháng có thể đọc hai cách", "Day and month could be read either way"),
    RuleInfo("date.day_month_swapped", "warning", "Ngày và tháng bị đảo", "Day and month swapped"),
    RuleInfo("date.excel_serial", "info", "Ngày ở dạng số seri của Excel", "Date given as an Excel serial number"),
    RuleInfo("date.partial", "info", "Chỉ có năm (hoặc tháng, năm)", "Only the year (or month and year) known"),
    RuleInfo("dates.official_missing", "warning", "Đã hết 12 tháng dự bị nhưng chưa có ngày chính thức", "Probation ended (admitted over 12 months ago) but no official date"),
    RuleInfo("dates.official_before_admission", "error", "Ngày chính thức trước ngày vào Đảng", "Official date before admission date"),
    # An error, typed in or imported: the Charter admits at 18 at the earliest, so one of the two
    # dates is wrong (record_consistency).
    RuleInfo("dates.admission_under_18", "error", "Vào Đảng khi chưa đủ 18 tuổi", "Admitted before the age of 18"),
    RuleInfo("dates.birth_implausible", "warning", "Tuổi không hợp lý (dưới 18 hoặc trên 110)", "Implausible age (under 18 or over 110)"),
    # Places.
    RuleInfo("place.legacy", "info", "Địa danh trước sáp nhập 2025 (giữ nguyên, đề xuất tên mới)", "Place name from before the 2025 merger (kept, current name proposed)"),
    RuleInfo("place.legacy_residence", "warning", "Nơi thường trú ghi theo đơn vị hành chính cũ", "Residence written with pre-2025 units"),
    # Found by the import against the registry (cleaning.services), not by a rule here.
    RuleInfo("cell.unknown", "error", "Không tìm thấy chi bộ trong đơn vị", "Cell not found in the unit"),
    RuleInfo("cccd.taken", "error", "Số CCCD là của người khác (đã quyết định khác người)", "CCCD belongs to someone else (decided: different people)"),
]  # fmt: skip
RULES: dict[str, RuleInfo] = {rule.code: rule for rule in _RULE_LIST}

_TEXT_FIELDS = tuple(
    f
    for f in FIELDS
    if f not in DATE_FIELDS and f not in ("cccd", "cmnd", "sex", "phone", "card_number", "email")
)
_THEORY_LABEL = dict(POLITICAL_THEORY) | {"": ""}
# The soft hyphen (U+00AD) is not here: in TCVN3 it is the letter "ư" (see lib.vn.text).
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u180e]")
_CYRILLIC = re.compile("[\u0400-\u052f]")
_NAME_OK = re.compile(r"^[^\W\d_]+(?:[ '’\-.][^\W\d_]+)*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)
_WORDS = re.compile(r"[\s\-,.;:()\[\]/\"'!?]+")
_SERIAL = re.compile(r"^\d{5}(\.\d+)?$")


def _rule(code: str, vi: str, en: str, fix: str | None = None) -> Problem:
    return Problem(code, RULES[code].severity, vi, en, fix)


def _said(code: str, fix: str | None = None) -> Problem:
    """A problem in the words lib.vn.messages keeps for its code (made again when shown)."""
    vi, en = WORDS[code](fix or "")
    return Problem(code, RULES[code].severity, vi, en, fix)


def _with_fix(problem: Problem, fix: str | None) -> Problem:
    """The problem with another fix (a tuple built directly: faster than _replace)."""
    return Problem(problem.code, problem.severity, problem.message_vi, problem.message_en, fix)


@functools.lru_cache(maxsize=100_000)
def _labelled(field_name: str, problem: Problem) -> RowProblem:
    """The problem with its message prefixed by the field's name, as users need it."""
    vi, en = FIELD_LABELS[field_name]
    return RowProblem(
        field_name,
        Problem(
            problem.code,
            problem.severity,
            f"{vi}: {problem.message_vi}",
            f"{en}: {problem.message_en}",
            problem.fix,
        ),
        words_of(problem.code, problem.fix) == (problem.message_vi, problem.message_en),
    )


def stored_problem(p: RowProblem) -> dict[str, Any]:
    """A problem as a staged row keeps it: its words only where they cannot be made again from
    its code and fix (lib.vn.messages), which leaves most rows' problems a third of the size."""
    stored: dict[str, Any] = {
        "field": p.field,
        "code": p.problem.code,
        "severity": p.problem.severity,
        "fix": p.problem.fix,
        "accepted": False,
    }
    if not p.remade:
        stored["vi"], stored["en"] = p.problem.message_vi, p.problem.message_en
    return stored


def with_words(stored: Mapping[str, Any]) -> Mapping[str, Any]:
    """A stored problem with its message in both languages ("vi", "en"): stored with it, or
    made again from its code and fix (RowProblem.remade), or else its rule's title."""
    if "vi" in stored:
        return stored
    code, field_name = stored.get("code", ""), stored.get("field", "")
    words = words_of(code, stored.get("fix"))
    if words is None:
        rule = RULES.get(code)
        words = (rule.title_vi, rule.title_en) if rule else (code, code)
    vi, en = FIELD_LABELS.get(field_name, (field_name, field_name))
    return {**stored, "vi": f"{vi}: {words[0]}", "en": f"{en}: {words[1]}"}


def _valid_words(text: str) -> int:
    return sum(is_vietnamese_syllable(w) for w in _WORDS.split(text) if w)


# Latin-1 letters that Unicode Vietnamese uses; any other Latin-1 character in a cell
# ("ª", "¸", "µ", "§" ...) cannot be Vietnamese text and marks a legacy font.
_VIETNAMESE_LATIN1 = frozenset("àáâãèéêìíòóôõùúýÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝ")


def _foreign(text: str) -> int:
    return sum(1 for c in text if "\x80" <= c <= "\xff" and c not in _VIETNAMESE_LATIN1)


def _fix_legacy_as(text: str, encoding: Encoding) -> tuple[str, list[Problem]]:
    """fix_legacy, but trusting the file's encoding when text decodes to better Vietnamese.

    Alone, a short cell can read as TCVN3 or as VNI, and a minority name ("Hrê") is no
    standard syllable; the file's other cells settle the encoding, and a decoding that
    removes characters Vietnamese never uses is taken even without more valid syllables.
    """
    if text.isascii() or any(c > "\xff" for c in text):
        return fix_legacy(text)
    decoded = decode_legacy(text, encoding)
    gain = _valid_words(decoded) - _valid_words(text)
    if decoded == text or gain < 0 or (gain == 0 and _foreign(decoded) >= _foreign(text)):
        return fix_legacy(text)
    return decoded, [_said(f"text.legacy_{encoding}", decoded)]


_UNIT_WORDS = frozenset(
    [
        "xã",
        "phường",
        "huyện",
        "quận",
        "tỉnh",
        "thị",
        "trấn",
        "thành",
        "phố",
        "đặc",
        "khu",
        "ấp",
        "tổ",
        "khu",
        "số",
    ]
)


def _tcvn3_capitals(text: str) -> str:
    """Capitals TCVN3 could not type: "xã ái Quốc" -> "xã Ái Quốc".

    TCVN3 has no upper-case toned vowels (a capital font drew them), so a decoded word can
    come out lower-case among capitalised ones. In each comma-separated part that starts
    with a unit word ("xã", "huyện" ...), a lone lower-case word among capitalised names
    is capitalised.
    """
    parts = text.split(",")
    out = []
    for part in parts:
        words = part.split(" ")
        filled = [w for w in words if w]
        names = [w for w in filled if w.lower() not in _UNIT_WORDS and w[0].isalpha()]
        upper = [w for w in names if w[0].isupper()]
        is_place = bool(filled) and filled[0].lower() in _UNIT_WORDS
        if is_place and len(names) >= 2 and len(upper) == len(names) - 1:
            words = [w[0].upper() + w[1:] if w in names and w[0].islower() else w for w in words]
        out.append(" ".join(words))
    return ",".join(out)


@functools.lru_cache(maxsize=200_000)
def clean_text(raw: str, legacy_hint: Encoding | None = None) -> tuple[str, tuple[Problem, ...]]:
    """(clean text, problems): legacy encodings, then NFC, Đ, look-alikes, spaces.

    Leading and trailing spaces go silently: every spreadsheet has them. legacy_hint is
    the legacy encoding most of the file's text is in (pipeline.infer_legacy), if any.
    """
    text = raw.strip()
    if not text:
        return "", ()
    # Invisible characters and doubled spaces go before the legacy-font check, which judges
    # words: "Eõ" + zero-width space is not a word, "Eõ" is (VNI for "Ẽ").
    spaced = " ".join(_INVISIBLE.sub("", text).split())
    hint = legacy_hint

    def legacy_fix(value: str) -> tuple[str, list[Problem]]:
        return _fix_legacy_as(value, hint) if hint else fix_legacy(value)

    fixed, legacy = legacy_fix(spaced)
    if legacy and legacy[0].code == "text.legacy_tcvn3":
        fixed = _tcvn3_capitals(fixed)
    clean = nfc(fixed)
    # Cleaning can reveal legacy text (a Cyrillic "о" hid "µo", TCVN3 for "ào"): repeat
    # until nothing changes, so cleaning the output again finds nothing new.
    for _ in range(3):
        again, more = legacy_fix(clean)
        if not more:
            break
        legacy = legacy or more
        if more[0].code == "text.legacy_tcvn3":
            again = _tcvn3_capitals(again)
        clean = nfc(again)
    problems = list(legacy)
    if not legacy:
        if unicodedata.normalize("NFC", spaced) != spaced:
            problems.append(_said("text.unicode_form"))
        if "\u00d0" in spaced or "\u00f0" in spaced:
            problems.append(_said("text.eth_for_d"))
        if _CYRILLIC.search(spaced) and not _CYRILLIC.search(clean):
            problems.append(_said("text.lookalike"))
    if _INVISIBLE.search(text):
        problems.append(_said("text.invisible"))
    if " ".join(text.split()) != text:
        problems.append(_said("text.whitespace"))
    # Every problem proposes the final text, so accepting any of them gives the same value.
    return clean, tuple(_with_fix(p, clean) for p in problems)


def _legacy_in(problems: Sequence[Problem]) -> bool:
    return any(p.code.startswith("text.legacy_") for p in problems)


@functools.lru_cache(maxsize=100_000)
def _clean_name(raw: str, legacy_hint: Encoding | None = None) -> tuple[str, tuple[Problem, ...]]:
    text, problems = clean_text(raw, legacy_hint)
    if not text:
        return "", problems
    name = title_name(text)
    if name != text and not _legacy_in(problems) and _legacy_in(clean_text(name, legacy_hint)[1]):
        # Re-cased, the name would read as a legacy font ("BÂ" as "Bâ", which TCVN3 reads
        # "Bõ"): it is left as typed, so that cleaning it again changes nothing.
        name = text
    out = list(problems)
    if name != text:
        out.append(_said("name.case", name))
    if not _NAME_OK.match(name):
        out.append(
            _rule(
                "name.characters",
                "có chữ số hoặc ký hiệu lạ; kiểm tra lại.",
                "contains digits or symbols; check it.",
            )
        )
    elif " " not in name:
        out.append(
            _rule(
                "name.single_word",
                "chỉ có một chữ; cần đủ họ và tên.",
                "a single word; give the full name.",
            )
        )
    return name, tuple(
        _with_fix(p, name) if p.fix is not None or p.code == "name.case" else p for p in out
    )


def clean_name(raw: str) -> tuple[str, tuple[Problem, ...]]:
    """A person's name standardised as the import does it (Unicode form, spaces, capitals,
    legacy fonts): the one rule for names typed in, corrected or imported."""
    return _clean_name(raw)


_DMY = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")
_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def _quick_date(text: str, day_first: bool, today: date) -> PartialDate | None:
    """The two commonest shapes, read without parse_date when it would say nothing more."""
    if m := _ISO_DAY.match(text):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    elif day_first and (m := _DMY.match(text)):
        day, month, year = int(m[1]), int(m[2]), int(m[3])
    else:
        return None
    if not (1 <= month <= 12 and day >= 1):
        return None
    try:
        value = PartialDate(year, month, day)
    except ValueError:
        return None
    return value if value.as_date() <= today else None


_BOTH_WAYS = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")


def _read_both_ways(text: str) -> tuple[int, int] | None:
    """(a, b) of a/b/year when both are month numbers and differ: the date reads both ways."""
    m = _BOTH_WAYS.match(text)
    if m is None:
        return None
    a, b = int(m[1]), int(m[2])
    return (a, b) if a != b and 1 <= a <= 12 and 1 <= b <= 12 else None


@functools.lru_cache(maxsize=500_000)
def _clean_date(
    raw: str, day_first: bool | None, typed: bool, today: date
) -> tuple[PartialDate | None, tuple[Problem, ...]]:
    """day_first None: nothing in the column shows the order; read day-first, and a date that
    reads both ways is flagged as a guess."""
    text = raw.strip()
    if day_first is None:
        value, found = _clean_date(raw, True, typed, today)
        both = None if typed else _read_both_ways(text)
        if value is None or both is None:
            return value, found
        a, b = both
        shown = f"{a:02d}/{b:02d}"
        guess = _rule(
            "date.ambiguous",
            f"{text}: {shown} có thể là ngày {a} tháng {b} hoặc ngày {b} tháng {a}; "
            f"tệp không cho biết cách viết, đã đọc là ngày {a} tháng {b}.",
            f"{text}: {shown} could be day {a} of month {b} or day {b} of month {a}; the "
            f"file does not show its order, read as day {a}, month {b}.",
        )
        return value, (*found, guess)
    quick = _quick_date(text, day_first, today)
    if quick is not None:
        return quick, ()
    if typed:
        value, problems = parse_date(text, today=today)  # ISO from a date cell
        return value, tuple(problems)
    value, problems = parse_date(text, day_first=day_first, today=today)
    out = list(problems)
    if value is not None:
        if _SERIAL.match(text):
            words = excel_serial_words(text, value.format())
            out.append(_rule("date.excel_serial", *words, value.iso()))
        if value.precision != "day":
            out.append(
                _rule(
                    "date.partial",
                    f"chỉ biết {'năm' if value.precision == 'year' else 'tháng, năm'} ({value.format()}).",
                    f"only the {'year' if value.precision == 'year' else 'month and year'} is known ({value.format()}).",
                )
            )
    return value, tuple(out)


_MOBILE = re.compile(r"^0?\d{9}$")


_PHONE_SHAPES: dict[tuple[int, str], tuple[bool, tuple[Problem, ...]]] = {}


def _phone_shape(length: int, prefix: str, sample: str) -> tuple[bool, tuple[Problem, ...]]:
    """Whether numbers of this length and national prefix are valid, and their problems.

    Validity of a Vietnamese number depends only on its first national digits, so one
    call to phonenumbers (about 200 µs) answers for every number of the same shape.
    """
    key = (length, prefix)
    if key not in _PHONE_SHAPES:
        e164, problems = normalise_phone(sample)
        _PHONE_SHAPES[key] = (e164 is not None, tuple(problems))
    return _PHONE_SHAPES[key]


def clean_phone(raw: str) -> tuple[str | None, list[Problem]]:
    """normalise_phone, with a shortcut for the common 0 + 9 digit (or 9-digit) mobiles."""
    text = raw.strip()
    if not text:
        return None, []
    if _MOBILE.match(text):
        national = text[-9:]
        valid, problems = _phone_shape(len(text), national[:4], text)
        if valid:
            e164 = "+84" + national
            return e164, [
                p if p.code == "phone.unassigned" else _with_fix(p, e164) for p in problems
            ]
    return normalise_phone(text)


def _is_cmnd(digits: str) -> bool:
    return len(digits) == 9 and digits.isascii() and digits.isdigit()


def _span(d: PartialDate) -> tuple[date, date]:
    """First and last day a partial date can mean."""
    first = d.as_date()
    if d.precision == "day":
        return first, first
    if d.precision == "month":
        month = d.month or 1
        following = date(d.year + (month == 12), month % 12 + 1, 1)
        return first, date.fromordinal(following.toordinal() - 1)
    return first, date(d.year, 12, 31)


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def probation_over_on(admission: PartialDate) -> date:
    """The first day a member admitted on `admission` is past the 12 months' probation.

    A partial date counts from its last possible day ("2024" is over on 1 January 2026), so a
    member is never called overdue who may still be on probation. The cleaner's warning
    (dates.official_missing) and the campaign's "complete" figure (members.record) both ask
    this one function.
    """
    end = _add_years(_span(admission)[1], 1)
    return date.fromordinal(end.toordinal() + 1)


def record_consistency(
    *,
    cccd: str | None,
    sex: str | None,
    birth: PartialDate | None,
    admission: PartialDate | None,
    official: PartialDate | None,
    today: date,
) -> list[tuple[str, Problem]]:
    """The rules between a record's fields, as (field, problem): the CCCD against sex and birth
    year, official date after admission, admitted at 18 or older, a plausible age.

    The one statement of these rules: the import (clean_record below) and a record typed in or
    corrected (members.services.clean_record) both call it, so a rule is an error or a warning
    in both alike.
    """
    found: list[tuple[str, Problem]] = []
    if cccd:
        found += [
            ("cccd", p) for p in check_cccd(cccd, sex=sex, birth_year=birth.year if birth else None)
        ]
    if admission and official and _span(official)[1] < _span(admission)[0]:
        found.append(
            (
                "official_date",
                _rule(
                    "dates.official_before_admission",
                    f"ngày chính thức {official.format()} trước ngày vào Đảng {admission.format()}.",
                    f"official date {official.format()} is before the admission date {admission.format()}.",
                ),
            )
        )
    if birth and admission and _span(admission)[1] < _add_years(_span(birth)[0], 18):
        found.append(
            (
                "admission_date",
                _rule(
                    "dates.admission_under_18",
                    f"vào Đảng {admission.format()} khi chưa đủ 18 tuổi (sinh {birth.format()}).",
                    f"admitted on {admission.format()} before turning 18 (born {birth.format()}).",
                ),
            )
        )
    if birth and (
        _add_years(_span(birth)[0], 18) > today or _add_years(_span(birth)[1], 110) < today
    ):
        found.append(
            (
                "birth_date",
                _rule(
                    "dates.birth_implausible",
                    f"sinh {birth.format()}: tuổi không hợp lý.",
                    f"born {birth.format()}: implausible age.",
                ),
            )
        )
    return found


def clean_record(
    raw: RawRecord,
    *,
    today: date,
    day_first: Mapping[str, bool | None] | None = None,
    legacy: Encoding | None = None,
) -> CleanRecord:
    """Standardise one record; never raises, never changes raw.

    day_first (per date field, default True) says how to read "03/04/1975": Vietnamese
    files are day-first; pipeline.clean_files passes False for a column whose file shows
    month-first dates, and such ambiguous dates are then flagged "date.ambiguous".
    """
    original = dict(raw.raw)
    values: dict[str, Any] = {}
    problems: list[RowProblem] = []
    found: Sequence[Problem]

    def add(field_name: str, found: Sequence[Problem]) -> None:
        if found:  # most fields of most rows have none
            problems.extend(_labelled(field_name, p) for p in found)

    def get(name: str) -> str:
        value = original.get(name)
        return value if isinstance(value, str) else ""

    # --- free text -------------------------------------------------------------------------
    for name in _TEXT_FIELDS:
        if name not in original:
            continue
        if name == "full_name":
            value, found = _clean_name(get(name), legacy)
        else:
            value, found = clean_text(get(name), legacy)
        add(name, found)
        values[name] = value or None

    # --- coded values ----------------------------------------------------------------------
    if "sex" in original:
        text, found = clean_text(get("sex"))
        add("sex", found)
        sex, found2 = normalise_sex(text or None)
        add("sex", found2)
        values["sex"] = sex
    # An unknown ethnicity, religion or theory level keeps its (cleaned) text: the warning
    # asks a person to look, and dropping the value would lose what the unit wrote.
    if "ethnicity" in original and values.get("ethnicity"):
        ethnicity, found = normalise_ethnicity(values["ethnicity"])
        add("ethnicity", found)
        values["ethnicity"] = ethnicity or values["ethnicity"]
    if "religion" in original:
        religion, found = normalise_religion(values.get("religion") or "")
        add("religion", found)
        values["religion"] = religion or values.get("religion")
    if "political_theory" in original and values.get("political_theory") is not None:
        code, found = normalise_political_theory(values["political_theory"])
        add("political_theory", found)
        if code is not None:
            values["political_theory"] = _THEORY_LABEL.get(code, values["political_theory"])
    if "email" in original:
        # Addresses are ASCII: no legacy-font guessing, just spaces and case.
        # NFC again once the spaces are gone: a mark typed after a space joins its letter.
        email = nfc("".join(nfc(get("email")).split()).lower()) or None
        if email and not _EMAIL.match(email):
            add("email", [_rule("email.invalid", "địa chỉ không hợp lệ.", "not a valid address.")])
        values["email"] = email
    if "phone" in original:
        values["phone"], found = clean_phone(get("phone"))
        add("phone", found)
    if "card_number" in original:
        values["card_number"], found = normalise_card_number(get("card_number").strip() or None)
        add("card_number", found)

    # --- identity --------------------------------------------------------------------------
    cccd: str | None = None
    cmnd: str | None = None
    cccd_raw = get("cccd").strip()
    if cccd_raw:
        cccd, found = normalise_cccd(cccd_raw)
        add("cccd", found)
        digits = compact_digits(cell_text(cccd_raw))
        if cccd and not found and cccd_raw != cccd:
            add(
                "cccd",
                [_said("cccd.reformatted", cccd)],
            )
        if any(p.code == "cccd.legacy_cmnd" for p in found) and _is_cmnd(digits):
            cmnd = digits
    cmnd_raw = get("cmnd").strip()
    if cmnd_raw:
        digits = "".join(c for c in cmnd_raw if c.isdigit())
        if len(digits) == 12 and not cccd:
            number, found = normalise_cccd(digits)
            if number:
                cccd = number
                add(
                    "cmnd",
                    [
                        _rule(
                            "cmnd.is_cccd",
                            "là số CCCD 12 số, đã chuyển sang ô CCCD.",
                            "a 12-digit CCCD, moved to the CCCD field.",
                        )
                    ],
                )
            else:
                add("cmnd", [_rule("cmnd.format", "phải gồm 9 chữ số.", "must be 9 digits.")])
        elif len(digits) == 9 and digits == cmnd_raw.replace(" ", "").replace(".", ""):
            cmnd = digits
        else:
            add("cmnd", [_rule("cmnd.format", "phải gồm 9 chữ số.", "must be 9 digits.")])
    if "cccd" in original or "cmnd" in original:
        values["cccd"] = cccd
        values["cmnd"] = cmnd

    # --- dates -----------------------------------------------------------------------------
    dates: dict[str, PartialDate | None] = {}
    for name in ("birth_date", "admission_date", "official_date"):
        if name not in original:
            continue
        date_text = get(name)
        if not date_text.strip():
            dates[name] = values[name] = None
            continue
        first = True if day_first is None else day_first.get(name, True)
        parsed, found = _clean_date(date_text, first, name in raw.typed_dates, today)
        add(name, found)
        dates[name] = values[name] = parsed

    # --- required fields -------------------------------------------------------------------
    unreadable = {p.field for p in problems if p.problem.severity == "error"}
    for name in REQUIRED:
        if values.get(name) is None and name not in unreadable:
            add(
                name,
                [_rule(f"required.{name}", "bắt buộc, đang để trống.", "required, but blank.")],
            )
    if not cccd and "cccd" not in unreadable:
        if cmnd:
            if not any(p.code == "cccd.legacy_cmnd" for p in problems):
                add(
                    "cccd",
                    [
                        _rule(
                            "cccd.only_cmnd",
                            "chỉ có số CMND cũ; cần số định danh 12 số.",
                            "only the old CMND; the 12-digit number is needed.",
                        )
                    ],
                )
        else:
            add(
                "cccd", [_rule("required.cccd", "bắt buộc, đang để trống.", "required, but blank.")]
            )

    # --- consistency -----------------------------------------------------------------------
    birth = dates.get("birth_date")
    official = dates.get("official_date")
    for field_name, problem in record_consistency(
        cccd=cccd or None,
        sex=values.get("sex"),
        birth=birth,
        admission=dates.get("admission_date"),
        official=official,
        today=today,
    ):
        add(field_name, [problem])
    if (
        values.get("card_number")
        and "official_date" in original
        and official is None
        and not get("official_date").strip()
    ):
        add(
            "card_number",
            [
                _rule(
                    "card.probationary",
                    "đảng viên dự bị (chưa có ngày chính thức) chưa được cấp thẻ.",
                    "a probationary member (no official date) has no card yet.",
                )
            ],
        )

    # A file that has the column but leaves it blank: what the campaign must still collect.
    if "phone" in original and not values.get("phone") and not get("phone").strip():
        add(
            "phone",
            [
                _rule(
                    "phone.missing",
                    "chưa có số điện thoại; Sổ tay đảng viên cần số này để liên lạc.",
                    "no phone number; the handbook needs one to reach the member.",
                )
            ],
        )
    admission = dates.get("admission_date")
    if (
        "official_date" in original
        and official is None
        and not get("official_date").strip()
        and admission is not None
        and probation_over_on(admission) <= today
    ):
        add(
            "official_date",
            [
                _rule(
                    "dates.official_missing",
                    f"vào Đảng {admission.format()}, đã quá 12 tháng dự bị nhưng chưa có ngày chính thức.",
                    f"admitted on {admission.format()}, over 12 months ago, but no official date.",
                )
            ],
        )
    if "card_number" in original and not get("card_number").strip() and official is not None:
        add(
            "card_number",
            [
                _rule(
                    "card.missing",
                    "đảng viên chính thức nhưng chưa có số thẻ đảng viên.",
                    "an official member without a party card number.",
                )
            ],
        )

    # --- places ----------------------------------------------------------------------------
    for name in ("hometown", "birth_place", "residence"):
        place_text = values.get(name)
        if not place_text:
            continue
        place = legacy_place(place_text)
        if place is None:
            continue
        # The name now, or at least the province when the commune is not known.
        code = "place.legacy_residence" if name == "residence" else "place.legacy"
        vi, en = WORDS[code](place.proposal or place.province or "")
        add(name, [_rule(code, vi, en, place.proposal)])

    return CleanRecord(raw.source, original, values, problems)


def format_value(value: Any) -> str:
    """A standardised value as output text: ISO dates (yyyy, yyyy-mm for partial ones)."""
    if value is None:
        return ""
    if isinstance(value, PartialDate):
        return value.iso()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
