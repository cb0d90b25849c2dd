"""Reads of import batches and duplicates, scoped to the viewer's grants."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, Trim
from django.http import Http404
from django.utils.translation import gettext as _

from access.models import Role
from access.scope import Actor, can, scope_q, sees_cccd
from accounts.models import User
from lib.cleaning.columns import FIELDS
from lib.cleaning.rules import RULES
from lib.cleaning.shown import shown_date
from lib.vn.cccd import mask_cccd
from lib.vn.phones import format_phone_vn
from members.models import Member
from orgs.models import MEMBER_HOLDING_KINDS, Org
from orgs.selectors import orgs_visible_to

from .display import field_label, reason_words, rule_title, severity_word, value_shown
from .models import Batch, BatchRow, DuplicateCandidate


def batches_of(org: Org) -> QuerySet[Batch]:
    return (
        Batch.objects.filter(org__path__startswith=org.path)
        .select_related("org", "created_by")
        .order_by("-created_at")
    )


def get_batch_for_user(user: User, batch_id: int, role: str = Role.VIEWER) -> Batch:
    batch = Batch.objects.filter(pk=batch_id).select_related("org").first()
    if batch is None or not can(user, batch.org.path, role):
        raise Http404
    return batch


def get_row_for_user(user: User, batch: Batch, row_id: int) -> BatchRow:
    row = (
        BatchRow.objects.filter(pk=row_id, batch=batch).select_related("file", "batch__org").first()
    )
    if row is None:
        raise Http404
    return row


def batch_rows(
    batch: Batch, *, code: str = "", severity: str = "", file_id: int | None = None
) -> QuerySet[BatchRow]:
    rows = (
        BatchRow.objects.filter(batch=batch)
        .select_related("file", "member")
        .order_by("file_id", "row_number")
    )
    if severity == "error":
        rows = rows.filter(errors__gt=0)
    elif severity == "warning":
        rows = rows.filter(warnings__gt=0)
    elif severity == "ok":
        rows = rows.filter(errors=0, warnings=0)
    if file_id:
        rows = rows.filter(file_id=file_id)
    if code:
        # JSON containment differs between backends; a text match on the code is portable.
        rows = rows.filter(problems__icontains=f'"{code}"')
    return rows


# The cells in a file ----------------------------------------------------------------------


def _files_naming_cells(batch: Batch) -> list[int]:
    return [f.pk for f in batch.files.all() if "cell" in f.mapping.values()]


def _cell_as_typed() -> Trim:
    """A staged row's cell column as typed, trimmed. A row keeps its text as typed only where
    it differs from its value: the cell's text is the value itself where none is kept
    (lib.cleaning.typed)."""
    return Trim(Coalesce(KT("original__cell"), KT("values__cell")))


def rows_naming_cell(batch: Batch, text: str) -> QuerySet[BatchRow]:
    """The rows of a batch whose cell column says `text` (as typed, trimmed; "" for none)."""
    return (
        BatchRow.objects.filter(batch=batch, file_id__in=_files_naming_cells(batch))
        .alias(cell_text=_cell_as_typed())
        .filter(cell_text=text)
    )


@dataclass(frozen=True, slots=True)
class CellName:
    """A cell as a batch's files name it, and what became of its rows."""

    text: str  # as typed ("" where the column is blank)
    rows: int
    held: int  # rows in no cell of the organisation (cell.unknown), not skipped
    skipped: int
    cell: Org | None  # the cell most of its other rows are in


def cell_names(batch: Batch) -> list[CellName]:
    """Each distinct cell the batch's cell column names, with its rows: what the batch page's
    "cells in this file" maps to the organisation's cells, one name at a time. One grouped
    query, whatever the number of rows; empty when no file has a cell column."""
    files = _files_naming_cells(batch)
    if not files:
        return []
    groups = (
        BatchRow.objects.filter(batch=batch, file_id__in=files)
        .annotate(cell_text=_cell_as_typed(), cell_code=KT("values__cell"))
        .values_list("cell_text", "cell_code", "skipped")
        .annotate(n=Count("id"))
        .order_by()
    )
    by_text: dict[str, dict[str, Any]] = {}
    for text, code, skipped, n in groups:
        entry = by_text.setdefault(text or "", {"rows": 0, "held": 0, "skipped": 0, "cells": {}})
        entry["rows"] += n
        if skipped:
            entry["skipped"] += n
        elif not code:
            entry["held"] += n
        else:
            entry["cells"][code] = entry["cells"].get(code, 0) + n
    codes = {code for entry in by_text.values() for code in entry["cells"]}
    orgs = {o.code: o for o in Org.objects.filter(code__in=codes)}
    out = [
        CellName(
            text,
            entry["rows"],
            entry["held"],
            entry["skipped"],
            orgs.get(max(entry["cells"], key=entry["cells"].get)) if entry["cells"] else None,
        )
        for text, entry in by_text.items()
    ]
    return sorted(out, key=lambda c: (-c.held, -c.rows, c.text))


# Beyond this many cells a unit's picker is a search box (orgs.selectors.orgs_search).
CELL_PICKER_LIMIT = 300


def unit_cells(actor: Actor, org: Org) -> list[Org] | None:
    """The active cells (and party groups) of `org`'s subtree the actor may enter data in, for
    the picker of "cells in this file"; None when there are more than CELL_PICKER_LIMIT (the
    picker is then a search box)."""
    cells = list(
        orgs_visible_to(actor, Role.EDITOR)
        .filter(path__startswith=org.path, kind__in=MEMBER_HOLDING_KINDS, status=Org.Status.ACTIVE)
        .order_by("path")[: CELL_PICKER_LIMIT + 1]
    )
    return None if len(cells) > CELL_PICKER_LIMIT else cells


def rule_summary(batch: Batch) -> list[dict[str, Any]]:
    """Open problems of a batch grouped by rule, most frequent first."""
    out = []
    for code, count in sorted(batch.summary.items(), key=lambda item: -item[1]):
        info = RULES.get(code)
        out.append(
            {
                "code": code,
                "count": count,
                "severity": info.severity if info else "warning",
                "title": rule_title(code),
                # The command line prints both languages (cleaning/management/commands/import).
                "title_en": info.title_en if info else code,
                "severity_word": severity_word(info.severity if info else "warning"),
            }
        )
    return out


def row_totals(batch: Batch) -> dict[str, int]:
    """Rows with errors, rows with warnings still to look at, and rows skipped (one query)."""
    return BatchRow.objects.filter(batch=batch).aggregate(
        errors=Count("id", filter=Q(skipped=False, errors__gt=0)),
        warnings=Count("id", filter=Q(skipped=False, warnings__gt=0)),
        skipped=Count("id", filter=Q(skipped=True)),
    )


def commit_preview(batch: Batch) -> dict[str, int]:
    """What committing the batch would do, as its rows stand (one query): members created and
    updated, rows that change nothing, rows skipped. The commit plans again when it runs (a
    member written since by another unit makes a pair instead)."""
    kept = Q(skipped=False)
    known = Q(member__isnull=False) | Q(action=BatchRow.Action.UPDATE)
    return BatchRow.objects.filter(batch=batch).aggregate(
        created=Count("id", filter=kept & ~known & ~Q(action=BatchRow.Action.SAME)),
        updated=Count("id", filter=kept & known & ~Q(action=BatchRow.Action.SAME)),
        same=Count("id", filter=kept & Q(action=BatchRow.Action.SAME)),
        skipped=Count("id", filter=Q(skipped=True)),
    )


def candidates_for(user: User, org: Org) -> QuerySet[DuplicateCandidate]:
    """Open duplicate candidates that `org`'s subtree must decide, within the user's grants."""
    scope = scope_q(user, Role.EDITOR, field="decider__path")
    if scope is None:
        return DuplicateCandidate.objects.none()
    return (
        DuplicateCandidate.objects.filter(
            scope, decider__path__startswith=org.path, decision=DuplicateCandidate.Decision.OPEN
        )
        .select_related("row_a__file", "row_b__file", "member_b__org", "decider", "batch__org")
        .order_by("-score", "id")
    )


def open_pairs_of(batch: Batch) -> QuerySet[DuplicateCandidate]:
    """A batch's open duplicate pairs, with what pair_for reads of them."""
    return (
        batch.candidates.filter(decision=DuplicateCandidate.Decision.OPEN)
        .select_related("row_a__file", "row_b__file", "member_b__org", "decider", "batch__org")
        .order_by("-score", "id")
    )


def pairs_to_follow(org: Org) -> QuerySet[DuplicateCandidate]:
    """Open pairs between `org`'s subtree and another unit, decided above it (a transfer never
    closed): the unit that uploaded the person and the unit that holds them both follow them.
    The caller has checked that the user may see `org`."""
    involved = Q(batch__org__path__startswith=org.path) | Q(member_b__org_path__startswith=org.path)
    return (
        DuplicateCandidate.objects.filter(involved, decision=DuplicateCandidate.Decision.OPEN)
        .exclude(decider__path__startswith=org.path)
        .select_related("row_a__file", "row_b__file", "member_b__org", "decider", "batch__org")
        .order_by("-score", "id")
    )


def get_candidate_for_user(user: User, candidate_id: int) -> DuplicateCandidate:
    candidate = (
        DuplicateCandidate.objects.filter(pk=candidate_id)
        .select_related("decider", "row_a__file", "row_b__file", "member_b__org", "batch__org")
        .first()
    )
    if candidate is None:
        raise Http404
    # Both units see it; the nearest common ancestor (an editor there or above) decides.
    visible = can(user, candidate.decider.path, Role.VIEWER) or (
        candidate.batch is not None and can(user, candidate.batch.org.path, Role.VIEWER)
    )
    if candidate.member_b is not None:
        visible = visible or can(user, candidate.member_b.org.path, Role.VIEWER)
    if not visible:
        raise Http404
    return candidate


def with_created_members(batch: Batch, rows: list[BatchRow]) -> list[BatchRow]:
    """Rows of a committed batch with the members they created, found by CCCD.

    A commit does not go back to write the new member's id into each of its rows (that would
    rewrite every row of the batch once more); the CCCD the row was committed under finds it.
    """
    if batch.status != Batch.Status.COMMITTED:
        return rows
    wanted = {r.values.get("cccd"): r for r in rows if r.member_id is None and not r.skipped}
    wanted.pop(None, None)
    wanted.pop("", None)
    for member in Member.objects.filter(cccd__in=list(wanted)):
        wanted[member.cccd].member = member
    return rows


# What a viewer may see of a duplicate pair --------------------------------------------------


@dataclass(frozen=True, slots=True)
class PairSide:
    """One record of a duplicate pair (a staged row, or a member of the registry) as one viewer
    may see it: whole, or only that it exists."""

    shown: bool
    title: str  # a line of a list: "a.csv:2 · Nguyễn Văn An", "Nguyễn Văn An · Chi bộ 1"
    heading: str = ""
    facts: list[tuple[str, str]] = field(default_factory=list)  # (label, value) as it may read


@dataclass(frozen=True, slots=True)
class PairView:
    candidate: DuplicateCandidate
    a: PairSide
    b: PairSide
    # Why the two look alike, and how much: only for a viewer who sees both records.
    score: int | None
    reasons: list[str]
    # What a viewer who does not see one side learns of it.
    note: str


def _row_side(viewer: Actor, candidate: DuplicateCandidate, row: BatchRow, shown: bool) -> PairSide:
    if not shown:
        return PairSide(False, _("một dòng do tổ chức khác tải lên"))
    assert candidate.batch is not None  # a pair with a staged row belongs to its batch
    full = sees_cccd(viewer, candidate.batch.org.path)
    facts = [
        (field_label(name), value_shown(name, row.values[name], full_cccd=full))
        for name in FIELDS
        if row.values.get(name)
    ]
    name = row.values.get("full_name") or row.typed.get("full_name") or ""
    where = f"{row.file.name}:{row.row_number}"
    heading = _("%(where)s (lô #%(batch)s của %(org)s)") % {
        "where": where,
        "batch": row.batch_id,
        "org": candidate.batch.org.name,
    }
    return PairSide(True, f"{where} · {name}", heading, facts)


def _member_side(viewer: Actor, member: Member, shown: bool) -> PairSide:
    if not shown:
        return PairSide(False, _("một đảng viên của tổ chức khác"))
    full = sees_cccd(viewer, member.org_path, member_id=member.pk)
    birth = member.birth_date.isoformat()[
        : {"year": 4, "month": 7}.get(member.birth_date_precision, 10)
    ]
    facts = [
        (field_label("full_name"), member.full_name),
        (field_label("sex"), member.get_sex_display()),
        (field_label("birth_date"), shown_date(birth)),
        (field_label("cccd"), member.cccd if full else mask_cccd(member.cccd)),
        (field_label("phone"), format_phone_vn(member.phone)),
        (field_label("hometown"), member.hometown),
        (_("Trạng thái"), member.get_status_display()),
        (_("Tổ chức"), member.org.name),
    ]
    heading = _("Đang có trong hồ sơ: %(org)s") % {"org": member.org.name}
    return PairSide(
        True, f"{member.full_name} · {member.org.name}", heading, [f for f in facts if f[1]]
    )


def pair_for(viewer: Actor, candidate: DuplicateCandidate) -> PairView:
    """What `viewer` may see of each record of a duplicate pair: the one rule every page that
    shows a pair follows (the pair's page, the batch page, the lists of pairs).

    The organisation that decides (their nearest common ancestor) sees both records; a unit
    sees its own record, and of the other unit's only that it exists and who decides, until
    that level decides. Otherwise an upload would be a look-up service: any CCCD, or a name and
    birth date, typed into a file would show who holds it, where, and their phone. An
    identifier is shown whole only to those who may read it there (access.scope.sees_cccd).
    The caller has checked that the viewer may see the pair (get_candidate_for_user).
    """
    at_decider = can(viewer, candidate.decider.path, Role.VIEWER)
    batch_path = candidate.batch.org.path if candidate.batch is not None else None

    def sees(path: str | None) -> bool:
        return at_decider or (path is not None and can(viewer, path, Role.VIEWER))

    a = (
        _row_side(viewer, candidate, candidate.row_a, sees(batch_path))
        if candidate.row_a is not None
        else PairSide(False, "")
    )
    if candidate.row_b is not None:
        b = _row_side(viewer, candidate, candidate.row_b, sees(batch_path))
    elif candidate.member_b is not None:
        b = _member_side(viewer, candidate.member_b, sees(candidate.member_b.org_path))
    else:
        b = PairSide(False, "")
    both = a.shown and b.shown
    note = ""
    if not both:
        words = {
            (True, False): _(
                "Một người có số CCCD này đã là đảng viên của một tổ chức khác; cấp trên chung "
                "(%(decider)s) quyết định."
            ),
            (False, False): _(
                "Một đảng viên của một tổ chức khác có họ tên, ngày sinh gần giống người này; "
                "cấp trên chung (%(decider)s) quyết định."
            ),
            (True, True): _(
                "Một tổ chức khác đã tải lên một dòng có số CCCD của đảng viên này; cấp trên "
                "chung (%(decider)s) quyết định."
            ),
            (False, True): _(
                "Một tổ chức khác đã tải lên một dòng gần giống đảng viên này; cấp trên chung "
                "(%(decider)s) quyết định."
            ),
        }
        note = words[(candidate.exact, b.shown)] % {"decider": candidate.decider.name}
    return PairView(
        candidate,
        a,
        b,
        candidate.score if both else None,
        [reason_words(r) for r in candidate.reasons] if both else [],
        note,
    )
