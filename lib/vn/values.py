"""Coded values on the member forms: sex, ethnicity, religion, theory level, card number.

Every normaliser returns (canonical value or None, problems). Matching goes through
text.fold(), so case, diacritics and tone placement never matter; spacing, hyphens and
apostrophes are ignored too ("Ê-đê" = "Ê Đê" = "ede").
"""

import re

from rapidfuzz.distance import DamerauLevenshtein

from lib.vn._cells import cell_text, compact_digits
from lib.vn.messages import WORDS
from lib.vn.problems import Problem
from lib.vn.text import fold


def _key(raw: object) -> str:
    """Comparison key: folded, letters and digits only."""
    return re.sub(r"[^a-z0-9]", "", fold(str(raw)))


# --- Sex -------------------------------------------------------------------------
_MALE = {"nam", "m", "male", "man", "trai", "namgioi", "ong", "1"}
_FEMALE = {"nu", "f", "female", "woman", "gai", "nugioi", "ba", "2"}


def normalise_sex(raw: str | int | None) -> tuple[str | None, list[Problem]]:
    """Normalise to "M" (male) or "F" (female).

    "1"/"2" follow the statistics office and ISO 5218 (1 = male, 2 = female), which
    is what state systems export; they are accepted with an info note because a local
    spreadsheet may have used its own code. "0" and a bare "n" are refused: "0" means
    female in some systems and unknown in others, and "n" starts both Nam and Nữ.
    """
    if raw is None or isinstance(raw, bool):
        return None, []
    key = _key(raw)
    if not key and not str(raw).strip():
        return None, []
    value = "M" if key in _MALE else "F" if key in _FEMALE else None
    if value is None:
        return None, [
            Problem(
                "sex.unknown",
                "error",
                "Không xác định được giới tính; ghi Nam hoặc Nữ.",
                "Cannot tell the sex; write Nam (male) or Nữ (female).",
            )
        ]
    if key in ("1", "2"):
        return value, [
            Problem("sex.numeric_code", "info", *WORDS["sex.numeric_code"](value), fix=value)
        ]
    return value, []


# --- Ethnicity ---------------------------------------------------------------------
# The 54 groups with the General Statistics Office codes ("Danh mục các dân tộc Việt
# Nam", Quyết định 1019/QĐ-TCTK of 12/11/2008, used by the 2009 and 2019 censuses),
# numbered by population. Names in the common modern spelling; the GSO's hyphenated
# forms (Khơ-me, Gia-rai, Ê-đê ...) match them through _key().
ETHNICITIES: list[tuple[str, str]] = [
    ("01", "Kinh"), ("02", "Tày"), ("03", "Thái"), ("04", "Mường"), ("05", "Khmer"),
    ("06", "Hoa"), ("07", "Nùng"), ("08", "Mông"), ("09", "Dao"), ("10", "Gia Rai"),
    ("11", "Ê Đê"), ("12", "Ba Na"), ("13", "Sán Chay"), ("14", "Chăm"),
    ("15", "Cơ Ho"), ("16", "Xơ Đăng"), ("17", "Sán Dìu"), ("18", "Hrê"),
    ("19", "Ra Glai"), ("20", "Mnông"), ("21", "Thổ"), ("22", "Xtiêng"),
    ("23", "Khơ Mú"), ("24", "Bru Vân Kiều"), ("25", "Cơ Tu"), ("26", "Giáy"),
    ("27", "Tà Ôi"), ("28", "Mạ"), ("29", "Giẻ Triêng"), ("30", "Co"),
    ("31", "Chơ Ro"), ("32", "Xinh Mun"), ("33", "Hà Nhì"), ("34", "Chu Ru"),
    ("35", "Lào"), ("36", "La Chí"), ("37", "Kháng"), ("38", "Phù Lá"),
    ("39", "La Hủ"), ("40", "La Ha"), ("41", "Pà Thẻn"), ("42", "Lự"), ("43", "Ngái"),
    ("44", "Chứt"), ("45", "Lô Lô"), ("46", "Mảng"), ("47", "Cờ Lao"), ("48", "Bố Y"),
    ("49", "Cống"), ("50", "Si La"), ("51", "Pu Péo"), ("52", "Rơ Măm"),
    ("53", "Brâu"), ("54", "Ơ Đu"),
]  # fmt: skip
# Not an ethnic group, but the same census list gives foreigners this code.
FOREIGNER: tuple[str, str] = ("55", "Người nước ngoài")

# Other names people write (old names, self-names, spellings); keys as _key() gives.
_ETHNIC_ALIASES: dict[str, str] = {
    "viet": "Kinh", "han": "Hoa", "khome": "Khmer", "khomer": "Khmer",
    "mien": "Khmer", "hmong": "Mông", "meo": "Mông", "man": "Dao",
    "jrai": "Gia Rai", "giorai": "Gia Rai", "rade": "Ê Đê", "rhade": "Ê Đê",
    "bahnar": "Ba Na", "caolan": "Sán Chay", "sanchi": "Sán Chay",
    "caolansanchi": "Sán Chay", "cham": "Chăm", "koho": "Cơ Ho", "kho": "Cơ Ho",
    "sedang": "Xơ Đăng", "hre": "Hrê", "raglay": "Ra Glai", "mnong": "Mnông",
    "stieng": "Xtiêng", "khmu": "Khơ Mú", "xacau": "Khơ Mú", "bru": "Bru Vân Kiều",
    "vankieu": "Bru Vân Kiều", "katu": "Cơ Tu", "taoi": "Tà Ôi", "paco": "Tà Ôi",
    "gietrieng": "Giẻ Triêng", "choro": "Chơ Ro", "churu": "Chu Ru",
    "colao": "Cờ Lao", "patthen": "Pà Thẻn", "romam": "Rơ Măm", "odu": "Ơ Đu",
    "nguoinuocngoai": "Người nước ngoài", "nuocngoai": "Người nước ngoài",
}  # fmt: skip
_ETHNIC_BY_KEY: dict[str, str] = {
    _key(name): name for _, name in [*ETHNICITIES, FOREIGNER]
} | _ETHNIC_ALIASES
_ETHNIC_PREFIX = re.compile(r"^(dan toc|dt|nguoi|toc)\b\.? ?")


def _near_miss(key: str) -> str | None:
    """The one name within a typo of key (swapped letters count as one), if any.

    One edit for keys of 4-7 letters, two from 8 on; shorter keys are too short for a
    distance to mean anything ("tay" is one edit from "thai").
    """
    if len(key) < 4:
        return None
    allowed = 1 if len(key) < 8 else 2
    distances = [(DamerauLevenshtein.distance(key, k), k) for k in _ETHNIC_BY_KEY]
    best = min(d for d, _ in distances)
    names = {_ETHNIC_BY_KEY[k] for d, k in distances if d == best}
    return names.pop() if best <= allowed and len(names) == 1 else None


def normalise_ethnicity(raw: str | int | None) -> tuple[str | None, list[Problem]]:
    """Canonical group name ("dân tộc Kinh", "kinh", "KINH" -> "Kinh").

    A near miss ("Kihn") is matched with a warning that proposes the name; anything
    else is a warning "ethnicity.unknown" with no guess.
    """
    if raw is None or not str(raw).strip():
        return None, []
    folded = _ETHNIC_PREFIX.sub("", fold(str(raw)))
    key = _key(folded)
    if key in _ETHNIC_BY_KEY:
        return _ETHNIC_BY_KEY[key], []
    name = _near_miss(key)
    if name:
        return name, [
            Problem(
                "ethnicity.guessed",
                "warning",
                f"Dân tộc '{raw}' không có trong danh mục; có lẽ là '{name}'.",
                f"Ethnicity '{raw}' is not in the list; probably '{name}'.",
                fix=name,
            )
        ]
    return None, [
        Problem(
            "ethnicity.unknown",
            "warning",
            f"Dân tộc '{raw}' không có trong danh mục 54 dân tộc.",
            f"Ethnicity '{raw}' is not one of the 54 recognised groups.",
        )
    ]


# --- Religion -----------------------------------------------------------------------
# "Không" (none) and the 16 religions the Government Committee for Religious Affairs
# recognises (its 2023 white paper and later lists: 16 religions, 40-odd organisations).
# The GSO religion codes (Quyết định 1019/QĐ-TCTK) predate several of them, so we key
# on names, not codes.
RELIGIONS: list[str] = [
    "Không",
    "Phật giáo",
    "Công giáo",
    "Tin lành",
    "Cao Đài",
    "Phật giáo Hòa Hảo",
    "Hồi giáo",
    "Tôn giáo Baha'i",
    "Tịnh độ Cư sĩ Phật hội Việt Nam",
    "Cơ đốc Phục lâm Việt Nam",
    "Phật giáo Tứ Ân Hiếu Nghĩa",
    "Minh Sư Đạo",
    "Minh Lý Đạo - Tam Tông Miếu",
    "Giáo hội Các Thánh hữu Ngày sau của Chúa Giê-su Ky-tô",
    "Bửu Sơn Kỳ Hương",
    "Phật giáo Hiếu Nghĩa Tà Lơn",
    "Bà-la-môn giáo",
]
_RELIGION_ALIASES: dict[str, str] = {
    "khong": "Không", "ko": "Không", "k": "Không", "kg": "Không", "khongco": "Không",
    "khongtheo": "Không", "khongtongiao": "Không", "khongtheotongiao": "Không",
    "phat": "Phật giáo", "daophat": "Phật giáo", "buddhism": "Phật giáo",
    "catholic": "Công giáo", "daocongiao": "Công giáo", "congiaoroma": "Công giáo",
    "tinlanh": "Tin lành", "daotinlanh": "Tin lành", "protestant": "Tin lành",
    "caodai": "Cao Đài", "daocaodai": "Cao Đài", "hoahao": "Phật giáo Hòa Hảo",
    "hoi": "Hồi giáo", "daohoi": "Hồi giáo", "islam": "Hồi giáo",
    "bahai": "Tôn giáo Baha'i", "daobahai": "Tôn giáo Baha'i",
    "tinhdocusi": "Tịnh độ Cư sĩ Phật hội Việt Nam",
    "cocdocphuclam": "Cơ đốc Phục lâm Việt Nam", "phuclam": "Cơ đốc Phục lâm Việt Nam",
    "tuanhieunghia": "Phật giáo Tứ Ân Hiếu Nghĩa",
    "daotuanhieunghia": "Phật giáo Tứ Ân Hiếu Nghĩa",
    "minhsudao": "Minh Sư Đạo", "minhlydao": "Minh Lý Đạo - Tam Tông Miếu",
    "giaohoiphatduongnamtongminhsudao": "Minh Sư Đạo",
    "tamtongmieu": "Minh Lý Đạo - Tam Tông Miếu",
    "macmon": "Giáo hội Các Thánh hữu Ngày sau của Chúa Giê-su Ky-tô",
    "mormon": "Giáo hội Các Thánh hữu Ngày sau của Chúa Giê-su Ky-tô",
    "hieunghiatalon": "Phật giáo Hiếu Nghĩa Tà Lơn",
    "balamon": "Bà-la-môn giáo", "chambalamon": "Bà-la-môn giáo",
}  # fmt: skip
_RELIGION_BY_KEY = {_key(name): name for name in RELIGIONS} | _RELIGION_ALIASES
# "Thiên chúa giáo" is the everyday name, but loosely it covers Protestants too, so the
# official name is proposed, not silently assumed.
_CHRISTIAN = {"thienchua", "thienchuagiao", "daothienchua", "kito", "kitogiao", "christian"}
# What people put in a religion cell to mean "none".
_BLANK_AS_NONE = {"", "-", "--", "0", "x", "/", "."}


def normalise_religion(raw: str | int | None) -> tuple[str | None, list[Problem]]:
    """Canonical religion name, "Không" for none."""
    if raw is None:
        return None, []
    if str(raw).strip().lower() in _BLANK_AS_NONE:
        # An empty religion cell on the member forms means "none" in practice; still,
        # say so, because it may also mean "not filled in".
        return "Không", [
            Problem(
                "religion.blank_as_none",
                "info",
                "Ô tôn giáo để trống, được hiểu là 'Không'.",
                "Blank religion read as 'Không' (none).",
                fix="Không",
            )
        ]
    key = _key(raw)
    if key in _RELIGION_BY_KEY:
        return _RELIGION_BY_KEY[key], []
    if key in _CHRISTIAN:
        return "Công giáo", [
            Problem(
                "religion.renamed",
                "info",
                f"'{raw}' được hiểu là 'Công giáo' (tên chính thức); nếu là đạo "
                "Tin lành, hãy sửa lại.",
                f"'{raw}' read as 'Công giáo' (Catholic, the official name); correct "
                "it if the person is Protestant.",
                fix="Công giáo",
            )
        ]
    return None, [
        Problem(
            "religion.unknown",
            "warning",
            f"Tôn giáo '{raw}' không có trong danh mục.",
            f"Religion '{raw}' is not in the list.",
        )
    ]


# --- Political theory level ----------------------------------------------------------
POLITICAL_THEORY: list[tuple[str, str]] = [
    ("", "Không"),
    ("so-cap", "Sơ cấp"),
    ("trung-cap", "Trung cấp"),
    ("cao-cap", "Cao cấp"),
    ("cu-nhan", "Cử nhân"),
]
_THEORY_WORDS = {"socap": "so-cap", "trungcap": "trung-cap", "caocap": "cao-cap",
                 "cunhan": "cu-nhan"}  # fmt: skip
_THEORY_ABBREVIATIONS = {"sc": "so-cap", "tc": "trung-cap", "cc": "cao-cap",
                         "cn": "cu-nhan"}  # fmt: skip
_POLITICAL = re.compile(r"chinhtri|llct|lyluan")
_NO_THEORY = {"", "khong", "ko", "chua", "chuaqua", "chuaquadaotao", "chuaco", "0", "x"}


def normalise_political_theory(raw: str | int | None) -> tuple[str | None, list[Problem]]:
    """Code from POLITICAL_THEORY ("" for none): "Trung cấp LLCT" -> "trung-cap"."""
    if raw is None:
        return None, []
    key = _key(raw)
    if key in _NO_THEORY:
        return "", []
    if key in _THEORY_ABBREVIATIONS:
        return _THEORY_ABBREVIATIONS[key], []
    found = {code for word, code in _THEORY_WORDS.items() if word in key}
    if found == {"cu-nhan"} and key != "cunhan" and not _POLITICAL.search(key):
        # "Cử nhân Luật" is a professional degree typed in the wrong column, not the
        # political-science bachelor's degree.
        found.discard("cu-nhan")
    if len(found) == 1:
        return found.pop(), []
    if found:  # "Cao cấp, cử nhân": two levels named, a person must choose
        return None, [
            Problem(
                "political_theory.ambiguous",
                "warning",
                f"'{raw}' ghi nhiều trình độ lý luận chính trị; hãy chọn một.",
                f"'{raw}' names several political theory levels; pick one.",
            )
        ]
    return None, [
        Problem(
            "political_theory.unknown",
            "warning",
            f"Không nhận ra trình độ lý luận chính trị '{raw}'.",
            f"Unknown political theory level '{raw}'.",
        )
    ]


# --- Party card number ----------------------------------------------------------------
def normalise_card_number(raw: str | int | float | None) -> tuple[str | None, list[Problem]]:
    """Party card number: 8 digits.

    Excel drops leading zeros, so 5-7 digits are padded back to 8 with a warning; fewer
    digits are more likely a different number (a résumé or badge number) than damage.
    """
    digits = compact_digits(cell_text(raw))
    if not digits:
        return None, []
    if digits.isascii() and digits.isdigit():
        if len(digits) == 8:
            return digits, []
        if 5 <= len(digits) <= 7:
            padded = digits.zfill(8)
            return padded, [
                Problem(
                    "card.leading_zero_restored",
                    "warning",
                    *WORDS["card.leading_zero_restored"](padded),
                    fix=padded,
                )
            ]
    return None, [
        Problem(
            "card.format",
            "error",
            "Số thẻ đảng viên phải gồm 8 chữ số.",
            "The party card number must be 8 digits.",
        )
    ]
