"""Home, login and grant management."""

from datetime import datetime, time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orgs.models import Org
from orgs.selectors import org_roots_for
from partyorg.forms import apply_errors
from partyorg.http import AuthedHttpRequest

from .forms import GrantForm
from .models import Grant, Role, User
from .selectors import can, granted_paths, grants_manageable_by
from .services import grant_create, grant_revoke


@login_required
def home(request: AuthedHttpRequest) -> HttpResponse:
    roots = org_roots_for(request.user)
    if len(roots) == 1:
        return redirect("orgs:detail", code=roots[0].code)
    if not roots and request.user.member_id:
        return redirect("members:me")
    return render(request, "accounts/home.html", {"roots": roots})


def _may_manage_grants(user: User) -> bool:
    return user.is_superuser or bool(granted_paths(user, Role.ADMIN))


@login_required
def grants(request: AuthedHttpRequest) -> HttpResponse:
    user: User = request.user
    if not _may_manage_grants(user):
        raise Http404
    form = GrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        target = User.objects.filter(username=data["username"].strip()).first()
        org = Org.objects.filter(code=data["org_code"].strip()).first()
        if target is None:
            form.add_error("username", _("Không có tài khoản này."))
        elif org is None or not (user.is_superuser or can(user, org.path, Role.ADMIN)):
            form.add_error("org_code", _("Không tìm thấy tổ chức này trong phạm vi bạn quản trị."))
        else:
            expires = (
                timezone.make_aware(datetime.combine(data["expires_on"], time.max))
                if data["expires_on"]
                else None
            )
            try:
                grant_create(
                    by=user,
                    user=target,
                    org=org,
                    role=data["role"],
                    expires_at=expires,
                    request=request,
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Đã cấp quyền."))
                return redirect("accounts:grants")
    rows = (
        Grant.objects.all().select_related("user", "org", "granted_by").order_by("org__path")
        if user.is_superuser
        else grants_manageable_by(user)
    )
    return render(
        request, "accounts/grants.html", {"form": form, "grants": rows[:500], "now": timezone.now()}
    )


@login_required
@require_POST
def grant_revoke_view(request: AuthedHttpRequest, grant_id: int) -> HttpResponse:
    user: User = request.user
    rows = Grant.objects.all() if user.is_superuser else grants_manageable_by(user)
    grant = rows.filter(id=grant_id).select_related("org", "user").first()
    if grant is None:
        raise Http404
    try:
        grant_revoke(by=user, grant=grant, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Đã thu hồi quyền."))
    return redirect("accounts:grants")
