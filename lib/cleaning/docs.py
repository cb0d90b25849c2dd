"""The tables of docs/cleaning.md, made from the code so the document cannot drift.

.venv/bin/python -m lib.cleaning.docs          # rewrite the tables in docs/cleaning.md
"""

import re
import sys
from pathlib import Path

from lib.cleaning.pipeline import OUTPUT_COLUMNS
from lib.cleaning.rules import FIELD_LABELS, RULES

DOC = Path(__file__).resolve().parents[2] / "docs" / "cleaning.md"
SEVERITY = {
    "error": "lỗi / error",
    "warning": "cảnh báo / warning",
    "info": "tự sửa / info",
}
# How each output column is written, beyond its name.
FORMATS: dict[str, tuple[str, str]] = {
    "source_file": ("Tên tệp nguồn", "Source file name"),
    "source_row": ("Số dòng trong tệp nguồn (như bảng tính hiển thị)", "Row number in the source file, as the spreadsheet shows it"),
    "full_name": ("NFC, khoảng trắng chuẩn, viết hoa chữ cái đầu; giữ cách bỏ dấu của người đó", "NFC, single spaces, Title Case; the person's own tone placement kept"),
    "cccd": ("12 chữ số", "12 digits"),
    "cmnd": ("9 chữ số", "9 digits"),
    "sex": ("M (nam) hoặc F (nữ)", "M (male) or F (female)"),
    "birth_date": ("yyyy-mm-dd; yyyy-mm hoặc yyyy khi chỉ biết tháng/năm", "yyyy-mm-dd; yyyy-mm or yyyy for partial dates"),
    "admission_date": ("như ngày sinh", "as birth_date"),
    "official_date": ("như ngày sinh", "as birth_date"),
    "ethnicity": ("tên trong danh mục 54 dân tộc", "name from the list of 54 groups"),
    "religion": ("tên chính thức; Không = không theo tôn giáo", "official name; Không = none"),
    "political_theory": ("Sơ cấp, Trung cấp, Cao cấp, Cử nhân; trống = không", "Sơ cấp, Trung cấp, Cao cấp, Cử nhân; empty = none"),
    "card_number": ("8 chữ số", "8 digits"),
    "phone": ("E.164, ví dụ +84912345678", "E.164, e.g. +84912345678"),
    "email": ("chữ thường", "lower case"),
    "duplicate_group": ("Mã nhóm (D0001…) chung cho các dòng được coi là cùng một người; trống nếu không trùng", "Group id (D0001…) shared by rows judged to be the same person; empty otherwise"),
    "problems": ("Các mã vấn đề của dòng, cách nhau bởi dấu ;", "The row's problem codes, separated by ;"),
}  # fmt: skip


def columns_table() -> str:
    lines = ["| Cột / column | Nội dung | Content |", "|---|---|---|"]
    for column in OUTPUT_COLUMNS:
        label_vi, label_en = FIELD_LABELS.get(column, ("", ""))
        fmt_vi, fmt_en = FORMATS.get(column, ("văn bản đã làm sạch", "cleaned text"))
        vi = f"{label_vi}: {fmt_vi}" if label_vi else fmt_vi
        en = f"{label_en}: {fmt_en}" if label_en else fmt_en
        lines.append(f"| `{column}` | {vi} | {en} |")
    return "\n".join(lines)


def rules_table() -> str:
    lines = ["| Mã / code | Mức / severity | Ý nghĩa | Meaning |", "|---|---|---|---|"]
    for code, rule in RULES.items():
        lines.append(
            f"| `{code}` | {SEVERITY[rule.severity]} | {rule.title_vi} | {rule.title_en} |"
        )
    return "\n".join(lines)


def _between(text: str, name: str) -> tuple[int, int]:
    start = text.index(f"<!-- {name}:start -->\n") + len(f"<!-- {name}:start -->\n")
    return start, text.index(f"<!-- {name}:end -->", start)


def generated_part(text: str, name: str) -> str:
    start, end = _between(text, name)
    return text[start:end].rstrip("\n")


def rewrite(text: str) -> str:
    for name, table in (("columns", columns_table()), ("rules", rules_table())):
        start, end = _between(text, name)
        text = text[:start] + table + "\n" + text[end:]
    return text


if __name__ == "__main__":
    document = DOC.read_text(encoding="utf-8")
    DOC.write_text(rewrite(document), encoding="utf-8")
    print(f"{DOC}: {len(RULES)} rules, {len(OUTPUT_COLUMNS)} columns", file=sys.stderr)
    assert re.search("rules:start", document)
