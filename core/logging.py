"""A logging filter that removes personal ID numbers and phone numbers from every log line."""

import logging
import re

# A CCCD is 12 digits; an old CMND 9; a CCCD that lost its leading zero in Excel 11; a phone 10
# (or 11 with a leading 84). Any run of 9 to 12 digits not inside a longer number is masked, with
# spaces or dashes allowed between groups of digits, as people type phone numbers. Not dots:
# organisation codes (79.26734.001) are dotted numbers, and are not personal data.
_NUMBER = re.compile(r"(?<!\d)\+?\d(?:[ -]?\d){8,11}(?![\d])")


def _mask(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    # Keep the first three and last two digits (079*******12), enough to tell two people apart.
    return digits[:3] + "*" * (len(digits) - 5) + digits[-2:]


def redact(text: str) -> str:
    """The text with every CCCD-like or phone-like number masked."""
    return _NUMBER.sub(_mask, text)


class RedactFilter(logging.Filter):
    """Rewrites the record's message (and traceback) before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is logged as it is, still redacted
            message = str(record.msg)
        record.msg, record.args = redact(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
