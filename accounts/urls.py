from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("grants/", views.grants, name="grants"),
    path("grants/<int:grant_id>/revoke/", views.grant_revoke_view, name="grant_revoke"),
]
