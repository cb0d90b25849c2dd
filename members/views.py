"""Member pages: the record, its events timeline and field history, and a form for each event."""

import re
from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from access.models import Role
from access.scope import can, sees_cccd
from audit.services import AuditContext
from core.forms import apply_errors
from core.http import MAX_PAGE, AuthedHttpRequest, query_int
from orgs.forms import resolve_orgs
from orgs.selectors import get_org_for_user, visible_ancestors

from . import services
from .exports import members_workbook
from .forms import (
    BadgeForm,
    CardForm,
    DateForm,
    DisciplineForm,
    ExitForm,
    MemberForm,
    RateForm,
    RecogniseForm,
    TransferForm,
)
from .models import Member
from .selectors import (
    Found,
    MemberFilters,
    get_member_for_user,
    member_events,
    member_history,
    members_for,
    members_found,
    page_of,
    provenance_of,
    sees_cccd_of,
)


def _record_context(request: AuthedHttpRequest, member: Member) -> dict[str, Any]:
    return {
        "member": member,
        "events": member_events(member),
        "history": member_history(member),
        "provenance": provenance_of(member),
        "show_cccd": sees_cccd_of(request.user, member),
        "can_edit": can(request.user, member.org.path, Role.EDITOR),
        "org": member.org,
        "ancestors": visible_ancestors(request.user, member.org),
    }


def _member_filters(request: AuthedHttpRequest) -> MemberFilters:
    """The member list's filters, as its form sends them (its export takes the same)."""
    return MemberFilters(
        q=request.GET.get("q", "")[:100],
        status=request.GET.get("status", "active"),
        sex=request.GET.get("sex", "") if request.GET.get("sex") in ("M", "F") else "",
    )


@login_required
def member_list(request: AuthedHttpRequest, code: str) -> HttpResponse:
    org = get_org_for_user(request.user, code)
    filters = _member_filters(request)
    page = query_int(request, "page", default=1, minimum=1, maximum=MAX_PAGE)
    rows, has_next = page_of(
        members_for(viewer=request.user, org=org, filters=filters),
        page=page,
        size=settings.PARTYORG_PAGE_SIZE,
    )
    services.members_list_viewed(
        viewer=request.user,
        org=org,
        query=filters.q,
        shown=[m.id for m in rows],
        ctx=AuditContext.of(request),
    )
    context = {
        "org": org,
        "ancestors": visible_ancestors(request.user, org),
        "rows": rows,
        "filters": filters,
        "page": page,
        "has_next": has_next,
        # A first page that holds the whole list has its count at hand: no query for it.
        "found": Found(len(rows), exact=True)
        if page <= 1 and not has_next
        else members_found(viewer=request.user, org=org, filters=filters),
        "show_cccd": sees_cccd(request.user, org.path),
        "can_edit": can(request.user, org.path, Role.EDITOR) and org.holds_members,
    }
    template = (
        "members/_member_rows.html"
        if request.headers.get("HX-Request")
        else "members/member_list.html"
    )
    return render(request, template, context)


@login_required
def member_list_export(request: AuthedHttpRequest, code: str) -> HttpResponse:
    """The member list with its filters, all its pages, as xlsx (audited): CCCDs masked in the
    file as on the screen."""
    org = get_org_for_user(request.user, code)
    filters = _member_filters(request)
    members = members_for(viewer=request.user, org=org, filters=filters)
    limit = settings.PARTYORG_EXPORT_MAX_ROWS
    if members.count() > limit:
        messages.error(
            request,
            _(
                "Danh sách có hơn %(n)s đảng viên, quá nhiều để xuất từ trang này: hãy lọc bớt "
                "(theo tên, trạng thái, giới tính) hoặc xuất từ tổ chức cấp dưới."
            )
            % {"n": intcomma(limit)},
        )
        return redirect(f"{reverse('members:list', args=[org.code])}?{request.GET.urlencode()}")
    masked = not sees_cccd(request.user, org.path)
    stamp = _("Xuất bởi %(user)s lúc %(at)s") % {
        "user": request.user.username,
        "at": timezone.localtime().strftime("%d/%m/%Y %H:%M"),
    }
    content, shown = members_workbook(members, masked=masked, stamp=stamp)
    services.members_exported(
        viewer=request.user,
        org=org,
        query=filters.q,
        status=filters.status,
        sex=filters.sex,
        shown=shown,
        cccd_masked=masked,
        ctx=AuditContext.of(request),
    )
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = re.sub(r"[^A-Za-z0-9._-]", "_", org.code)
    response["Content-Disposition"] = f'attachment; filename="dang-vien-{name}.xlsx"'
    return response


@login_required
def member_detail(request: AuthedHttpRequest, member_id: int) -> HttpResponse:
    member = get_member_for_user(request.user, member_id)
    services.member_view(viewer=request.user, member=member, ctx=AuditContext.of(request))
    return render(request, "members/member_detail.html", _record_context(request, member))


@login_required
def me(request: AuthedHttpRequest) -> HttpResponse:
    if not request.user.member_id:
        raise Http404
    return member_detail(request, request.user.member_id)


@login_required
def member_create(request: AuthedHttpRequest, code: str) -> HttpResponse:
    org = get_org_for_user(request.user, code, Role.EDITOR)
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.member_create(
                org=org, data=form.cleaned_data, by=request.user, ctx=AuditContext.of(request)
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Đã thêm đảng viên %(name)s.") % {"name": member.full_name})
            return redirect("members:detail", member_id=member.pk)
    return render(
        request,
        "members/member_form.html",
        {
            "form": form,
            "org": org,
            "title": _("Thêm đảng viên"),
            "ancestors": visible_ancestors(request.user, org),
        },
    )


@login_required
def member_edit(request: AuthedHttpRequest, member_id: int) -> HttpResponse:
    member = get_member_for_user(request.user, member_id, Role.EDITOR)
    initial = {name: getattr(member, name) for name in MemberForm.base_fields}
    form = MemberForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if k in form.changed_data}
        try:
            services.member_update(
                member=member, changes=changes, by=request.user, ctx=AuditContext.of(request)
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Đã lưu thay đổi."))
            return redirect("members:detail", member_id=member.pk)
    return render(
        request,
        "members/member_form.html",
        {
            "form": form,
            "org": member.org,
            "member": member,
            "title": _("Sửa hồ sơ"),
            "ancestors": visible_ancestors(request.user, member.org),
        },
    )


def _transfer(request: AuthedHttpRequest, member: Member, data: dict[str, Any]) -> Member:
    to_org = data["to_code"]  # an Org: resolve_orgs read it within the editor's scope
    return services.member_transfer(
        member=member,
        to_org=to_org,
        on=data["on"],
        temporary=data["temporary"],
        note=data["note"],
        by=request.user,
        ctx=AuditContext.of(request),
    )


# One entry per event form: its form, the service call, its title.
EVENTS: dict[
    str, tuple[type[forms.Form], Callable[[AuthedHttpRequest, Member, dict[str, Any]], Member], Any]
] = {
    "recognise": (
        RecogniseForm,
        lambda r, m, d: services.member_recognise(member=m, by=r.user, ctx=AuditContext.of(r), **d),
        gettext_lazy("Công nhận chính thức"),
    ),
    "transfer": (TransferForm, _transfer, gettext_lazy("Chuyển sinh hoạt")),
    "exempt": (
        DateForm,
        lambda r, m, d: services.member_exempt(member=m, by=r.user, ctx=AuditContext.of(r), **d),
        gettext_lazy("Miễn sinh hoạt"),
    ),
    "end-exemption": (
        DateForm,
        lambda r, m, d: services.member_exempt(
            member=m, by=r.user, ctx=AuditContext.of(r), end=True, **d
        ),
        gettext_lazy("Thôi miễn sinh hoạt"),
    ),
    "exit": (
        ExitForm,
        lambda r, m, d: services.member_exit(member=m, by=r.user, ctx=AuditContext.of(r), **d),
        gettext_lazy("Từ trần, ra khỏi Đảng"),
    ),
    "card": (
        CardForm,
        lambda r, m, d: services.member_issue_card(
            member=m, by=r.user, ctx=AuditContext.of(r), **d
        ),
        gettext_lazy("Cấp thẻ đảng viên"),
    ),
    "badge": (
        BadgeForm,
        lambda r, m, d: services.member_award_badge(
            member=m, by=r.user, ctx=AuditContext.of(r), **d
        ),
        gettext_lazy("Trao huy hiệu Đảng"),
    ),
    "discipline": (
        DisciplineForm,
        lambda r, m, d: services.member_discipline(
            member=m, by=r.user, ctx=AuditContext.of(r), **d
        ),
        gettext_lazy("Kỷ luật"),
    ),
    "rate": (
        RateForm,
        lambda r, m, d: services.member_rate(member=m, by=r.user, ctx=AuditContext.of(r), **d),
        gettext_lazy("Xếp loại chất lượng"),
    ),
}


@login_required
def member_event(request: AuthedHttpRequest, member_id: int, kind: str) -> HttpResponse:
    if kind not in EVENTS:
        raise Http404
    member = get_member_for_user(request.user, member_id, Role.EDITOR)
    form_class, action, title = EVENTS[kind]
    today = timezone.localdate()
    form = form_class(request.POST or None, initial={"on": today, "year": today.year})
    if request.method == "POST" and form.is_valid() and resolve_orgs(form, request.user):
        try:
            action(request, member, form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Đã ghi sự kiện: %(title)s.") % {"title": title})
            return redirect("members:detail", member_id=member.pk)
    return render(
        request,
        "members/member_form.html",
        {
            "form": form,
            "org": member.org,
            "member": member,
            "title": title,
            "ancestors": visible_ancestors(request.user, member.org),
        },
    )
