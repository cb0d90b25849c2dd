"""Links that floors above add to a congress's page (congress day's elections), registered in
their AppConfig.ready, so that the monitor imports none of them::

    from congresses.links import register_link
    register_link(congress_day_link)

A link function takes the viewer and the congress and returns (label, url), or None to show
nothing; links render in registration order, and one that fails is left out, not the page.
"""

import logging
from collections.abc import Callable
from typing import Any

from .models import Congress

logger = logging.getLogger(__name__)

LinkFunc = Callable[[Any, Congress], tuple[str, str] | None]
_LINKS: list[LinkFunc] = []


def register_link(fn: LinkFunc) -> LinkFunc:
    """Add a link to every congress's page (idempotent)."""
    if fn not in _LINKS:
        _LINKS.append(fn)
    return fn


def links_for(viewer: Any, congress: Congress) -> list[tuple[str, str]]:
    shown = []
    for fn in _LINKS:
        try:
            link = fn(viewer, congress)
        except Exception:
            logger.exception("congress link %s failed", getattr(fn, "__qualname__", fn))
            continue
        if link is not None:
            shown.append(link)
    return shown
