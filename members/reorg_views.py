"""Pages that reorganise the tree with its members: move, merge, dissolve (members.reorg)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from access.models import Role
from core.forms import apply_errors
from core.http import AuthedHttpRequest
from orgs.forms import OrgDissolveForm, OrgMergeForm, OrgMoveForm, resolve_orgs
from orgs.models import Org
from orgs.selectors import get_org_for_user, org_in_scope

from . import reorg


def _form_page(request: AuthedHttpRequest, org: Org, form: object, title: str) -> HttpResponse:
    return render(request, "orgs/org_form.html", {"org": org, "form": form, "title": title})


@login_required
def org_move(request: AuthedHttpRequest, code: str) -> HttpResponse:
    org = get_org_for_user(request.user, code, Role.ADMIN)
    form = OrgMoveForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid() and resolve_orgs(form, request.user):
        parent = form.cleaned_data["parent_code"]
        try:
            reorg.org_move(org=org, new_parent=parent, on=form.cleaned_data["on"], by=request.user)
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
        sources = [org for org in (org_in_scope(request.user, c, Role.ADMIN) for c in codes) if org]
        missing = set(codes) - {s.code for s in sources}
        if missing:
            form.add_error(
                "source_codes",
                _("Không tìm thấy trong phạm vi bạn quản trị: %(codes)s.")
                % {"codes": ", ".join(sorted(missing))},
            )
        else:
            try:
                reorg.org_merge(
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
            reorg.org_dissolve(org=org, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Đã giải thể %(name)s.") % {"name": org.name})
            return redirect("orgs:detail", code=org.parent.code if org.parent else org.code)
    return _form_page(request, org, form, _("Giải thể"))
