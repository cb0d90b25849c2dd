"""The handbook's pages: home, my record, documents, notifications; the PWA's manifest and
service worker; activity pings."""

import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from audit.services import AuditContext
from core.http import AuthedHttpRequest
from members.models import Member
from members.selectors import get_member_for_user, member_events
from members.services import member_view
from notices.push import push_enabled
from notices.selectors import notifications_for
from notices.services import notification_mark_read
from notices.services import push_subscribe as subscribe

from .home import cards_for
from .services import member_seen

NOTICES_SHOWN = 50
# Every handbook page lives under this prefix (handbook/urls.py): the service worker keeps them.
PREFIX = "/so-tay/"


def _own_member(request: AuthedHttpRequest) -> Member | None:
    """The logged-in user's own member record, through the one scoping path; None if none."""
    if not request.user.member_id:
        return None
    return get_member_for_user(request.user, request.user.member_id)


@login_required
def home(request: AuthedHttpRequest) -> HttpResponse:
    member = _own_member(request)
    notes = list(notifications_for(request.user).filter(read_at__isnull=True)[:5])
    return render(
        request,
        "handbook/home.html",
        {
            "hb_nav": "home",
            "member": member,
            "cards": cards_for(request, member),
            "notes": notes,
        },
    )


@login_required
def me(request: AuthedHttpRequest) -> HttpResponse:
    member = _own_member(request)
    if member is None:
        raise Http404
    member_view(viewer=request.user, member=member, ctx=AuditContext.of(request), what="handbook")
    return render(
        request,
        "handbook/me.html",
        {"hb_nav": "me", "member": member, "events": member_events(member)},
    )


@login_required
def documents(request: AuthedHttpRequest) -> HttpResponse:
    return render(request, "handbook/documents.html", {"hb_nav": "docs", "documents": []})


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
    member_seen(
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
