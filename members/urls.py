from django.urls import path

from . import reorg_views, views

app_name = "members"
urlpatterns = [
    path("members/me/", views.me, name="me"),
    path("members/<int:member_id>/", views.member_detail, name="detail"),
    path("members/<int:member_id>/edit/", views.member_edit, name="edit"),
    path("members/<int:member_id>/events/<slug:kind>/", views.member_event, name="event"),
    path("members/new/<str:code>/", views.member_create, name="create"),
    # An organisation's members, and the changes to the tree that carry members with them.
    path("orgs/<str:code>/members/", views.member_list, name="list"),
    path("orgs/<str:code>/members/export.xlsx", views.member_list_export, name="list_export"),
    path("orgs/<str:code>/move/", reorg_views.org_move, name="org_move"),
    path("orgs/<str:code>/merge/", reorg_views.org_merge, name="org_merge"),
    path("orgs/<str:code>/dissolve/", reorg_views.org_dissolve, name="org_dissolve"),
]
