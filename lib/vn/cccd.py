"""The 12-digit personal identification number (CCCD): PPP G YY RRRRRR.

PPP is the *legacy* (pre-2025, 63 provinces) code of the province where the birth was
registered, G encodes century and sex, YY the last two digits of the birth year. There
is no check digit, so structure is all we can verify. A mismatch with the recorded sex or
birth year is flagged and never "fixed": we cannot know which of the two is wrong.
"""

import re
from decimal import Decimal

from vietnam_provinces.legacy import Province

from lib.vn._cells import cell_text, compact_digits
from lib.vn.messages import WORDS
from lib.vn.problems import Problem

# "079" -> "Thành phố Hồ Chí Minh". Built from the package so it follows its releases.
LEGACY_PROVINCES: dict[str, str] = {f"{int(p.code):03d}": p.name for p in Province.iter_all()}

_FIRST_CENTURY = 1900  # G = 0/1 -> 1900s, 2/3 -> 2000s, ... 8/9 -> 2300s

_SCIENTIFIC = re.compile(r"^(\d+)(?:\.(\d+))?[eE]\+?(\d+)$")


def _format_problem(raw: str) -> Problem:
    # Messages end up in logs and reports: they describe the value, never repeat it
    # (an 11-digit near-CCCD is as sensitive as the real thing).
    digits = sum(c.isdigit() for c in raw)
    return Problem(
        "cccd.format",
        "error",
        f"Số định danh cá nhân phải gồm đúng 12 chữ số (giá trị nhập có {len(raw)} "
        f"ký tự, {digits} chữ số).",
        f"The personal ID number must be exactly 12 digits (the value has {len(raw)} "
        f"characters, {digits} digits).",
    )


def _from_scientific(text: str) -> tuple[str | None, Problem | None]:
    """Digits of "7.90123456789E+10"; an error when Excel rounded digits away."""
    match = _SCIENTIFIC.match(text)
    if not match:
        return None, None
    whole, fraction, _ = match.groups()
    try:
        value = Decimal(text)
        if value != value.to_integral_value() or not 0 < value < 10**12:
            return None, _format_problem(text)
    except ArithmeticError:  # absurd exponents ("1E+999999999999")
        return None, _format_problem(text)
    digits = str(int(value))
    if len((whole + (fraction or "")).lstrip("0")) < len(digits):
        # The mantissa shows fewer digits than the number has: Excel displayed it
        # rounded (a "General" column shows 7.9012E+10) and the missing digits are
        # gone for good. Padding with zeros would invent someone else's number, so we
        # ask for the original, even in the rare case the hidden digits were zeros.
        return None, Problem(
            "cccd.excel_rounded",
            "error",
            "Excel đã làm tròn số định danh (dạng 7.9012E+10); các chữ số cuối đã "
            "mất, cần lấy lại số gốc.",
            "Excel rounded the ID number (shown like 7.9012E+10); the last digits "
            "are lost, get the original number.",
        )
    return digits, None


def is_structurally_valid(cccd: str) -> bool:
    """12 ASCII digits with a known legacy province code."""
    return len(cccd) == 12 and cccd.isascii() and cccd.isdigit() and cccd[:3] in LEGACY_PROVINCES


def normalise_cccd(raw: str | int | float | None) -> tuple[str | None, list[Problem]]:
    """Clean an imported CCCD; returns (12 digits or None, problems).

    Blank input is (None, []): whether the field is required is another rule's job.
    Only the format is checked here; run check_cccd() on the result for the rest.
    """
    text = cell_text(raw)
    if not text:
        return None, []
    scientific, problem = _from_scientific(text)
    if problem:
        return None, [problem]
    digits = scientific if scientific is not None else compact_digits(text)
    if not (digits.isascii() and digits.isdigit()):
        return None, [_format_problem(text)]
    if len(digits) == 12:
        return digits, []
    if len(digits) == 9:
        return None, [
            Problem(
                "cccd.legacy_cmnd",
                "error",
                "Đây là số CMND 9 số cũ, không phải số định danh cá nhân 12 số.",
                "This is an old 9-digit ID card (CMND) number, not a 12-digit CCCD.",
            )
        ]
    if len(digits) in (10, 11):
        # Excel stored the number as a number and dropped the leading zero(s): 079 ->
        # 79, and 001 (Hà Nội) -> 1. Restore only when the result is a plausible CCCD.
        candidate = digits.zfill(12)
        if is_structurally_valid(candidate):
            return candidate, [
                Problem(
                    "cccd.leading_zero_restored",
                    "warning",
                    *WORDS["cccd.leading_zero_restored"](candidate),
                    fix=candidate,
                )
            ]
    return None, [_format_problem(text)]


def cccd_birth_century_and_sex(cccd: str) -> tuple[int, str]:
    """(first year of the birth century, "M" or "F") from the G digit.

    Raises ValueError for anything that is not 12 digits.
    """
    if not (len(cccd) == 12 and cccd.isascii() and cccd.isdigit()):
        raise ValueError(f"not a 12-digit CCCD: {cccd!r}")
    g = int(cccd[3])
    return _FIRST_CENTURY + 100 * (g // 2), "F" if g % 2 else "M"


def cccd_birth_year(cccd: str) -> int:
    """Birth year encoded in the number (century from G, then YY)."""
    century, _ = cccd_birth_century_and_sex(cccd)
    return century + int(cccd[4:6])


def check_cccd(
    cccd: str, *, sex: str | None = None, birth_year: int | None = None
) -> list[Problem]:
    """Structural and consistency checks; never proposes a fix.

    sex is "M"/"F" (other values are not compared); birth_year the recorded year.
    """
    if not (isinstance(cccd, str) and len(cccd) == 12 and cccd.isascii() and cccd.isdigit()):
        return [_format_problem(str(cccd))]
    problems: list[Problem] = []
    province = cccd[:3]
    if province not in LEGACY_PROVINCES:
        problems.append(
            Problem(
                "cccd.province",
                "error",
                f"Mã tỉnh {province} ở đầu số định danh không thuộc 63 tỉnh, thành cũ.",
                f"Province code {province} is not one of the 63 legacy provinces.",
            )
        )
    century, encoded_sex = cccd_birth_century_and_sex(cccd)
    recorded_sex = sex.strip().upper() if isinstance(sex, str) else None
    if recorded_sex in ("M", "F") and recorded_sex != encoded_sex:
        vi = {"M": "nam", "F": "nữ"}
        en = {"M": "male", "F": "female"}
        problems.append(
            Problem(
                "cccd.sex_mismatch",
                "error",
                f"Số định danh mã hóa giới tính {vi[encoded_sex]}, nhưng hồ sơ ghi "
                f"{vi[recorded_sex]}.",
                f"The ID number encodes {en[encoded_sex]}, the record says {en[recorded_sex]}.",
            )
        )
    encoded_year = century + int(cccd[4:6])
    known_year = isinstance(birth_year, int) and not isinstance(birth_year, bool)
    if known_year and birth_year != encoded_year:
        problems.append(
            Problem(
                "cccd.year_mismatch",
                "error",
                f"Số định danh mã hóa năm sinh {encoded_year}, nhưng hồ sơ ghi {birth_year}.",
                f"The ID number encodes birth year {encoded_year}, the record says {birth_year}.",
            )
        )
    return problems


def make_cccd(province_code: int, sex: str, birth_year: int, serial: int) -> str:
    """Build a structurally valid CCCD (for synthetic test data only)."""
    code = f"{province_code:03d}"
    if code not in LEGACY_PROVINCES:
        raise ValueError(f"unknown legacy province code {province_code}")
    if sex not in ("M", "F"):
        raise ValueError(f"sex must be 'M' or 'F', not {sex!r}")
    if not _FIRST_CENTURY <= birth_year < _FIRST_CENTURY + 500:
        raise ValueError(f"birth year {birth_year} cannot be encoded (1900-2399)")
    if not 0 <= serial <= 999_999:
        raise ValueError(f"serial {serial} must be 0..999999")
    g = (birth_year - _FIRST_CENTURY) // 100 * 2 + (sex == "F")
    return f"{code}{g}{birth_year % 100:02d}{serial:06d}"


def mask_cccd(cccd: str | None) -> str:
    """For logs and screens: "079*******12". Never reveals a whole number.

    Only a full-length value shows its first 3 and last 2 characters; anything shorter
    is all stars (a 9-digit CMND would otherwise be more than half visible).
    """
    if cccd is None:
        return ""
    text = str(cccd).strip()
    if len(text) < 12:
        return "*" * len(text)
    return text[:3] + "*" * (len(text) - 5) + text[-2:]
