"""Duplicates of a batch: exact CCCD against the registry and within the batch, then fuzzy."""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models.fields.json import KT
from django.db.models.functions import Left

from lib.cleaning.typed import typed_delta
from lib.record import RECORD
from members.models import Member
from members.record import partial_date
from orgs.models import Org

from .models import Batch, BatchRow, DuplicateCandidate

# Fields compared to decide whether a matched member needs an update: the record's typed fields
# that spreadsheets carry, but the identifiers (matched on already).
COMPARED = [
    f.name
    for f in RECORD
    if f.imported and f.typed and f.name not in {"cccd", "cmnd", "resume_number"}
]


@dataclass(slots=True)
class StagedRow:
    """A batch row between cleaning and its write (a model instance per row would cost more
    than the row's own matching)."""

    id: int  # reserved (core.db.allocate_ids) before matching
    file_id: int
    row_number: int
    original: dict[str, str]
    values: dict[str, str]
    problems: list[dict[str, Any]]
    errors: int
    warnings: int
    member: Member | None = None
    action: str = ""
    skipped: bool = False

    def columns(self, batch_id: int, json: Callable[[Any], Any]) -> tuple[Any, ...]:
        """The row as BatchRow's columns, in the order of ROW_COLUMNS, its JSON encoded by
        `json` (core.db.json_for_copy): what bulk_insert takes as it is."""
        member_id = self.member.pk if self.member is not None else None
        original = typed_delta(self.original, self.values)  # the text as typed, where it differs
        return (self.id, batch_id, self.file_id, self.row_number, json(original),
                json(self.values), json(self.problems), "{}", self.errors,
                self.warnings, member_id, self.action, "", self.skipped)  # fmt: skip


ROW_COLUMNS = [
    "id",
    "batch_id",
    "file_id",
    "row_number",
    "original",
    "values",
    "problems",
    "edits",
    "errors",
    "warnings",
    "member_id",
    "action",
    "duplicate_group",
    "skipped",
]


def common_ancestor(a: Org, b: Org) -> Org:
    """The nearest organisation above (or equal to) both: it decides between their records."""
    length = 0
    for i in range(4, min(len(a.path), len(b.path)) + 1, 4):
        if a.path[:i] == b.path[:i]:
            length = i
        else:
            break
    return Org.objects.get(path=a.path[:length])


def member_values(member: Member) -> dict[str, str]:
    out = {}
    for name in COMPARED:
        value = getattr(member, name)
        out[name] = (
            value.isoformat()
            if hasattr(value, "isoformat")
            else ("" if value is None else str(value))
        )
    if member.birth_date_precision == "year":
        out["birth_date"] = str(member.birth_date.year)
    elif member.birth_date_precision == "month":
        out["birth_date"] = member.birth_date.strftime("%Y-%m")
    return out


def changed_fields(values: dict[str, str], member: Member) -> list[str]:
    current = member_values(member)
    return [name for name in COMPARED if values.get(name) and values[name] != current.get(name, "")]


def match_batch(batch: Batch, rows: list[StagedRow]) -> list[DuplicateCandidate]:
    """Set each row's action (create / update / same) and return its duplicate candidates.

    Runs before the rows are written, so that they are written once, with their action; the
    caller writes the candidates after the rows.
    """
    org = batch.org
    by_cccd: dict[str, list[StagedRow]] = defaultdict(list)
    for row in rows:
        cccd = row.values.get("cccd", "")
        if len(cccd) == 12 and cccd.isdigit():
            by_cccd[cccd].append(row)
    members = {
        found.cccd: found
        for found in Member.objects.filter(cccd__any=list(by_cccd)).select_related("org")
    }
    candidates: list[DuplicateCandidate] = []
    for cccd, same in by_cccd.items():
        first = same[0]
        # The same CCCD twice in the batch: exact duplicates, decided by the unit.
        for other in same[1:]:
            identical = {k: v for k, v in first.original.items() if k != "cell"} == {
                k: v for k, v in other.original.items() if k != "cell"
            }
            candidates.append(
                DuplicateCandidate(
                    batch=batch,
                    row_a_id=first.id,
                    row_b_id=other.id,
                    decider=org,
                    score=100,
                    exact=True,
                    reasons=["identical_row" if identical else "cccd"],
                )
            )
        member = members.get(cccd)
        if member is None:
            continue
        if member.org.path.startswith(org.path):
            for row in same:
                row.member = member
        else:
            # The same person in another unit: a transfer never closed, or a wrong CCCD.
            candidates.append(_other_unit_pair(batch, member, row_a_id=same[0].id))
    candidates += _fuzzy(batch, rows)
    for row in rows:
        if row.member is not None:
            row.action = (
                BatchRow.Action.UPDATE
                if changed_fields(row.values, row.member)
                else BatchRow.Action.SAME
            )
        else:
            row.action = BatchRow.Action.CREATE
    return candidates


def _other_unit_pair(batch: Batch, member: Member, **row_a: Any) -> DuplicateCandidate:
    """A row with the CCCD of a member of another unit: for their nearest common ancestor."""
    return DuplicateCandidate(
        batch=batch,
        member_b=member,
        decider=common_ancestor(batch.org, member.org),
        score=100,
        exact=True,
        reasons=["cccd", "other_unit"],
        **row_a,
    )


# At most this many birth dates a batch are looked up in the province's other units.
CROSS_UNIT_DATES = 2000


def _usable_cccd(row: StagedRow) -> bool:
    """Whether the row's CCCD can be trusted to find the person: 12 digits, no error on it."""
    cccd = row.values.get("cccd", "")
    return (
        len(cccd) == 12
        and cccd.isdigit()
        and not any(p["field"] == "cccd" and p["severity"] == "error" for p in row.problems)
    )


def _fuzzy(batch: Batch, rows: list[StagedRow]) -> list[DuplicateCandidate]:
    """People who look like another row or a member of the unit; rows without a usable CCCD
    are also compared with the members of the province's other units born the same day."""
    from lib.cleaning.match import Person, find_candidates
    from lib.vn.dates import PartialDate, parse_date

    # Rows have no id yet: they are keyed by their place in the batch.
    index = {id(row): i for i, row in enumerate(rows)}

    def birth_of(text: str) -> PartialDate | date | None:
        if len(text) == 10:  # a full ISO date, as the rules store it: no parsing needed
            try:
                return date.fromisoformat(text)
            except ValueError:
                pass
        return parse_date(text)[0] if text else None

    def person_of_row(row: StagedRow) -> Any:
        birth = birth_of(row.values.get("birth_date", ""))
        return Person(
            key=f"r{index[id(row)]}",
            full_name=row.values.get("full_name", ""),
            sex=row.values.get("sex", ""),
            birth=birth,
            cccd=row.values.get("cccd", ""),
            phone=row.values.get("phone", ""),
            hometown=row.values.get("hometown", ""),
            birth_place=row.values.get("birth_place", ""),
            residence=row.values.get("residence", ""),
            admission=birth_of(row.values.get("admission_date", "")),
            ethnicity=row.values.get("ethnicity", ""),
        )

    people = [person_of_row(r) for r in rows]
    # Plain tuples, not model instances: a unit's members, and its province's look-alikes.
    fields = ("id", "full_name", "sex", "birth_date", "cccd", "phone", "hometown", "org_path",
              "birth_place", "residence", "admission_date", "ethnicity",
              "birth_date_precision", "admission_date_precision")  # fmt: skip
    members = list(Member.objects.filter(org__path__startswith=batch.org.path).values_list(*fields))
    # A row without a usable CCCD may be someone another unit of the province holds (a
    # transfer never closed, a number mistyped): its look-alikes there are found by birth date.
    unsure = [
        p.birth
        for p, row in zip(people, rows, strict=True)
        if type(p.birth) is date and not _usable_cccd(row)
    ]
    # Bounded: a file with no CCCD column at all would read most of the province. Its rows
    # cannot be committed before their numbers are typed, and then exact matching finds them.
    if unsure and len(set(unsure)) <= CROSS_UNIT_DATES:
        members += (
            Member.objects.annotate(province=Left("org_path", 8))  # index member_province_birth
            .filter(province=batch.org.path[:8], birth_date__in=sorted(set(unsure)))
            .exclude(org_path__startswith=batch.org.path)
            .values_list(*fields)
        )
    registry = [
        Person(
            key=f"m{pk}",
            full_name=full_name,
            sex=sex,
            # An old member's dates may be known only to the year or month: compared as such.
            birth=partial_date(birth_date, birth_precision),
            cccd=cccd,
            phone=phone,
            hometown=hometown,
            birth_place=birth_place,
            residence=residence,
            admission=partial_date(admission, admission_precision),
            ethnicity=ethnicity,
        )
        for pk, full_name, sex, birth_date, cccd, phone, hometown, _path, birth_place, residence,
        admission, ethnicity, birth_precision, admission_precision in members
    ]  # fmt: skip
    paths = {m[0]: (m[4], m[7]) for m in members}  # id -> (cccd, org_path)
    by_key = {f"r{i}": r for i, r in enumerate(rows)}
    out = []
    for candidate in find_candidates(people, registry):
        if candidate.exact:
            continue  # exact CCCD matches were handled above
        a, b = by_key.get(candidate.a_key), by_key.get(candidate.b_key)
        member_id = None
        if b is None and candidate.b_key.startswith("m"):
            member_id = int(candidate.b_key[1:])
        if a is None or (b is None and member_id not in paths):
            continue
        decider = batch.org
        if member_id is not None:
            cccd, path = paths[member_id]
            if a.values.get("cccd") == cccd:
                continue
            if not path.startswith(batch.org.path):
                # Another unit's member: their nearest common ancestor decides.
                their_unit = Member.objects.select_related("org").get(pk=member_id).org
                decider = common_ancestor(batch.org, their_unit)
        out.append(
            DuplicateCandidate(
                batch=batch,
                row_a_id=a.id,
                row_b_id=b.id if b is not None else None,
                member_b_id=member_id,
                decider=decider,
                score=int(candidate.score),
                exact=False,
                reasons=list(candidate.reasons),
            )
        )
    return out


def late_candidates(batch: Batch) -> list[DuplicateCandidate]:
    """Rows whose CCCD became a member of another unit after the batch was matched.

    Two units that upload the same person at the same time both find no one at processing;
    whichever commits second meets the other's new member here. The pair goes to their
    nearest common ancestor like any other, instead of failing the commit without a pair.
    """
    # The batch's rows by their batch index; "no member yet" is checked here, not in SQL, where
    # it would tempt the planner into reading every staged row without a member.
    rows = {
        cccd: row_id
        for cccd, row_id, member_id in BatchRow.objects.filter(
            batch=batch, skipped=False
        ).values_list(KT("values__cccd"), "id", "member_id")  # as text: nothing to decode
        if cccd and member_id is None
    }
    known = set(
        DuplicateCandidate.objects.filter(batch=batch, member_b__isnull=False).values_list(
            "row_a_id", "member_b_id"
        )
    )
    # Only the members of other units are read whole, to make their pairs.
    foreign = [
        pk
        for pk, cccd, path in Member.objects.filter(cccd__any=list(rows)).values_list(
            "pk", "cccd", "org_path"
        )
        if not path.startswith(batch.org.path) and (rows[cccd], pk) not in known
    ]
    return [
        _other_unit_pair(batch, member, row_a_id=rows[member.cccd])
        for member in Member.objects.filter(pk__any=foreign).select_related("org").order_by("pk")
    ]
