from django.contrib import admin
from django.urls import include, path

from accounts.views import home
from api.api import api

# admin.site is accounts.admin_site.PartyAdminSite: it has no login of its own, ours (password,
# lockout, then the second factor) comes first.
urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("orgs/", include("orgs.urls")),
    path("", include("members.urls")),
    path("", include("cleaning.urls")),
    path("", include("campaigns.urls")),
    path("", include("corrections.urls")),
    path("", include("handbook.urls")),
    path("", include("congresses.urls")),
    path("", include("meetings.urls")),
    path("", include("elections.urls")),
    path("rollout/", include("rollout.urls")),
    path("api/tokens/", include("api.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
