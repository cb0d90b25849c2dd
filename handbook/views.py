"""The handbook's pages for members: home, my record (with error reports), documents,
notifications; the PWA's manifest and service worker; activity pings."""

import json
import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_POST

from audit.services import AuditContext
from core.http import AuthedHttpRequest, query_int
from corrections.selectors import correctable_fields, open_fields, own_requests
from members.selectors import member_events
from members.services import member_view
from notices.push import push_enabled
from notices.selectors import notifications_for
from notices.services import notification_mark_read
from notices.services import push_subscribe as subscribe

from . import services, storage
from .forms import RECORD_FIELDS, DocumentSearchForm
from .home import cards_for
from .models import Document
from .selectors import (
    documents_search,
    get_document_for_user,
    own_member,
    reads_of,
    unread_documents,
)

NOTICES_SHOWN = 50
# The latest correction requests shown under "my record" (all of them: corrections:mine).
REQUESTS_SHOWN = 5
DATE_KEYS = frozenset({"birth_date", "admission_date", "official_date"})
DOCUMENTS_PAGE = 30
# Every handbook page lives under this prefix (handbook/urls.py): the service worker keeps them.
PREFIX = "/so-tay/"


@login_required
def home(request: AuthedHttpRequest) -> HttpResponse:
    member = own_member(request.user)
    notes = list(notifications_for(request.user).filter(read_at__isnull=True)[:5])
    return render(
        request,
        "handbook/home.html",
        {
            "hb_nav": "home",
            "member": member,
            "cards": cards_for(request, member),
            "unread_documents": unread_documents(member, request.user),
            "notes": notes,
        },
    )


def _record_rows(member: object) -> list[dict[str, object]]:
    from members.models import Member

    assert isinstance(member, Member)
    values = {
        "full_name": member.full_name,
        "birth_date": member.birth_date.strftime("%d/%m/%Y"),
        "sex": member.get_sex_display(),
        "admission_date": member.admission_date.strftime("%d/%m/%Y"),
        "official_date": member.official_date.strftime("%d/%m/%Y") if member.official_date else "",
        "card_number": member.card_number or "",
        "org": member.org.name,
        "cccd": member.cccd,
        "phone": member.phone,
    }
    return [{"key": key, "label": label, "value": values[key]} for key, label in RECORD_FIELDS]


@login_required
def me(request: AuthedHttpRequest) -> HttpResponse:
    member = own_member(request.user)
    if member is None:
        raise Http404
    rows = _record_rows(member)
    member_view(viewer=request.user, member=member, ctx=AuditContext.of(request), what="handbook")
    # "Báo lỗi" files a correction request (corrections:mine_new, from corrections'
    # _record_row.html); a field with one in progress is tagged.
    reported = open_fields(member.pk)
    correctable = correctable_fields()
    for row in rows:
        row["reported"] = row["key"] in reported
        row["correctable"] = row["key"] in correctable
        row["kind"] = "date" if row["key"] in DATE_KEYS else "text"
    return render(
        request,
        "handbook/me.html",
        {
            "hb_nav": "me",
            "member": member,
            "rows": rows,
            "events": member_events(member),
            "requests": [
                (dict(RECORD_FIELDS).get(r.field, r.field), r)
                for r in own_requests(request.user)[:REQUESTS_SHOWN]
            ],
        },
    )


@login_required
def documents(request: AuthedHttpRequest) -> HttpResponse:
    member = own_member(request.user)
    form = DocumentSearchForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    page = query_int(request, "trang", default=1, minimum=1, maximum=10_000)
    rows = documents_search(
        request.user,
        member,
        query=data.get("q", ""),
        kind=data.get("kind", ""),
        saved=bool(data.get("saved")),
    )
    shown = list(rows[(page - 1) * DOCUMENTS_PAGE : page * DOCUMENTS_PAGE + 1])
    more = len(shown) > DOCUMENTS_PAGE
    shown = shown[:DOCUMENTS_PAGE]
    query = request.GET.copy()
    query["trang"] = str(page + 1)
    return render(
        request,
        "handbook/documents.html",
        {
            "hb_nav": "docs",
            "form": form,
            "documents": shown,
            "reads": reads_of(member, shown),
            "next_url": "?" + query.urlencode() if more else "",
            "searched": bool(data.get("q") or data.get("kind") or data.get("saved")),
        },
    )


def _document(request: AuthedHttpRequest, document_id: int) -> tuple[object, Document]:
    member = own_member(request.user)
    return member, get_document_for_user(request.user, member, document_id)


@login_required
def document_detail(request: AuthedHttpRequest, document_id: int) -> HttpResponse:
    member, document = _document(request, document_id)
    services.document_opened(member=member, document=document, by=request.user)  # type: ignore[arg-type]
    read = reads_of(member, [document]).get(document.pk)  # type: ignore[arg-type]
    return render(
        request,
        "handbook/document.html",
        {"hb_nav": "docs", "document": document, "read": read, "member": member},
    )


_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@login_required
@xframe_options_sameorigin
@csp_override({"default-src": ["'none'"], "frame-ancestors": ["'self'"], "sandbox": [""]})
def document_file(request: AuthedHttpRequest, document_id: int) -> HttpResponse:
    """The file itself: shown in the page (PDF, images) or downloaded (?tai=1, and office files).
    Sandboxed: a PDF's script cannot reach the site."""
    _member, document = _document(request, document_id)
    download = request.GET.get("tai") == "1" or not (document.is_pdf or document.is_image)
    response = HttpResponse(storage.read(document.file_path), content_type=document.content_type)
    ascii_name = _SAFE_NAME.sub("_", document.file_name) or "tai-lieu"
    disposition = "attachment" if download else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{ascii_name}"'
    # Kept by the browser (and the service worker) for offline reading; never by a proxy.
    response["Cache-Control"] = "private, max-age=86400"
    return response


@login_required
@require_POST
def document_bookmark(request: AuthedHttpRequest, document_id: int) -> HttpResponse:
    member, document = _document(request, document_id)
    if member is None:
        raise Http404
    on = request.POST.get("on") == "1"
    services.document_bookmark(
        member=member,  # type: ignore[arg-type]
        document=document,
        on=on,
        by=request.user,
        ctx=AuditContext.of(request),
    )
    messages.success(request, _("Đã lưu tài liệu.") if on else _("Đã bỏ lưu tài liệu."))
    return redirect("handbook:document", document_id=document.pk)


@login_required
@require_POST
def document_studied(request: AuthedHttpRequest, document_id: int) -> HttpResponse:
    member, document = _document(request, document_id)
    if member is None or not document.study:
        raise Http404
    services.document_studied(
        member=member,  # type: ignore[arg-type]
        document=document,
        by=request.user,
        ctx=AuditContext.of(request),
    )
    messages.success(request, _("Đã ghi nhận: bạn đã học tập tài liệu này."))
    return redirect("handbook:document", document_id=document.pk)


@login_required
def notices(request: AuthedHttpRequest) -> HttpResponse:
    notes = list(notifications_for(request.user)[:NOTICES_SHOWN])
    return render(
        request,
        "handbook/notices.html",
        {
            "hb_nav": "notices",
            "notes": notes,
            "push_enabled": push_enabled(),
            "vapid_public_key": settings.PARTYORG_VAPID_PUBLIC_KEY,
        },
    )


@login_required
@require_POST
def notices_read(request: AuthedHttpRequest) -> HttpResponse:
    ids = [int(x) for x in request.POST.getlist("id") if x.isascii() and x.isdigit()][:500]
    notification_mark_read(request.user, ids or None)
    return redirect("handbook:notices")


@login_required
@require_POST
def push_subscribe(request: AuthedHttpRequest) -> HttpResponse:
    endpoint = request.POST.get("endpoint", "").strip()
    p256dh = request.POST.get("p256dh", "").strip()
    auth = request.POST.get("auth", "").strip()
    if (
        not endpoint.startswith("https://")
        or len(endpoint) > 1000
        or not (0 < len(p256dh) <= 200)
        or not (0 < len(auth) <= 100)
    ):
        return JsonResponse({"error": _("Đăng ký nhận thông báo không hợp lệ.")}, status=400)
    subscribe(request.user, endpoint=endpoint, p256dh=p256dh, auth=auth)
    return JsonResponse({"ok": True})


@login_required
@require_POST
def activity(request: AuthedHttpRequest) -> HttpResponse:
    services.member_seen(
        user=request.user,
        installed=request.POST.get("installed") == "1",
        ctx=AuditContext.of(request),
    )
    return HttpResponse(status=204)


@cache_control(max_age=3600, public=True)
def manifest(request: HttpRequest) -> HttpResponse:
    data = {
        "name": _("Sổ tay đảng viên"),
        "short_name": _("Sổ tay"),
        "description": _("Sổ tay đảng viên điện tử"),
        "lang": "vi",
        "start_url": reverse("handbook:home"),
        "scope": "/",
        "id": reverse("handbook:home"),
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#f6f4f1",
        "theme_color": "#b3140f",
        "icons": [
            {"src": static("handbook/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("handbook/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("handbook/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    return JsonResponse(
        data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False}
    )


def service_worker(request: HttpRequest) -> HttpResponse:
    response = render(
        request,
        "handbook/sw.js",
        {
            # Our own addresses only; "<" escaped so nothing in them could close a script.
            "config": json.dumps(
                {
                    "prefix": PREFIX,
                    "private": [PREFIX + "don-vi/"],
                    "static_prefix": static(""),
                    "home": reverse("handbook:home"),
                    "shell": [
                        static("handbook/handbook.css"),
                        static("handbook/handbook.js"),
                        static("handbook/icon-192.png"),
                    ],
                }
            ).replace("<", "\\u003c"),
        },
        content_type="text/javascript; charset=utf-8",
    )
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response
