"""The reports' two URLs. congresses/urls.py (the congress pages) adds these patterns to its own
(`urlpatterns += report_urls.urlpatterns`) once it exists; until then partyorg/urls.py includes
this module under the same namespace."""

from django.urls import path

from . import report_views

app_name = "congresses"
urlpatterns = [
    path(
        "congresses/<int:term_id>/<str:code>/report.xlsx",
        report_views.report_xlsx,
        name="report_xlsx",
    ),
    path(
        "congresses/<int:term_id>/<str:code>/report.pdf",
        report_views.report_pdf,
        name="report_pdf",
    ),
]
