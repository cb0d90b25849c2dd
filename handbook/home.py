"""The handbook's home page is made of cards that apps above it contribute.

An app registers a card function in its AppConfig.ready::

    from handbook.home import register_card
    register_card(next_meeting_card, order=10)

A card function takes the request and the member the home page is for (the logged-in user's own
member record, or None for a user with no record) and returns a `Card` (a template name and its
context) or None when it has nothing to show. Cards render in `order`, then registration order.
Registration keeps the floors one-way: the handbook imports none of the apps that add cards.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest

if TYPE_CHECKING:
    from members.models import Member

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Card:
    template: str
    context: dict[str, Any] = field(default_factory=dict)


CardFunc = Callable[[HttpRequest, "Member | None"], "Card | tuple[str, dict[str, Any]] | None"]


@dataclass(frozen=True)
class _Entry:
    func: CardFunc
    order: int
    seq: int


_CARDS: list[_Entry] = []


def register_card(fn: CardFunc, *, order: int = 50) -> CardFunc:
    """Add a card to the home page (idempotent; usable as a decorator)."""
    if all(entry.func is not fn for entry in _CARDS):
        _CARDS.append(_Entry(fn, order, len(_CARDS)))
    return fn


def cards_for(request: HttpRequest, member: "Member | None") -> list[Card]:
    """The cards to show, in order; a card that fails is left out (and logged), not the page."""
    shown = []
    for entry in sorted(_CARDS, key=lambda entry: (entry.order, entry.seq)):
        try:
            card = entry.func(request, member)
        except Exception:
            logger.exception("home card %s failed", getattr(entry.func, "__qualname__", entry))
            continue
        if card is None:
            continue
        if not isinstance(card, Card):
            template, context = card
            card = Card(template, dict(context))
        shown.append(card)
    return shown
