from django.urls import path

from . import report_urls, views

app_name = "congresses"
urlpatterns = [
    path("congresses/", views.congress_home, name="home"),
    path("congresses/<str:code>/", views.term_index, name="index"),
    path("congresses/<int:term_id>/<str:code>/", views.dashboard, name="dashboard"),
    path("congresses/<int:term_id>/<str:code>/live/", views.dashboard_live, name="dashboard_live"),
    path("congresses/<int:term_id>/<str:code>/schedule/", views.schedule, name="schedule"),
    path("congresses/<int:term_id>/<str:code>/congress/", views.congress_page, name="congress"),
    path("congresses/<int:term_id>/<str:code>/results/", views.congress_results, name="results"),
    path("congresses/<int:term_id>/<str:code>/targets/", views.targets, name="targets"),
    path("congresses/<int:term_id>/<str:code>/pick/", views.member_pick, name="member_pick"),
]
# The reports for the level above (xlsx, PDF).
urlpatterns += report_urls.urlpatterns
