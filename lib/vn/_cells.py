"""What spreadsheets do to numbers that are really codes (IDs, phones, card numbers)."""

import re

_QUOTES = "'‘’\""
_FLOAT_TAIL = re.compile(r"^(\d+)\.0+$")
_SEPARATORS = re.compile(r"[\s\-_/]")


def cell_text(raw: str | int | float | None) -> str:
    """The cell as text, undoing Excel's number damage; "" for a blank cell.

    A float cell with an integral value is its integer (79012345678.0 -> "79012345678");
    "79012345678.0" typed or exported as text likewise. A leading apostrophe (Excel's
    "store as text" marker) and stray quotes are dropped.
    """
    if raw is None or isinstance(raw, bool):
        return ""
    if isinstance(raw, float):
        # repr keeps a non-integral value visibly non-integral, so it fails later checks.
        return str(int(raw)) if raw.is_integer() else repr(raw)
    text = str(raw).strip().strip(_QUOTES).strip()
    tail = _FLOAT_TAIL.match(text)
    return tail.group(1) if tail else text


def compact_digits(text: str) -> str:
    """Drop the separators people type inside codes: spaces, dashes, slashes, and dots.

    Dots only when there are two or more ("079.123.456.789"): a single dot is a decimal
    point, and "12345.6" must stay visibly wrong instead of becoming "123456".
    """
    text = _SEPARATORS.sub("", text)
    if text.count(".") >= 2:
        text = text.replace(".", "")
    return text
