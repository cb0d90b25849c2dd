from django.urls import path

from . import views

# The members' pages live in the handbook (under its prefix, where its service worker keeps the
# pages a member read for offline reading); the secretary's and the officials' pages do not
# (lists of other members are never kept on a phone).
HANDBOOK = "so-tay/sinh-hoat/"

app_name = "meetings"
urlpatterns = [
    path(HANDBOOK, views.meeting_mine, name="index"),
    path(f"{HANDBOOK}<int:meeting_id>/", views.meeting_detail, name="detail"),
    path(f"{HANDBOOK}<int:meeting_id>/gop-y/", views.meeting_comment, name="comment"),
    path(f"{HANDBOOK}<int:meeting_id>/bao-vang/", views.meeting_absence, name="absence"),
    path(f"{HANDBOOK}<int:meeting_id>/diem-danh/", views.meeting_checkin, name="checkin"),
    path(f"{HANDBOOK}tai-lieu/<int:document_id>/", views.meeting_document, name="document"),
    path(f"{HANDBOOK}bieu-quyet/<int:vote_id>/", views.meeting_ballot, name="ballot"),
    path("meetings/cell/<str:code>/", views.meeting_cell, name="cell"),
    path("meetings/stats/<str:code>/", views.meeting_stats, name="stats"),
    path("meetings/<int:meeting_id>/qr/", views.meeting_qr, name="qr"),
    path("meetings/<int:meeting_id>/attendance/", views.meeting_attendance, name="attendance"),
    path("meetings/<int:meeting_id>/close/", views.meeting_close, name="close"),
    path("meetings/<int:meeting_id>/edit/", views.meeting_edit, name="edit"),
    path("meetings/<int:meeting_id>/cancel/", views.meeting_cancel, name="cancel"),
    path("meetings/<int:meeting_id>/minutes/", views.meeting_minutes, name="minutes"),
    path("meetings/<int:meeting_id>/documents/", views.meeting_document_add, name="document_add"),
    path("meetings/<int:meeting_id>/votes/", views.meeting_vote_open, name="vote_open"),
    path("meetings/votes/<int:vote_id>/close/", views.meeting_vote_close, name="vote_close"),
]
