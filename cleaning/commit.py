"""Committing a reviewed batch: the registry is written in one transaction, with provenance.

Creating members uses bulk writes; each value keeps where it came from (batch, file and row).
Running a commit again, or importing the same file again, updates instead of duplicating:
rows are matched to members by CCCD at commit time.
"""

import functools
import operator
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

import orjson
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from audit.models import AuditEvent
from audit.services import AUDIT_COLUMNS, AuditContext, audit_log
from core.db import (
    adapt_rows,
    allocate_ids,
    analyze_if_grown,
    bulk_insert,
    dumps_json,
    is_postgresql,
    references_checked,
)
from core.gcpause import gc_paused
from core.tick import tick_after_commit
from lib.vn.dates import parse_date
from members.bulk import CHANGE_COLUMNS, EVENT_COLUMNS, MEMBER_COLUMNS
from members.models import EventKind, FieldChange, Member, MemberEvent, Source
from members.record import (
    QUALITY_COLUMNS,
    member_keys,
    member_keys_of,
    name_columns,
    quality_keys,
    status_when_admitted,
    status_when_admitted_sql,
)
from orgs.models import Org
from orgs.rollups import add_keys, counts_changed

from .matching import COMPARED, changed_fields, late_candidates
from .models import REVIEWED, Batch, BatchRow, DuplicateCandidate
from .services import batch_finished, duplicates_opened, leave_review, open_blockers

DATE_FIELDS = {"birth_date", "admission_date", "official_date"}
# The members' columns a commit's lookups filter on (their statistics kept up during a campaign).
ANALYZED = ("cccd", "card_number", "org_path", "org_id")


@dataclass(slots=True)
class _Row:
    """What a commit needs of a batch row (not its original values nor its problems)."""

    pk: int
    values: dict[str, str]
    batch_id: int
    file_name: str
    row_number: int

    @property
    def ref(self) -> str:
        return f"{self.file_name}:{self.row_number}"

    @property
    def source_ref(self) -> str:
        return f"batch {self.batch_id} {self.ref}"


@dataclass(slots=True)
class _New:
    """A member the commit creates, as its plan needs it: its row, cell and the few columns
    the plan checks (the rest is made from the row's values when written)."""

    row: _Row
    cell: Org
    cccd: str
    card_number: str | None
    id: int = 0


def _date(text: str) -> tuple[date | None, str]:
    """A stored value (ISO, or yyyy / yyyy-mm for partial dates) as a date and its precision."""
    if not text:
        return None, "day"
    if len(text) == 10:
        # The common case, a full ISO date as the cleaning rules store it: no parsing needed.
        try:
            return date.fromisoformat(text), "day"
        except ValueError:
            pass
    parsed, _problems = parse_date(text)
    if parsed is None:
        return None, "day"
    return parsed.as_date(), parsed.precision


def _field_value(name: str, text: str) -> Any:
    if name in DATE_FIELDS:
        return _date(text)[0]
    return text


_TEXT_COMPARED = [name for name in COMPARED if name not in DATE_FIELDS]
_DATE_COMPARED = [name for name in COMPARED if name in DATE_FIELDS and name != "birth_date"]
_member_columns = operator.attrgetter(*MEMBER_COLUMNS)  # a new member's row, in COPY's order


@functools.cache
def _member_defaults() -> dict[str, Any]:
    return {f.attname: f.get_default() for f in Member._meta.concrete_fields}


def _new_member(new: _New, now: Any) -> SimpleNamespace:
    """A new member's columns (a plain namespace: written with COPY, not saved as a model)."""
    row, cell = new.row, new.cell
    v = row.values
    birth, precision = _date(v.get("birth_date", ""))
    # Rows reach a commit only without errors, and a birth date is required.
    assert birth is not None, row.source_ref
    columns = _member_defaults().copy()
    for field in _TEXT_COMPARED:
        columns[field] = v.get(field, "")
    for field in _DATE_COMPARED:
        columns[field], columns[f"{field}_precision"] = _date(v.get(field, ""))
    official = columns.get("official_date")
    name = v.get("full_name", "")
    return SimpleNamespace(
        **{
            **columns,
            "cccd": v.get("cccd", ""),
            "cmnd": v.get("cmnd", "")[:9],
            "birth_date": birth,
            "birth_date_precision": precision,
            "card_number": (v.get("card_number") or None) if official else None,
            "resume_number": v.get("resume_number", "")[:32],
            "org_id": cell.id,
            **name_columns(name, cell.path),
            "status": status_when_admitted(official),
            "exempt": False,
            "id": new.id,
            "created_at": now,
            "updated_at": now,
        }
    )


class TurnTaken(Exception):
    """Another commit of the batch's province holds its turn, and the caller would not wait
    (`batch_commit(wait=False)`): nothing was read or written."""


@gc_paused()
def batch_commit(
    *, batch: Batch, by: Any = None, ctx: AuditContext | None = None, wait: bool = True
) -> dict[str, int]:
    """Write a reviewed batch into the registry; refuses while blocking problems remain.

    Commits in one province take turns (a transaction-level advisory lock on PostgreSQL), so
    two units writing the same person never race: the later one meets the earlier one's
    member among its late pairs, before writing anything, instead of failing on the unique
    CCCD after waiting for the other's whole commit and throwing its own work away. The turn
    covers the plan too (reading the rows and their members, building what will be written):
    a plan made while another commit of the province wrote was thrown away whenever that
    commit wrote one of its people, which on the city's units (an unclosed transfer in the
    next unit) cost more than waiting (docs/architecture.md). It is still built again if it
    went stale meanwhile (an official changed one of its members).

    With `wait=False` a commit whose turn is taken raises `TurnTaken` at once, so a worker can
    do other work (process another batch) and try again, instead of leaving its core idle.
    """
    summary: dict[str, int] = {}
    try:
        with transaction.atomic():
            locked = _locked_for_commit(batch)
            _take_turn(locked, wait=wait)
            # The province's late pairs are all there now: no plan is made only to be refused.
            late = _record_late_pairs(locked)
            if not late:
                plan = _plan(locked, by)
                # Those written since by what does not take turns: another province's commit
                # (the plan met them as foreign rows), an official's edit (the plan is stale).
                # A plan neither touched, the common case, is written without looking again.
                if plan.foreign or _stale(plan):
                    late = _record_late_pairs(locked)
                    if not late:
                        plan = _plan(locked, by)
                if not late:
                    summary = _apply(plan, by=by, ctx=ctx)
    except IntegrityError:
        # Another province's commit wrote one of these people while we wrote (a person in two
        # provinces): nothing was written; the pair is found now and goes to their ancestor.
        with transaction.atomic():
            late = _record_late_pairs(batch)
        _refuse(late)
        raise _refusal(
            gettext_lazy(
                "Một lần ghi khác vừa thay đổi các hồ sơ này nên chưa ghi gì; hãy bấm ghi lại."
            )
        ) from None
    _refuse(late)
    # The next batches look members up by CCCD, card number, id and subtree: the planner must
    # know the registry has grown (and only those columns are sampled: a whole ANALYZE of the
    # members, with its expression indexes, took 1.0-1.35 s, these 0.17-0.19 s).
    analyze_if_grown(Member._meta.db_table, columns=ANALYZED)
    return summary


def batch_commit_later(*, batch: Batch, by: Any = None, ctx: AuditContext | None = None) -> Batch:
    """Queue a reviewed batch's commit for the worker (the page's "Ghi vào hồ sơ"): a city
    unit's batch takes seconds, a province's upload minutes, longer than a request may last.

    What can be checked now is checked now, so the page says at once what still blocks it;
    the batch is then "committing": no review change, nothing more to check. The worker's
    commit checks again (another unit may have written one of these people meanwhile) and,
    if it refuses, puts the batch back in review with the reason.
    """
    with transaction.atomic():
        locked = _locked_for_commit(batch)
        if locked.status != Batch.Status.REVIEW:
            return locked  # queued already
        Batch.objects.filter(pk=locked.pk).update(
            status=Batch.Status.COMMITTING,
            error="",
            error_en="",
            progress=0,
            progress_note=_("Đang chờ ghi vào hồ sơ…"),
        )
        audit_log(
            actor=by,
            action="batch.commit_queued",
            object_type="batch",
            object_id=locked.pk,
            ctx=ctx,
        )
        from .tasks import batch_commit as task

        # In the same transaction, as processing's: the task exists exactly when the status says so.
        task.enqueue(locked.pk, by.pk if getattr(by, "is_authenticated", False) else None)
    locked.refresh_from_db()
    return locked


def _take_turn(batch: Batch, *, wait: bool = True) -> None:
    """Wait for the other commits of the batch's province to finish (PostgreSQL; SQLite writes
    one transaction at a time anyway), or with `wait=False` raise `TurnTaken` if one is under
    way. Held until this transaction ends."""
    if not is_postgresql():
        return
    key = [turn_key(batch.org.path)]
    with connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", key)
            return
        cursor.execute("SELECT pg_try_advisory_xact_lock(hashtext(%s))", key)
        if not cursor.fetchone()[0]:
            raise TurnTaken(batch.pk)


def turn_key(org_path: str) -> str:
    """The lock all commits of an organisation's province share."""
    return f"partyorg commit {org_path[:8]}"


def _record_late_pairs(batch: Batch) -> list[DuplicateCandidate]:
    """Pairs with members committed by other units since the batch was matched, recorded."""
    locked = Batch.objects.select_for_update().get(pk=batch.pk)
    late = late_candidates(locked) if locked.status in REVIEWED else []
    if late:
        DuplicateCandidate.objects.bulk_create(late)
        duplicates_opened(late)
    return late


def _refuse(late: list[DuplicateCandidate]) -> None:
    """Refuse the commit while late pairs wait for their decision."""
    if late:
        raise _refusal(
            ngettext_lazy(
                "Có %(n)d người vừa được đơn vị khác ghi vào cơ sở dữ liệu với cùng số CCCD: hãy quyết định cặp nghi trùng trước khi ghi.",
                "Có %(n)d người vừa được đơn vị khác ghi vào cơ sở dữ liệu với cùng số CCCD: hãy quyết định các cặp nghi trùng trước khi ghi.",
                "n",
            ),
            n=len(late),
        )


def _whole_record(member_id: int, source_ref: str, actor_id: Any, now: Any) -> tuple[Any, ...]:
    """A provenance row (CHANGE_COLUMNS) saying a source stands behind the whole record ("*")."""
    return (member_id, "*", "", "", Source.IMPORT.value, source_ref, actor_id, now)


def _refusal(message: Any, **params: Any) -> ValidationError:
    """Why a commit is refused, worded when read (not when raised): the page reads it in its
    reader's language, and the worker stores it in both (tasks.batch_commit)."""
    return ValidationError({"batch": [ValidationError(message, params=params)]})


def _refuse_taken_cards(created: list[_New]) -> None:
    """Card numbers are unique: refuse, naming each row, a card that another member holds or
    that two rows of the batch share (rather than let the unique index fail the commit)."""
    first: dict[str, _Row] = {}
    problems = []
    for new in created:
        row = new.row
        if not new.card_number:
            continue
        if new.card_number in first:
            problems.append(
                ValidationError(
                    gettext_lazy(
                        "Dòng %(ref)s: số thẻ đảng viên %(card)s trùng với dòng %(other)s."
                    ),
                    params={
                        "ref": row.ref,
                        "card": new.card_number,
                        "other": first[new.card_number].ref,
                    },
                )
            )
        else:
            first[new.card_number] = row
    for card in Member.objects.filter(card_number__any=list(first)).values_list(
        "card_number", flat=True
    ):
        problems.append(
            ValidationError(
                gettext_lazy(
                    "Dòng %(ref)s: số thẻ đảng viên %(card)s đã thuộc một đảng viên khác."
                ),
                params={"ref": first[str(card)].ref, "card": card},
            )
        )
    if problems:
        raise ValidationError({"batch": problems})


def _locked_for_commit(batch: Batch) -> Batch:
    """The batch, locked against review changes, if it may be committed now."""
    batch = Batch.objects.select_for_update(of=("self",)).select_related("org").get(pk=batch.pk)
    if batch.status not in REVIEWED:
        raise _refusal(
            gettext_lazy("Lô dữ liệu không ở trạng thái chờ rà soát (%(s)s)."),
            s=batch.get_status_display(),
        )
    bad_rows, open_duplicates = open_blockers(batch)
    if bad_rows or open_duplicates:
        raise _refusal(
            gettext_lazy(
                "Còn %(rows)d dòng có lỗi và %(dups)d cặp nghi trùng chưa quyết định: hãy sửa, bỏ qua hoặc quyết định trước khi ghi."
            ),
            rows=bad_rows,
            dups=open_duplicates,
        )
    return batch


@dataclass
class _Plan:
    """Everything a commit writes, worked out before its province's turn (the turn is for
    writing: other commits of the province wait only for that)."""

    batch: Batch
    now: datetime
    actor_id: int | None
    label: str
    rows: int
    created: list[_New]
    updates: list[tuple[_Row, Member, list[str]]]
    same: int
    # Rows whose CCCD is a member of another unit: late pairs, or pairs decided otherwise.
    foreign: list[_Row]
    # The history of the members it updates and merges into (the new members' is made as
    # they are written).
    changes: list[tuple[Any, ...]]
    audits: list[tuple[Any, ...]]
    deltas: defaultdict[tuple[int, str], int]
    # When each member to update was last changed, as the plan saw it.
    seen: dict[int, datetime]
    # Whether PostgreSQL makes the new members from their staged rows (_created_in_database).
    in_database: bool


def _card_of(values: dict[str, str]) -> str | None:
    """A new member's card number: only an official member has a card."""
    return (values.get("card_number") or None) if values.get("official_date") else None


def _keys_of_new(values: dict[str, str]) -> list[str]:
    """The counters a new member adds one to (orgs.rollups.member_keys_of of its columns)."""
    birth = _date(values.get("birth_date", ""))[0]
    assert birth is not None  # required: a row without it has an error and is not committed
    sex = values.get("sex", "")
    official = _date(values.get("official_date", ""))[0]
    admitted, precision = _date(values.get("admission_date", ""))
    status = status_when_admitted(official)
    columns: dict[str, Any] = {name: values.get(name, "") for name in QUALITY_COLUMNS}
    columns.update(
        card_number=_card_of(values),
        official_date=official,
        admission_date=admitted,
        admission_date_precision=precision,
    )
    return member_keys(
        status=status,
        sex=sex,
        birth_date=birth,
        exempt=False,
        quality=quality_keys(sex=sex, birth_date=birth, status=status, values=columns),
    )


def _plan(batch: Batch, by: Any) -> _Plan:
    """Read the batch's rows and their members, and build every row the commit will write."""
    now = timezone.now()
    rows = [
        _Row(pk, orjson.loads(values), batch.pk, name, number)
        for pk, values, name, number in BatchRow.objects.filter(batch=batch, skipped=False)
        .order_by("id")
        .values_list("id", Cast("values", TextField()), "file__name", "row_number")
        .iterator(chunk_size=5000)
    ]
    cells = {
        o.code: o for o in Org.objects.filter(code__in={r.values.get("cell", "") for r in rows})
    }
    cccds = [r.values["cccd"] for r in rows if r.values.get("cccd")]
    existing = {
        found.cccd: found for found in Member.objects.filter(cccd__any=cccds).select_related("org")
    }
    created: list[_New] = []
    member_of_row: dict[int, int] = {}
    updates: list[tuple[_Row, Member, list[str]]] = []
    foreign: list[_Row] = []
    same = 0
    seen: set[str] = set()
    for row in rows:
        cccd = row.values.get("cccd", "")
        if cccd in seen:
            continue  # a duplicate row decided as the same person: the first one wins
        seen.add(cccd)
        member: Member | None = existing.get(cccd)
        if member is None:
            cell = cells.get(row.values.get("cell", ""))
            if cell is None or not cell.path.startswith(batch.org.path):
                raise _refusal(
                    gettext_lazy("Dòng %(ref)s: chi bộ không thuộc %(org)s."),
                    ref=row.ref,
                    org=batch.org.name,
                )
            created.append(_New(row, cell, cccd, _card_of(row.values)))
        elif not member.org.path.startswith(batch.org.path):
            foreign.append(row)
        else:
            fields = changed_fields(row.values, member)
            if fields:
                updates.append((row, member, fields))
            else:
                same += 1
            member_of_row[row.pk] = member.pk
    deltas: defaultdict[tuple[int, str], int] = defaultdict(int)
    # Ids are reserved first so that events and provenance can point at the new members.
    actor = by if getattr(by, "is_authenticated", False) else None
    actor_id, label = (actor.pk if actor else None), (getattr(by, "username", "") or "system")
    for new, new_id in zip(created, allocate_ids(Member._meta.db_table, len(created)), strict=True):
        new.id = new_id
        member_of_row[new.row.pk] = new_id
        add_keys(deltas, new.cell.id, _keys_of_new(new.row.values), 1)
    changes: list[tuple[Any, ...]] = []
    audits: list[tuple[Any, ...]] = []
    seen_at = {member.pk: member.updated_at for _r, member, _f in updates}
    for row, member, fields in updates:
        add_keys(deltas, member.org_id, member_keys_of(member), -1)
        for name in fields:
            old = getattr(member, name)
            new_value = _field_value(name, row.values[name])
            changes.append(
                (
                    member.id,
                    name,
                    "" if old is None else str(old),
                    row.values[name],
                    Source.IMPORT.value,
                    row.source_ref,
                    actor_id,
                    now,
                )
            )
            setattr(member, name, new_value)
            if name in DATE_FIELDS:  # a partial date stays partial (yyyy, yyyy-mm)
                setattr(member, f"{name}_precision", _date(row.values[name])[1])
        if "full_name" in fields:
            for column, value in name_columns(member.full_name, member.org_path).items():
                setattr(member, column, value)
        member.updated_at = now
        add_keys(deltas, member.org_id, member_keys_of(member), 1)
        audits.append(
            (
                now,
                actor_id,
                label,
                "member.update",
                "member",
                str(member.pk),
                None,
                dumps_json({"fields": fields, "batch": batch.pk}),
            )
        )
    # Rows decided to be the same person as a kept row: merged into its member, and their
    # source stays in its history (exports list every file:row behind a record).
    for kept, name, number in DuplicateCandidate.objects.filter(
        batch=batch, decision=DuplicateCandidate.Decision.SAME, row_b__isnull=False
    ).values_list("row_a_id", "row_b__file__name", "row_b__row_number"):
        if kept in member_of_row:
            changes.append(
                _whole_record(
                    member_of_row[kept], f"batch {batch.pk} {name}:{number}", actor_id, now
                )
            )
    in_database = bool(created) and is_postgresql() and _readable_in_database(created)
    if in_database:
        _send_new(created)
    return _Plan(
        batch,
        now,
        actor_id,
        label,
        len(rows),
        created,
        updates,
        same,
        foreign,
        changes,
        audits,
        deltas,
        seen_at,
        in_database,
    )


def _dated(source: dict[str, str], source_json: str, precision: str) -> str:
    """An event's detail: its source, and the precision of its date when only the year or
    the month is known (the member page then shows "2010", not "01/01/2010")."""
    if precision == "day":
        return source_json
    return dumps_json({**source, "precision": precision})


def _stale(plan: _Plan) -> bool:
    """Whether another commit changed, while this one waited for its turn, what its plan read:
    wrote a member with a CCCD it would create, or changed a member it would update."""
    cccds = [new.cccd for new in plan.created if new.cccd]
    if Member.objects.filter(cccd__any=cccds).exists():
        return True
    return any(
        plan.seen[pk] != updated_at
        for pk, updated_at in Member.objects.filter(pk__any=list(plan.seen)).values_list(
            "pk", "updated_at"
        )
    )


def _created_in_python(plan: _Plan) -> list[tuple[Any, ...]]:
    """Write the new members with their events and provenance, and return their audit rows
    (SQLite, and a batch whose values PostgreSQL could not read as _created_in_database does)."""
    events: list[tuple[Any, ...]] = []
    changes: list[tuple[Any, ...]] = []
    audits: list[tuple[Any, ...]] = []
    members = [_new_member(new, plan.now) for new in plan.created]
    now, actor_id = plan.now, plan.actor_id
    for new_row, new in zip(plan.created, members, strict=True):
        row = new_row.row
        # JSON columns as text, made once here: the rows go to COPY as they are.
        source = {"source": row.source_ref}
        source_json = dumps_json(source)
        events.append(
            (
                new.id,
                EventKind.ADMITTED.value,
                new.admission_date,
                new.org_id,
                _dated(source, source_json, new.admission_date_precision),
                "",
                actor_id,
                now,
            )
        )
        if new.official_date:
            events.append(
                (
                    new.id,
                    EventKind.RECOGNISED.value,
                    new.official_date,
                    new.org_id,
                    _dated(source, source_json, new.official_date_precision),
                    "",
                    actor_id,
                    now,
                )
            )
            if new.card_number:
                card = {"card_number": new.card_number, **source}
                if new.official_date_precision != "day":
                    card["precision"] = new.official_date_precision
                events.append(
                    (
                        new.id,
                        EventKind.CARD_ISSUED.value,
                        new.official_date,
                        new.org_id,
                        dumps_json(card),
                        "",
                        actor_id,
                        now,
                    )
                )
        changes.append(_whole_record(new.id, row.source_ref, actor_id, now))
        audits.append(
            (
                now,
                actor_id,
                plan.label,
                "member.import",
                "member",
                str(new.id),
                None,
                dumps_json({"batch": plan.batch.pk, "row": row.ref}),
            )
        )
    bulk_insert(
        Member._meta.db_table,
        MEMBER_COLUMNS,
        adapt_rows(map(_member_columns, members), json=False),
    )
    bulk_insert(MemberEvent._meta.db_table, EVENT_COLUMNS, adapt_rows(events, json=False))
    bulk_insert(FieldChange._meta.db_table, CHANGE_COLUMNS, adapt_rows(changes, json=False))
    return audits


# The new members' stored values PostgreSQL reads itself: every date as the cleaning rules
# store it (yyyy-mm-dd, or yyyy-mm and yyyy when only the month or the year is known).
_ISO = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")


def _readable_in_database(created: list[_New]) -> bool:
    # A batch's dates repeat: each distinct one is checked once.
    texts = {new.row.values.get(name, "") for new in created for name in DATE_FIELDS}
    return all(
        not text or (_ISO.fullmatch(text) is not None and _date(text)[0] is not None)
        for text in texts
    )


_NEW = "partyorg_commit_new"  # a temporary table, dropped when the commit's transaction ends
_NEW_COLUMNS = ("row_id", "member_id", "org_id", "org_path", "search_name", "sort_key", "ref")


def _sql_date(name: str) -> tuple[str, str]:
    """SQL for a stored date value of the staged row `r` and for its precision."""
    text = f"(r.\"values\"->>'{name}')"
    value = (
        f"CASE length({text}) WHEN 10 THEN {text}::date WHEN 7 THEN ({text} || '-01')::date"
        f" WHEN 4 THEN ({text} || '-01-01')::date END"
    )
    precision = f"CASE length({text}) WHEN 7 THEN 'month' WHEN 4 THEN 'year' ELSE 'day' END"
    return value, precision


@functools.cache
def _member_select() -> str:
    """SELECT of a new member's columns (MEMBER_COLUMNS, as _new_member makes them) from its
    staged row `r` and the plan's row `n` of it; the fields' defaults as %(d_<column>)s."""
    official = "COALESCE(r.\"values\"->>'official_date', '') <> ''"
    exprs: dict[str, str] = {
        "id": "n.member_id",
        "org_id": "n.org_id",
        "org_path": "n.org_path",
        "search_name": "n.search_name",
        "sort_key": "n.sort_key",
        "cccd": "COALESCE(r.\"values\"->>'cccd', '')",
        "cmnd": "left(COALESCE(r.\"values\"->>'cmnd', ''), 9)",
        "resume_number": "left(COALESCE(r.\"values\"->>'resume_number', ''), 32)",
        "card_number": f"CASE WHEN {official} THEN NULLIF(r.\"values\"->>'card_number', '') END",
        "status": status_when_admitted_sql(official),
        "exempt": "false",
        "created_at": "%(now)s",
        "updated_at": "%(now)s",
    }
    for name in _TEXT_COMPARED:
        exprs[name] = f"COALESCE(r.\"values\"->>'{name}', '')"
    for name in DATE_FIELDS:
        exprs[name], exprs[f"{name}_precision"] = _sql_date(name)
    columns = ", ".join(connection.ops.quote_name(c) for c in MEMBER_COLUMNS)
    values = ", ".join(exprs.get(c, f"%(d_{c})s") for c in MEMBER_COLUMNS)
    return (
        f"INSERT INTO {Member._meta.db_table} ({columns}) SELECT {values} "
        f"FROM {_NEW} n JOIN {BatchRow._meta.db_table} r ON r.id = n.row_id"
    )


# A new member's events in the order _created_in_python writes them: admitted; then, for an
# official member, recognised and the card. Only a date known to the day has no precision.
# Made from what the members' INSERT returns (`m`), not by reading the members back.
_EVENTS_SQL = f"""
INSERT INTO {MemberEvent._meta.db_table} (member_id, kind, "on", org_id, detail, note, by_id, created_at)
SELECT e.member_id, e.kind, e.on, e.org_id, e.detail, '', %(actor)s::bigint, %(now)s::timestamptz FROM (
    SELECT m.id AS member_id, 1 AS ord, %(admitted)s AS kind, m.admission_date AS on, m.org_id,
        jsonb_build_object('source', %(prefix)s || n.ref) || CASE
            WHEN m.admission_date_precision = 'day' THEN '{{}}'::jsonb
            ELSE jsonb_build_object('precision', m.admission_date_precision) END AS detail
    FROM m JOIN {_NEW} n ON n.member_id = m.id
    UNION ALL
    SELECT m.id, 2, %(recognised)s, m.official_date, m.org_id,
        jsonb_build_object('source', %(prefix)s || n.ref) || CASE
            WHEN m.official_date_precision = 'day' THEN '{{}}'::jsonb
            ELSE jsonb_build_object('precision', m.official_date_precision) END
    FROM m JOIN {_NEW} n ON n.member_id = m.id
    WHERE m.official_date IS NOT NULL
    UNION ALL
    SELECT m.id, 3, %(card)s, m.official_date, m.org_id,
        jsonb_build_object('card_number', m.card_number, 'source', %(prefix)s || n.ref) || CASE
            WHEN m.official_date_precision = 'day' THEN '{{}}'::jsonb
            ELSE jsonb_build_object('precision', m.official_date_precision) END
    FROM m JOIN {_NEW} n ON n.member_id = m.id
    WHERE m.official_date IS NOT NULL AND m.card_number IS NOT NULL
) e ORDER BY e.member_id, e.ord
"""
_RETURNED = (
    "id, org_id, admission_date, admission_date_precision, official_date, "
    "official_date_precision, card_number"
)

_CHANGES_SQL = f"""
INSERT INTO {FieldChange._meta.db_table} ({", ".join(CHANGE_COLUMNS)})
SELECT n.member_id, '*', '', '', %(source)s, %(prefix)s || n.ref, %(actor)s::bigint, %(now)s::timestamptz
FROM {_NEW} n ORDER BY n.member_id
"""

_AUDITS_SQL = f"""
INSERT INTO {AuditEvent._meta.db_table} ({", ".join(AUDIT_COLUMNS)})
SELECT %(now)s::timestamptz, %(actor)s::bigint, %(label)s, 'member.import', 'member', n.member_id::text, NULL,
    jsonb_build_object('batch', %(batch)s::bigint, 'row', n.ref)
FROM {_NEW} n ORDER BY n.member_id
"""


def _send_new(created: list[_New]) -> None:
    """What PostgreSQL cannot make itself of the new members (their ids, cells, name search
    and sort keys), sent to a temporary table before the province's turn: in its turn the
    commit only runs _created_in_database."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {_NEW} (row_id bigint, member_id bigint, "
            "org_id bigint, org_path varchar(255), search_name varchar(128), "
            "sort_key varchar(255), ref text) ON COMMIT DROP"
        )
        cursor.execute(f"TRUNCATE {_NEW}")
    bulk_insert(
        _NEW,
        _NEW_COLUMNS,
        (
            (
                new.row.pk,
                new.id,
                new.cell.id,
                columns["org_path"],
                columns["search_name"],
                columns["sort_key"],
                new.row.ref,
            )
            for new in created
            for columns in [name_columns(new.row.values.get("full_name", ""), new.cell.path)]
        ),
    )


def _created_in_database(plan: _Plan) -> None:
    """The same rows as _created_in_python, made by PostgreSQL from the staged rows' values
    and what _send_new sent: not every column of every member, event and provenance row
    formatted in Python and parsed again by COPY."""
    params = {
        **_sql_params(plan),
        "prefix": f"batch {plan.batch.pk} ",
        "source": Source.IMPORT.value,
        "admitted": EventKind.ADMITTED.value,
        "recognised": EventKind.RECOGNISED.value,
        "card": EventKind.CARD_ISSUED.value,
        **{f"d_{name}": value for name, value in _member_defaults().items()},
    }
    with connection.cursor() as cursor:
        # One statement: the members' INSERT, and their events from the rows it returns.
        cursor.execute(
            f"WITH m AS ({_member_select()} RETURNING {_RETURNED}) {_EVENTS_SQL}", params
        )
        cursor.execute(_CHANGES_SQL, params)


def _sql_params(plan: _Plan) -> dict[str, Any]:
    """The parameters every statement of _created_in_database and its audit rows share."""
    return {"now": plan.now, "actor": plan.actor_id, "label": plan.label, "batch": plan.batch.pk}


def _created_audits_in_database(plan: _Plan) -> None:
    with connection.cursor() as cursor:
        cursor.execute(_AUDITS_SQL, _sql_params(plan))


def _apply(plan: _Plan, *, by: Any, ctx: AuditContext | None) -> dict[str, int]:
    """Write a plan (in the province's turn, in the commit's transaction)."""
    batch, now = plan.batch, plan.now
    if plan.foreign:
        raise _refusal(
            gettext_lazy(
                "Dòng %(ref)s: CCCD thuộc đảng viên của tổ chức khác; hãy quyết định cặp nghi trùng."
            ),
            ref=plan.foreign[0].ref,
        )
    _refuse_taken_cards(plan.created)
    leave_review(batch)
    # COPY on PostgreSQL (executemany on SQLite). The new members' organisations are the cells
    # the plan looked up, and the events and provenance point at the ids it reserved for them
    # or at members it read (never deleted): PostgreSQL need not check each reference again.
    in_database = plan.in_database
    audits: list[tuple[Any, ...]] = []
    with references_checked(
        Member._meta.db_table, MemberEvent._meta.db_table, FieldChange._meta.db_table
    ):
        if in_database:
            _created_in_database(plan)
        elif plan.created:
            audits = _created_in_python(plan)
        bulk_insert(
            FieldChange._meta.db_table, CHANGE_COLUMNS, adapt_rows(plan.changes, json=False)
        )
    if plan.updates:
        update_fields = sorted(
            {f for _r, _m, fs in plan.updates for f in fs}
            | {f"{f}_precision" for _r, _m, fs in plan.updates for f in fs if f in DATE_FIELDS}
            | {"search_name", "sort_key", "updated_at"}
        )
        Member.objects.bulk_update(
            [m for _r, m, _f in plan.updates], update_fields, batch_size=1000
        )
    if in_database:
        _created_audits_in_database(plan)
    # Their JSON is text already: PostgreSQL takes the rows as they are.
    audits.extend(plan.audits)
    bulk_insert(AuditEvent._meta.db_table, AUDIT_COLUMNS, adapt_rows(audits, json=False))
    tick_after_commit()
    counts_changed(plan.deltas)
    summary = {
        "created": len(plan.created),
        "updated": len(plan.updates),
        "same": plan.same,
        "skipped": batch.rows_total - plan.rows,
    }
    Batch.objects.filter(pk=batch.pk).update(
        status=Batch.Status.COMMITTED,
        committed_at=now,
        committed_by=by if getattr(by, "is_authenticated", False) else None,
        commit_summary=summary,
    )
    audit_log(
        actor=by,
        action="batch.commit",
        object_type="batch",
        object_id=batch.pk,
        detail=summary,
        ctx=ctx,
    )
    batch_finished(org=batch.org, on=now)
    return summary
