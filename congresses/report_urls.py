"""The reports' two URLs; congresses/urls.py adds them to its own."""

from django.urls import path

from . import report_views

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
