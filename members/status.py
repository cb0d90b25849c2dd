"""A member's status, derived from their events in date order (pure: no database)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass
class State:
    status: str = ""
    org_id: int | None = None
    temporary_org_id: int | None = None
    exempt: bool = False
    card_number: str | None = None


EXITS = {"died": "deceased", "resigned": "resigned", "removed": "removed", "expelled": "expelled"}


def derive(events: Iterable[tuple[str, date, int | None, dict[str, Any]]]) -> State:
    """Fold (kind, on, org_id, detail) events, oldest first, into the member's current state."""
    state = State()
    for kind, _on, org_id, detail in events:
        if kind == "admitted":
            state.status, state.org_id = "probationary", org_id
        elif kind == "recognised":
            state.status = "official"
        elif kind == "transfer_in":
            if detail.get("temporary"):
                state.temporary_org_id = org_id
            else:
                state.org_id = org_id
                if state.status == "transferred_out":
                    state.status = detail.get("status", "official")
        elif kind == "transfer_out":
            if detail.get("temporary"):
                state.temporary_org_id = None
            elif detail.get("to") is None:
                state.status = "transferred_out"
        elif kind == "exempted":
            state.exempt = True
        elif kind == "exemption_ended":
            state.exempt = False
        elif kind in EXITS:
            state.status = EXITS[kind]
            state.exempt = False
            state.temporary_org_id = None
        elif kind in ("card_issued", "card_reissued"):
            state.card_number = detail.get("card_number")
    return state
