"""A staged value as officials read and type it, not as the registry stores it.

Staged rows keep dates in ISO form (yyyy-mm-dd, yyyy-mm, yyyy), sex as M/F and phones in E.164
(+84912345678): forms that never read two ways. People read and type dd/mm/yyyy, Nam/Nữ and
0912 345 678; every page, and the review workbook, shows the value this way. What is typed back
in this form is read the same (the rules read dd/mm/yyyy day first, "Nam", "0912 345 678").
"""

import re

from lib.cleaning.columns import DATE_FIELDS
from lib.vn.phones import format_phone_vn

SEX_WORDS: dict[str, str] = {"M": "Nam", "F": "Nữ"}

_ISO = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def shown_date(text: str) -> str:
    """yyyy-mm-dd as dd/mm/yyyy, yyyy-mm as mm/yyyy, yyyy as it is; other text unchanged."""
    m = _ISO.match(text)
    if m is None:
        return text
    year, month, day = m[1], m[2], m[3]
    if month is None:
        return year
    if day is None:
        return f"{month}/{year}"
    return f"{day}/{month}/{year}"


def shown_value(field: str, text: str | None) -> str:
    """The value of `field` as a Vietnamese official writes it ("" for none)."""
    if not text:
        return ""
    if field in DATE_FIELDS:
        return shown_date(text)
    if field == "sex":
        return SEX_WORDS.get(text, text)
    if field == "phone":
        return format_phone_vn(text)
    return text
