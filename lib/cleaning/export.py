"""Guarding exported spreadsheet cells against formula injection."""

import re

# A cell that starts with one of these is read as a formula by Excel, LibreOffice and
# Google Sheets ("=HYPERLINK(...)", "@SUM(...)", "+cmd|..."); tab and CR are on OWASP's
# list because some importers strip them and then see the formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A plain number cannot carry a formula, so it is left alone: E.164 phone numbers
# ("+84912345678") and negative numbers keep their exact text.
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")


def neutralise(value: str) -> str:
    """The value with a leading apostrophe when a spreadsheet would run it as a formula."""
    if value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value
