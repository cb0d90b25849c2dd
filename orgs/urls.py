from django.urls import path

from . import views

app_name = "orgs"
urlpatterns = [
    path("<str:code>/", views.org_detail, name="detail"),
    path("<str:code>/members/", views.org_members, name="members"),
    path("<str:code>/members/export.xlsx", views.org_members_export, name="members_export"),
    path("<str:code>/new/", views.org_child_create, name="child_create"),
    path("<str:code>/rename/", views.org_rename, name="rename"),
    path("<str:code>/move/", views.org_move, name="move"),
    path("<str:code>/merge/", views.org_merge, name="merge"),
    path("<str:code>/dissolve/", views.org_dissolve, name="dissolve"),
]
