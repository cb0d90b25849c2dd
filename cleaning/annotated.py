"""The annotated spreadsheet: originals, proposals and problems, to fix offline and upload again."""

import io
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from audit.services import AuditContext, audit_log
from core.crypto import InvalidToken
from lib.cleaning.columns import FIELDS, SYNONYMS
from lib.cleaning.export import XlsxBook, unneutralise
from lib.cleaning.parse import Limits, ParsedFile, ParseError, parse_file
from lib.cleaning.shown import shown_value

from .models import Batch, BatchFile, BatchRow
from .services import finish_review, reclean, require_review
from .storage import opened, upload_opened

ROW_ID = "Mã dòng (không sửa)"
PROPOSED = " (đề xuất)"
ORIGINAL = " (gốc)"
MAX_REUPLOAD_BYTES = 50 * 1024 * 1024


def field_label(name: str) -> str:
    return SYNONYMS.get(name, (name,))[0] if name != "cell" else "Chi bộ"


def proposal_text(row: BatchRow, name: str) -> str:
    """A proposal as the workbook shows it, and as a cell sent back unchanged reads: what the
    reviewer typed, else the value as officials write it (dd/mm/yyyy, Nam/Nữ, 0912 345 678)."""
    if name in row.edits:
        return str(row.edits[name])
    return shown_value(name, row.values.get(name))


def _fields_of(batch: Batch) -> list[str]:
    used: set[str] = set()
    for batch_file in batch.files.all():
        used |= {v for v in batch_file.mapping.values() if v}
    return [f for f in FIELDS if f in used or f == "cell"]


@dataclass(slots=True)
class _Layout:
    """The workbook's columns: each file's own columns as typed, each mapped one followed by
    its proposal, then the proposals no column of the files holds (the cell)."""

    headers: list[str] = field(default_factory=list)
    # file id -> [(its column index, workbook column)]
    originals: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    proposals: dict[str, int] = field(default_factory=dict)  # field -> workbook column

    def add(self, header: str) -> int:
        self.headers.append(header)
        return len(self.headers) - 1


FIRST = 3  # after the row id, the file and the row number


def _layout(files: list[BatchFile], fields: list[str]) -> _Layout:
    layout = _Layout(headers=[ROW_ID, "Tệp", "Dòng"])
    columns: dict[str, int] = {}
    for batch_file in files:
        mapping = {int(k): v for k, v in batch_file.mapping.items() if v}
        seen: Counter[str] = Counter()
        placed = layout.originals.setdefault(batch_file.pk, [])
        for index, text in enumerate(batch_file.headers):
            name = " ".join(str(text).split()) or f"Cột {index + 1}"
            seen[name] += 1
            if seen[name] > 1:  # two columns of one file with one header stay two columns
                name = f"{name} ({seen[name]})"
            if name not in columns:
                columns[name] = layout.add(name + ORIGINAL)
            placed.append((index, columns[name]))
            mapped = mapping.get(index)
            if mapped in fields and mapped not in layout.proposals:
                layout.proposals[mapped] = layout.add(field_label(mapped) + PROPOSED)
    for name in fields:
        if name not in layout.proposals:
            layout.proposals[name] = layout.add(field_label(name) + PROPOSED)
    layout.add("Vấn đề / problems")
    return layout


def _cells_of(batch_file: BatchFile) -> dict[int, list[str]] | None:
    """Every cell of each row of the stored upload, by row number; None if it cannot be read
    again (the rows' mapped originals stand in for it)."""
    try:
        with opened(batch_file.stored) as path:
            parsed = parse_file(path, display_name=batch_file.name, sheet=batch_file.sheet or None)
    except (ParseError, OSError, InvalidToken):
        return None
    return {row.row: row.values for row in parsed.rows}


def _write_rows(book: XlsxBook, files: list[BatchFile], layout: _Layout) -> None:
    """The sheet, in order (constant memory writes each row once, top to bottom)."""
    sheet = book.sheet("Rà soát")
    sheet.freeze_panes(1, FIRST)
    sheet.hide_column(0)
    bold = book.style({"bold": True, "bg_color": "#F2DEDE", "text_wrap": True})
    proposal = book.style({"bg_color": "#E8F4EA"})
    error = book.style({"bg_color": "#F8D7DA"})
    sheet.write_row(0, layout.headers, bold)
    r = 0
    for batch_file in files:
        cells = _cells_of(batch_file)
        by_field = {v: int(k) for k, v in batch_file.mapping.items() if v}
        placed = layout.originals.get(batch_file.pk, [])
        for row in BatchRow.objects.filter(file=batch_file).order_by("row_number").iterator(2000):
            r += 1
            sheet.write(r, 0, row.pk)
            sheet.write(r, 1, batch_file.name)
            sheet.write(r, 2, row.row_number)
            typed = cells.get(row.row_number) if cells is not None else None
            if typed is None:  # the file is not readable again: its mapped cells as stored
                known = {by_field[f]: v for f, v in row.typed.items() if f in by_field}
                typed = [known.get(i, "") for i in range(len(batch_file.headers))]
            for index, col in placed:
                # Every cell is written as text (neutralised): nothing typed becomes a formula.
                sheet.write(r, col, str(typed[index]) if index < len(typed) else "")
            bad = {p["field"] for p in row.problems if p["severity"] == "error"}
            for name, col in layout.proposals.items():
                sheet.write(r, col, proposal_text(row, name), error if name in bad else proposal)
            sheet.write(
                r,
                len(layout.headers) - 1,
                "; ".join(p["vi"] for p in row.shown_problems if not p.get("accepted")),
            )


def annotated_workbook(batch: Batch, *, by: Any = None, ctx: AuditContext | None = None) -> bytes:
    """An xlsx of the batch: one row per input row with every column of its file as typed
    (mapped or not), each mapped column's proposal beside it, and the row's open problems."""
    files = list(batch.files.order_by("id"))
    layout = _layout(files, _fields_of(batch))
    buffer = io.BytesIO()
    # Row by row through temporary files (a province's batch of 100,000 rows held as cells
    # would take about a gigabyte), in a directory of its own that goes when the book is made.
    with tempfile.TemporaryDirectory(prefix="partyorg-annotated-") as scratch:
        book = XlsxBook(buffer, constant_memory=True, tmpdir=scratch)
        _write_rows(book, files, layout)
        book.close()
    audit_log(
        actor=by,
        action="batch.export_annotated",
        object_type="batch",
        object_id=batch.pk,
        detail={"rows": batch.rows_total},
        ctx=ctx,
    )
    return buffer.getvalue()


def apply_annotated(
    *, batch: Batch, upload: UploadedFile, by: Any = None, ctx: AuditContext | None = None
) -> int:
    """Take a corrected annotated spreadsheet back: changed proposals become edits of the same batch."""
    require_review(batch)
    parsed = _read_annotated(upload)
    header = parsed.headers
    id_col = header.index(ROW_ID)
    labels = {field_label(f) + PROPOSED: f for f in FIELDS}
    columns = {i: labels[h] for i, h in enumerate(header) if h in labels}
    rows = {
        r.pk: r for r in BatchRow.objects.filter(batch=batch).select_related("file", "batch__org")
    }
    changed = []
    for source in parsed.rows:
        line = source.values
        if not any(cell.strip() for cell in line):
            continue
        raw_id = line[id_col] if id_col < len(line) else ""
        try:
            row = rows[int(float(str(raw_id)))]
        except (KeyError, TypeError, ValueError):
            raise ValidationError(
                {
                    "file": _("Dòng %(n)d: mã dòng “%(id)s” không thuộc lô này.")
                    % {"n": source.row, "id": raw_id}
                }
            ) from None
        edits = {}
        for col, name in columns.items():
            # The workbook neutralised text a spreadsheet would run: take back what was written.
            text = unneutralise(line[col]) if col < len(line) and line[col] is not None else ""
            text = text[:-2] if text.endswith(".0") and text[:-2].isdigit() else text
            if text != proposal_text(row, name):
                edits[name] = text
        if edits:
            row.edits = {**row.edits, **edits}
            reclean(row)
            changed.append(row)
    with transaction.atomic():
        BatchRow.objects.bulk_update(
            changed,
            ["edits", "original", "values", "problems", "errors", "warnings"],
            batch_size=1000,
        )
        finish_review(batch)
        audit_log(
            actor=by,
            action="batch.reupload",
            object_type="batch",
            object_id=batch.pk,
            detail={"rows": len(changed)},
            ctx=ctx,
        )
    return len(changed)


def _read_annotated(upload: UploadedFile) -> ParsedFile:
    """The corrected workbook, read by the parser every upload goes through (its guard against
    zip bombs and oversized sheets included): the header is the row holding ROW_ID."""
    if (upload.size or 0) > MAX_REUPLOAD_BYTES:
        raise ValidationError({"file": _("Tệp lớn quá 50 MB: hãy tải lên đúng tệp rà soát.")})
    try:
        with upload_opened(upload) as path:
            return parse_file(
                path,
                display_name=upload.name or "",
                limits=Limits(max_bytes=MAX_REUPLOAD_BYTES),
                header=ROW_ID,
            )
    except ParseError as error:
        if error.code == "file.no_header":
            message = _("Tệp không có cột “%(c)s”: hãy dùng tệp rà soát tải về từ lô này.") % {
                "c": ROW_ID
            }
        else:
            reason = error.message_en if get_language().startswith("en") else error.message_vi
            message = reason + " " + _("Hãy tải lên đúng tệp rà soát (xlsx) đã tải về từ lô này.")
        raise ValidationError({"file": message}) from None
    except OSError:
        raise ValidationError(
            {
                "file": _(
                    "Không đọc được tệp: hãy tải lên đúng tệp rà soát (xlsx) đã tải về từ lô này."
                )
            }
        ) from None
