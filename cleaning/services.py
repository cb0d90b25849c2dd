"""The import pipeline's writes: create a batch, process it, review it, commit it, cancel it.

Processing runs as a background task (cleaning.tasks); everything it writes for a batch is
written in one transaction, and committing writes the registry in one transaction, so a
failed, cancelled or interrupted batch leaves the registry exactly as it was.
"""

import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import AuditContext, audit_log
from core.db import (
    allocate_ids,
    analyze_if_grown,
    bulk_insert,
    dumps_json,
    is_postgresql,
    json_for_copy,
    references_checked,
)
from core.gcpause import gc_paused
from lib.cleaning.columns import RawRecord, SourceRow, apply_mapping, guess_mapping
from lib.cleaning.parse import ParseError, parse_file
from lib.cleaning.pipeline import infer_day_first, infer_legacy
from lib.cleaning.rules import clean_record
from lib.cleaning.staging import open_codes, row_counts, stored_problems, values_as_text
from lib.vn.text import fold
from members.models import Member
from orgs.models import MEMBER_HOLDING_KINDS, Org
from orgs.rollups import counts_changed

from .leases import held
from .models import REVIEWED, Batch, BatchFile, BatchRow, ColumnMapping, DuplicateCandidate
from .selectors import rows_naming_cell
from .storage import opened, store_upload

ALLOWED_SUFFIXES = (".xlsx", ".xls", ".ods", ".csv", ".txt")
MAX_FILES = 50
MAX_UPLOAD_BYTES = 100 * 1024 * 1024


class BatchFinishedListener(Protocol):
    def __call__(self, *, org: Org, on: datetime) -> None: ...


# Who hears that a unit's batch is finished (committed or cancelled), in the same transaction:
# the campaigns, which mark a unit's "submitted" milestone once its last batch is in. They
# register in their AppConfig.ready, so the import does not depend on them.
_FINISHED_LISTENERS: list[BatchFinishedListener] = []


def on_batch_finished(listener: BatchFinishedListener) -> None:
    if listener not in _FINISHED_LISTENERS:
        _FINISHED_LISTENERS.append(listener)


def batch_finished(*, org: Org, on: datetime) -> None:
    """A batch of `org` was committed or cancelled: tell whoever listens."""
    for listener in _FINISHED_LISTENERS:
        listener(org=org, on=on)


def _user(by: Any) -> Any:
    return by if getattr(by, "is_authenticated", False) else None


# Creating ----------------------------------------------------------------------------------


def batch_create(
    *,
    org: Org,
    uploads: Sequence[UploadedFile],
    by: Any = None,
    ctx: AuditContext | None = None,
    queue: bool = True,
) -> Batch:
    """Store the uploaded files as a new batch of `org` and queue its processing (or, with
    queue=False, leave it for the caller to process with batch_process: the command line)."""
    if not org.is_active:
        raise ValidationError({"org": _("Tổ chức đã ngừng hoạt động.")})
    if not uploads:
        raise ValidationError({"uploads": _("Hãy chọn ít nhất một tệp.")})
    if len(uploads) > MAX_FILES:
        raise ValidationError({"uploads": _("Tối đa %(n)d tệp mỗi lần.") % {"n": MAX_FILES}})
    for upload in uploads:
        name = upload.name or ""
        if not name.lower().endswith(ALLOWED_SUFFIXES):
            raise ValidationError(
                {"uploads": _("Tệp %(name)s: chỉ nhận xlsx, xls, ods, csv.") % {"name": name}}
            )
        if (upload.size or 0) > MAX_UPLOAD_BYTES:
            raise ValidationError({"uploads": _("Tệp %(name)s lớn quá 100 MB.") % {"name": name}})
        if not upload.size:
            raise ValidationError({"uploads": _("Tệp %(name)s rỗng.") % {"name": name}})
    with transaction.atomic():
        batch = Batch.objects.create(
            org=org, created_by=_user(by), progress_note=_("Đang chờ xử lý…")
        )
        for index, upload in enumerate(uploads):
            relative, digest, size = store_upload(batch.pk, upload, index)
            BatchFile.objects.create(
                batch=batch,
                name=(upload.name or f"file{index}")[:255],
                size=size,
                sha256=digest,
                stored=relative,
            )
        audit_log(
            actor=by,
            action="batch.create",
            object_type="batch",
            object_id=batch.pk,
            detail={"org": org.code, "files": [u.name for u in uploads]},
            ctx=ctx,
        )
        if queue:
            from .tasks import batch_process

            # Enqueued in the same transaction: the task row exists exactly when the batch does.
            batch_process.enqueue(batch.pk)
    batch.refresh_from_db()
    return batch


# Processing --------------------------------------------------------------------------------


def _signature(headers: list[str]) -> str:
    return hashlib.sha256("\x1f".join(fold(h) for h in headers).encode()).hexdigest()


def _progress(
    batch: Batch, told: Callable[[int, str], None] | None, percent: int, note: str
) -> None:
    # Written outside the batch's transaction so that the page can show it while it runs.
    Batch.objects.filter(pk=batch.pk).update(progress=percent, progress_note=note[:255])
    if told is not None:
        told(percent, note)


def _cells_of(org: Org) -> dict[str, Org | None]:
    """Cells of a unit, found by code or by folded name (and, as _resolve_cell meets them, by
    the texts a file writes for them: None for a text that names none)."""
    cells = Org.objects.filter(
        path__startswith=org.path, kind__in=MEMBER_HOLDING_KINDS, status=Org.Status.ACTIVE
    )
    index: dict[str, Org | None] = {}
    for cell in cells:
        index[cell.code.lower()] = cell
        index.setdefault(fold(cell.name), cell)
    return index


def _resolve_cell(
    values: dict[str, str],
    original: dict[str, str],
    org: Org,
    cells: dict[str, Org | None],
    problems: list[dict[str, Any]],
) -> None:
    """The row's cell: the one its 'cell' column names, if it is the batch's organisation or
    below it; a row that names none is the organisation's own if it holds members. A row that
    names a cell the organisation does not hold (a secretary's file listing six cells) is held
    with an error, not put in the uploader's cell: the batch page maps each such name at once
    (batch_cells_assign)."""
    text = original.get("cell") or ""
    if org.holds_members and not (text and not text.isspace()):
        values["cell"] = org.code
        return
    text = text.strip()
    cell = None
    if text:
        key = text.lower()
        if key in cells:
            cell = cells[key]
        else:
            # A file repeats a handful of cell names on every row: each is folded once.
            cell = cells[key] = cells.get(fold(text))
    if cell is None:
        problems.append(
            {
                "field": "cell",
                "code": "cell.unknown",
                "severity": "error",
                "fix": None,
                "accepted": False,
                # Stored in both languages, as the rules' problems are (not in the language of
                # whoever happens to run the processing).
                "vi": f"Chi bộ “{text}” không thuộc {org.name}: dòng được giữ lại, chưa ghi vào "
                "hồ sơ. Ở mục “Chi bộ trong tệp”, chọn chi bộ đúng cho tên này (một lần cho mọi "
                "dòng cùng tên), hoặc bỏ qua các dòng này.",
                "en": f"Cell “{text}” is not part of {org.name}: the row is held, not written "
                "to the records. Under “Cells in this file”, pick the right cell for this name "
                "(once for every row that has it), or skip these rows.",
            }
        )
        values["cell"] = ""
    else:
        values["cell"] = cell.code


@gc_paused()
def batch_process(batch: Batch, *, progress: Callable[[int, str], None] | None = None) -> Batch:
    """Parse, map, clean and match every file of a queued batch; write its rows for review.

    The batch is taken first (queued → processing, in one statement), so it is processed once
    whoever asks again (a second worker, a queued task that finds it done): a batch that is not
    queued is returned as it is. A batch cancelled while it was being cleaned is left cancelled
    and nothing is written. `progress(percent, note)` hears what the page shows (the command
    line draws its bar with it).
    """
    today = timezone.localdate()
    taken = Batch.objects.filter(pk=batch.pk, status=Batch.Status.QUEUED).update(
        status=Batch.Status.PROCESSING, error="", error_en="", attempts=F("attempts") + 1
    )
    if not taken:
        batch.refresh_from_db()
        return batch
    # Renewed while it runs: if this process stops, the worker hands the batch back.
    with held(batch.pk):
        return _process_taken(batch, today=today, progress=progress)


def _process_taken(
    batch: Batch, *, today: Any, progress: Callable[[int, str], None] | None
) -> Batch:
    files = list(batch.files.order_by("id"))
    prepared: list[tuple[BatchFile, list[RawRecord]]] = []
    for index, batch_file in enumerate(files):
        _progress(
            batch,
            progress,
            5 + 20 * index // max(len(files), 1),
            _("Đang đọc %(name)s…") % {"name": batch_file.name},
        )
        try:
            with opened(batch_file.stored) as path:
                parsed = parse_file(path, display_name=batch_file.name)
        except ParseError as error:
            # In each language: the batch page shows its reader's.
            Batch.objects.filter(pk=batch.pk, status=Batch.Status.PROCESSING).update(
                status=Batch.Status.FAILED,
                error=error.message_vi,
                error_en=error.message_en,
                progress=100,
                progress_note="",
            )
            BatchFile.objects.filter(pk=batch_file.pk).update(error=error.message_vi)
            batch.refresh_from_db()
            return batch
        remembered = ColumnMapping.objects.filter(
            org=batch.org, signature=_signature(parsed.headers)
        ).first()
        mapping = (
            {int(k): v for k, v in remembered.mapping.items()}
            if remembered
            else guess_mapping(parsed.headers)
        )
        if batch_file.mapping:
            mapping = {int(k): v for k, v in batch_file.mapping.items()}
        batch_file.sheet, batch_file.header_row, batch_file.headers = (
            parsed.sheet or "",
            parsed.header_row,
            parsed.headers,
        )
        batch_file.mapping = {str(k): v for k, v in mapping.items()}
        records = apply_mapping(parsed, mapping)
        batch_file.context = {
            "day_first": infer_day_first(records),
            "legacy": infer_legacy(records),
        }
        batch_file.save(update_fields=["sheet", "header_row", "headers", "mapping", "context"])
        prepared.append((batch_file, records))

    total = sum(len(records) for _f, records in prepared) or 1
    cells = _cells_of(batch.org)
    from .matching import ROW_COLUMNS, StagedRow, match_batch

    rows: list[StagedRow] = []
    done = 0
    for batch_file, records in prepared:
        day_first, legacy = batch_file.context["day_first"], batch_file.context["legacy"]
        for record in records:
            cleaned = clean_record(record, today=today, day_first=day_first, legacy=legacy)
            problems = stored_problems(cleaned)
            values = values_as_text(cleaned.values)
            original = dict(cleaned.original)
            _resolve_cell(values, original, batch.org, cells, problems)
            errors, warnings = row_counts(problems)
            rows.append(
                StagedRow(
                    0,  # its id is reserved below, in the transaction that writes it
                    batch_file.pk,
                    record.source.row,
                    original,
                    values,
                    problems,
                    errors,
                    warnings,
                )
            )
            done += 1
            if done % 2000 == 0:
                _progress(
                    batch,
                    progress,
                    25 + 55 * done // total,
                    _("Đã làm sạch %(n)d / %(t)d dòng") % {"n": done, "t": total},
                )
    _progress(batch, progress, 85, _("Đang tìm trùng lặp…"))
    with transaction.atomic():
        # Cancelled meanwhile (batch_cancel locks the batch too): nothing is written.
        if (
            Batch.objects.select_for_update().filter(pk=batch.pk).values_list("status").get()[0]
            != Batch.Status.PROCESSING
        ):
            batch.refresh_from_db()
            return batch
        decided = _decisions_of(batch)  # read before this batch's pairs are deleted
        BatchRow.objects.filter(batch=batch).delete()
        stale = DuplicateCandidate.objects.filter(
            batch=batch, decision=DuplicateCandidate.Decision.OPEN
        )
        duplicates_opened(list(stale), -1)
        DuplicateCandidate.objects.filter(batch=batch).delete()
        # COPY on PostgreSQL: the rows' ids are reserved first, so candidates can point at them.
        for row, new_id in zip(rows, allocate_ids(BatchRow._meta.db_table, len(rows)), strict=True):
            row.id = new_id
        candidates = match_batch(batch, rows)
        _carry_decisions(candidates, rows, decided, {f.pk: f.name for f, _r in prepared})
        json = json_for_copy()
        # Each row points at this batch, one of its files and at most a member matching read
        # (none is ever deleted): PostgreSQL need not look each of them up again.
        with references_checked(BatchRow._meta.db_table):
            bulk_insert(
                BatchRow._meta.db_table, ROW_COLUMNS, (r.columns(batch.pk, json) for r in rows)
            )
        DuplicateCandidate.objects.bulk_create(candidates, batch_size=2000)
        duplicates_opened([c for c in candidates if c.decision == DuplicateCandidate.Decision.OPEN])
        saved = rows
        summary: Counter[str] = Counter()
        for row in rows:
            summary.update(open_codes(row.problems))
        finish_review(batch, summary=summary, rows_total=len(rows))
        audit_log(
            actor=None,
            action="batch.process",
            object_type="batch",
            object_id=batch.pk,
            detail={"rows": len(saved)},
        )
    # Every step of the review and the commit reads a batch's rows by batch: the planner must
    # know how many rows a batch has among the campaign's millions. Without statistics it
    # guessed 160,000 rather than 1,500 at 4 million rows, and read them in parallel, with JIT.
    analyze_if_grown(BatchRow._meta.db_table, columns=ROW_STATISTICS)
    batch.refresh_from_db()
    return batch


# A side of a decided pair, as it can be found again: a member by id; a row by its file, line,
# name and birth date (a row's id changes when its batch is run again or the file uploaded again).
_Side = tuple[str, ...]
_Decided = dict[tuple[_Side, _Side], tuple[str, Any, Any]]


def _row_side(file_name: str, row_number: int, values: dict[str, Any]) -> _Side:
    return (
        "row",
        file_name,
        str(row_number),
        str(values.get("full_name", "")),
        str(values.get("birth_date", "")),
    )


def _decisions_of(batch: Batch) -> _Decided:
    """The decided pairs of this batch and of the unit's earlier batches, latest decision last."""
    decided: _Decided = {}
    found = (
        DuplicateCandidate.objects.filter(batch__org=batch.org)
        .exclude(decision=DuplicateCandidate.Decision.OPEN)
        .select_related("row_a__file", "row_b__file")
        .order_by("decided_at", "id")
    )
    for c in found:
        if c.row_a is None:
            continue
        a = _row_side(c.row_a.file.name, c.row_a.row_number, c.row_a.values)
        b = (
            _row_side(c.row_b.file.name, c.row_b.row_number, c.row_b.values)
            if c.row_b is not None
            else ("member", str(c.member_b_id))
        )
        decided[(a, b)] = (c.decision, c.decided_by_id, c.decided_at)
    return decided


def _carry_decisions(
    candidates: list[DuplicateCandidate],
    rows: list[Any],
    decided: _Decided,
    file_names: dict[int, str],
) -> None:
    """A pair decided before stays decided: its decision, who and when, and what it did to the
    rows (a row merged into the other is skipped again; a CCCD taken is an error again)."""
    if not decided:
        return
    by_id = {row.id: row for row in rows}

    def side(row: Any) -> _Side:
        return _row_side(file_names[row.file_id], row.row_number, row.values)

    for candidate in candidates:
        row_a = by_id.get(candidate.row_a_id)
        if row_a is None:
            continue
        row_b = by_id.get(candidate.row_b_id) if candidate.row_b_id else None
        b = side(row_b) if row_b is not None else ("member", str(candidate.member_b_id))
        found = decided.get((side(row_a), b))
        if found is None:
            continue
        decision, candidate.decided_by_id, candidate.decided_at = found
        candidate.decision = decision
        if decision == DuplicateCandidate.Decision.SAME:
            if row_b is not None:
                row_b.skipped = True
            elif candidate.member_b_id is not None:
                row_a.member = Member.objects.filter(pk=candidate.member_b_id).first()
                row_a.skipped = True
        elif decision == DuplicateCandidate.Decision.DIFFERENT and candidate.exact:
            row = row_b or row_a
            row.problems = [
                *row.problems,
                {
                    "field": "cccd",
                    "code": "cccd.taken",
                    "severity": "error",
                    "fix": None,
                    "accepted": False,
                    "vi": _("Số CCCD trùng với người khác: hãy sửa lại số CCCD."),
                    "en": "This CCCD belongs to someone else: correct it.",
                },
            ]
            row.errors, row.warnings = row_counts(row.problems)


# The staged rows' columns the review and the commit filter on.
ROW_STATISTICS = ("batch_id", "file_id", "errors", "warnings", "skipped", "member_id")


def _open_problems(summary: dict[str, int]) -> int:
    return sum(summary.values())


def leave_review(batch: Batch) -> None:
    """The batch stops counting as open problems of its organisation (commit, cancel, reprocess)."""
    current = Batch.objects.filter(pk=batch.pk).values_list("status", "summary").get()
    if current[0] in REVIEWED and _open_problems(current[1]):
        counts_changed({(batch.org_id, "q.open_problems"): -_open_problems(current[1])})


def _open_of(problems: list[dict[str, Any]]) -> Counter[str]:
    """A row's open problems per rule: its errors and the warnings not yet accepted."""
    return Counter(open_codes(problems))


def finish_review(
    batch: Batch,
    *,
    summary: Counter[str] | None = None,
    delta: Counter[str] | None = None,
    rows_total: int | None = None,
) -> None:
    """Put the batch in review with its open problems per rule: given, changed by `delta`
    (one row edited, one rule accepted), or recounted from its rows. Its number of rows is set
    when it is (re)processed, the only time it changes."""
    if summary is None and delta is not None:
        current = Batch.objects.select_for_update().filter(pk=batch.pk).values_list("summary")
        summary = Counter(current.get()[0])
        summary.update(delta)
        summary = +summary
    if summary is None:
        summary = Counter()
        # A row's counts say whether it has open problems: the others need not be read.
        for problems in (
            BatchRow.objects.filter(batch=batch, skipped=False)
            .filter(Q(errors__gt=0) | Q(warnings__gt=0))
            .values_list("problems", flat=True)
            .iterator(chunk_size=5000)
        ):
            summary.update(_open_of(problems))
    leave_review(batch)
    fields: dict[str, Any] = {"rows_total": rows_total} if rows_total is not None else {}
    Batch.objects.filter(pk=batch.pk).update(
        status=Batch.Status.REVIEW, summary=dict(summary), progress=100, progress_note="", **fields
    )
    # The organisation's count of open problems, rolled up live like every other counter.
    counts_changed({(batch.org_id, "q.open_problems"): _open_problems(summary)})


def duplicates_opened(candidates: list[DuplicateCandidate], sign: int = 1) -> None:
    deltas: Counter[tuple[int, str]] = Counter()
    for candidate in candidates:
        deltas[(candidate.decider_id, "q.open_duplicates")] += sign
    counts_changed(deltas)


# Reviewing ---------------------------------------------------------------------------------


def require_review(batch: Batch) -> None:
    if batch.status != Batch.Status.REVIEW:
        raise ValidationError(
            {
                "batch": _("Lô dữ liệu không ở trạng thái chờ rà soát (%(s)s).")
                % {"s": batch.get_status_display()}
            }
        )


def batch_row_edit(
    *, row: BatchRow, field: str, value: str, by: Any = None, ctx: AuditContext | None = None
) -> BatchRow:
    """A reviewer types a value: the row is cleaned again with it, keeping the original."""
    from lib.cleaning.columns import FIELDS

    require_review(row.batch)
    if field not in FIELDS:
        raise ValidationError({"field": _("Trường không hợp lệ.")})
    if len(value) > 500:
        raise ValidationError({"value": _("Giá trị dài quá 500 ký tự.")})
    with transaction.atomic():
        before = _open_of(row.problems)
        row.edits = {**row.edits, field: value}
        reclean(row)
        row.save(update_fields=["edits", "original", "values", "problems", "errors", "warnings"])
        delta = Counter() if row.skipped else _open_of(row.problems)
        if not row.skipped:
            delta.subtract(before)
        finish_review(row.batch, delta=delta)
        audit_log(
            actor=by,
            action="batch.row_edit",
            object_type="batch",
            object_id=row.batch_id,
            detail={"row": row.pk, "field": field},
            ctx=ctx,
        )
    return row


def reclean(row: BatchRow) -> None:
    """Clean a row again from its text as typed and its edits (save "original" with "values")."""
    raw = {**row.typed, **row.edits}
    record = RawRecord(source=SourceRow(file=row.file.name, row=row.row_number, values=[]), raw=raw)
    context = row.file.context or {}
    # A date a reviewer typed is read day first, as the pages and the review workbook show
    # dates (dd/mm/yyyy), even in a file whose own dates were written month first.
    day_first = {**(context.get("day_first") or {}), **dict.fromkeys(row.edits, True)}
    cleaned = clean_record(
        record,
        today=timezone.localdate(),
        day_first=day_first,
        legacy=context.get("legacy"),
    )
    accepted = {p["code"] for p in row.problems if p.get("accepted")}
    problems = stored_problems(cleaned)
    for p in problems:
        p["accepted"] = p["code"] in accepted
    values = values_as_text(cleaned.values)
    _apply_accepted(values, problems)
    _resolve_cell(values, raw, row.batch.org, _cells_of(row.batch.org), problems)
    row.set_values(values)
    row.problems = problems
    row.errors, row.warnings = row_counts(problems)


def _apply_accepted(values: dict[str, str], problems: list[dict[str, Any]]) -> None:
    """An accepted proposal becomes its field's value (most fixes are the value already; a
    place under its pre-2025 units is kept as typed until the reviewer accepts its new name)."""
    for p in problems:
        if p.get("accepted") and isinstance(p.get("fix"), str):
            values[p["field"]] = p["fix"]


def batch_accept_rule(
    *, batch: Batch, code: str, by: Any = None, ctx: AuditContext | None = None
) -> int:
    """Accept every proposed fix of one rule at once (warnings only; errors need a real fix)."""
    return batch_accept_rules(batch=batch, codes=[code], by=by, ctx=ctx)


def batch_accept_rules(
    *,
    batch: Batch,
    codes: list[str] | None,
    by: Any = None,
    ctx: AuditContext | None = None,
) -> int:
    """Accept every proposed fix of the rules named, or of every rule with `codes=None`, in
    one pass over the rows (warnings only; errors need a real fix). Returns the rows changed."""
    require_review(batch)
    with transaction.atomic():
        if is_postgresql():
            touched = _accept_in_database(batch, codes)
        else:
            touched = _accept_in_python(batch, codes)
        delta: Counter[str] = Counter()
        for skipped, hit in touched:
            if not skipped:  # a skipped row's problems are not in the summary
                delta.subtract(hit)
        finish_review(batch, delta=delta)
        audit_log(
            actor=by,
            action="batch.accept_rule",
            object_type="batch",
            object_id=batch.pk,
            detail={
                "codes": sorted({code for _s, hit in touched for code in hit})
                if codes is None
                else codes,
                "rows": len(touched),
            },
            ctx=ctx,
        )
    return len(touched)


# PostgreSQL accepts rules where the rows are: only the rows with one of them are read, and
# each row's problems are rewritten once by jsonb functions, in order, with its count of open
# warnings.
_ACCEPT_SQL = """
WITH picked AS (
    SELECT r.id, r.skipped,
        jsonb_agg(CASE WHEN e.hit THEN e.p || '{"accepted": true}' ELSE e.p END ORDER BY e.ord)
            AS problems,
        count(*) FILTER (WHERE e.open AND NOT e.hit) AS warnings,
        array_agg(e.p->>'code') FILTER (WHERE e.hit) AS hit,
        -- The proposed values accepted that differ from their field's value (most fixes are
        -- the value already: those rows' values are left as they are, not written again).
        jsonb_object_agg(e.p->>'field', e.p->'fix') FILTER (
            WHERE e.hit AND jsonb_typeof(e.p->'fix') = 'string'
                AND r."values"->(e.p->>'field') IS DISTINCT FROM e.p->'fix'
        ) AS fixes
    FROM cleaning_batchrow r
    CROSS JOIN LATERAL (
        SELECT a.p, a.ord, o.open,
            o.open AND (%(every)s OR a.p->>'code' = ANY(%(codes)s::text[])) AS hit
        FROM jsonb_array_elements(r.problems) WITH ORDINALITY AS a(p, ord)
        CROSS JOIN LATERAL (
            SELECT a.p->>'severity' = 'warning'
                AND NOT COALESCE((a.p->>'accepted')::boolean, false) AS open
        ) o
    ) e
    WHERE r.batch_id = %(batch)s AND r.warnings > 0
        AND (%(every)s OR r.problems @> ANY(%(probes)s::jsonb[]))
    GROUP BY r.id, r.skipped
)
UPDATE cleaning_batchrow SET problems = picked.problems, warnings = picked.warnings,
    "values" = CASE WHEN picked.fixes IS NULL THEN cleaning_batchrow."values"
        ELSE cleaning_batchrow."values" || picked.fixes END,
    -- The text as typed of a field whose value changes, where it was the value (null: none
    -- was typed), as lib.cleaning.typed keeps it.
    original = CASE WHEN picked.fixes IS NULL THEN cleaning_batchrow.original
        ELSE cleaning_batchrow.original || COALESCE((
            SELECT jsonb_object_agg(k, COALESCE(cleaning_batchrow."values"->k, 'null'::jsonb))
            FROM jsonb_object_keys(picked.fixes) k WHERE NOT cleaning_batchrow.original ? k
        ), '{}'::jsonb) END
FROM picked WHERE cleaning_batchrow.id = picked.id AND picked.hit IS NOT NULL
RETURNING picked.skipped, picked.hit
"""


def _accept_in_database(batch: Batch, codes: list[str] | None) -> list[tuple[bool, list[str]]]:
    """(skipped, the codes of the warnings accepted) of each row changed (PostgreSQL)."""
    chosen = list(codes or [])
    with connection.cursor() as cursor:
        cursor.execute(
            _ACCEPT_SQL,
            {
                "every": codes is None,
                "codes": chosen,
                "batch": batch.pk,
                "probes": [dumps_json([{"code": code}]) for code in chosen],
            },
        )
        return cursor.fetchall()


def _accept_in_python(batch: Batch, codes: list[str] | None) -> list[tuple[bool, list[str]]]:
    """The same on SQLite (the demo and the tests): rows read, changed and written back."""
    chosen = None if codes is None else set(codes)
    changed: list[BatchRow] = []
    out = []
    rows = BatchRow.objects.filter(batch=batch, warnings__gt=0).only(
        "problems", "original", "values", "skipped"
    )
    for row in rows.iterator(chunk_size=5000):
        hit = []
        for p in row.problems:
            if (
                (chosen is None or p["code"] in chosen)
                and p["severity"] == "warning"
                and not p.get("accepted")
            ):
                p["accepted"] = True
                hit.append(p["code"])
        if hit:
            row.warnings = row_counts(row.problems)[1]
            values = dict(row.values)
            _apply_accepted(values, row.problems)
            row.set_values(values)
            changed.append(row)
            out.append((row.skipped, hit))
    BatchRow.objects.bulk_update(
        changed, ["problems", "original", "values", "warnings"], batch_size=500
    )
    return out


def batch_row_skip(
    *, row: BatchRow, skip: bool, by: Any = None, ctx: AuditContext | None = None
) -> BatchRow:
    require_review(row.batch)
    with transaction.atomic():
        delta: Counter[str] = Counter()
        if row.skipped != skip:
            delta = _open_of(row.problems)
            if skip:
                delta = Counter({code: -n for code, n in delta.items()})
        row.skipped = skip
        row.save(update_fields=["skipped"])
        finish_review(row.batch, delta=delta)
        audit_log(
            actor=by,
            action="batch.row_skip",
            object_type="batch",
            object_id=row.batch_id,
            detail={"row": row.pk, "skip": skip},
            ctx=ctx,
        )
    return row


def batch_cells_assign(
    *,
    batch: Batch,
    text: str,
    cell: Org | None,
    by: Any = None,
    ctx: AuditContext | None = None,
) -> int:
    """Put every row whose cell column says `text` in `cell`, a cell of the batch's
    organisation, or skip them all with `cell=None`: one step for a name a whole file uses,
    not row by row. The cell is kept as the rows' edit (the text as typed stays), so cleaning a
    row again keeps it. Returns the rows changed."""
    require_review(batch)
    if cell is not None and not (
        cell.holds_members
        and cell.status == Org.Status.ACTIVE
        and cell.path.startswith(batch.org.path)
    ):
        raise ValidationError(
            {"cell": _("Hãy chọn một chi bộ của %(org)s.") % {"org": batch.org.name}}
        )
    with transaction.atomic():
        Batch.objects.select_for_update().filter(pk=batch.pk).values_list("pk").get()
        rows = list(
            rows_naming_cell(batch, text).only(
                "problems", "original", "values", "edits", "skipped", "errors", "warnings"
            )
        )
        delta: Counter[str] = Counter()
        for row in rows:
            if not row.skipped:
                delta.subtract(_open_of(row.problems))
            if cell is None:
                row.skipped = True
            else:
                row.edits = {**row.edits, "cell": cell.code}
                row.problems = [p for p in row.problems if p["code"] != "cell.unknown"]
                row.set_values({**row.values, "cell": cell.code})
                row.errors, row.warnings = row_counts(row.problems)
            if not row.skipped:
                delta.update(_open_of(row.problems))
        BatchRow.objects.bulk_update(
            rows,
            ["edits", "original", "values", "problems", "errors", "warnings", "skipped"],
            batch_size=1000,
        )
        finish_review(batch, delta=delta)
        audit_log(
            actor=by,
            action="batch.cells",
            object_type="batch",
            object_id=batch.pk,
            detail={"text": text, "cell": cell.code if cell else None, "rows": len(rows)},
            ctx=ctx,
        )
    return len(rows)


def batch_set_mapping(
    *,
    batch_file: BatchFile,
    mapping: dict[int, str | None],
    by: Any = None,
    ctx: AuditContext | None = None,
) -> Batch:
    """The unit confirms or corrects a file's column mapping; it is remembered and the batch reprocessed."""
    from lib.cleaning.columns import FIELDS

    batch = batch_file.batch
    if batch.status not in (Batch.Status.REVIEW, Batch.Status.FAILED):
        raise ValidationError({"batch": _("Lô dữ liệu đang được xử lý hoặc đã ghi.")})
    used = [f for f in mapping.values() if f]
    if any(f not in FIELDS for f in used):
        raise ValidationError({"mapping": _("Trường không hợp lệ.")})
    if len(used) != len(set(used)):
        raise ValidationError({"mapping": _("Mỗi trường chỉ gắn với một cột.")})
    if "full_name" not in used:
        raise ValidationError({"mapping": _("Cần chọn cột Họ và tên.")})
    with transaction.atomic():
        batch_file.mapping = {str(k): v for k, v in mapping.items()}
        batch_file.save(update_fields=["mapping"])
        ColumnMapping.objects.update_or_create(
            org=batch.org,
            signature=_signature(batch_file.headers),
            defaults={"mapping": batch_file.mapping},
        )
        leave_review(batch)
        Batch.objects.filter(pk=batch.pk).update(
            status=Batch.Status.QUEUED, progress=0, progress_note=_("Đang chờ xử lý…"), attempts=0
        )
        audit_log(
            actor=by,
            action="batch.mapping",
            object_type="batch",
            object_id=batch.pk,
            detail={"file": batch_file.name},
            ctx=ctx,
        )
        from .tasks import batch_process as task

        task.enqueue(batch.pk)
    batch.refresh_from_db()
    return batch


def batch_cancel(*, batch: Batch, by: Any = None, ctx: AuditContext | None = None) -> Batch:
    with transaction.atomic():
        # Locked and read again: a worker writing its rows, or a commit, finishes first.
        batch = Batch.objects.select_for_update(of=("self",)).select_related("org").get(pk=batch.pk)
        # A commit a worker is writing holds the batch: this waits for it, and finds it done.
        # A commit still queued is cancelled with the batch; its task finds nothing to do.
        if batch.status in (Batch.Status.COMMITTED, Batch.Status.CANCELLED):
            raise ValidationError(
                {
                    "batch": _("Không thể huỷ lô dữ liệu ở trạng thái %(s)s.")
                    % {"s": batch.get_status_display()}
                }
            )
        leave_review(batch)
        Batch.objects.filter(pk=batch.pk).update(status=Batch.Status.CANCELLED)
        stale = DuplicateCandidate.objects.filter(
            batch=batch, decision=DuplicateCandidate.Decision.OPEN
        )
        duplicates_opened(list(stale), -1)
        stale.delete()
        audit_log(
            actor=by,
            action="batch.cancel",
            object_type="batch",
            object_id=batch.pk,
            ctx=ctx,
        )
        # The unit's last unfinished batch may have been this one.
        batch_finished(org=batch.org, on=timezone.now())
    batch.refresh_from_db()
    return batch


def open_blockers(batch: Batch) -> tuple[int, int]:
    """Rows with errors, and open duplicate candidates, that stop a batch from being committed."""
    rows = BatchRow.objects.filter(batch=batch, skipped=False, errors__gt=0).count()
    duplicates = DuplicateCandidate.objects.filter(
        batch=batch, decision=DuplicateCandidate.Decision.OPEN
    ).count()
    return rows, duplicates


# Deciding duplicates ----------------------------------------------------------------------


def candidate_decide(
    *,
    candidate: DuplicateCandidate,
    decision: str,
    by: Any = None,
    ctx: AuditContext | None = None,
) -> DuplicateCandidate:
    """The nearest common organisation decides: same person, an unfinished transfer, or two people."""
    from members.services import member_source_merged, member_transfer

    if decision not in (
        DuplicateCandidate.Decision.SAME,
        DuplicateCandidate.Decision.TRANSFER,
        DuplicateCandidate.Decision.DIFFERENT,
    ):
        raise ValidationError({"decision": _("Quyết định không hợp lệ.")})
    if candidate.decision != DuplicateCandidate.Decision.OPEN:
        raise ValidationError({"decision": _("Cặp này đã được quyết định.")})
    if candidate.batch is not None and candidate.batch.status != Batch.Status.REVIEW:
        raise ValidationError({"decision": _("Lô dữ liệu không ở trạng thái chờ rà soát.")})
    row_a, row_b, member_b = candidate.row_a, candidate.row_b, candidate.member_b
    if decision == DuplicateCandidate.Decision.TRANSFER and (row_a is None or member_b is None):
        raise ValidationError(
            {"decision": _("Chỉ ghi chuyển sinh hoạt khi một bên là đảng viên đã có trong hồ sơ.")}
        )
    with transaction.atomic():
        if decision == DuplicateCandidate.Decision.SAME:
            if row_b is not None:
                # Two rows of one person: the first one is kept.
                row_b.skipped = True
                row_b.save(update_fields=["skipped"])
            elif row_a is not None and member_b is not None:
                # The registry record of the other unit stands; this row is merged into it: not
                # applied, but its source joins the record's history.
                row_a.member, row_a.skipped = member_b, True
                row_a.save(update_fields=["member", "skipped"])
                member_source_merged(member=member_b, source_ref=row_a.source_ref, by=by)
        elif decision == DuplicateCandidate.Decision.TRANSFER:
            assert row_a is not None and member_b is not None
            cell = Org.objects.filter(code=row_a.values.get("cell", "")).first()
            if cell is None:
                raise ValidationError({"decision": _("Dòng chưa có chi bộ hợp lệ để chuyển đến.")})
            member_transfer(
                member=member_b,
                to_org=cell,
                on=timezone.localdate(),
                by=by,
                note=_("Hoàn tất chuyển sinh hoạt (lô %(b)s)") % {"b": candidate.batch_id},
                ctx=ctx,
            )
            row_a.member = member_b
            row_a.save(update_fields=["member"])
        elif candidate.exact:
            # Two people cannot share a CCCD: the row's number must be corrected.
            for row in (row_b or row_a,):
                if row is None:
                    continue
                row.problems = [
                    *row.problems,
                    {
                        "field": "cccd",
                        "code": "cccd.taken",
                        "severity": "error",
                        "fix": None,
                        "accepted": False,
                        "vi": _("Số CCCD trùng với người khác: hãy sửa lại số CCCD."),
                        "en": "This CCCD belongs to someone else: correct it.",
                    },
                ]
                row.errors, row.warnings = row_counts(row.problems)
                row.save(update_fields=["problems", "errors", "warnings"])
        candidate.decision, candidate.decided_by, candidate.decided_at = (
            decision,
            _user(by),
            timezone.now(),
        )
        candidate.save(update_fields=["decision", "decided_by", "decided_at"])
        duplicates_opened([candidate], -1)
        if candidate.batch is not None:
            finish_review(candidate.batch)
        audit_log(
            actor=by,
            action="duplicate.decide",
            object_type="duplicate",
            object_id=candidate.pk,
            detail={"decision": decision},
            ctx=ctx,
        )
    return candidate


def rebuild_counts() -> list[tuple[tuple[int, str], int]]:
    """Open problems and duplicates recomputed from the data (for `partyorg rollups rebuild`)."""
    out = [
        ((org_id, "q.open_problems"), _open_problems(summary))
        for org_id, summary in Batch.objects.filter(status__in=REVIEWED).values_list(
            "org_id", "summary"
        )
    ]
    out += [
        ((decider_id, "q.open_duplicates"), 1)
        for decider_id in DuplicateCandidate.objects.filter(
            decision=DuplicateCandidate.Decision.OPEN
        ).values_list("decider_id", flat=True)
    ]
    return out
