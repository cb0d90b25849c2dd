"""Rows of a member export, with each record's provenance on request."""

from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from typing import Any

from members.models import ACTIVE_STATUSES, FieldChange, Member
from orgs.models import Org

EXPORT_FIELDS = [
    "id",
    "cccd",
    "full_name",
    "sex",
    "birth_date",
    "birth_place",
    "hometown",
    "residence",
    "ethnicity",
    "religion",
    "education",
    "political_theory",
    "qualification",
    "foreign_language",
    "occupation",
    "position",
    "admission_date",
    "official_date",
    "card_number",
    "phone",
    "email",
    "status",
    "org_code",
    "org_name",
]


def export_rows(
    org: Org, *, with_provenance: bool = False, chunk: int = 2000
) -> Iterator[list[Any]]:
    """Active members of `org`'s subtree in Vietnamese name order, a chunk of queries at a time."""
    members = (
        Member.objects.filter(org__path__startswith=org.path, status__in=ACTIVE_STATUSES)
        .select_related("org")
        .order_by("sort_key", "id")
    )
    batch: list[Member] = []
    for member in members.iterator(chunk_size=chunk):
        batch.append(member)
        if len(batch) >= chunk:
            yield from _rows(batch, with_provenance)
            batch = []
    if batch:
        yield from _rows(batch, with_provenance)


def partial_iso(value: date | None, precision: str) -> str:
    """ISO 8601 to the precision on file: yyyy-mm-dd, yyyy-mm, or yyyy ("" when none)."""
    if value is None:
        return ""
    return value.isoformat()[: {"year": 4, "month": 7}.get(precision, 10)]


def _rows(members: list[Member], with_provenance: bool) -> Iterator[list[Any]]:
    sources: dict[int, list[str]] = defaultdict(list)
    duplicates: dict[int, list[str]] = defaultdict(list)
    problems: dict[int, list[str]] = defaultdict(list)
    if with_provenance:
        ids = [m.pk for m in members]
        for member_id, ref in (
            FieldChange.objects.filter(member_id__in=ids, source="import")
            .values_list("member_id", "source_ref")
            .distinct()
        ):
            # "batch 12 file.xlsx:34" -> "file.xlsx:34"
            location = ref.split(" ", 2)[-1]
            if location not in sources[member_id]:
                sources[member_id].append(location)
        from cleaning.models import BatchRow, DuplicateCandidate

        open_pairs = DuplicateCandidate.objects.filter(decision="open", member_b_id__in=ids)
        for member_id, batch_id, name, number in open_pairs.values_list(
            "member_b_id", "batch_id", "row_a__file__name", "row_a__row_number"
        ):
            duplicates[member_id].append(f"batch {batch_id} {name}:{number}")
        for member_id, row_problems in BatchRow.objects.filter(
            member_id__in=ids, batch__status="review"
        ).values_list("member_id", "problems"):
            # Open ones only: errors, and warnings not accepted (info problems were fixed).
            problems[member_id] += [
                p["code"]
                for p in row_problems
                if p.get("severity") in ("error", "warning") and not p.get("accepted")
            ]
    for m in members:
        row = [
            m.pk,
            m.cccd,
            m.full_name,
            m.sex,
            partial_iso(m.birth_date, m.birth_date_precision),
            m.birth_place,
            m.hometown,
            m.residence,
            m.ethnicity,
            m.religion,
            m.education,
            m.political_theory,
            m.qualification,
            m.foreign_language,
            m.occupation,
            m.position,
            partial_iso(m.admission_date, m.admission_date_precision),
            partial_iso(m.official_date, m.official_date_precision),
            m.card_number or "",
            m.phone,
            m.email,
            m.status,
            m.org.code,
            m.org.name,
        ]
        if with_provenance:
            row += [
                ";".join(sources[m.pk]),
                ";".join(duplicates[m.pk]),
                ";".join(sorted(set(problems[m.pk]))),
            ]
        yield row
