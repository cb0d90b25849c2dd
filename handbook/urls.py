from django.urls import path

from . import officials, views

app_name = "handbook"

# Everything of the handbook lives under /so-tay/ (the service worker keeps those pages for
# offline reading; the meetings app mounts its pages under /so-tay/sinh-hoat/ to share that).
# Officials' pages (/so-tay/don-vi/…) are never kept offline.
urlpatterns = [
    path("so-tay/", views.home, name="home"),
    path("so-tay/ho-so/", views.me, name="me"),
    path("so-tay/tai-lieu/", views.documents, name="documents"),
    path("so-tay/tai-lieu/<int:document_id>/", views.document_detail, name="document"),
    path("so-tay/tai-lieu/<int:document_id>/tep/", views.document_file, name="document_file"),
    path(
        "so-tay/tai-lieu/<int:document_id>/luu/", views.document_bookmark, name="document_bookmark"
    ),
    path(
        "so-tay/tai-lieu/<int:document_id>/da-hoc/",
        views.document_studied,
        name="document_studied",
    ),
    path("so-tay/thong-bao/", views.notices, name="notices"),
    path("so-tay/thong-bao/da-doc/", views.notices_read, name="notices_read"),
    path("so-tay/thong-bao/nhan-tin/", views.push_subscribe, name="push_subscribe"),
    path("so-tay/hoat-dong/", views.activity, name="activity"),
    path("so-tay/manifest.webmanifest", views.manifest, name="manifest"),
    path("so-tay/don-vi/<str:code>/", officials.adoption_page, name="adoption"),
    path(
        "so-tay/don-vi/<str:code>/chua-kich-hoat/",
        officials.not_activated,
        name="not_activated",
    ),
    path("so-tay/don-vi/<str:code>/tai-lieu/", officials.org_documents, name="org_documents"),
    path(
        "so-tay/don-vi/<str:code>/tai-lieu/<int:document_id>/",
        officials.document_rates,
        name="document_rates",
    ),
    # At the root so that its scope may cover the whole site (login included).
    path("sw.js", views.service_worker, name="sw"),
]
