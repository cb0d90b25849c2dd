from django.urls import path

from . import views

app_name = "rollout"
urlpatterns = [
    path("officials/", views.officials, name="officials"),
    path("officials/<int:official_id>/link/", views.invite_renew, name="invite_renew"),
    path("officials/template.xlsx", views.sheet_template, name="sheet_template"),
    path("officials/sheets/<int:upload_id>/", views.sheet, name="sheet"),
    path("first-login/<str:secret>/", views.first_login, name="first_login"),
    path("coverage/<str:code>/", views.coverage, name="coverage"),
    path("coverage/<str:code>/export.xlsx", views.coverage_export, name="coverage_export"),
    path("difficulties/", views.difficulty_mine, name="mine"),
    path("difficulties/report/", views.difficulty_new, name="report"),
    path("difficulties/<int:difficulty_id>/", views.difficulty_detail, name="difficulty"),
    path("difficulties/<int:difficulty_id>/act/", views.difficulty_act, name="difficulty_act"),
    path(
        "difficulties/<int:difficulty_id>/screenshot/",
        views.difficulty_screenshot,
        name="screenshot",
    ),
    path("difficulties/desk/<str:code>/", views.queue, name="queue"),
    path("faq/", views.faq, name="faq"),
]
