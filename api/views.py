"""The API tokens page: an admin of a subtree makes tokens for it, sees each secret once, revokes."""

from datetime import datetime, time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.selectors import acts_as_superuser, can, granted_paths
from orgs.models import Org
from partyorg.forms import apply_errors
from partyorg.http import AuthedHttpRequest

from .forms import ApiTokenForm
from .selectors import api_tokens_manageable_by
from .services import api_token_create, api_token_revoke


def _may_manage_tokens(request: AuthedHttpRequest) -> bool:
    return acts_as_superuser(request.user) or bool(granted_paths(request.user, Role.ADMIN))


@login_required
def tokens(request: AuthedHttpRequest) -> HttpResponse:
    if not _may_manage_tokens(request):
        raise Http404
    user = request.user
    form = ApiTokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        org = Org.objects.filter(code=data["org_code"].strip()).first()
        if org is None or not (acts_as_superuser(user) or can(user, org.path, Role.ADMIN)):
            form.add_error("org_code", _("Không tìm thấy tổ chức này trong phạm vi bạn quản trị."))
        else:
            try:
                _token, secret = api_token_create(
                    by=user,
                    org=org,
                    name=data["name"],
                    can_write=data["can_write"],
                    expires_at=timezone.make_aware(datetime.combine(data["expires_on"], time.max)),
                    request=request,
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                form = ApiTokenForm()
    response = render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "secret": secret,
            "tokens": api_tokens_manageable_by(user)[:500],
            "now": timezone.now(),
        },
    )
    # The secret is on this page only: no cache may keep it.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request: AuthedHttpRequest, token_id: int) -> HttpResponse:
    token = api_tokens_manageable_by(request.user).filter(id=token_id).first()
    if token is None:
        raise Http404
    try:
        api_token_revoke(by=request.user, token=token, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Đã thu hồi khoá API."))
    return redirect("api:tokens")
