"""One middleware for what every request must obey about the login behind it.

- The assurance level of this login goes onto request.user, where granted_paths() reads it: a
  level-1 login holds no subtree, so every officer view answers as it does to a stranger.
- An official who reaches such a page at level 1 is told why, and how to get a level-2 account.
- A password login of anyone holding a grant (or staff: the admin site) must pass the second
  factor first; an e-ID login at the officer level counts as one (`strong_login`).
- Idle expiry: 30 minutes for officials, longer for members (settings), sliding with activity
  (the session is written once a minute at most, not at every request).
- Rate limits on the expensive pages named in settings.PARTYORG_RATE_LIMITS.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from access.scope import holds_grants, needs_higher_level

from .models import User
from .ratelimit import rate_hit

SESSION_LEVEL = "assurance_level"
SESSION_METHOD = "login_method"
SESSION_ID_TOKEN = "eid_id_token"
# When the session was last written: the idle window slides from there.
SESSION_SEEN = "seen"
# The session is written (and its idle window slides) at most this often, not at every request:
# a page costs one write less, and the idle expiry keeps a minute's precision.
SESSION_REFRESH_SECONDS = 60

# Pages a password login may see before its second factor.
_OPEN_BEFORE_2FA = (
    "accounts:otp_verify",
    "accounts:otp_setup",
    "accounts:logout",
    "accounts:data_protection",
    "set_language",
)


def is_verified(user: User) -> bool:
    """Whether this request's login passed its second factor (django-otp's OTPMiddleware)."""
    return bool(getattr(user, "is_verified", lambda: False)())


def needs_second_factor(user: User) -> bool:
    return bool(user.is_superuser or user.is_staff or holds_grants(user))


def strong_login(request: HttpRequest) -> bool:
    """Whether this request's login passed a second factor: a password with a confirmed device
    (django-otp verifies only a confirmed one), or an e-ID at the officer level.

    A session no login view of ours marked is never strong, whatever the test-only trust says.
    """
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        return False
    method = request.session.get(SESSION_METHOD)
    if method == "local":
        return is_verified(user)
    if method == "eid":
        level = request.session.get(SESSION_LEVEL)
        return isinstance(level, int) and level >= settings.OIDC_OFFICER_MIN_LEVEL
    return False


class AccessMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            level = request.session.get(SESSION_LEVEL)
            if level is None and not settings.PARTYORG_TRUST_UNMARKED_SESSIONS:
                # A session no login view of ours marked: trust it with nothing above level 1.
                level = min(user.assurance_level, 1)
            assert isinstance(user, User)
            user.session_assurance_level = level
            official = holds_grants(user)
            idle = (
                settings.PARTYORG_OFFICIAL_IDLE_SECONDS
                if official
                else settings.PARTYORG_MEMBER_IDLE_SECONDS
            )
            if request.session.get_expiry_age() != idle:
                request.session.set_expiry(idle)
            now = int(timezone.now().timestamp())
            seen = request.session.get(SESSION_SEEN)
            if not isinstance(seen, int) or now - seen >= SESSION_REFRESH_SECONDS:
                request.session[SESSION_SEEN] = now
        response = self.get_response(request)
        if (
            response.status_code == 404
            and isinstance(user, User)
            and user.is_authenticated
            and needs_higher_level(user)
        ):
            return level_required(request)
        return response

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponse | None:
        match = request.resolver_match
        name = match.view_name if match else ""
        user = request.user
        if (
            isinstance(user, User)
            and user.is_authenticated
            and request.session.get(SESSION_METHOD) == "local"
            and name not in _OPEN_BEFORE_2FA
            and not is_verified(user)
            and needs_second_factor(user)
        ):
            from django_otp import user_has_device

            target = "accounts:otp_verify" if user_has_device(user) else "accounts:otp_setup"
            return redirect(reverse(target) + "?" + urlencode({"next": request.get_full_path()}))
        limit = settings.PARTYORG_RATE_LIMITS.get(name)
        if limit:
            # Per user (the id and the joining time, so a reused id never inherits a count).
            who = (
                f"u{user.pk}:{user.date_joined.timestamp()}"
                if isinstance(user, User) and user.is_authenticated
                else f"ip{request.META.get('REMOTE_ADDR')}"
            )
            if not rate_hit("view:" + name, who, limit=limit, window=60):
                return too_many_requests(request)
        return None


def level_required(request: HttpRequest) -> HttpResponse:
    """Why a level-1 login cannot open officer pages, and how to get a level-2 account."""
    return render(
        request,
        "accounts/level_required.html",
        {"min_level": settings.OIDC_OFFICER_MIN_LEVEL},
        status=403,
    )


def too_many_requests(request: HttpRequest) -> HttpResponse:
    response = render(request, "accounts/too_many_requests.html", status=429)
    response["Retry-After"] = "60"
    return response
