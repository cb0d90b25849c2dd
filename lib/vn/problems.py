"""The one shape every data rule reports in."""

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Problem:
    """A data problem found by a rule.

    ``code`` is stable and machine-readable ("cccd.format"); the messages are for people
    (Vietnamese first: the users are Vietnamese clerks). ``fix`` is a proposed
    replacement value; rules never overwrite data themselves, so the caller always keeps
    the original next to the fix and a person (or an explicit policy) applies it.
    """

    code: str
    severity: Severity
    message_vi: str
    message_en: str
    fix: str | None = None
