from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("2fa/", views.otp_verify, name="otp_verify"),
    path("2fa/setup/", views.otp_setup, name="otp_setup"),
    path("eid/login/", views.eid_login, name="eid_login"),
    path("eid/callback/", views.eid_callback, name="eid_callback"),
    path("eid/level-2/", views.level2_help, name="level2_help"),
    path("data-protection/", views.data_protection, name="data_protection"),
    path("grants/", views.grants, name="grants"),
    path("grants/<int:grant_id>/revoke/", views.grant_revoke_view, name="grant_revoke"),
]
