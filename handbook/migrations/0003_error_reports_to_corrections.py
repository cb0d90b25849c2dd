"""Error reports sent from "my record" become correction requests (issue 24): each one starts at
its member's organisation, filed when it was sent, its text both the proposed value and the
reason (the member wrote what is right), with the counters a request adds."""

from datetime import timedelta

from django.db import migrations

STEP_DAYS = 5


def _due(day):
    left = STEP_DAYS
    while left:
        day += timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


def reports_to_requests(apps, schema_editor):
    ErrorReport = apps.get_model("handbook", "ErrorReport")
    Request = apps.get_model("corrections", "Request")
    Step = apps.get_model("corrections", "Step")
    CountDelta = apps.get_model("orgs", "CountDelta")
    deltas = {}
    for report in ErrorReport.objects.select_related("member__org").order_by("id").iterator():
        org = report.member.org
        request = Request.objects.create(
            member_id=report.member_id,
            field=report.field,
            current_value=report.shown_value[:255],
            proposed_value=report.message[:255],
            reason=report.message,
            status="review",
            org=org,
            org_path=org.path,
            unit=org,
            due_on=_due(report.created_at.date()),
            filed_by_id=report.by_id,
            filed_at=report.created_at,
        )
        Step.objects.create(
            request=request,
            action="filed",
            org=org,
            by_id=report.by_id,
            at=report.created_at,
            note=report.message,
        )
        for key in ("corr.review", "corr.opened"):
            deltas[(org.pk, key)] = deltas.get((org.pk, key), 0) + 1
    CountDelta.objects.bulk_create(
        [CountDelta(org_id=org_id, key=key, delta=n) for (org_id, key), n in deltas.items()]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("handbook", "0002_documents_reports_counting"),
        ("corrections", "0001_requests_and_steps"),
        ("orgs", "0003_load_admin_units"),
    ]

    operations = [migrations.RunPython(reports_to_requests, migrations.RunPython.noop)]
