"""Repair text typed in the pre-Unicode Vietnamese font encodings TCVN3 and VNI.

Before Unicode, Vietnamese was typed with 8-bit fonts: TCVN3 (the "ABC" set, fonts
.VnTime/.VnTimeH) and VNI (VNI-Times). The bytes were ordinary Windows-1252/Latin-1
characters drawn with Vietnamese glyphs, so when such a spreadsheet is read as Unicode
the font is gone and "Nguyễn" shows as "NguyÔn" (TCVN3) or "Nguyeãn" (VNI).

TCVN3 gives each Vietnamese lower-case letter one byte and has upper-case bytes only for
Ă Â Ê Ô Ơ Ư Đ; upper-case toned letters were typed with the lower-case byte in a capital
font (.VnTimeH), so capitals are restored from the surrounding text. VNI writes a base
letter followed by one byte for the diacritics (e + ã = ễ), in both cases.

Detection never trusts a single character: Latin-1 letters such as "à" or "ô" are also
correct Unicode Vietnamese. A text is called legacy only when decoding it turns words
that are not Vietnamese syllables into words that are.
"""

import re
import unicodedata
from typing import Literal

from lib.vn.messages import WORDS
from lib.vn.problems import Problem
from lib.vn.text import is_vietnamese_syllable

Encoding = Literal["tcvn3", "vni"]

# --- TCVN3 (TCVN 5712:1993, VN3) ------------------------------------------------------
# Lower-case letters, in the same order in both strings. "ư" is byte 0xAD, which Latin-1
# calls a soft hyphen: invisible, which is why TCVN3 text "loses" its ư's.
_TCVN3_UNICODE = "áàảãạăắằẳẵặâấầẩẫậđéèẻẽẹêếềểễệíìỉĩịóòỏõọôốồổỗộơớờởỡợúùủũụưứừửữựýỳỷỹỵĂÂĐÊÔƠƯ"
_TCVN3_LEGACY = "¸µ¶·¹¨¾»¼½Æ©ÊÇÈÉË®ÐÌÎÏÑªÕÒÓÔÖÝ×ØÜÞãßáâä«èåæçé¬íêëìîóïñòô\xadøõö÷ùýúûüþ¡¢§£¤¥¦"
_TCVN3_DECODE = dict(zip(_TCVN3_LEGACY, _TCVN3_UNICODE, strict=True))
_TCVN3_UPPER_BYTES = frozenset("¡¢§£¤¥¦")

# --- VNI (VNI-Windows) ------------------------------------------------------------------
# Tones in the order of the tables below: none, sắc, huyền, hỏi, ngã, nặng.
_TONES = ("", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323")
_VNI_TONE = ("", "ù", "ø", "û", "õ", "ï")  # after a e o u y, and after ơ/ư
_VNI_CIRCUMFLEX = ("â", "á", "à", "å", "ã", "ä")  # â ê ô + tone, after a e o
_VNI_BREVE = ("ê", "é", "è", "ú", "ü", "ë")  # ă + tone, after a
_VNI_I = ("i", "í", "ì", "æ", "ó", "ò")  # i has one byte per tone
_VNI_Y = ("y", "yù", "yø", "yû", "yõ", "î")  # and ỵ too


def _vni_table() -> dict[str, str]:
    """Unicode letter -> VNI bytes (as Latin-1 text), both cases."""
    table: dict[str, str] = {"đ": "ñ"}
    for tone, mark in enumerate(_TONES):
        rows = [
            *((vowel, "", vowel + _VNI_TONE[tone]) for vowel in "aeou"),
            *((vowel, "\u0302", vowel + _VNI_CIRCUMFLEX[tone]) for vowel in "aeo"),
            ("a", "\u0306", "a" + _VNI_BREVE[tone]),
            ("o", "\u031b", "ô" + _VNI_TONE[tone]),
            ("u", "\u031b", "ö" + _VNI_TONE[tone]),
            ("i", "", _VNI_I[tone]),
            ("y", "", _VNI_Y[tone]),
        ]
        for base, quality, legacy in rows:
            table[unicodedata.normalize("NFC", base + quality + mark)] = legacy
    table = {k: v for k, v in table.items() if k != v}  # plain a, i, í ... stay as they are
    return table | {k.upper(): v.upper() for k, v in table.items()}


_VNI_ENCODE = _vni_table()
_VNI_DECODE = {v: k for k, v in _VNI_ENCODE.items()}
# Tolerate a base letter and its mark in different cases (text re-cased after typing):
# the letter takes the case of the base.
_VNI_DECODE |= {
    legacy[0] + legacy[1].swapcase(): letter
    for legacy, letter in list(_VNI_DECODE.items())
    if len(legacy) == 2
}

# Every non-ASCII character each font encoding can produce. A Latin-1 character outside
# this set cannot come from a document in that encoding ("à" is no TCVN3 byte).
_REPERTOIRE: dict[Encoding, frozenset[str]] = {
    "tcvn3": frozenset(_TCVN3_LEGACY),
    "vni": frozenset("".join(_VNI_ENCODE.values()) + "íìÍÌ"),
}

# Letters of Unicode Vietnamese outside Latin-1: legacy text (Latin-1 by construction)
# never contains them, so their presence means the text is already Unicode.
_UNICODE_ONLY = re.compile("[ăĂđĐĩĨũŨơƠưƯ\u1ea0-\u1ef9\u0300-\u036f]")
_WORD_SPLIT = re.compile(r"[\s\-,.;:()\[\]/\"'!?]+")


def _decode_tcvn3(s: str) -> str:
    decoded = [_TCVN3_DECODE.get(c, c) for c in s]
    # Restore the capitals TCVN3 cannot express. One character per character, so the
    # positions in s and decoded agree.
    ascii_lower = any("a" <= c <= "z" for c in s)
    uppers = sum(("A" <= c <= "Z") or c in _TCVN3_UPPER_BYTES for c in s)
    if not ascii_lower and uppers >= 2:  # "NGUYÔN V¡N AN": the whole text is capitals
        return "".join(decoded).upper()
    starts = [i for i, c in enumerate(s) if not c.isspace() and (i == 0 or s[i - 1].isspace())]
    first = [s[i] for i in starts]
    title_case = any(("A" <= c <= "Z") or c in _TCVN3_UPPER_BYTES for c in first) and not any(
        "a" <= c <= "z" for c in first
    )
    if title_case:  # "Lª ¸nh": every other word is capitalised, so is this one
        for i in starts:
            if s[i] in _TCVN3_DECODE:
                decoded[i] = decoded[i].upper()
    return "".join(decoded)


def _decode_vni(s: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(s):
        pair = s[i : i + 2]
        if len(pair) == 2 and pair in _VNI_DECODE:
            out.append(_VNI_DECODE[pair])
            i += 2
        else:
            out.append(_VNI_DECODE.get(s[i], s[i]))
            i += 1
    return "".join(out)


def decode_legacy(s: str, encoding: Encoding) -> str:
    """Convert legacy-encoded text (as read through Latin-1) to NFC Unicode."""
    decoded = _decode_tcvn3(s) if encoding == "tcvn3" else _decode_vni(s)
    return unicodedata.normalize("NFC", decoded)


def encode_legacy(s: str, encoding: Encoding) -> str:
    """Unicode -> what a legacy-font document shows when read as Latin-1.

    For tests and synthetic dirty data. TCVN3 has no upper-case toned letters, so they
    become the lower-case byte, as the .VnTimeH fonts did.
    """
    out: list[str] = []
    for ch in unicodedata.normalize("NFC", s):
        if encoding == "vni":
            out.append(_VNI_ENCODE.get(ch, ch))
            continue
        index = _TCVN3_UNICODE.find(ch)
        if index < 0:  # an upper-case toned letter: the lower-case byte
            index = _TCVN3_UNICODE.find(ch.lower())
        out.append(_TCVN3_LEGACY[index] if index >= 0 and len(ch.lower()) == 1 else ch)
    return "".join(out)


def _valid_words(s: str) -> int:
    return sum(is_vietnamese_syllable(w) for w in _WORD_SPLIT.split(s) if w)


def _foreign(s: str, encoding: Encoding) -> bool:
    return any("\xa0" < c <= "\xff" and c not in _REPERTOIRE[encoding] for c in s)


def detect_legacy(s: str) -> Encoding | None:
    """Which legacy encoding s was typed in, or None for Unicode / plain ASCII text.

    An encoding qualifies when every non-ASCII Latin-1 character of s is one it can
    produce and decoding makes more words valid Vietnamese syllables. When both qualify
    equally, TCVN3 wins: it was the government standard (TCVN 5712:1993) that party
    offices used; VNI was commoner in private business.
    """
    if not s or s.isascii() or _UNICODE_ONLY.search(s):
        return None
    before = _valid_words(s)
    best: Encoding | None = None
    best_gain = 0
    for encoding in ("tcvn3", "vni"):
        if _foreign(s, encoding):
            continue
        decoded = decode_legacy(s, encoding)
        gain = _valid_words(decoded) - before if decoded != s else 0
        if gain > best_gain:
            best, best_gain = encoding, gain
    return best


def fix_legacy(s: str) -> tuple[str, list[Problem]]:
    """(text in Unicode, problems): the converted text and a warning, or s unchanged."""
    encoding = detect_legacy(s)
    if encoding is None:
        return s, []
    fixed = decode_legacy(s, encoding)
    code = f"text.legacy_{encoding}"
    return fixed, [Problem(code, "warning", *WORDS[code](fixed), fix=fixed)]
