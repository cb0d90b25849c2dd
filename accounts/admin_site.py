"""The Django admin site, reached through our login only (password, lockout, second factor).

Django's admin has a login form of its own, which takes any staff user's password without our
lockout, audit or second factor. Here it takes nothing: a visitor is sent to our login page, and
the site opens only to a staff login that passed its second factor (see `strong_login`).
django-otp's OTPAdminSite is not enough on its own: its form still logs in beside our lockout and
audit, and it would refuse an e-ID login at level 2, which the project takes as a second factor.
"""

from collections.abc import Callable
from functools import update_wrapper
from typing import Any

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from .middleware import SESSION_METHOD, level_required, strong_login


class PartyAdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and strong_login(request)

    def _refused(self, request: HttpRequest) -> HttpResponse:
        """What a logged-in user the admin is not open to gets: the same as any page they lack."""
        user = request.user
        if getattr(user, "is_staff", False) and request.session.get(SESSION_METHOD) == "eid":
            # Staff whose e-ID login is below the officer level: say how to get level 2.
            return level_required(request)
        raise Http404

    def admin_view(self, view: Callable[..., Any], cacheable: bool = False) -> Any:
        guarded = super().admin_view(view, cacheable)

        def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            # Django would send both to the admin's login form.
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not self.has_permission(request):
                return self._refused(request)
            return guarded(request, *args, **kwargs)

        return update_wrapper(inner, guarded)

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        """Never a form: to our login page, or on to the admin when this login may open it."""
        if not request.user.is_authenticated:
            return redirect_to_login(request.GET.get("next") or reverse("admin:index"))
        if self.has_permission(request):
            return HttpResponseRedirect(reverse("admin:index"))
        return self._refused(request)
