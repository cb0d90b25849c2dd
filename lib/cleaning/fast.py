"""Cached, fast-pathed versions of the lib/vn text helpers for bulk imports.

A city's import calls fold() and nfc() millions of times on values that repeat (given
names, communes, occupations) or that are already clean. These wrappers return exactly
what lib.vn.text returns, only sooner: a cache for repeated values and a shortcut for
text nfc() would not change.
"""

import functools
import re
import unicodedata

from lib.vn import text as vn_text

# What nfc() may change besides the Unicode form and spacing: eth, invisible characters,
# Cyrillic look-alikes.
_SPECIAL = re.compile("[\u00d0\u00f0\u200b\u200c\u200d\u2060\ufeff\u180e\u0400-\u052f]")


def already_nfc(s: str) -> bool:
    """True when nfc(s) == s, decided without running it."""
    return (
        unicodedata.is_normalized("NFC", s) and not _SPECIAL.search(s) and " ".join(s.split()) == s
    )


def nfc(s: str) -> str:
    return s if already_nfc(s) else vn_text.nfc(s)


_MARKS = re.compile("[\u0300-\u036f]")


@functools.lru_cache(maxsize=262_144)
def fold(s: str) -> str:
    if s.isascii():
        return " ".join(s.lower().split())
    if already_nfc(s):
        # Clean text: fold() is then just "drop the marks", done here in C.
        bare = _MARKS.sub("", unicodedata.normalize("NFD", s.lower())).replace("đ", "d")
        if bare.isascii():
            return " ".join(bare.split())
    return vn_text.fold(s)
