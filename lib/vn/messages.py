"""The words of the commonest problems, made from the problem's code and proposed fix alone.

The rules write these problems' messages with these functions, so a message can be made
again from (code, fix) at any time. An import keeps its millions of staged problems as code,
field and fix, without their words (lib.cleaning.rules.stored_problem), and a page makes the
words when it shows them (lib.cleaning.rules.with_words). In a city's import these problems
are 94 % of all, and their words were half of every staged row's problems (a hometown's
"now xã …, tỉnh …" in two languages, on most rows).

Rows already staged are shown with these functions' words as they are when shown: change a
message's wording here and it changes for those rows too (the tests pin every wording).

A function is only here when its message depends on nothing but the fix; a message made
otherwise is stored whole, so a problem is always shown exactly as its rule wrote it.
"""

import functools
from collections.abc import Callable

Words = tuple[str, str]  # (Vietnamese, English), without the field's label


def _mask(cccd: str) -> str:
    from lib.vn.cccd import mask_cccd

    return mask_cccd(cccd)


def excel_serial_words(typed: str, shown: str) -> Words:
    """The serial as typed in the cell and the date it stands for (dd/mm/yyyy)."""
    return f"số {typed} của Excel là ngày {shown}.", f"Excel serial {typed} is {shown}."


def _excel_serial(fix: str) -> Words:
    # Made again only for a serial typed as a whole number ("31110", not "31110.0").
    from datetime import date

    day = date.fromisoformat(fix)
    serial = (day - date(1899, 12, 30)).days
    return excel_serial_words(str(serial), f"{day.day:02d}/{day.month:02d}/{day.year:04d}")


def _legacy(name: str) -> Callable[[str], Words]:
    def words(fix: str) -> Words:
        return (
            f"Văn bản gõ bằng bảng mã cũ {name}, đã chuyển sang Unicode: {fix}",
            f"Text typed in the legacy {name} encoding, converted to Unicode: {fix}",
        )

    return words


def _sex_code(fix: str) -> Words:
    key, vi, en = ("1", "Nam", "male") if fix == "M" else ("2", "Nữ", "female")
    return (
        f"Mã {key} được hiểu là {vi} (1 = Nam, 2 = Nữ).",
        f"Code {key} read as {en} (1 = male, 2 = female).",
    )


def _two_digit_year(fix: str) -> Words:
    # The fix is an ISO date (or its year, month): the year's last two digits were typed.
    year = fix[:4]
    return (
        f"Năm ghi 2 chữ số '{year[2:]}' được hiểu là {year}.",
        f"Two-digit year '{year[2:]}' read as {year}.",
    )


def _now_vi(place: str) -> str:
    return f"; nay là {place}" if place else ""


def _now_en(place: str) -> str:
    return f"; now {place}" if place else ""


def _constant(vi: str, en: str) -> Callable[[str], Words]:
    return lambda _fix: (vi, en)


WORDS: dict[str, Callable[[str], Words]] = {
    # Text, every field.
    "text.legacy_tcvn3": _legacy("TCVN3 (ABC, .VnTime)"),
    "text.legacy_vni": _legacy("VNI (VNI-Times)"),
    "text.unicode_form": _constant("chữ tổ hợp (NFD) đã chuẩn hóa.", "decomposed Unicode normalised."),
    "text.eth_for_d": _constant("chữ Ð (eth) đã sửa thành Đ.", "Ð (eth) corrected to Đ."),
    "text.lookalike": _constant("chữ Kirin giống chữ Latinh đã thay.", "Cyrillic look-alikes replaced."),
    "text.invisible": _constant("ký tự vô hình đã bỏ.", "invisible characters removed."),
    "text.whitespace": _constant("khoảng trắng thừa đã bỏ.", "extra spaces removed."),
    # Names.
    "name.case": lambda fix: (f"viết lại thành '{fix}'.", f"written as '{fix}'."),
    # Identity and numbers.
    "cccd.leading_zero_restored": lambda fix: (
        f"Đã thêm số 0 bị Excel làm mất ở đầu: {_mask(fix)}.",
        f"Restored the leading zero Excel dropped: {_mask(fix)}.",
    ),
    "cccd.reformatted": _constant("đã bỏ dấu cách, dấu chấm.", "spaces and dots removed."),
    "card.leading_zero_restored": lambda fix: (
        f"Đã thêm số 0 bị mất ở đầu số thẻ đảng: {fix}.",
        f"Restored the leading zeros of the party card number: {fix}.",
    ),
    "phone.leading_zero_restored": _constant(
        "Đã thêm số 0 bị Excel làm mất ở đầu số điện thoại.",
        "Restored the leading zero Excel dropped from the phone number.",
    ),
    "phone.old_mobile_prefix": _constant(
        "Số di động 11 số cũ đã được đổi sang đầu số mới (từ năm 2018).",
        "Old 11-digit mobile number converted to its new prefix (2018).",
    ),
    "sex.numeric_code": _sex_code,
    # Dates.
    "date.two_digit_year": _two_digit_year,
    "date.excel_serial": _excel_serial,
    # Places: the current name proposed.
    "place.legacy": lambda fix: (
        f"địa danh trước sáp nhập 2025 (giữ nguyên){_now_vi(fix)}.",
        f"place name from before the 2025 merger (kept){_now_en(fix)}.",
    ),
    "place.legacy_residence": lambda fix: (
        f"ghi theo đơn vị hành chính trước 1/7/2025{_now_vi(fix)}.",
        f"written with units from before 1 July 2025{_now_en(fix)}.",
    ),
}  # fmt: skip


@functools.lru_cache(maxsize=16384)
def words_of(code: str, fix: str | None) -> Words | None:
    """The message of a problem made again from its code and fix, if its rule says how."""
    made = WORDS.get(code)
    if made is None:
        return None
    try:
        return made(fix or "")
    except ValueError:  # a fix not of the form its rule proposes (a date that is no date)
        return None
