"""Pages of the organisation tree: drill down with live counts, and the changes to the tree."""

from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import get_format
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.selectors import can
from members.selectors import Found, MemberFilters, members_for, members_found, page_of
from members.services import members_list_viewed
from partyorg.forms import apply_errors
from partyorg.http import AuthedHttpRequest

from . import services
from .forms import OrgCreateForm, OrgDissolveForm, OrgMergeForm, OrgMoveForm, OrgRenameForm
from .models import Kind, Org
from .selectors import (
    ChildRow,
    age_bands,
    get_org_for_user,
    org_children_with_counts,
    org_counts,
    org_history,
    template_keys,
    visible_ancestors,
)


def _children_rows(children: list[ChildRow]) -> SafeString:
    """The rows of the children table, built here in one pass: the root lists 34 provinces and a
    province more than a hundred communes, and template tags per cell (url, intcomma) would make
    the root's page slower than a cell's."""
    separator = get_format("THOUSAND_SEPARATOR")
    prefix = reverse("orgs:detail", args=["-"])[:-2]
    # get_kind_display() translates its lazy label anew for every row.
    kinds = {value: str(label) for value, label in Kind.choices}

    def number(value: int) -> str:
        return format(value, ",").replace(",", separator)

    return format_html_join(
        "\n",
        '<tr><td><a href="{}">{}</a></td><td class="small text-muted">{}</td>'
        '<td class="text-end">{}</td><td class="text-end">{}</td><td class="text-end">{}</td></tr>',
        (
            (
                f"{prefix}{quote(child.code)}/",
                child.name,
                kinds.get(child.kind, child.kind),
                number(child.counts.get("members", 0)),
                number(child.counts.get("status_probationary", 0)),
                number(child.counts.get("cells", 0)),
            )
            for child in children
        ),
    )


@login_required
def org_detail(request: AuthedHttpRequest, code: str) -> HttpResponse:
    org = get_org_for_user(request.user, code)
    counts = org_counts(org)
    members_total = counts.get("members", 0)
    context = {
        "org": org,
        "ancestors": visible_ancestors(request.user, org),
        "counts": template_keys(counts),
        "female_share": round(100 * counts.get("sex.F", 0) / members_total) if members_total else 0,
        "bands": age_bands(counts, timezone.localdate().year),
        "children": (children := org_children_with_counts(org)),
        "children_rows": _children_rows(children),
        "history": [] if request.GET.get("live") else org_history(org),
        "can_edit": can(request.user, org.path, Role.EDITOR),
        "can_admin": can(request.user, org.path, Role.ADMIN),
    }
    # htmx refreshes the counters every few seconds; a plain reload always shows the truth too.
    template = "orgs/_org_live.html" if request.GET.get("live") else "orgs/org_detail.html"
    return render(request, template, context)


@login_required
def org_members(request: AuthedHttpRequest, code: str) -> HttpResponse:
    org = get_org_for_user(request.user, code)
    filters = MemberFilters(
        q=request.GET.get("q", "")[:100],
        status=request.GET.get("status", "active"),
        sex=request.GET.get("sex", "") if request.GET.get("sex") in ("M", "F") else "",
    )
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        page = 1
    rows, has_next = page_of(
        members_for(viewer=request.user, org=org, filters=filters),
        page=page,
        size=settings.PARTYORG_PAGE_SIZE,
    )
    members_list_viewed(
        viewer=request.user, org=org, query=filters.q, shown=[m.id for m in rows], request=request
    )
    context = {
        "org": org,
        "ancestors": visible_ancestors(request.user, org),
        "rows": rows,
        "filters": filters,
        "page": max(page, 1),
        "has_next": has_next,
        # A first page that holds the whole list has its count at hand: no query for it.
        "found": Found(len(rows), exact=True)
        if page <= 1 and not has_next
        else members_found(viewer=request.user, org=org, filters=filters),
        "show_cccd": can(request.user, org.path, Role.EDITOR),
        "can_edit": can(request.user, org.path, Role.EDITOR) and org.holds_members,
    }
    template = (
        "orgs/_member_rows.html" if request.headers.get("HX-Request") else "orgs/org_members.html"
    )
    return render(request, template, context)


def _form_page(request: AuthedHttpRequest, org: Org, form: object, title: str) -> HttpResponse:
    return render(request, "orgs/org_form.html", {"org": org, "form": form, "title": title})


@login_required
def org_child_create(request: AuthedHttpRequest, code: str) -> HttpResponse:
    parent = get_org_for_user(request.user, code, Role.EDITOR)
    form = OrgCreateForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            org = services.org_create(parent=parent, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Đã thành lập %(name)s.") % {"name": org.name})
            return redirect("orgs:detail", code=org.code)
    return _form_page(request, parent, form, _("Thành lập tổ chức trực thuộc"))


@login_required
def org_rename(request: AuthedHttpRequest, code: str) -> HttpResponse:
    org = get_org_for_user(request.user, code, Role.ADMIN)
    form = OrgRenameForm(
        request.POST or None, initial={"name": org.name, "on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.org_rename(org=org, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Đã đổi tên tổ chức."))
            return redirect("orgs:detail", code=org.code)
    return _form_page(request, org, form, _("Đổi tên"))


@login_required
def org_move(request: AuthedHttpRequest, code: str) -> HttpResponse:
    org = get_org_for_user(request.user, code, Role.ADMIN)
    form = OrgMoveForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        parent = Org.objects.filter(code=form.cleaned_data["parent_code"].strip()).first()
        if parent is None or not can(request.user, parent.path, Role.ADMIN):
            form.add_error(
                "parent_code", _("Không tìm thấy tổ chức này trong phạm vi bạn quản trị.")
            )
        else:
            try:
                services.org_move(
                    org=org, new_parent=parent, on=form.cleaned_data["on"], by=request.user
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Đã chuyển %(name)s.") % {"name": org.name})
                return redirect("orgs:detail", code=org.code)
    return _form_page(request, org, form, _("Chuyển trực thuộc"))


@login_required
def org_merge(request: AuthedHttpRequest, code: str) -> HttpResponse:
    target = get_org_for_user(request.user, code, Role.ADMIN)
    form = OrgMergeForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        codes = [c.strip() for c in form.cleaned_data["source_codes"].split(",") if c.strip()]
        sources = list(Org.objects.filter(code__in=codes))
        missing = set(codes) - {s.code for s in sources if can(request.user, s.path, Role.ADMIN)}
        if missing:
            form.add_error(
                "source_codes",
                _("Không tìm thấy trong phạm vi bạn quản trị: %(codes)s.")
                % {"codes": ", ".join(sorted(missing))},
            )
        else:
            try:
                services.org_merge(
                    sources=sources, target=target, on=form.cleaned_data["on"], by=request.user
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Đã hợp nhất %(n)d tổ chức vào %(name)s.")
                    % {"n": len(sources), "name": target.name},
                )
                return redirect("orgs:detail", code=target.code)
    return _form_page(request, target, form, _("Hợp nhất vào tổ chức này"))


@login_required
def org_dissolve(request: AuthedHttpRequest, code: str) -> HttpResponse:
    org = get_org_for_user(request.user, code, Role.ADMIN)
    form = OrgDissolveForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.org_dissolve(org=org, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Đã giải thể %(name)s.") % {"name": org.name})
            return redirect("orgs:detail", code=org.parent.code if org.parent else org.code)
    return _form_page(request, org, form, _("Giải thể"))
