from django.urls import path

from . import views

app_name = "members"
urlpatterns = [
    path("me/", views.me, name="me"),
    path("<int:member_id>/", views.member_detail, name="detail"),
    path("<int:member_id>/edit/", views.member_edit, name="edit"),
    path("<int:member_id>/events/<slug:kind>/", views.member_event, name="event"),
    path("new/<str:code>/", views.member_create, name="create"),
]
