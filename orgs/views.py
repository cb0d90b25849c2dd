"""Pages of the organisation tree: drill down with live counts, and the changes to the tree."""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import get_format
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from access.models import Role
from access.scope import can, is_official
from core import live
from core.forms import apply_errors
from core.http import AuthedHttpRequest

from . import services
from .forms import OrgCreateForm, OrgRenameForm
from .models import Kind, Org
from .selectors import (
    ChildRow,
    age_bands,
    get_org_for_user,
    org_children_with_counts,
    org_counts,
    org_history,
    orgs_search,
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
    # Before the counters are read: the page's stream tells of any change after this moment.
    since = live.stamp()
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
        "live_since": since,
    }
    # htmx fetches the live part again when the page's stream (org_live) says something in the
    # subtree changed; a plain reload always shows the truth too.
    template = "orgs/_org_live.html" if request.GET.get("live") else "orgs/org_detail.html"
    return render(request, template, context)


@login_required
def org_live(request: AuthedHttpRequest, code: str) -> StreamingHttpResponse:
    """Server-sent events saying when something in the organisation's subtree changed, for
    every page about it (core/live.py); what changed is read through the pages' own views."""
    org = get_org_for_user(request.user, code)
    return live.stream_response(request, org.path)


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
def org_pick(request: AuthedHttpRequest) -> HttpResponse:
    """The organisation picker's suggestions: organisations in the viewer's scope, with the
    role the form needs, whose name contains what was typed."""
    role = request.GET.get("role", Role.VIEWER)
    if role not in (Role.VIEWER, Role.EDITOR, Role.APPROVER, Role.ADMIN) or not is_official(
        request.user
    ):
        raise Http404
    field = request.GET.get("field", "")[:64]
    query = request.GET.get(f"{field}_search", request.GET.get("q", ""))[:100]
    orgs = orgs_search(request.user, query, role=role, cells_only=bool(request.GET.get("cells")))
    return render(request, "orgs/_pick_results.html", {"orgs": orgs, "query": query})
