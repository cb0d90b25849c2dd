from django.urls import path

from . import views

app_name = "elections"
urlpatterns = [
    path("elections/<int:term_id>/<str:code>/", views.congress_day, name="day"),
    path("elections/<int:term_id>/<str:code>/door/", views.door, name="door"),
    path("elections/checkin/<int:roll_id>/", views.checkin, name="checkin"),
    path("elections/counting/<int:roll_id>/", views.counting, name="counting"),
    path("elections/e/<int:election_id>/", views.election_page, name="election"),
    path("elections/e/<int:election_id>/enter/", views.ballot_enter, name="enter"),
    path("elections/e/<int:election_id>/verify/", views.ballot_verify, name="verify"),
    path("elections/e/<int:election_id>/ballots.pdf", views.ballots_file, name="ballots_pdf"),
    path("elections/e/<int:election_id>/minutes.pdf", views.minutes_file, name="minutes_pdf"),
]
