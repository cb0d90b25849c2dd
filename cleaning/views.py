"""Pages of the import pipeline: upload, the batch under review, duplicates, commit."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from access.models import Role
from access.scope import can, sees_cccd
from audit.services import AuditContext
from core.forms import apply_errors
from core.http import MAX_PAGE, AuthedHttpRequest, query_int
from lib.cleaning.columns import FIELDS
from members.selectors import page_of
from orgs.models import Org
from orgs.selectors import get_org_for_user, org_in_scope, orgs_search, visible_ancestors

from . import services
from .annotated import annotated_workbook, apply_annotated
from .commit import batch_commit_later
from .display import field_label, review_lines, rule_title
from .forms import RowEditForm, UploadForm
from .models import Batch, BatchFile
from .selectors import (
    batch_rows,
    batches_of,
    candidates_for,
    cell_names,
    commit_preview,
    get_batch_for_user,
    get_candidate_for_user,
    get_row_for_user,
    open_pairs_of,
    pair_for,
    pairs_to_follow,
    row_totals,
    rule_summary,
    unit_cells,
    with_created_members,
)


@login_required
def batch_list(request: AuthedHttpRequest, code: str) -> HttpResponse:
    org = get_org_for_user(request.user, code)
    can_edit = can(request.user, org.path, Role.EDITOR)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not can_edit:
            raise Http404
        if form.is_valid():
            try:
                batch = services.batch_create(
                    org=org,
                    uploads=form.cleaned_data["uploads"],
                    by=request.user,
                    ctx=AuditContext.of(request),
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Đã nhận %(n)d tệp; hệ thống đang xử lý.") % {"n": batch.files.count()},
                )
                return redirect("cleaning:batch", batch_id=batch.pk)
    return render(
        request,
        "cleaning/batch_list.html",
        {
            "org": org,
            "ancestors": visible_ancestors(request.user, org),
            "form": form,
            "can_edit": can_edit,
            "batches": batches_of(org)[:100],
            "candidates": [
                pair_for(request.user, c) for c in candidates_for(request.user, org)[:50]
            ],
            "followed": [pair_for(request.user, c) for c in pairs_to_follow(org)[:50]],
        },
    )


@login_required
def batch_detail(request: AuthedHttpRequest, batch_id: int) -> HttpResponse:
    batch = get_batch_for_user(request.user, batch_id)
    if request.headers.get("HX-Request") and request.GET.get("progress"):
        if batch.status in (Batch.Status.QUEUED, Batch.Status.PROCESSING, Batch.Status.COMMITTING):
            return render(request, "cleaning/_progress.html", {"batch": batch})
        # Processing ended: the whole page changes (rules, rows), so htmx reloads it once.
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    code = request.GET.get("rule", "")[:64]
    severity = (
        request.GET.get("severity", "")
        if request.GET.get("severity") in ("error", "warning", "ok")
        else ""
    )
    page = query_int(request, "page", default=1, minimum=1, maximum=MAX_PAGE)
    file_id = query_int(request, "file", default=0) or None
    rows, has_next = page_of(
        batch_rows(batch, code=code, severity=severity, file_id=file_id),
        page=page,
        size=settings.PARTYORG_PAGE_SIZE,
    )
    rows = with_created_members(batch, rows)
    full_cccd = sees_cccd(request.user, batch.org.path)
    state = _review_state(request, batch)
    can_edit = state["can_edit"]
    cells_to_pick = (
        unit_cells(request.user, batch.org)
        if can_edit and batch.status == Batch.Status.REVIEW
        else []
    )
    return render(
        request,
        "cleaning/batch_detail.html",
        {
            "batch": batch,
            "org": batch.org,
            "ancestors": visible_ancestors(request.user, batch.org),
            "files": list(batch.files.all()),
            **state,
            "rows": [(row, review_lines(row, full_cccd=full_cccd)) for row in rows],
            "has_next": has_next,
            "page": page,
            "filters": {"rule": code, "severity": severity, "file": file_id or ""},
            "rule_title": rule_title(code) if code else "",
            "pairs": [pair_for(request.user, c) for c in open_pairs_of(batch)[:100]],
            "cell_names": cell_names(batch),
            "unit_cells": cells_to_pick or [],
            "cell_search": cells_to_pick is None,
        },
    )


def _review_state(request: AuthedHttpRequest, batch: Batch) -> dict[str, Any]:
    """What the batch page says of the review as a whole: its open problems per rule, its rows'
    totals, what still blocks the commit. The page shows it, and an inline fix sends it again
    (out of band) so that the counts follow the fix without a reload."""
    rules = rule_summary(batch)
    return {
        "rules": rules,
        "warning_rules": sum(1 for r in rules if r["severity"] == "warning"),
        "totals": row_totals(batch),
        "blockers": services.open_blockers(batch),
        "can_edit": can(request.user, batch.org.path, Role.EDITOR),
    }


def _editable_batch(request: AuthedHttpRequest, batch_id: int) -> Batch:
    return get_batch_for_user(request.user, batch_id, Role.EDITOR)


@login_required
@require_POST
def row_edit(request: AuthedHttpRequest, batch_id: int, row_id: int) -> HttpResponse:
    batch = _editable_batch(request, batch_id)
    row = get_row_for_user(request.user, batch, row_id)
    form = RowEditForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            if form.cleaned_data["field"] == "_skip":
                services.batch_row_skip(
                    row=row,
                    skip=form.cleaned_data["value"] == "1",
                    by=request.user,
                    ctx=AuditContext.of(request),
                )
            else:
                services.batch_row_edit(
                    row=row,
                    field=form.cleaned_data["field"],
                    value=form.cleaned_data["value"],
                    by=request.user,
                    ctx=AuditContext.of(request),
                )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = _("Dữ liệu gửi lên không hợp lệ.")
    row.refresh_from_db()
    if request.headers.get("HX-Request"):
        batch.refresh_from_db()
        # The row, and out of band the counts per rule, the totals and the commit button.
        return render(
            request,
            "cleaning/_row_fixed.html",
            {
                "row": row,
                "lines": review_lines(row, full_cccd=sees_cccd(request.user, batch.org.path)),
                "batch": batch,
                **_review_state(request, batch),
                "row_error": error,
                "oob": True,
            },
        )
    if error:
        messages.error(request, error)
    return redirect("cleaning:batch", batch_id=batch.pk)


@login_required
@require_POST
def accept_rule(request: AuthedHttpRequest, batch_id: int) -> HttpResponse:
    batch = _editable_batch(request, batch_id)
    # One rule's button sends its code; the button over the list sends none: every rule.
    code = request.POST.get("code", "")[:64]
    try:
        n = services.batch_accept_rules(
            batch=batch,
            codes=[code] if code else None,
            by=request.user,
            ctx=AuditContext.of(request),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Đã chấp nhận đề xuất sửa ở %(n)d dòng.") % {"n": n})
    return redirect("cleaning:batch", batch_id=batch.pk)


def _picked_cell(request: AuthedHttpRequest, batch: Batch) -> Org | None:
    """The cell a reviewer picked for a name of the file: by its code from the list, or typed
    into the search box of a unit with many cells (one match of its name or code)."""
    code = request.POST.get("cell", "").strip()
    if code:
        return org_in_scope(request.user, code, Role.EDITOR)
    query = request.POST.get("cell_query", "").strip()
    found = [
        org
        for org in orgs_search(request.user, query, role=Role.EDITOR, cells_only=True, limit=50)
        if org.path.startswith(batch.org.path)
    ]
    exact = [o for o in found if query.lower() in (o.code.lower(), o.name.lower())]
    return (exact or found)[0] if len(exact or found) == 1 else None


@login_required
@require_POST
def cells(request: AuthedHttpRequest, batch_id: int) -> HttpResponse:
    """Map one name of the file's cell column to a cell of the unit (or skip its rows)."""
    batch = _editable_batch(request, batch_id)
    text = request.POST.get("text", "")[:255]
    skip = request.POST.get("cell") == "_skip"
    cell = None if skip else _picked_cell(request, batch)
    if cell is None and not skip:
        messages.error(request, _("Hãy chọn một chi bộ của %(org)s.") % {"org": batch.org.name})
        return redirect("cleaning:batch", batch_id=batch.pk)
    try:
        n = services.batch_cells_assign(
            batch=batch, text=text, cell=cell, by=request.user, ctx=AuditContext.of(request)
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        shown = text or _("(để trống)")
        if cell is None:
            done = ngettext(
                "Đã bỏ qua %(n)d dòng ghi “%(text)s”.", "Đã bỏ qua %(n)d dòng ghi “%(text)s”.", n
            )
        else:
            done = ngettext(
                "Đã xếp %(n)d dòng ghi “%(text)s” vào %(cell)s.",
                "Đã xếp %(n)d dòng ghi “%(text)s” vào %(cell)s.",
                n,
            )
        messages.success(request, done % {"n": n, "text": shown, "cell": cell.name if cell else ""})
    return redirect("cleaning:batch", batch_id=batch.pk)


@login_required
def mapping(request: AuthedHttpRequest, batch_id: int, file_id: int) -> HttpResponse:
    batch = _editable_batch(request, batch_id)
    batch_file = BatchFile.objects.filter(pk=file_id, batch=batch).first()
    if batch_file is None:
        raise Http404
    error = ""
    if request.method == "POST":
        chosen = {i: (request.POST.get(f"col{i}") or None) for i in range(len(batch_file.headers))}
        try:
            services.batch_set_mapping(
                batch_file=batch_file, mapping=chosen, by=request.user, ctx=AuditContext.of(request)
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Đã lưu cách ghép cột; hệ thống xử lý lại lô dữ liệu."))
            return redirect("cleaning:batch", batch_id=batch.pk)
    columns = [
        (i, header, batch_file.mapping.get(str(i))) for i, header in enumerate(batch_file.headers)
    ]
    return render(
        request,
        "cleaning/mapping.html",
        {
            "batch": batch,
            "org": batch.org,
            "file": batch_file,
            "columns": columns,
            "fields": [(name, field_label(name)) for name in FIELDS],
            "error": error,
            "ancestors": visible_ancestors(request.user, batch.org),
        },
    )


@login_required
def annotated(request: AuthedHttpRequest, batch_id: int) -> HttpResponse:
    batch = get_batch_for_user(request.user, batch_id, Role.EDITOR)
    content = annotated_workbook(batch, by=request.user, ctx=AuditContext.of(request))
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="lo-{batch.pk}-ra-soat.xlsx"'
    return response


@login_required
@require_POST
def reupload(request: AuthedHttpRequest, batch_id: int) -> HttpResponse:
    batch = _editable_batch(request, batch_id)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Hãy chọn tệp đã sửa."))
    else:
        try:
            n = apply_annotated(
                batch=batch, upload=upload, by=request.user, ctx=AuditContext.of(request)
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Đã cập nhật %(n)d dòng từ tệp đã sửa.") % {"n": n})
    return redirect("cleaning:batch", batch_id=batch.pk)


@login_required
def commit(request: AuthedHttpRequest, batch_id: int) -> HttpResponse:
    """The page of "Ghi vào hồ sơ": what the commit will do, and a box to tick to confirm it
    (no JavaScript needed); the confirmed form queues the commit."""
    batch = _editable_batch(request, batch_id)
    error = ""
    if request.method == "POST":
        if request.POST.get("confirm") != "1":
            error = _("Hãy đánh dấu ô xác nhận trước khi ghi vào hồ sơ.")
        else:
            try:
                # The worker writes it; the page shows its progress, then the result.
                batch_commit_later(batch=batch, by=request.user, ctx=AuditContext.of(request))
            except ValidationError as refused:
                messages.error(request, " ".join(refused.messages))
            return redirect("cleaning:batch", batch_id=batch.pk)
    blockers = services.open_blockers(batch)
    return render(
        request,
        "cleaning/commit.html",
        {
            "batch": batch,
            "org": batch.org,
            "ancestors": visible_ancestors(request.user, batch.org),
            "ready": batch.status == Batch.Status.REVIEW and not any(blockers),
            "blockers": blockers,
            "preview": commit_preview(batch),
            "error": error,
        },
    )


@login_required
@require_POST
def cancel(request: AuthedHttpRequest, batch_id: int) -> HttpResponse:
    batch = _editable_batch(request, batch_id)
    try:
        services.batch_cancel(batch=batch, by=request.user, ctx=AuditContext.of(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Đã huỷ lô dữ liệu; hồ sơ không thay đổi."))
    return redirect("cleaning:batch", batch_id=batch.pk)


@login_required
def duplicate(request: AuthedHttpRequest, candidate_id: int) -> HttpResponse:
    candidate = get_candidate_for_user(request.user, candidate_id)
    may_decide = can(request.user, candidate.decider.path, Role.EDITOR)
    if request.method == "POST":
        if not may_decide:
            raise Http404
        try:
            services.candidate_decide(
                candidate=candidate,
                decision=request.POST.get("decision", ""),
                by=request.user,
                ctx=AuditContext.of(request),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Đã ghi quyết định."))
            if candidate.batch_id and can(request.user, candidate.batch.org.path, Role.VIEWER):  # type: ignore[union-attr]
                return redirect("cleaning:batch", batch_id=candidate.batch_id)
            return redirect("home")
    pair = pair_for(request.user, candidate)
    return render(
        request,
        "cleaning/duplicate.html",
        {
            "candidate": candidate,
            "pair": pair,
            "sides": [pair.a, pair.b],
            "may_decide": may_decide,
            "org": candidate.decider,
            "ancestors": visible_ancestors(request.user, candidate.decider),
        },
    )
