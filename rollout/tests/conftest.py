from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _vietnamese() -> Iterator[None]:
    """Each test starts in Vietnamese and leaves the language as it found it (a request with
    Accept-Language: en switches the thread's language, and it would otherwise stay)."""
    with translation.override("vi"):
        yield
