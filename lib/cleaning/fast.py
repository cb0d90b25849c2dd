"""Cached, fast-pathed versions of the lib/vn text helpers for bulk imports.

A city's import calls fold() and title_name() hundreds of thousands of times on values that
repeat (given names, communes, occupations) or that are already clean. These wrappers
return exactly what lib.vn.text returns, only sooner: a cache for repeated values and a
shortcut for clean text (lib/tests/test_cleaning_fast.py holds them to it).
"""

import functools
import re
import unicodedata

from lib.vn import text as vn_text

_MARKS = re.compile("[\u0300-\u036f]")
_NAME_JOINERS = re.compile("[-'\u2019\u2018\u02bc]")


def title_name(s: str) -> str:
    """vn_text.title_name: for clean text whose words all start with a letter, str.capitalize
    of each word is the same thing, done in C."""
    if vn_text.is_clean(s) and not _NAME_JOINERS.search(s):
        words = s.split(" ")
        if all(w and w[0].lower() != w[0].upper() for w in words):
            name = " ".join(w.capitalize() for w in words)
            if vn_text.is_clean(name):
                return name
    return vn_text.title_name(s)


@functools.lru_cache(maxsize=262_144)
def fold(s: str) -> str:
    if s.isascii():
        return " ".join(s.lower().split())
    if vn_text.is_clean(s):
        # Clean text: fold() is then just "drop the marks", done here in C.
        bare = _MARKS.sub("", unicodedata.normalize("NFD", s.lower())).replace("đ", "d")
        if bare.isascii():
            return " ".join(bare.split())
    return vn_text.fold(s)
