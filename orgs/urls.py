from django.urls import path

from . import views

app_name = "orgs"
urlpatterns = [
    path("pick/", views.org_pick, name="pick"),
    path("<str:code>/", views.org_detail, name="detail"),
    path("<str:code>/live/", views.org_live, name="live"),
    path("<str:code>/new/", views.org_child_create, name="child_create"),
    path("<str:code>/rename/", views.org_rename, name="rename"),
]
