"""Home, login (e-ID or password with a second factor), logout, and grant management."""

import time as clock
from base64 import b32encode
from dataclasses import dataclass
from datetime import datetime, time

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from access.scope import needs_higher_level
from access.selectors import get_grant_for_user, grants_manageable_by, may_administer
from access.services import grant_create, grant_revoke
from audit.services import AuditContext
from core.forms import apply_errors
from core.http import AuthedHttpRequest
from orgs.forms import resolve_orgs
from orgs.selectors import org_roots_for

from .demo import is_demo_user
from .forms import GrantForm, LoginForm, OtpForm
from .middleware import (
    SESSION_ID_TOKEN,
    SESSION_LEVEL,
    SESSION_METHOD,
    is_verified,
    level_required,
    needs_second_factor,
)
from .models import User
from .oidc import EidError, eid_authorize, eid_complete, eid_enabled, eid_logout_url
from .ratelimit import rate_count, rate_hit, rate_reset
from .services import (
    login_failure_record,
    login_record,
    logout_record,
    totp_device_confirm,
    user_from_eid,
)

SESSION_NEXT = "login_next"


@login_required
def home(request: AuthedHttpRequest) -> HttpResponse:
    roots = org_roots_for(request.user)
    if len(roots) == 1:
        return redirect("orgs:detail", code=roots[0].code)
    if not roots and request.user.member_id:
        # A member's home is the handbook (handbook/, the floor above).
        return redirect("handbook:home")
    if not roots and needs_higher_level(request.user):
        return level_required(request)
    return render(request, "accounts/home.html", {"roots": roots})


def _next_url(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "-")


def _locked_message(request: HttpRequest, username: str) -> str | None:
    """Why this attempt is refused before the password is even checked, or None."""
    minutes = max(1, settings.PARTYORG_LOGIN_WINDOW // 60)
    if rate_count("login-user", username.lower()) >= settings.PARTYORG_LOGIN_MAX_FAILURES:
        return _(
            "Tài khoản này tạm khoá vì nhập sai mật khẩu quá nhiều lần. "
            "Hãy thử lại sau %(minutes)d phút, hoặc liên hệ quản trị để được hỗ trợ."
        ) % {"minutes": minutes}
    if rate_count("login-ip", _client_ip(request)) >= settings.PARTYORG_LOGIN_MAX_FAILURES_PER_IP:
        return _(
            "Có quá nhiều lần đăng nhập sai từ địa chỉ mạng này. Hãy thử lại sau %(minutes)d phút."
        ) % {"minutes": minutes}
    return None


def _count_failure(request: HttpRequest, username: str) -> None:
    window = settings.PARTYORG_LOGIN_WINDOW
    rate_hit("login-user", username.lower(), limit=0, window=window)
    rate_hit("login-ip", _client_ip(request), limit=0, window=window)


def _start_session(request: HttpRequest, user: User, *, method: str, level: int) -> None:
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[SESSION_METHOD] = method
    request.session[SESSION_LEVEL] = level
    user.session_assurance_level = level


def _after_password(request: HttpRequest, user: User, next_url: str) -> HttpResponse:
    if needs_second_factor(user):
        request.session[SESSION_NEXT] = next_url
        return redirect("accounts:otp_verify" if user_has_device(user) else "accounts:otp_setup")
    return redirect(next_url)


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = _next_url(request, request.POST.get("next") or request.GET.get("next"))
    if request.user.is_authenticated:
        return redirect(next_url)
    form = LoginForm(request.POST or None)
    status = 200
    # The demo's data is still loading (and holds SQLite's write lock): no login to try yet.
    demo_loading = settings.PARTYORG_DEMO and settings.PARTYORG_DEMO_LOADING.exists()
    if request.method == "POST" and not demo_loading:
        if not settings.PARTYORG_LOCAL_LOGIN:
            raise Http404
        if form.is_valid():
            username = form.cleaned_data["username"].strip()
            locked = _locked_message(request, username)
            user = None
            if locked:
                form.add_error(None, locked)
                login_failure_record(
                    username=username,
                    method="password",
                    reason="locked",
                    ctx=AuditContext.of(request),
                )
                status = 429
            else:
                user = authenticate(
                    request, username=username, password=form.cleaned_data["password"]
                )
                if user is None:
                    _count_failure(request, username)
                    login_failure_record(
                        username=username,
                        method="password",
                        reason="bad_password",
                        ctx=AuditContext.of(request),
                    )
                    form.add_error(
                        "password",
                        _("Tên đăng nhập hoặc mật khẩu không đúng. Hãy kiểm tra và nhập lại."),
                    )
            if user is not None:
                assert isinstance(user, User)
                rate_reset("login-user", username.lower())
                _start_session(request, user, method="local", level=1)
                # Level 1 until the second factor: enough for a member's own pages, not for a grant.
                login_record(user=user, method="password", level=1, ctx=AuditContext.of(request))
                return _after_password(request, user, next_url)
    return render(
        request,
        "registration/login.html",
        {
            "form": form,
            "next": next_url,
            "eid_enabled": eid_enabled(),
            "local_login": settings.PARTYORG_LOCAL_LOGIN,
            "demo_loading": demo_loading,
        },
        status=status,
    )


def _pending_user(request: HttpRequest) -> User:
    """The user half-way through a password login; the two-factor pages serve nobody else."""
    user = request.user
    if not user.is_authenticated or request.session.get(SESSION_METHOD) != "local":
        raise Http404
    assert isinstance(user, User)
    return user


def _finish_second_factor(request: HttpRequest, user: User, device: object, method: str) -> None:
    otp_login(request, device)
    request.session[SESSION_LEVEL] = 2
    login_record(user=user, method=method, level=2, ctx=AuditContext.of(request))


@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    if not user_has_device(user):
        return redirect("accounts:otp_setup")
    next_url = _next_url(request, request.session.get(SESSION_NEXT) or request.GET.get("next"))
    if is_verified(user):
        return redirect(next_url)
    form = OtpForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        who = f"u{user.pk}"
        if rate_count("otp", who) >= settings.PARTYORG_LOGIN_MAX_FAILURES:
            form.add_error(
                "token",
                _("Nhập sai mã quá nhiều lần. Hãy thử lại sau %(minutes)d phút.")
                % {"minutes": max(1, settings.PARTYORG_LOGIN_WINDOW // 60)},
            )
            login_failure_record(
                username=user.username, method="totp", reason="locked", ctx=AuditContext.of(request)
            )
            status = 429
        else:
            device = match_token(user, form.cleaned_data["token"])
            if device is None:
                rate_hit("otp", who, limit=0, window=settings.PARTYORG_LOGIN_WINDOW)
                login_failure_record(
                    username=user.username,
                    method="totp",
                    reason="bad_token",
                    ctx=AuditContext.of(request),
                )
                form.add_error(
                    "token", _("Mã xác thực không đúng hoặc đã hết hạn. Hãy nhập mã mới.")
                )
            else:
                rate_reset("otp", who)
                method = "totp" if isinstance(device, TOTPDevice) else "recovery"
                _finish_second_factor(request, user, device, method)
                request.session.pop(SESSION_NEXT, None)
                if method == "recovery":
                    messages.warning(
                        request,
                        _("Bạn vừa dùng một mã khôi phục; mã đó không dùng lại được nữa."),
                    )
                return redirect(next_url)
    return render(
        request,
        "registration/otp_verify.html",
        {"form": form, "demo": _demo_code(user)},
        status=status,
    )


@dataclass(frozen=True)
class DemoCode:
    """What the demo box shows: a code the form will take, or the seconds until there is one."""

    code: str | None
    wait: int = 0


def _demo_code(user: User) -> DemoCode | None:
    """DEMO ONLY: the code of a demo login for this time step, shown on the page so anyone can
    try the demo; once that code is used (a second login within 30 seconds), none until the
    next step, as the device refuses a code again (django-otp's replay guard). The next step's
    code would be taken too, within the device's tolerance, but would shift its drift, and the
    codes of a phone holding the demo key would soon be refused.

    Never in production: it needs both PARTYORG_DEMO and DEBUG, and a user made by `partyorg demo`.
    """
    if not (settings.PARTYORG_DEMO and settings.DEBUG and is_demo_user(user)):
        return None
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return None
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    # The clock the device verifies with (TOTPDevice.verify_token reads time.time).
    totp.time = clock.time()
    if totp.t() > device.last_t:
        return DemoCode(f"{totp.token():0{device.digits}d}")
    return DemoCode(None, wait=device.step - (int(totp.time) - device.t0) % device.step)


@require_http_methods(["GET", "POST"])
def otp_setup(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    if user_has_device(user):
        # Changing an authenticator needs the old one first (or an administrator's reset).
        return redirect("accounts:otp_verify")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            codes = totp_device_confirm(user=user, device=device, ctx=AuditContext.of(request))
            _finish_second_factor(request, user, device, "totp")
            next_url = _next_url(request, request.session.pop(SESSION_NEXT, None))
            # The recovery codes are shown on this response only, never stored in clear.
            return render(
                request, "registration/otp_recovery.html", {"codes": codes, "next": next_url}
            )
        form.add_error("token", _("Mã xác thực không đúng. Hãy nhập mã đang hiện trong ứng dụng."))
    secret = b32encode(device.bin_key).decode().rstrip("=")
    qr = segno.make(device.config_url, error="m")
    return render(
        request,
        "registration/otp_setup.html",
        {
            "form": form,
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "qr_svg": qr.svg_inline(scale=4, dark="#000", light="#fff"),
        },
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    provider_logout = None
    if user.is_authenticated:
        assert isinstance(user, User)
        if request.session.get(SESSION_METHOD) == "eid":
            provider_logout = eid_logout_url(request, request.session.get(SESSION_ID_TOKEN))
        logout_record(user=user, ctx=AuditContext.of(request))
    logout(request)
    return redirect(provider_logout or settings.LOGOUT_REDIRECT_URL)


def eid_login(request: HttpRequest) -> HttpResponse:
    if not eid_enabled():
        raise Http404
    request.session[SESSION_NEXT] = _next_url(request, request.GET.get("next"))
    try:
        return eid_authorize(request)
    except EidError as error:
        login_failure_record(
            username="", method="eid", reason=error.reason, ctx=AuditContext.of(request)
        )
        return _eid_refused(request, _("Không kết nối được với hệ thống định danh điện tử."))


def _eid_refused(request: HttpRequest, message: str) -> HttpResponse:
    return render(
        request,
        "registration/login.html",
        {
            "form": LoginForm(),
            "eid_error": message,
            "eid_enabled": eid_enabled(),
            "local_login": settings.PARTYORG_LOCAL_LOGIN,
        },
        status=400,
    )


def eid_callback(request: HttpRequest) -> HttpResponse:
    if not eid_enabled():
        raise Http404
    try:
        identity = eid_complete(request)
    except EidError as error:
        login_failure_record(
            username="", method="eid", reason=error.reason, ctx=AuditContext.of(request)
        )
        return _eid_refused(
            request, _("Đăng nhập bằng định danh điện tử không thành công. Hãy thử lại từ đầu.")
        )
    if identity.level < settings.OIDC_HANDBOOK_MIN_LEVEL:
        login_failure_record(
            username="", method="eid", reason="level_too_low", ctx=AuditContext.of(request)
        )
        return _eid_refused(
            request,
            _("Tài khoản định danh điện tử của bạn chưa đủ mức %(level)d để dùng hệ thống này.")
            % {"level": settings.OIDC_HANDBOOK_MIN_LEVEL},
        )
    user = user_from_eid(cccd=identity.cccd, level=identity.level, ctx=AuditContext.of(request))
    if user is None or not user.is_active:
        login_failure_record(
            username="", method="eid", reason="unknown_person", ctx=AuditContext.of(request)
        )
        return _eid_refused(
            request,
            _(
                "Số định danh của bạn chưa có trong hệ thống: không có hồ sơ đảng viên hay tài "
                "khoản cán bộ nào mang số này. Hãy liên hệ ban tổ chức cấp uỷ quản lý bạn."
            ),
        )
    next_url = request.session.pop(SESSION_NEXT, None)
    _start_session(request, user, method="eid", level=identity.level)
    request.session[SESSION_ID_TOKEN] = identity.id_token
    login_record(user=user, method="eid", level=identity.level, ctx=AuditContext.of(request))
    return redirect(_next_url(request, next_url))


def data_protection(request: HttpRequest) -> HttpResponse:
    """What we keep about a member, why, who sees it, and their rights (PDP Law 91/2025/QH15)."""
    return render(
        request,
        "accounts/data_protection.html",
        {"official_idle_minutes": settings.PARTYORG_OFFICIAL_IDLE_SECONDS // 60},
    )


def level2_help(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/level_required.html",
        {"min_level": settings.OIDC_OFFICER_MIN_LEVEL, "help_only": True},
    )


@login_required
def grants(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    if not may_administer(user):
        raise Http404
    form = GrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and resolve_orgs(form, user):
        data = form.cleaned_data
        target = User.objects.filter(username=data["username"].strip()).first()
        org = data["org_code"]
        if target is None:
            form.add_error("username", _("Không có tài khoản này."))
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
                    ctx=AuditContext.of(request),
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Đã cấp quyền."))
                return redirect("accounts:grants")
    return render(
        request,
        "accounts/grants.html",
        {"form": form, "grants": grants_manageable_by(user)[:500], "now": timezone.now()},
    )


@login_required
@require_POST
def grant_revoke_view(request: AuthedHttpRequest, grant_id: int) -> HttpResponse:
    grant = get_grant_for_user(request.user, grant_id)
    try:
        grant_revoke(by=request.user, grant=grant, ctx=AuditContext.of(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Đã thu hồi quyền."))
    return redirect("accounts:grants")
