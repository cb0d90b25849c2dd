from django.urls import path

from . import views

app_name = "handbook"

# Everything of the handbook lives under /so-tay/ (the service worker caches that prefix; the
# meetings app mounts its pages under /so-tay/sinh-hoat/ so they stay readable offline too).
urlpatterns = [
    path("so-tay/", views.home, name="home"),
    path("so-tay/ho-so/", views.me, name="me"),
    path("so-tay/tai-lieu/", views.documents, name="documents"),
    path("so-tay/thong-bao/", views.notices, name="notices"),
    path("so-tay/thong-bao/da-doc/", views.notices_read, name="notices_read"),
    path("so-tay/thong-bao/nhan-tin/", views.push_subscribe, name="push_subscribe"),
    path("so-tay/hoat-dong/", views.activity, name="activity"),
    path("so-tay/manifest.webmanifest", views.manifest, name="manifest"),
    # At the root so that its scope may cover the whole site (login included).
    path("sw.js", views.service_worker, name="sw"),
]
