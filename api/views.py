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

from access.selectors import api_tokens_manageable_by, get_token_for_user, may_administer
from access.services import api_token_create, api_token_revoke
from audit.services import AuditContext
from core.forms import apply_errors
from core.http import AuthedHttpRequest
from orgs.forms import resolve_orgs

from .forms import ApiTokenForm


@login_required
def tokens(request: AuthedHttpRequest) -> HttpResponse:
    if not may_administer(request.user):
        raise Http404
    user = request.user
    form = ApiTokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid() and resolve_orgs(form, user):
        data = form.cleaned_data
        try:
            _token, secret = api_token_create(
                by=user,
                org=data["org_code"],
                name=data["name"],
                can_write=data["can_write"],
                expires_at=timezone.make_aware(datetime.combine(data["expires_on"], time.max)),
                ctx=AuditContext.of(request),
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
    token = get_token_for_user(request.user, token_id)
    try:
        api_token_revoke(by=request.user, token=token, ctx=AuditContext.of(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Đã thu hồi khoá API."))
    return redirect("api:tokens")
