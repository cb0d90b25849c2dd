"""The fields of a member's record (form 2-HSĐV), in the order of the forms: the one list.

The record's form and its validation (members.forms, members.services), the import's columns
(lib.cleaning.columns), the exports (cleaning.exports) and the API's record
(api.api.MemberRecordOut) are all made from this list, so a field added here reaches each of
them, and none of them can drift from the others. Labels live with the model
(members.models.Member, translated); this module stays pure Python, for the import's rules.
"""

from dataclasses import dataclass
from typing import Literal

Kind = Literal["text", "date", "choice", "number"]


@dataclass(frozen=True, slots=True)
class RecordField:
    name: str
    kind: Kind = "text"
    # A column a unit's spreadsheet may fill in the cleaning campaign.
    imported: bool = True
    # On the record's form: typed in, corrected. A field that is not is set by an event (the
    # card number by "card issued"), and changes only through one.
    typed: bool = True


RECORD: tuple[RecordField, ...] = (
    RecordField("full_name"),
    # Rare in units' spreadsheets (and with no column people agree on): typed in only.
    RecordField("birth_name", imported=False),
    RecordField("other_names", imported=False),
    RecordField("cccd", "number"),
    RecordField("cmnd", "number"),
    RecordField("sex", "choice"),
    RecordField("birth_date", "date"),
    RecordField("birth_place"),
    RecordField("hometown"),
    RecordField("residence"),
    RecordField("ethnicity"),
    RecordField("religion"),
    RecordField("education"),
    RecordField("political_theory"),
    RecordField("qualification"),
    RecordField("foreign_language"),
    RecordField("occupation"),
    RecordField("position"),
    RecordField("service", "choice", imported=False),
    RecordField("admission_date", "date"),
    RecordField("admission_place"),
    RecordField("official_date", "date"),
    RecordField("official_place"),
    RecordField("card_number", "number", typed=False),
    RecordField("resume_number"),
    RecordField("phone", "number"),
    RecordField("email"),
)

NAMES: tuple[str, ...] = tuple(f.name for f in RECORD)
TYPED: tuple[str, ...] = tuple(f.name for f in RECORD if f.typed)
IMPORTED: tuple[str, ...] = tuple(f.name for f in RECORD if f.imported)
DATES: frozenset[str] = frozenset(f.name for f in RECORD if f.kind == "date")
REQUIRED: frozenset[str] = frozenset({"cccd", "full_name", "sex", "birth_date", "admission_date"})
