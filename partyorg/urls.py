from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path

from accounts.views import home
from api.api import api

# The admin site has no login of its own: ours (password, then the second factor) comes first.
admin.site.login = login_required(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("orgs/", include("orgs.urls")),
    path("", include("members.urls")),
    path("", include("cleaning.urls")),
    path("", include("campaigns.urls")),
    path("api/tokens/", include("api.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
