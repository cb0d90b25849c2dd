"""pytest plugin: fail the run if any log line written during it contains a whole CCCD.

It tees the output of the handlers that settings.LOGGING installed on the root logger, which are
what production writes to its logs, so it checks the real pipeline (the redaction filter
included) over every test of the suite. Registered in pyproject.toml (`-p`).
"""

import logging
import re
from collections.abc import Iterator
from typing import Any, TextIO

import pytest

CCCD = re.compile(r"(?<!\d)\d{12}(?!\d)")


class Tee:
    """A stream that passes writes on, keeping every line and any that holds a CCCD."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.lines: list[str] = []
        self.leaks: list[str] = []

    def write(self, text: str) -> int:
        self.lines.append(text)
        if CCCD.search(text):
            self.leaks.append(text)
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


TEES: list[Tee] = []


@pytest.fixture(scope="session", autouse=True)
def _no_cccd_in_any_log_line() -> Iterator[None]:
    handlers = [
        h
        for h in logging.getLogger().handlers
        if isinstance(h, logging.StreamHandler) and getattr(h, "name", None)
    ]
    assert handlers, "settings.LOGGING installed no named handler on the root logger"
    for handler in handlers:
        tee = Tee(handler.stream)
        handler.setStream(tee)
        TEES.append(tee)
    yield
    leaks = [line for tee in TEES for line in tee.leaks]
    for handler, tee in zip(handlers, TEES, strict=True):
        handler.setStream(tee.stream)
    TEES.clear()
    assert not leaks, f"{len(leaks)} log lines contain a CCCD, e.g. {leaks[0]!r}"
