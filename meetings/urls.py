from django.urls import path

from . import views

app_name = "meetings"
urlpatterns = [
    path("", views.meeting_mine, name="mine"),
    path("cell/<str:code>/", views.meeting_cell, name="cell"),
    path("stats/<str:code>/", views.meeting_stats, name="stats"),
    path("<int:meeting_id>/", views.meeting_detail, name="detail"),
    path("<int:meeting_id>/comment/", views.meeting_comment, name="comment"),
    path("<int:meeting_id>/absence/", views.meeting_absence, name="absence"),
    path("<int:meeting_id>/checkin/", views.meeting_checkin, name="checkin"),
    path("<int:meeting_id>/qr/", views.meeting_qr, name="qr"),
    path("<int:meeting_id>/attendance/", views.meeting_attendance, name="attendance"),
    path("<int:meeting_id>/close/", views.meeting_close, name="close"),
    path("<int:meeting_id>/minutes/", views.meeting_minutes, name="minutes"),
    path("<int:meeting_id>/documents/", views.meeting_document_add, name="document_add"),
    path("documents/<int:document_id>/", views.meeting_document, name="document"),
    path("<int:meeting_id>/votes/", views.meeting_vote_open, name="vote_open"),
    path("votes/<int:vote_id>/close/", views.meeting_vote_close, name="vote_close"),
    path("votes/<int:vote_id>/ballot/", views.meeting_ballot, name="ballot"),
]
