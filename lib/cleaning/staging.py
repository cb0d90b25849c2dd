"""A cleaned record as a staged row keeps it: its values as text, its problems as stored, and
the counts the review filters on.

A city's import does this for each of its 368,780 rows, so it lives here, beside the rules,
and is compiled with them (scripts/compile.sh).
"""

from collections.abc import Mapping, Sequence
from typing import Any

from lib.cleaning.rules import CleanRecord, format_value, stored_problem


def values_as_text(values: Mapping[str, Any]) -> dict[str, str]:
    """Standardised values as the text a staged row keeps (most are text already)."""
    out: dict[str, str] = {}
    for name, value in values.items():
        out[name] = value if isinstance(value, str) else format_value(value)
    return out


def stored_problems(record: CleanRecord) -> list[dict[str, Any]]:
    return [stored_problem(p) for p in record.problems]


def _is_open(problem: Mapping[str, Any]) -> bool:
    severity = problem["severity"]
    return severity == "error" or (severity == "warning" and not problem.get("accepted"))


def row_counts(problems: Sequence[Mapping[str, Any]]) -> tuple[int, int]:
    """(errors, warnings not accepted) of a row's stored problems."""
    errors = warnings = 0
    for p in problems:
        if p["severity"] == "error":
            errors += 1
        elif _is_open(p):
            warnings += 1
    return errors, warnings


def open_codes(problems: Sequence[Mapping[str, Any]]) -> list[str]:
    """The codes of a row's open problems (its errors and the warnings not yet accepted), once
    each time they occur."""
    return [p["code"] for p in problems if _is_open(p)]
