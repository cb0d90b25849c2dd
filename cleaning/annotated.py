"""The annotated spreadsheet: originals, proposals and problems, to fix offline and upload again."""

import io
from typing import Any

import xlsxwriter
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from audit.services import audit_log
from lib.cleaning.columns import FIELDS, SYNONYMS

from .models import Batch, BatchRow

ROW_ID = "Mã dòng (không sửa)"
PROPOSED = " (đề xuất)"
ORIGINAL = " (gốc)"


def field_label(name: str) -> str:
    return SYNONYMS.get(name, (name,))[0] if name != "cell" else "Chi bộ"


def _fields_of(batch: Batch) -> list[str]:
    used: set[str] = set()
    for batch_file in batch.files.all():
        used |= {v for v in batch_file.mapping.values() if v}
    return [f for f in FIELDS if f in used or f == "cell"]


def annotated_workbook(
    batch: Batch, *, by: Any = None, request: HttpRequest | None = None
) -> bytes:
    """An xlsx of the batch: one row per input row, original beside proposal, and the problems."""
    fields = _fields_of(batch)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    sheet = book.add_worksheet("Rà soát")
    bold = book.add_format({"bold": True, "bg_color": "#F2DEDE", "text_wrap": True})
    error = book.add_format({"bg_color": "#F8D7DA"})
    headers = [
        ROW_ID,
        "Tệp",
        "Dòng",
        *[field_label(f) + s for f in fields for s in (ORIGINAL, PROPOSED)],
        "Vấn đề / problems",
    ]
    for col, header in enumerate(headers):
        sheet.write_string(0, col, header, bold)
    for r, row in enumerate(
        BatchRow.objects.filter(batch=batch)
        .select_related("file")
        .order_by("file_id", "row_number")
        .iterator(chunk_size=2000),
        start=1,
    ):
        sheet.write_number(r, 0, row.pk)
        sheet.write_string(r, 1, row.file.name)
        sheet.write_number(r, 2, row.row_number)
        bad = {p["field"] for p in row.problems if p["severity"] == "error"}
        for i, name in enumerate(fields):
            # Every cell is written as a string: nothing typed by anyone becomes a formula.
            sheet.write_string(r, 3 + 2 * i, str(row.original.get(name, "")))
            sheet.write_string(
                r,
                4 + 2 * i,
                str(row.edits.get(name, row.values.get(name, ""))),
                error if name in bad else None,
            )
        sheet.write_string(
            r,
            3 + 2 * len(fields),
            "; ".join(
                f"{p['code']}: {p['vi']}" for p in row.shown_problems if not p.get("accepted")
            ),
        )
    sheet.freeze_panes(1, 3)
    sheet.set_column(0, 0, None, None, {"hidden": True})
    book.close()
    audit_log(
        actor=by,
        action="batch.export_annotated",
        object_type="batch",
        object_id=batch.pk,
        detail={"rows": batch.rows_total},
        request=request,
    )
    return buffer.getvalue()


def apply_annotated(
    *, batch: Batch, upload: UploadedFile, by: Any = None, request: HttpRequest | None = None
) -> int:
    """Take a corrected annotated spreadsheet back: changed proposals become edits of the same batch."""
    from python_calamine import CalamineWorkbook

    from .services import _finish_review, _reclean, _require_review

    _require_review(batch)
    try:
        data = upload.read(50 * 1024 * 1024 + 1)
        if len(data) > 50 * 1024 * 1024:
            raise ValidationError({"file": _("Tệp lớn quá 50 MB.")})
        table = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    except ValidationError:
        raise
    except Exception:
        raise ValidationError(
            {
                "file": _(
                    "Không đọc được tệp: hãy tải lên đúng tệp rà soát (xlsx) đã tải về từ lô này."
                )
            }
        ) from None
    if not table or ROW_ID not in [str(h) for h in table[0]]:
        raise ValidationError(
            {
                "file": _("Tệp không có cột “%(c)s”: hãy dùng tệp rà soát tải về từ lô này.")
                % {"c": ROW_ID}
            }
        )
    header = [str(h) for h in table[0]]
    id_col = header.index(ROW_ID)
    labels = {field_label(f) + PROPOSED: f for f in FIELDS}
    columns = {i: labels[h] for i, h in enumerate(header) if h in labels}
    rows = {
        r.pk: r for r in BatchRow.objects.filter(batch=batch).select_related("file", "batch__org")
    }
    changed = []
    for line_number, line in enumerate(table[1:], start=2):
        raw_id = line[id_col] if id_col < len(line) else ""
        try:
            row = rows[int(float(str(raw_id)))]
        except (KeyError, TypeError, ValueError):
            raise ValidationError(
                {
                    "file": _("Dòng %(n)d: mã dòng “%(id)s” không thuộc lô này.")
                    % {"n": line_number, "id": raw_id}
                }
            ) from None
        edits = {}
        for col, name in columns.items():
            text = "" if col >= len(line) or line[col] is None else str(line[col])
            text = text[:-2] if text.endswith(".0") and text[:-2].isdigit() else text
            if text != str(row.edits.get(name, row.values.get(name, ""))):
                edits[name] = text
        if edits:
            row.edits = {**row.edits, **edits}
            _reclean(row)
            changed.append(row)
    with transaction.atomic():
        BatchRow.objects.bulk_update(
            changed, ["edits", "values", "problems", "errors", "warnings"], batch_size=1000
        )
        _finish_review(batch)
        audit_log(
            actor=by,
            action="batch.reupload",
            object_type="batch",
            object_id=batch.pk,
            detail={"rows": len(changed)},
            request=request,
        )
    return len(changed)
