"""Rolling-out pages: officials by sheet or one at a time, the first-login link, coverage at any
level (live, and as xlsx), difficulties (report, follow, answer, ask, escalate), desk queues and
the FAQ."""

import io
from datetime import datetime, time
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from access.models import Role
from access.scope import granted_paths
from access.selectors import may_administer
from accounts.middleware import SESSION_LEVEL, SESSION_METHOD
from accounts.oidc import eid_enabled
from accounts.services import login_record
from audit.services import AuditContext, audit_log
from core import live
from core.forms import apply_errors
from core.http import AuthedHttpRequest
from lib.cleaning.export import XlsxBook
from lib.vn.cccd import check_cccd, normalise_cccd
from orgs.forms import resolve_orgs
from orgs.selectors import get_org_for_user, org_roots_for, visible_ancestors

from . import services
from .forms import DifficultyForm, FaqForm, InviteForm, OfficialForm, SheetForm, StepForm
from .models import Difficulty
from .selectors import (
    coverage_of,
    difficulties_visible_to,
    expiring_grants,
    faq_visible_to,
    get_difficulty_for_user,
    get_official_for_user,
    get_upload_for_user,
    may_see_queue,
    officials_manageable_by,
    queue_counts,
    queue_of,
    units_without_editor,
)
from .sheet import TEMPLATE_HEADERS, column_label

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _admin(request: AuthedHttpRequest) -> None:
    if not may_administer(request.user):
        raise Http404


def _invite_url(request: HttpRequest, secret: str) -> str:
    from django.urls import reverse

    return request.build_absolute_uri(reverse("rollout:first_login", args=[secret]))


def _add_one(
    request: AuthedHttpRequest, form: OfficialForm
) -> tuple[tuple[Any, str] | None, OfficialForm]:
    """One official from the page's form (valid, its organisation resolved)."""
    data = form.cleaned_data
    cccd, problems = normalise_cccd(data["cccd"])
    errors = check_cccd(cccd) if cccd else problems
    if cccd is None or any(p.severity == "error" for p in errors):
        form.add_error("cccd", errors[0].message_vi if errors else _("Số CCCD phải có 12 chữ số."))
        return None, form
    expires = (
        timezone.make_aware(datetime.combine(data["expires_on"], time(23, 59, 59)))
        if data["expires_on"]
        else None
    )
    try:
        official, secret = services.official_add(
            by=request.user,
            cccd=cccd,
            full_name=" ".join(data["full_name"].split()),
            org=data["org"],
            role=data["role"],
            expires_at=expires,
            phone=data["phone"],
            email=data["email"],
            ctx=AuditContext.of(request),
        )
    except ValidationError as error:
        apply_errors(form, error)
        return None, form
    messages.success(request, _("Đã cấp quyền cho %(name)s.") % {"name": official.full_name})
    invite = (official, _invite_url(request, secret)) if secret else None
    return invite, OfficialForm(prefix="one")


@login_required
def officials(request: AuthedHttpRequest) -> HttpResponse:
    """Give access: a sheet of officials (checked first), or one official with the picker."""
    _admin(request)
    user = request.user
    form = OfficialForm(request.POST if "one" in request.POST else None, prefix="one")
    sheet_form = SheetForm(
        request.POST if "upload" in request.POST else None,
        request.FILES if "upload" in request.POST else None,
    )
    invite = None
    if request.method == "POST" and "upload" in request.POST and sheet_form.is_valid():
        upload = sheet_form.cleaned_data["sheet"]
        saved = services.sheet_upload(
            by=user, name=upload.name, data=upload.read(), ctx=AuditContext.of(request)
        )
        return redirect("rollout:sheet", saved.pk)
    if (
        request.method == "POST"
        and "one" in request.POST
        and form.is_valid()
        and resolve_orgs(form, user)
    ):
        invite, form = _add_one(request, form)
    roots = org_roots_for(user)
    return render(
        request,
        "rollout/officials.html",
        {
            "form": form,
            "sheet_form": sheet_form,
            "invite": invite,
            "eid": eid_enabled(),
            "roots": roots,
            "officials": officials_manageable_by(user)[:300],
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def invite_renew(request: AuthedHttpRequest, official_id: int) -> HttpResponse:
    """A new first-login link for an official who has not set a password (the old one dies)."""
    official = get_official_for_user(request.user, official_id)
    try:
        secret = services.invite_renew(
            by=request.user, official=official, ctx=AuditContext.of(request)
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("rollout:officials")
    return render(
        request,
        "rollout/sheet_applied.html",
        {"invites": [(official, _invite_url(request, secret))], "done": None},
    )


@login_required
def sheet_template(request: AuthedHttpRequest) -> HttpResponse:
    _admin(request)
    buffer = io.BytesIO()
    book = XlsxBook(buffer)
    sheet = book.sheet(_("Cán bộ"))
    sheet.write_row(0, TEMPLATE_HEADERS, book.style({"bold": True}))
    book.close()
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="mau-danh-sach-can-bo.xlsx"'
    return response


@login_required
def sheet(request: AuthedHttpRequest, upload_id: int) -> HttpResponse:
    """The dry run of an uploaded sheet; its form applies it (all rows, or nothing)."""
    upload = get_upload_for_user(request.user, upload_id)
    if upload.applied_at is not None:
        messages.info(
            request,
            _("Bảng %(name)s đã được áp dụng lúc %(at)s.")
            % {
                "name": upload.name,
                "at": timezone.localtime(upload.applied_at).strftime("%H:%M %d/%m/%Y"),
            },
        )
        return redirect("rollout:officials")
    if request.method == "POST":
        try:
            check, done, invites = services.sheet_apply(
                by=request.user, upload=upload, ctx=AuditContext.of(request)
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("rollout:sheet", upload.pk)
        return render(
            request,
            "rollout/sheet_applied.html",
            {
                "upload": upload,
                "check": check,
                "done": done,
                "invites": [(o, _invite_url(request, s)) for o, s in invites],
            },
        )
    check = services.sheet_check(upload)
    rows = [
        {
            "row": r,
            "errors": [(column_label(c), m) for c, m in r.errors],
        }
        for r in check.rows
    ]
    return render(
        request,
        "rollout/sheet.html",
        {
            "upload": upload,
            "check": check,
            "rows": rows,
            "new": len({r.cccd for r in check.rows if r.action == "new"}),
        },
    )


def first_login(request: HttpRequest, secret: str) -> HttpResponse:
    """A new local account's first login: a password, then the second factor (accounts)."""
    if request.user.is_authenticated:
        raise Http404
    official = services.official_by_invite(secret)
    if official is None:
        raise Http404
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invite_use(
                official=official,
                password=form.cleaned_data["password"],
                ctx=AuditContext.of(request),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            # As a password login: level 1 until the authenticator is set up on the next page.
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            request.session[SESSION_METHOD] = "local"
            request.session[SESSION_LEVEL] = 1
            login_record(user=user, method="first_login", level=1, ctx=AuditContext.of(request))
            return redirect("accounts:otp_setup")
    return render(
        request,
        "rollout/first_login.html",
        {"form": form, "official": official, "username": official.user.username},
    )


def _coverage_context(request: AuthedHttpRequest, code: str) -> dict[str, Any]:
    org = get_org_for_user(request.user, code)
    total, children = coverage_of(org)
    return {
        "org": org,
        "ancestors": visible_ancestors(request.user, org),
        "total": total,
        "children": children,
        "uncovered": units_without_editor(org),
        "expiring": expiring_grants(org),
    }


@login_required
def coverage(request: AuthedHttpRequest, code: str) -> HttpResponse:
    since = live.stamp()
    context = _coverage_context(request, code)
    context["live_since"] = since
    template = "rollout/_coverage_live.html" if request.GET.get("live") else "rollout/coverage.html"
    return render(request, template, context)


@login_required
def coverage_export(request: AuthedHttpRequest, code: str) -> HttpResponse:
    context = _coverage_context(request, code)
    org = context["org"]
    buffer = io.BytesIO()
    book = XlsxBook(buffer)
    bold = book.style({"bold": True, "text_wrap": True})
    sheet = book.sheet(_("Độ phủ"))
    sheet.write_row(
        0,
        [
            _("Tổ chức"),
            _("Mã"),
            _("Số đơn vị"),
            _("Có người cập nhật"),
            _("Có người cập nhật và phê duyệt"),
            _("Có cán bộ đã đăng nhập mức 2"),
            _("Quyền hết hạn trong 30 ngày"),
        ],
        bold,
    )
    for r, row in enumerate([context["total"], *context["children"]], start=1):
        sheet.write_row(
            r,
            [
                row.org.name,
                row.org.code,
                row.units,
                row.editor,
                row.covered,
                row.logged_in,
                row.expiring,
            ],
        )
    gaps = book.sheet(_("Đơn vị chưa có người cập nhật"))
    gaps.write_row(
        0,
        [_("Đơn vị"), _("Mã"), _("Cấp trên"), _("Người liên hệ cấp trên"), _("Điện thoại")],
        bold,
    )
    for r, unit in enumerate(units_without_editor(org, limit=100000), start=1):
        parent = unit.parent
        gaps.write_row(
            r,
            [
                unit.name,
                unit.code,
                parent.name if parent else "",
                parent.contact_name if parent else "",
                parent.contact_phone if parent else "",
            ],
        )
    book.close()
    audit_log(
        actor=request.user,
        action="rollout.coverage.export",
        object_type="org",
        object_id=org.pk,
        ctx=AuditContext.of(request),
    )
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="do-phu-{org.code}.xlsx"'
    return response


def _official(request: AuthedHttpRequest) -> None:
    if not granted_paths(request.user):
        raise Http404


@login_required
def difficulty_new(request: AuthedHttpRequest) -> HttpResponse:
    _official(request)
    page = request.GET.get("page", "")
    form = DifficultyForm(
        request.POST or None,
        request.FILES or None,
        initial={"page_url": page if page.startswith("/") else ""},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data.get("screenshot")
        shot = None
        if upload is not None:
            if upload.size > services.SCREENSHOT_MAX:
                form.add_error("screenshot", _("Ảnh chụp màn hình lớn hơn 5 MB."))
            else:
                shot = upload.read()
        if not form.errors:
            try:
                difficulty = services.difficulty_report(
                    by=request.user,
                    doing=data["doing"],
                    description=data["description"],
                    page_url=data["page_url"],
                    screenshot=shot,
                    ctx=AuditContext.of(request),
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Đã gửi tới %(desk)s.") % {"desk": difficulty.desk.name},
                )
                return redirect("rollout:difficulty", difficulty.pk)
    return render(request, "rollout/difficulty_new.html", {"form": form})


@login_required
def difficulty_mine(request: AuthedHttpRequest) -> HttpResponse:
    _official(request)
    rows = (
        difficulties_visible_to(request.user).filter(reporter=request.user).order_by("-created_at")
    )
    desks = [o for o in org_roots_for(request.user) if may_see_queue(request.user, o)]
    return render(
        request,
        "rollout/difficulty_mine.html",
        {"rows": rows[:200], "desks": desks, "now": timezone.now()},
    )


@login_required
def difficulty_detail(request: AuthedHttpRequest, difficulty_id: int) -> HttpResponse:
    difficulty = get_difficulty_for_user(request.user, difficulty_id)
    may_answer = services.may_answer(request.user, difficulty)
    faq_initial = {}
    if difficulty.status == Difficulty.Status.ANSWERED:
        last = difficulty.steps.filter(kind="answer").last()
        faq_initial = {
            "question": difficulty.doing + ": " + difficulty.description,
            "answer": last.text if last else "",
        }
    return render(
        request,
        "rollout/difficulty.html",
        {
            "d": difficulty,
            "steps": difficulty.steps.select_related("actor", "desk"),
            "may_answer": may_answer,
            "is_reporter": difficulty.reporter_id == request.user.pk,
            "step_form": StepForm(),
            "faq_form": FaqForm(initial=faq_initial),
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def difficulty_act(request: AuthedHttpRequest, difficulty_id: int) -> HttpResponse:
    difficulty = get_difficulty_for_user(request.user, difficulty_id)
    action = request.POST.get("action", "")
    ctx = AuditContext.of(request)
    text = request.POST.get("text", "")
    try:
        if action == "reply":
            services.difficulty_reply(by=request.user, difficulty=difficulty, text=text, ctx=ctx)
        elif action in ("answer", "ask", "escalate"):
            step = {
                "answer": services.difficulty_answer,
                "ask": services.difficulty_ask,
                "escalate": services.difficulty_escalate,
            }[action]
            step(by=request.user, difficulty=difficulty, text=text, ctx=ctx)
        elif action == "faq":
            services.faq_publish(
                by=request.user,
                difficulty=difficulty,
                question=request.POST.get("question", ""),
                answer=request.POST.get("answer", ""),
                ctx=ctx,
            )
        else:
            raise Http404
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Đã ghi."))
    return redirect("rollout:difficulty", difficulty.pk)


@login_required
def difficulty_screenshot(request: AuthedHttpRequest, difficulty_id: int) -> HttpResponse:
    difficulty = get_difficulty_for_user(request.user, difficulty_id)
    if not difficulty.screenshot:
        raise Http404
    response = HttpResponse(bytes(difficulty.screenshot), content_type=difficulty.screenshot_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


@login_required
def queue(request: AuthedHttpRequest, code: str) -> HttpResponse:
    since = live.stamp()
    org = get_org_for_user(request.user, code, Role.APPROVER)
    status = request.GET.get("status", "")
    if status not in ("", "open", "asked", "escalated", "answered", "overdue"):
        status = ""
    context = {
        "org": org,
        "ancestors": visible_ancestors(request.user, org),
        "counts": queue_counts(org),
        "rows": queue_of(org, status)[:300],
        "status": status,
        "now": timezone.now(),
        "live_since": since,
    }
    template = "rollout/_queue_live.html" if request.GET.get("live") else "rollout/queue.html"
    return render(request, template, context)


@login_required
def faq(request: AuthedHttpRequest) -> HttpResponse:
    _official(request)
    query = request.GET.get("q", "")[:200]
    return render(
        request,
        "rollout/faq.html",
        {"rows": faq_visible_to(request.user, query)[:100], "q": query},
    )
