"""The handbook's pages for committees: adoption per unit (live), members not yet activated,
documents published by an organisation and their study rates (live)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from access.models import Role
from access.scope import can, sees_cccd
from audit.services import AuditContext
from core import live
from core.forms import apply_errors
from core.http import AuthedHttpRequest, query_int
from members.models import ACTIVE_STATUSES
from members.selectors import members_visible_to, page_of
from members.services import members_list_viewed
from orgs.models import Org
from orgs.selectors import get_org_for_user, visible_ancestors

from . import adoption, services
from .forms import DocumentForm
from .models import Document

PAGE = 50


def _live(request: AuthedHttpRequest, org: Org) -> dict[str, object]:
    return {
        "live_url": reverse("orgs:live", args=[org.code]),
        "live_since": live.stamp(),
        "fragment_url": request.path + "?live=1",
    }


@login_required
def adoption_page(request: AuthedHttpRequest, code: str) -> HttpResponse:
    since = live.stamp()
    org = get_org_for_user(request.user, code)
    own, children = adoption.shares(org)
    context = {
        "org": org,
        "ancestors": visible_ancestors(request.user, org),
        "own": own,
        "children": children,
        "limits": adoption.thresholds(children),
        "days": [] if request.GET.get("live") else adoption.activation_days(org),
        **_live(request, org),
        "live_since": since,
    }
    template = (
        "handbook/_adoption_live.html" if request.GET.get("live") else "handbook/adoption.html"
    )
    return render(request, template, context)


@login_required
def not_activated(request: AuthedHttpRequest, code: str) -> HttpResponse:
    org = get_org_for_user(request.user, code)
    page = query_int(request, "trang", default=1, minimum=1, maximum=1_000_000)
    rows = (
        members_visible_to(request.user)
        .filter(
            Q(org_path__startswith=org.path),
            status__in=list(ACTIVE_STATUSES),
            exempt=False,
            handbook__isnull=True,
        )
        .select_related("org")
        .order_by("org_path", "sort_key", "id")
    )
    shown, more = page_of(rows, page=page, size=PAGE)
    members_list_viewed(
        viewer=request.user,
        org=org,
        query="handbook.not_activated",
        shown=[m.pk for m in shown],
        ctx=AuditContext.of(request),
    )
    return render(
        request,
        "handbook/not_activated.html",
        {
            "org": org,
            "members": shown,
            "full_cccd": sees_cccd(request.user, org.path),
            "page": page,
            "more": more,
        },
    )


@login_required
def org_documents(request: AuthedHttpRequest, code: str) -> HttpResponse:
    org = get_org_for_user(request.user, code)
    may_publish = can(request.user, org.path, Role.EDITOR)
    form = DocumentForm(request.POST or None, request.FILES or None) if may_publish else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            try:
                document = services.document_publish(
                    org=org,
                    upload=data["file"],
                    title=data["title"],
                    kind=data["kind"],
                    number=data["number"],
                    summary=data["summary"],
                    issued_on=data["issued_on"],
                    study=data["study"],
                    by=request.user,
                    ctx=AuditContext.of(request),
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Đã đăng tài liệu “%(title)s” cho toàn đảng bộ.") % {"title": document.title},
                )
                return redirect("handbook:org_documents", code=org.code)
    documents = list(
        Document.objects.filter(org=org, withdrawn_at__isnull=True).order_by("-published_at")[:100]
    )
    return render(
        request,
        "handbook/org_documents.html",
        {"org": org, "form": form, "documents": documents, "may_publish": may_publish},
    )


@login_required
def document_rates(request: AuthedHttpRequest, code: str, document_id: int) -> HttpResponse:
    """How many members of each unit under `code` studied a document published at or above it."""
    since = live.stamp()
    org = get_org_for_user(request.user, code)
    document = (
        Document.objects.filter(
            pk=document_id,
            study=True,
            withdrawn_at__isnull=True,
            org_path__in=org.ancestor_paths(),
        )
        .select_related("org")
        .first()
    )
    if document is None:
        raise Http404
    own, children = adoption.studied_shares(org, document.pk)
    context = {
        "org": org,
        "document": document,
        "own": own,
        "children": children,
        **_live(request, org),
        "live_since": since,
    }
    template = "handbook/_rates_live.html" if request.GET.get("live") else "handbook/rates.html"
    return render(request, template, context)
