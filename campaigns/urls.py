from django.urls import path

from . import views

app_name = "campaigns"
urlpatterns = [
    path("orgs/<str:code>/campaigns/", views.campaign_list, name="list"),
    path("campaigns/<int:campaign_id>/<str:code>/", views.campaign_dashboard, name="dashboard"),
    path(
        "campaigns/<int:campaign_id>/<str:code>/publish/",
        views.campaign_publish,
        name="publish",
    ),
    path(
        "campaigns/<int:campaign_id>/<str:code>/export.xlsx",
        views.campaign_export,
        name="export",
    ),
]
