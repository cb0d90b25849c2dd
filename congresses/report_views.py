"""The reports for the level above, as files: xlsx and PDF of one organisation in one term."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.utils import timezone

from audit.services import AuditContext
from core.http import MAX_DB_INT, AuthedHttpRequest
from orgs.selectors import get_org_for_user

from .reports import CONTENT_TYPES, report_export
from .selectors import get_term_for_user


def _report(request: AuthedHttpRequest, term_id: int, code: str, kind: str) -> HttpResponse:
    if term_id > MAX_DB_INT:
        raise Http404
    org = get_org_for_user(request.user, code)
    term = get_term_for_user(request.user, term_id)
    # The organisation's subtree takes part in the term (organised at or above it, or inside).
    if not (org.path.startswith(term.organiser.path) or term.organiser.path.startswith(org.path)):
        raise Http404
    content = report_export(
        term=term,
        org=org,
        kind=kind,
        by=request.user,
        today=timezone.localdate(),
        ctx=AuditContext.of(request),
    )
    response = HttpResponse(content, content_type=CONTENT_TYPES[kind])
    response["Content-Disposition"] = (
        f'attachment; filename="bao-cao-dai-hoi-{term.pk}-{org.code}.{kind}"'
    )
    return response


@login_required
def report_xlsx(request: AuthedHttpRequest, term_id: int, code: str) -> HttpResponse:
    return _report(request, term_id, code, "xlsx")


@login_required
def report_pdf(request: AuthedHttpRequest, term_id: int, code: str) -> HttpResponse:
    return _report(request, term_id, code, "pdf")
