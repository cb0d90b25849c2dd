"""The one shape every data rule reports in."""

from typing import Literal, NamedTuple

Severity = Literal["error", "warning", "info"]


class Problem(NamedTuple):
    """A data problem found by a rule.

    ``code`` is stable and machine-readable ("cccd.format"); the messages are for people
    (Vietnamese first: the users are Vietnamese clerks). ``fix`` is a proposed
    replacement value; rules never overwrite data themselves, so the caller always keeps
    the original next to the fix and a person (or an explicit policy) applies it.

    Immutable, and a tuple: an import makes and compares millions of them (the rules'
    caches are keyed by them), and a tuple is built, hashed and compared in C.
    """

    code: str
    severity: Severity
    message_vi: str
    message_en: str
    fix: str | None = None
