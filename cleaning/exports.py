"""The member export with each record's provenance (`partyorg export members --with-provenance`):
the files and rows a record came from, and the problems and duplicate pairs still open on it in
the cleaning campaign. The rows themselves, and the one neutralising writer, are
members.exports'."""

from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import Any

from django.db.models import Q

from members.exports import EXPORT_FIELDS, rows_of, subtree_members
from members.models import FieldChange, Member
from orgs.models import Org

from .models import BatchRow, DuplicateCandidate

PROVENANCE_FIELDS = ["sources", "suspected_duplicates", "open_problems"]


def export_header(*, with_provenance: bool = False) -> list[str]:
    return [*EXPORT_FIELDS, *(PROVENANCE_FIELDS if with_provenance else [])]


def export_rows(org: Org, *, with_provenance: bool = False) -> Iterator[list[Any]]:
    """Active members of `org`'s subtree in Vietnamese name order, with their provenance."""
    return rows_of(subtree_members(org), extra=provenance_of if with_provenance else None)


def _suspects(
    row_a: int | None,
    row_a_member: int | None,
    row_b: int | None,
    row_b_member: int | None,
    member_b: int | None,
) -> tuple[tuple[str, int | None], tuple[str, int | None]]:
    """The two records of a duplicate pair by id: a member ("member", id) where the side is one
    or a staged row updates one, else the staged row ("row", id: the annotated workbook's
    row id)."""
    a = ("member", row_a_member) if row_a_member else ("row", row_a)
    if member_b:
        return a, ("member", member_b)
    return a, (("member", row_b_member) if row_b_member else ("row", row_b))


def provenance_of(members: list[Member]) -> Mapping[int, list[str]]:
    """For each member: the file:row sources, the open pairs it is in, its open problems."""
    ids = [m.pk for m in members]
    sources: dict[int, list[str]] = defaultdict(list)
    duplicates: dict[int, list[str]] = defaultdict(list)
    problems: dict[int, list[str]] = defaultdict(list)
    for member_id, ref in (
        FieldChange.objects.filter(member_id__in=ids, source="import")
        .values_list("member_id", "source_ref")
        .distinct()
    ):
        # "batch 12 file.xlsx:34" -> "file.xlsx:34"
        location = ref.split(" ", 2)[-1]
        if location not in sources[member_id]:
            sources[member_id].append(location)
    # Rows in review (or queued for their commit) that update these members: their open
    # problems, and the pairs they are in.
    rows: dict[int, int] = {}
    for row_id, member_id, row_problems in BatchRow.objects.filter(
        member_id__in=ids, batch__status__in=("review", "committing")
    ).values_list("id", "member_id", "problems"):
        rows[row_id] = member_id
        # Open ones only: errors, and warnings not accepted (info problems were fixed).
        problems[member_id] += [
            p["code"]
            for p in row_problems
            if p.get("severity") in ("error", "warning") and not p.get("accepted")
        ]
    mine = set(ids)
    for pair in (
        DuplicateCandidate.objects.filter(decision="open")
        .filter(Q(member_b_id__in=ids) | Q(row_a_id__in=rows) | Q(row_b_id__in=rows))
        .values_list("row_a_id", "row_a__member_id", "row_b_id", "row_b__member_id", "member_b_id")
    ):
        a, b = _suspects(*pair)
        for me, other in ((a, b), (b, a)):
            if me[0] == "member" and me[1] in mine and other != me:
                duplicates[me[1]].append(f"{other[0]}:{other[1]}")
    return {
        pk: [
            ";".join(sources[pk]),
            ";".join(dict.fromkeys(duplicates[pk])),
            ";".join(sorted(set(problems[pk]))),
        ]
        for pk in ids
    }
