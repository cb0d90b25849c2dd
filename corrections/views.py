"""Correction pages: the member's (in the handbook's phone layout: my requests, a request's
timeline and the answer when asked for more, a new request) and the officials' (the queue of a
level with its live figures and filters, a request with its steps, filing for a member, the
xlsx of open or decided requests)."""

import io
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from access.models import Role
from access.scope import can, sees_cccd
from audit.services import AuditContext, audit_log
from core.forms import apply_errors
from core.http import AuthedHttpRequest, query_int
from core.live import stamp
from lib.cleaning.export import XlsxBook
from lib.vn.cccd import mask_cccd
from members.models import Member
from members.selectors import get_member_for_user
from orgs.selectors import get_org_for_user

from . import bulk, services
from .forms import ActForm, AnswerForm, ImportForm, RequestForm
from .models import Request
from .policy import policy_on
from .selectors import (
    QueueFilters,
    get_own_request,
    get_request_for_user,
    handles,
    may_see_attachment,
    own_requests,
    queue,
    queue_counts,
)

QUEUE_PAGE = 200
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _fields() -> list[str]:
    return list(policy_on(timezone.localdate()))


def _values(actor: object, request: Request) -> tuple[str, str]:
    """Current and proposed values as this viewer may read them (a CCCD masked for a viewer)."""
    current, proposed = request.current_value, request.proposed_value
    if request.field == "cccd" and not sees_cccd(
        actor, request.member.org_path, member_id=request.member_id
    ):
        current, proposed = mask_cccd(current), mask_cccd(proposed)
    return current, proposed


def _file(request: AuthedHttpRequest, member: Member, form: RequestForm) -> Request | None:
    if not form.is_valid():
        return None
    try:
        return services.request_file(
            member=member,
            field=form.cleaned_data["field"],
            proposed=form.cleaned_data["proposed_value"],
            reason=form.cleaned_data["reason"],
            attachment=form.cleaned_data.get("attachment"),
            by=request.user,
            ctx=AuditContext.of(request),
        )
    except ValidationError as error:
        apply_errors(form, error)
        return None


# -- The member's pages (handbook layout) -------------------------------------------------------


@login_required
def mine(request: AuthedHttpRequest) -> HttpResponse:
    if not request.user.member_id:
        raise Http404
    return render(
        request,
        "corrections/mine.html",
        {
            "hb_nav": "me",
            "requests": [(services.field_label(r.field), r) for r in own_requests(request.user)],
        },
    )


@login_required
def mine_new(request: AuthedHttpRequest) -> HttpResponse:
    member_id = request.user.member_id
    member = (
        Member.objects.filter(pk=member_id).select_related("org").first() if member_id else None
    )
    if member is None:
        raise Http404
    initial = {"field": request.GET.get("truong", "")}
    form = RequestForm(
        request.POST or None, request.FILES or None, fields=_fields(), initial=initial
    )
    if request.method == "POST":
        filed = _file(request, member, form)
        if filed is not None:
            messages.success(
                request, _("Đã gửi yêu cầu đính chính. Bạn sẽ được báo ở mỗi bước xử lý.")
            )
            return redirect("corrections:mine_detail", request_id=filed.pk)
    field = form["field"].value() or ""
    current = services.value_text(member, field) if field in _fields() else ""
    return render(
        request,
        "corrections/mine_new.html",
        {"hb_nav": "me", "form": form, "current": current},
    )


@login_required
def mine_detail(request: AuthedHttpRequest, request_id: int) -> HttpResponse:
    correction = get_own_request(request.user, request_id)
    form = AnswerForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_answer(
                request=correction,
                note=form.cleaned_data["note"],
                attachment=form.cleaned_data.get("attachment"),
                by=request.user,
                ctx=AuditContext.of(request),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Đã gửi nội dung bổ sung."))
            return redirect("corrections:mine_detail", request_id=correction.pk)
    return render(
        request,
        "corrections/mine_detail.html",
        {
            "hb_nav": "me",
            "r": correction,
            "label": services.field_label(correction.field),
            "steps": correction.steps.select_related("org").all(),
            "form": form,
        },
    )


# -- Officials' pages ---------------------------------------------------------------------------


def _filters(request: AuthedHttpRequest) -> QueueFilters:
    state = request.GET.get("trang-thai", "review")
    if state not in ("review", "waiting", "overdue", "open", "decided"):
        state = "review"
    field = request.GET.get("truong", "")
    return QueueFilters(
        state=state,
        field=field if field in _fields() else "",
        older_than=query_int(request, "qua-ngay", default=0, maximum=3650),
        unit=request.GET.get("don-vi", "")[:64],
    )


@login_required
def queue_page(request: AuthedHttpRequest, code: str) -> HttpResponse:
    # Before the figures are read: the page's stream (orgs:live) tells of any change after it.
    since = stamp()
    org = get_org_for_user(request.user, code)
    if request.GET.get("live"):
        return render(
            request, "corrections/_queue_counts.html", {"org": org, "counts": queue_counts(org)}
        )
    filters = _filters(request)
    rows = list(queue(org, filters)[:QUEUE_PAGE])
    audit_log(
        actor=request.user,
        action="correction.list",
        object_type="org",
        object_id=org.code,
        detail={"state": filters.state, "shown": len(rows)},
        ctx=AuditContext.of(request),
    )
    return render(
        request,
        "corrections/queue.html",
        {
            "org": org,
            "counts": queue_counts(org),
            "filters": filters,
            "fields": [(name, services.field_label(name)) for name in _fields()],
            "rows": [(r, services.field_label(r.field), *_values(request.user, r)) for r in rows],
            "more": len(rows) == QUEUE_PAGE,
            "live_since": since,
        },
    )


@login_required
def queue_export(request: AuthedHttpRequest, code: str) -> HttpResponse:
    """Open requests of the subtree (for the level above), or decided ones (?trang-thai=decided),
    as xlsx through the one neutralising writer; audited."""
    org = get_org_for_user(request.user, code)
    filters = _filters(request)
    if filters.state != "decided":
        filters.state = "open"
    rows = list(queue(org, filters).prefetch_related("steps"))
    buffer = io.BytesIO()
    book = XlsxBook(buffer)
    sheet = book.sheet(_("Yêu cầu đính chính"))
    header = [
        _("Số"),
        _("Họ và tên"),
        _("Chi bộ"),
        _("Thông tin"),
        _("Giá trị hiện tại"),
        _("Giá trị đề nghị"),
        _("Lý do"),
        _("Trạng thái"),
        _("Đang ở cấp"),
        _("Ngày gửi"),
        _("Hạn xử lý"),
        _("Quá hạn"),
        _("Ghi chú cuối"),
    ]
    bold = book.style({"bold": True})
    sheet.write_row(0, header, bold)
    for n, r in enumerate(rows, start=1):
        current, proposed = _values(request.user, r)
        last = list(r.steps.all())[-1:] if r.steps.all() else []
        sheet.write_row(
            n,
            [
                r.pk,
                r.member.full_name,
                r.unit.name,
                services.field_label(r.field),
                current,
                proposed,
                r.reason,
                str(r.get_status_display()),
                r.org.name,
                timezone.localtime(r.filed_at).replace(tzinfo=None),
                r.due_on,
                _("Có") if r.overdue else "",
                last[0].note if last else "",
            ],
        )
    sheet.freeze_panes(1, 0)
    book.close()
    audit_log(
        actor=request.user,
        action="correction.export",
        object_type="org",
        object_id=org.code,
        detail={"state": filters.state, "rows": len(rows)},
        ctx=AuditContext.of(request),
    )
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    name = re.sub(r"[^A-Za-z0-9._-]", "_", org.code)
    kind = "da-xu-ly" if filters.state == "decided" else "dang-mo"
    response["Content-Disposition"] = f'attachment; filename="dinh-chinh-{kind}-{name}.xlsx"'
    return response


@login_required
def queue_import(request: AuthedHttpRequest, code: str) -> HttpResponse:
    """Requests for many members from a spreadsheet: checked row by row, then filed at once."""
    org = get_org_for_user(request.user, code, Role.EDITOR)
    form = ImportForm(request.POST or None, request.FILES or None)
    results: list[bulk.RowResult] = []
    filed = 0
    if request.method == "POST" and form.is_valid():
        try:
            results, filed = bulk.requests_import(
                org=org,
                upload=form.cleaned_data["file"],
                by=request.user,
                apply=form.cleaned_data["apply"],
                ctx=AuditContext.of(request),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if filed:
                messages.success(request, _("Đã tạo %(n)d yêu cầu đính chính.") % {"n": filed})
                return redirect("corrections:queue", code=org.code)
    return render(
        request,
        "corrections/import.html",
        {
            "org": org,
            "form": form,
            "results": results,
            "errors": sum(1 for r in results if not r.ok),
            "columns": list(bulk.COLUMNS.values()),
        },
    )


@login_required
def file_for_member(request: AuthedHttpRequest, member_id: int) -> HttpResponse:
    member = get_member_for_user(request.user, member_id, Role.EDITOR)
    form = RequestForm(request.POST or None, request.FILES or None, fields=_fields())
    if request.method == "POST":
        filed = _file(request, member, form)
        if filed is not None:
            messages.success(request, _("Đã tạo yêu cầu đính chính."))
            return redirect("corrections:detail", request_id=filed.pk)
    return render(request, "corrections/file.html", {"member": member, "form": form})


@login_required
def detail(request: AuthedHttpRequest, request_id: int) -> HttpResponse:
    correction = get_request_for_user(request.user, request_id)
    if not can(request.user, correction.member.org_path, Role.VIEWER):
        # Officials' page: a member reads their own request in the handbook (mine_detail).
        raise Http404
    form = ActForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_act(
                request=correction,
                action=form.cleaned_data["action"],
                note=form.cleaned_data["note"],
                by=request.user,
                ctx=AuditContext.of(request),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Đã ghi bước xử lý."))
            return redirect("corrections:detail", request_id=correction.pk)
    audit_log(
        actor=request.user,
        action="correction.view",
        object_type="correction",
        object_id=correction.pk,
        detail={"member": correction.member_id},
        ctx=AuditContext.of(request),
    )
    current, proposed = _values(request.user, correction)
    return render(
        request,
        "corrections/detail.html",
        {
            "r": correction,
            "label": services.field_label(correction.field),
            "current": current,
            "proposed": proposed,
            "steps": correction.steps.select_related("org", "by").all(),
            "form": form,
            "handles": handles(request.user, correction),
            "may_act": correction.status == "review"
            and can(request.user, correction.org_path, Role.EDITOR),
            "may_decide": correction.status == "review"
            and can(request.user, correction.org_path, Role.APPROVER),
            "queue_url": reverse("corrections:queue", args=[correction.org.code])
            if can(request.user, correction.org_path)
            else "",
        },
    )


@login_required
def attachment(request: AuthedHttpRequest, request_id: int) -> HttpResponse:
    """The photo or scan: to the member and to those handling the request, nobody else."""
    correction = get_request_for_user(request.user, request_id)
    if not correction.has_attachment or not may_see_attachment(request.user, correction):
        raise Http404
    data = services.attachment_read(
        request=correction, by=request.user, ctx=AuditContext.of(request)
    )
    response = HttpResponse(data, content_type=correction.attachment_type)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
