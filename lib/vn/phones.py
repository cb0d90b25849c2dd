"""Phone numbers: stored as E.164 (+84912345678), shown as Vietnamese read them."""

import phonenumbers

from lib.vn._cells import cell_text, compact_digits
from lib.vn.messages import WORDS
from lib.vn.problems import Problem

_REGION = "VN"

# In 2018 every 11-digit mobile number moved to 10 digits (0162 -> 032 ...). Elderly
# members' records still carry the old ones; the mapping is fixed by the ministry's
# plan, so converting is safe, but we still say so.
OLD_MOBILE_PREFIXES: dict[str, str] = {
    "0162": "032", "0163": "033", "0164": "034", "0165": "035", "0166": "036",
    "0167": "037", "0168": "038", "0169": "039",  # Viettel
    "0120": "070", "0121": "079", "0122": "077", "0126": "076", "0128": "078",  # MobiFone
    "0123": "083", "0124": "084", "0125": "085", "0127": "081", "0129": "082",  # VinaPhone
    "0186": "056", "0188": "058",  # Vietnamobile
    "0199": "059",  # Gmobile
}  # fmt: skip


def _invalid() -> Problem:
    return Problem(
        "phone.invalid",
        "error",
        "Số điện thoại không hợp lệ.",
        "The phone number is not valid.",
    )


def _unassigned() -> Problem:
    return Problem(
        "phone.unassigned",
        "warning",
        "Số điện thoại có đủ chữ số nhưng đầu số chưa được cấp; giữ nguyên, cần kiểm tra lại.",
        "The number has the right digits but its prefix is not assigned; kept, please check it.",
    )


def _parse(text: str) -> tuple[str | None, bool]:
    """(E.164, assigned) of a number; (None, False) when it is not a phone number at all.

    A Vietnamese number with the shape of a mobile (9 national digits after 3, 5, 7, 8, 9)
    or of a landline (10 after 2) whose prefix phonenumbers does not know (0521 059 145) is
    kept: the prefix may be newer than the library, or a digit was mistyped; either way what
    was typed is not thrown away. Extra zeros before the national number (000 300 000 000)
    are no such shape: E.164 would keep them, and cleaning the result again would drop one.
    """
    try:
        number = phonenumbers.parse(text, _REGION)
    except phonenumbers.NumberParseException:
        return None, False
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if phonenumbers.is_valid_number(number):
        return e164, True
    national = str(number.national_number)
    if (
        number.country_code == 84
        and not number.italian_leading_zero
        and (
            (len(national) == 9 and national[0] in "35789")
            or (len(national) == 10 and national[0] == "2")
        )
    ):
        return e164, False
    return None, False


def normalise_phone(raw: str | int | float | None) -> tuple[str | None, list[Problem]]:
    """Clean an imported phone number; returns (E.164 or None, problems).

    Blank input is (None, []). Accepts 0912 345 678, 0912.345.678, +84 912 345 678,
    84912345678, 0084..., the old 11-digit mobiles, and numbers whose leading 0 Excel
    dropped (912345678).
    """
    text = cell_text(raw)
    if not text:
        return None, []
    compact = compact_digits(text.replace("(", "").replace(")", ""))
    digits = compact.removeprefix("+")
    if not (digits.isascii() and digits.isdigit()):
        # Letters, two numbers in one cell, a decimal point: phonenumbers would guess,
        # but a guessed phone number is worse than none.
        return None, [_invalid()]
    problems: list[Problem] = []
    if compact.isascii() and compact.isdigit():
        if compact.startswith("84") and len(compact) == 11:
            compact = "+" + compact  # country code typed without "+"
        elif not compact.startswith(("0", "1800", "1900")) and len(compact) in (9, 10):
            # Excel stored the number as a number: 0912345678 became 912345678. (Service
            # numbers, 1800 and 1900, are written without a 0.)
            compact = "0" + compact
            problems.append(
                Problem(
                    "phone.leading_zero_restored",
                    "info",
                    *WORDS["phone.leading_zero_restored"](""),
                )
            )
        if len(compact) == 11 and compact[:4] in OLD_MOBILE_PREFIXES:
            compact = OLD_MOBILE_PREFIXES[compact[:4]] + compact[4:]
            problems.append(
                Problem("phone.old_mobile_prefix", "warning", *WORDS["phone.old_mobile_prefix"](""))
            )
    e164, assigned = _parse(compact)
    if e164 is None:
        return None, [_invalid()]
    # Each problem proposes the final number, so applying any fix is idempotent.
    fixed = [Problem(p.code, p.severity, p.message_vi, p.message_en, e164) for p in problems]
    # An unassigned prefix is no fix to propose: the number is kept as it is and stays flagged.
    return e164, fixed if assigned else [*fixed, _unassigned()]


def format_phone_vn(e164: str | None) -> str:
    """Display form: "0912 345 678", "028 3823 4567"; foreign numbers international.

    Anything unparseable comes back unchanged, so a display never loses data.
    """
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, _REGION)
    except phonenumbers.NumberParseException:
        return e164
    if number.country_code == 84:
        style = phonenumbers.PhoneNumberFormat.NATIONAL
    else:
        style = phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, style)


def mask_phone(phone: str | None) -> str:
    """For logs and lists: "091****678". Short values are all stars."""
    if not phone:
        return ""
    digits = "".join(c for c in phone if c.isdigit())
    if phone.strip().startswith("+84"):
        digits = "0" + digits[2:]  # mask the number as Vietnamese write it
    if len(digits) < 9:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 6) + digits[-3:]
