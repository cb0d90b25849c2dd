"""The canonical member fields and the guess from a spreadsheet's headers to them.

Officials name their columns in a hundred ways ("Họ và tên", "HỌ VÀ TÊN ĐẢNG VIÊN",
"Họ tên", "Full name"). Headers are compared folded (no diacritics, lower case, only
letters and digits), so case, tone placement and line breaks inside a header never matter.
"""

import re
from dataclasses import dataclass, field
from typing import Protocol

from lib.record import DATES, IMPORTED
from lib.vn.text import fold

# The record's fields a spreadsheet can fill (lib.record, in the order of the forms), plus
# "cell" (which unit a row belongs to) and "note". Output columns follow this order.
FIELDS: tuple[str, ...] = (*IMPORTED, "cell", "note")
DATE_FIELDS: frozenset[str] = DATES

# Vietnamese and English names of each field's column, written as people write them; they
# are folded before use. A header that *equals* a synonym scores highest; one that contains
# a synonym as whole words ("Ngày sinh (dd/mm/yyyy)") scores by how much of it the synonym
# covers, so "Ngày vào Đảng chính thức" goes to official_date, not admission_date.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "full_name": (
        "Họ và tên", "Họ tên", "Họ và tên đảng viên", "Họ tên đảng viên", "Tên đảng viên",
        "Họ và tên khai trên CCCD", "Full name", "Name", "Member name",
    ),
    "cccd": (
        "Số CCCD", "CCCD", "Căn cước công dân", "Số căn cước", "Số căn cước công dân",
        "CCCD/CMND", "CMND/CCCD", "Số CCCD/CMND", "Số định danh", "Số định danh cá nhân",
        "Mã định danh", "Mã định danh cá nhân", "Số ĐDCN", "ID number", "Citizen ID",
        "National ID", "Personal ID", "Personal identification number",
    ),
    "cmnd": ("Số CMND", "CMND", "Chứng minh nhân dân", "Số CMND cũ", "Old ID card number"),
    "sex": ("Giới tính", "Nam/Nữ", "Nam nữ", "Nam, nữ", "Phái", "Sex", "Gender"),
    "birth_date": (
        "Ngày sinh", "Ngày tháng năm sinh", "Ngày, tháng, năm sinh", "Năm sinh", "Sinh ngày",
        "Date of birth", "Birth date", "Birthday", "DOB",
    ),
    "birth_place": ("Nơi sinh", "Nơi sinh ra", "Place of birth", "Birth place", "Birthplace"),
    "hometown": ("Quê quán", "Nguyên quán", "Quê", "Hometown", "Home town", "Native place"),
    "residence": (
        "Nơi ở hiện nay", "Nơi ở", "Chỗ ở hiện nay", "Nơi thường trú", "Thường trú",
        "Hộ khẩu thường trú", "Địa chỉ", "Địa chỉ thường trú", "Nơi cư trú", "Residence",
        "Address", "Permanent address",
    ),
    "ethnicity": ("Dân tộc", "Ethnicity", "Ethnic group"),
    "religion": ("Tôn giáo", "Religion"),
    "education": (
        "Giáo dục phổ thông", "Trình độ giáo dục phổ thông", "Trình độ học vấn", "Học vấn",
        "Văn hóa", "Trình độ văn hóa", "GDPT", "Education", "General education",
    ),
    "political_theory": (
        "Lý luận chính trị", "Trình độ lý luận chính trị", "Trình độ LLCT", "LLCT",
        "Chính trị", "Trình độ chính trị", "Political theory", "Political theory level",
    ),
    "qualification": (
        "Chuyên môn", "Chuyên môn nghiệp vụ", "Chuyên môn, nghiệp vụ", "Trình độ chuyên môn",
        "Trình độ chuyên môn nghiệp vụ", "Bằng cấp", "Qualification", "Degree",
    ),
    "foreign_language": ("Ngoại ngữ", "Trình độ ngoại ngữ", "Foreign language", "Language"),
    "occupation": ("Nghề nghiệp", "Nghề nghiệp hiện nay", "Công việc", "Occupation", "Job"),
    "position": (
        "Chức vụ", "Chức vụ hiện nay", "Chức vụ đảng", "Chức vụ chính quyền", "Position",
        "Title",
    ),
    "admission_date": (
        "Ngày vào Đảng", "Ngày kết nạp", "Ngày kết nạp Đảng", "Ngày vào Đảng dự bị",
        "Ngày kết nạp vào Đảng", "Vào Đảng", "Admission date", "Date of admission",
        "Date joined",
    ),
    "admission_place": (
        "Nơi vào Đảng", "Nơi kết nạp", "Nơi kết nạp Đảng", "Chi bộ kết nạp",
        "Admission place", "Place of admission",
    ),
    "official_date": (
        "Ngày chính thức", "Ngày công nhận chính thức", "Ngày vào Đảng chính thức",
        "Ngày được công nhận đảng viên chính thức", "Chính thức", "Official date",
        "Date made official", "Date of full membership",
    ),
    "official_place": (
        "Nơi công nhận chính thức", "Nơi chính thức", "Official place",
        "Place made official",
    ),
    "card_number": (
        "Số thẻ đảng viên", "Số thẻ", "Số thẻ Đảng", "Số thẻ ĐV", "Thẻ đảng viên",
        "Party card number", "Card number", "Card no",
    ),
    "resume_number": ("Số lý lịch", "Số LL", "Số lý lịch đảng viên", "Resume number"),
    "phone": (
        "Điện thoại", "Số điện thoại", "SĐT", "ĐT", "Di động", "Số di động", "Điện thoại di động",
        "Phone", "Phone number", "Mobile", "Telephone", "Tel",
    ),
    "email": ("Email", "E-mail", "Thư điện tử", "Địa chỉ email", "Mail"),
    "cell": (
        "Chi bộ", "Tên chi bộ", "Mã chi bộ", "Chi bộ sinh hoạt", "Đơn vị", "Tổ chức đảng",
        "Cell", "Party cell", "Unit",
    ),
    "note": ("Ghi chú", "Note", "Notes", "Remarks", "Comment"),
}  # fmt: skip

# Short synonyms match only a whole header: "dt" inside a header could be anything.
_EXACT_ONLY_BELOW = 4
# A header that needs a person's decision even though it contains a synonym.
_NEVER: dict[str, tuple[str, ...]] = {
    "full_name": ("khai sinh", "ten goi khac", "bi danh", "chi bo", "nguoi"),
    "phone": ("co quan",),
    "cell": ("ket nap", "cong nhan"),
}

# The minimum number of mapped columns for a row to count as the header row.
MIN_HEADER_COLUMNS = 3


def header_key(text: str) -> str:
    """Folded header: lower case, no diacritics, only letters and digits, single spaces."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(str(text))).split())


_SYNONYM_KEYS: dict[str, tuple[str, ...]] = {
    name: tuple(dict.fromkeys(header_key(s) for s in synonyms))
    for name, synonyms in SYNONYMS.items()
}


def _score(key: str, field_name: str) -> float:
    if not key or any(word in key for word in _NEVER.get(field_name, ())):
        return 0.0
    best = 0.0
    padded = f" {key} "
    for synonym in _SYNONYM_KEYS[field_name]:
        if key == synonym:
            return 100.0
        if len(synonym) >= _EXACT_ONLY_BELOW and f" {synonym} " in padded:
            best = max(best, 50.0 + 40.0 * len(synonym) / len(key))
    return best


# A caller's mapping from column index to field (None: not imported).
Mapping = dict[int, str | None]


def guess_mapping(headers: list[str]) -> Mapping:
    """Column index -> field or None, for every header.

    Each header maps to at most one field and each field from at most one header: all
    (header, field) pairs are scored and assigned best first.
    """
    keys = [header_key(h) for h in headers]
    pairs = sorted(
        (
            (score, -index, field_name)
            for index, key in enumerate(keys)
            for field_name in FIELDS
            if (score := _score(key, field_name)) > 0
        ),
        reverse=True,
    )
    mapping: Mapping = dict.fromkeys(range(len(headers)))
    taken: set[str] = set()
    for _, negative_index, field_name in pairs:
        index = -negative_index
        if mapping[index] is None and field_name not in taken:
            mapping[index] = field_name
            taken.add(field_name)
    return mapping


def mapped_count(mapping: Mapping) -> int:
    return sum(1 for name in mapping.values() if name)


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One spreadsheet row as the user sees it.

    ``row`` is the 1-based row number the spreadsheet shows; ``typed_dates`` holds the
    column indices whose cell was a real date cell (no day/month ambiguity).
    """

    file: str
    row: int
    values: list[str]
    typed_dates: frozenset[int] = frozenset()


class ParsedFileLike(Protocol):
    """What apply_mapping needs of a parsed file (parse.ParsedFile has it)."""

    @property
    def rows(self) -> list[SourceRow]: ...


@dataclass(frozen=True, slots=True)
class RawRecord:
    """A row's mapped cells, by field (text exactly as in the file)."""

    source: SourceRow
    raw: dict[str, str]
    typed_dates: set[str] = field(default_factory=set)


def apply_mapping(parsed: ParsedFileLike, mapping: Mapping) -> list[RawRecord]:
    """One RawRecord per row that has a value in at least one mapped column."""
    unknown = {name for name in mapping.values() if name and name not in FIELDS}
    if unknown:
        raise ValueError(f"unknown fields in mapping: {sorted(unknown)}")
    chosen = [(index, name) for index, name in sorted(mapping.items()) if name]
    records: list[RawRecord] = []
    for row in parsed.rows:
        values = row.values
        raw = {name: values[index] if index < len(values) else "" for index, name in chosen}
        if not any(v.strip() for v in raw.values()):
            continue  # blank lines, numbering-only rows, signature blocks beside the table
        dates = row.typed_dates
        typed = {name for index, name in chosen if index in dates} if dates else set()
        records.append(RawRecord(row, raw, typed))
    return records
