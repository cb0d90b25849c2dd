"""Meeting pages, phone-first: a member's meetings, a cell's meetings and the scheduling form,
a meeting (agenda, papers, comments, absence, votes, minutes), the check-in a QR code opens, and
the secretary's pages (the rotating code, attendance, minutes); attendance at every level."""

from datetime import timedelta
from typing import Any
from urllib.parse import quote

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from access.models import Role
from access.scope import can
from audit.services import AuditContext
from core import live
from core.crypto import decrypt
from core.forms import apply_errors
from core.http import AuthedHttpRequest
from lib.checkin import WINDOW, code_for, seconds_left, window_of
from orgs.selectors import get_org_for_user, org_children, visible_ancestors

from . import services
from .forms import DocumentForm, MeetingForm, MinutesForm
from .models import Attendance, Ballot, Meeting
from .selectors import (
    attendance_figures,
    attendance_of,
    cell_meetings,
    get_document_for_user,
    get_meeting_for_user,
    get_vote_for_user,
    member_meetings,
    own_member,
)


def _first_error(error: ValidationError) -> str:
    return " ".join(error.messages)


def _not_your_meeting(request: AuthedHttpRequest, what: str) -> HttpResponse:
    """A meeting (or vote) this member may not see, said plainly and without saying whose it
    is: 404, as for one that does not exist."""
    return render(
        request,
        "meetings/refused.html",
        {"hb_nav": "meetings", "refusal": what},
        status=404,
    )


def _not_found_here() -> str:
    return _(
        "Không tìm thấy buổi họp này trong các buổi họp của chi bộ đồng chí: "
        "không góp ý, báo vắng hay biểu quyết được."
    )


@login_required
def meeting_mine(request: AuthedHttpRequest) -> HttpResponse:
    member = own_member(request.user)
    if member is None:
        raise Http404
    upcoming, past = member_meetings(member)
    return render(
        request,
        "meetings/meeting_mine.html",
        {"hb_nav": "meetings", "member": member, "upcoming": upcoming, "past": past},
    )


@login_required
def meeting_cell(request: AuthedHttpRequest, code: str) -> HttpResponse:
    cell = get_org_for_user(request.user, code)
    may_schedule = can(request.user, cell.path, Role.EDITOR) and cell.kind in services.MEETING_KINDS
    form = MeetingForm(request.POST or None, initial={"kind": Meeting.Kind.REGULAR})
    if request.method == "POST":
        if not may_schedule:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            try:
                meeting = services.meeting_schedule(
                    cell=cell,
                    kind=data["kind"],
                    topic=data["topic"],
                    agenda=data["agenda"],
                    starts_at=form.starts_at(),
                    place=data["place"],
                    online_link=data["online_link"],
                    by=request.user,
                    ctx=AuditContext.of(request),
                )
            except ValidationError as error:
                _errors_on_form(form, error)
            else:
                messages.success(
                    request,
                    _("Đã lên lịch “%(topic)s” và gửi giấy mời đến %(n)s đảng viên.")
                    % {"topic": meeting.topic, "n": meeting.attendances.count()},
                )
                return redirect("meetings:detail", meeting_id=meeting.pk)
    return render(
        request,
        "meetings/meeting_cell.html",
        {
            "org": cell,
            "ancestors": visible_ancestors(request.user, cell),
            "meetings": cell_meetings(cell),
            "form": form if may_schedule else None,
        },
    )


def _errors_on_form(form: MeetingForm, error: ValidationError) -> None:
    """The services' refusals on the form's fields: the time is typed as a day and an hour."""
    if "starts_at" in getattr(error, "error_dict", {}):
        error.error_dict["on"] = error.error_dict.pop("starts_at")
    apply_errors(form, error)


def _late_warning(meeting: Meeting) -> str:
    return _(
        "Chương trình nên được đăng trước ngày %(due)s (khoảng ngày 20 tháng trước) để đảng viên "
        "kịp nghiên cứu; buổi họp này đăng muộn hơn."
    ) % {"due": services.agenda_due(meeting.starts_at).strftime("%d/%m/%Y")}


def _detail_context(request: AuthedHttpRequest, meeting: Meeting) -> dict[str, Any]:
    member = own_member(request.user)
    is_member = services.member_of_cell(member, meeting.cell)
    manages = can(request.user, meeting.cell.path, Role.EDITOR)
    mine = Attendance.objects.filter(meeting=meeting, member=member).first() if is_member else None
    votes = []
    for vote in meeting.votes.all():
        cast = (
            Ballot.objects.filter(vote=vote, member=member).values_list("choice", flat=True).first()
            if is_member
            else None
        )
        votes.append(
            {
                "vote": vote,
                "tally": services.vote_tally(vote),
                "cast": Ballot.Choice(cast).label if cast else None,
            }
        )
    now = timezone.now()
    documents = list(meeting.documents.order_by("uploaded_at", "id"))
    return {
        "hb_nav": "meetings",
        "meeting": meeting,
        # What the handbook's service worker keeps for reading offline: this page, its papers.
        "precache": " ".join(
            [reverse("meetings:detail", args=[meeting.pk])]
            + [reverse("meetings:document", args=[d.pk]) for d in documents]
        ),
        "ancestors": visible_ancestors(request.user, meeting.cell),
        "is_member": is_member,
        "manages": manages,
        "mine": mine,
        "documents": documents,
        "comments": list(meeting.comments.all()),
        "votes": votes,
        "choices": Ballot.Choice.choices,
        "late": services.agenda_late(meeting),
        "late_warning": _late_warning(meeting),
        "may_report_absence": mine is not None
        and meeting.is_open
        and now < meeting.starts_at
        and mine.checked_in_at is None,
        "document_form": DocumentForm() if manages and meeting.is_open else None,
        "started": now >= meeting.starts_at,
    }


@login_required
def meeting_detail(request: AuthedHttpRequest, meeting_id: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, meeting_id)
    return render(request, "meetings/meeting_detail.html", _detail_context(request, meeting))


def _refused_here(
    request: AuthedHttpRequest, meeting: Meeting, error: ValidationError
) -> HttpResponse:
    """The meeting page again, with the refusal on top and nothing changed (status 400)."""
    context = _detail_context(request, meeting)
    context["refusal"] = _first_error(error)
    return render(request, "meetings/meeting_detail.html", context, status=400)


@login_required
@require_POST
def meeting_comment(request: AuthedHttpRequest, meeting_id: int) -> HttpResponse:
    try:
        meeting = get_meeting_for_user(request.user, meeting_id)
    except Http404:
        return _not_your_meeting(request, _not_found_here())
    try:
        services.comment_add(
            meeting=meeting,
            by=request.user,
            member=own_member(request.user),
            body=request.POST.get("body", ""),
            ctx=AuditContext.of(request),
        )
    except ValidationError as error:
        return _refused_here(request, meeting, error)
    messages.success(request, _("Đã gửi góp ý."))
    return redirect(reverse("meetings:detail", args=[meeting.pk]) + "#comments")


@login_required
@require_POST
def meeting_absence(request: AuthedHttpRequest, meeting_id: int) -> HttpResponse:
    try:
        meeting = get_meeting_for_user(request.user, meeting_id)
    except Http404:
        return _not_your_meeting(request, _not_found_here())
    try:
        services.absence_report(
            meeting=meeting,
            member=own_member(request.user),
            by=request.user,
            reason=request.POST.get("reason", ""),
            ctx=AuditContext.of(request),
        )
    except ValidationError as error:
        return _refused_here(request, meeting, error)
    messages.success(request, _("Đã báo vắng; bí thư chi bộ sẽ xác nhận."))
    return redirect("meetings:detail", meeting_id=meeting.pk)


@login_required
def meeting_checkin(request: AuthedHttpRequest, meeting_id: int) -> HttpResponse:
    """What the QR code opens: the meeting and one button that checks the member in."""
    code = request.POST.get("c") or request.GET.get("c", "")
    try:
        meeting = get_meeting_for_user(request.user, meeting_id)
    except Http404:
        # Said plainly to whoever scanned a code of another cell, without saying whose it is.
        return _not_your_meeting(
            request,
            _(
                "Không tìm thấy buổi họp này trong các buổi họp của chi bộ đồng chí: "
                "không điểm danh được."
            ),
        )
    context: dict[str, Any] = {"hb_nav": "meetings", "meeting": meeting, "code": code[:16]}
    if request.method == "POST":
        try:
            attendance = services.attendance_checkin(
                meeting=meeting,
                member=own_member(request.user),
                by=request.user,
                code=code,
                ctx=AuditContext.of(request),
            )
        except ValidationError as error:
            context["refusal"] = _first_error(error)
            return render(request, "meetings/meeting_checkin.html", context, status=400)
        context["done"] = attendance
    return render(request, "meetings/meeting_checkin.html", context)


@login_required
def meeting_qr(request: AuthedHttpRequest, meeting_id: int) -> HttpResponse:
    """The secretary's screen: a QR code of the check-in address with the current code, which
    changes every 30 seconds (htmx fetches the fresh one), and who has checked in."""
    meeting = get_meeting_for_user(request.user, meeting_id, Role.EDITOR)
    now = timezone.now()
    open_now = services.checkin_open(meeting, now)
    context: dict[str, Any] = {"meeting": meeting, "open": open_now, "window": WINDOW}
    if open_now:
        code = code_for(services.checkin_key(meeting), meeting.pk, window_of(now.timestamp()))
        url = request.build_absolute_uri(
            reverse("meetings:checkin", args=[meeting.pk]) + f"?c={code}"
        )
        context.update(
            {
                "code": code,
                "checkin_url": url,
                "qr": segno.make(url, error="m").svg_inline(scale=6, border=2, omitsize=True),
                "seconds_left": seconds_left(now.timestamp()),
            }
        )
    rows = attendance_of(meeting)
    context["present"] = sum(1 for a in rows if a.checked_in_at is not None)
    context["invited"] = len(rows)
    template = "meetings/_qr.html" if request.GET.get("live") else "meetings/meeting_qr.html"
    return render(request, template, context)


@login_required
def meeting_attendance(request: AuthedHttpRequest, meeting_id: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, meeting_id, Role.EDITOR)
    status = 200
    if request.method == "POST":
        statuses: dict[int, str] = {}
        for key in request.POST:
            value = request.POST.get(key, "")
            if key.startswith("m") and key[1:].isascii() and key[1:].isdigit() and value:
                statuses[int(key[1:][:18])] = value
        try:
            changed = services.attendance_set(
                meeting=meeting, statuses=statuses, by=request.user, ctx=AuditContext.of(request)
            )
            if request.POST.get("close"):
                services.meeting_close(
                    meeting=meeting, by=request.user, ctx=AuditContext.of(request)
                )
                messages.success(request, _("Đã kết thúc buổi họp và chốt điểm danh."))
                return redirect("meetings:detail", meeting_id=meeting.pk)
        except ValidationError as error:
            messages.error(request, _first_error(error))
            status = 400
        else:
            messages.success(request, _("Đã lưu điểm danh (%(n)s thay đổi).") % {"n": changed})
            return redirect("meetings:attendance", meeting_id=meeting.pk)
    return render(
        request,
        "meetings/meeting_attendance.html",
        {
            "meeting": meeting,
            "rows": attendance_of(meeting),
            "confirm_choices": [(s.value, s.label) for s in services.CONFIRMED],
            "started": timezone.now() >= meeting.starts_at,
        },
        status=status,
    )


@login_required
@require_POST
def meeting_close(request: AuthedHttpRequest, meeting_id: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, meeting_id, Role.EDITOR)
    try:
        services.meeting_close(meeting=meeting, by=request.user, ctx=AuditContext.of(request))
    except ValidationError as error:
        return _refused_here(request, meeting, error)
    messages.success(request, _("Đã kết thúc buổi họp và chốt điểm danh."))
    return redirect("meetings:detail", meeting_id=meeting.pk)


@login_required
def meeting_edit(request: AuthedHttpRequest, meeting_id: int) -> HttpResponse:
    """The secretary changes a meeting not yet held (time, place, topic, agenda)."""
    meeting = get_meeting_for_user(request.user, meeting_id, Role.EDITOR)
    if not meeting.is_open:
        return _refused_here(
            request, meeting, ValidationError(_("Buổi họp này không còn sửa được."))
        )
    local = timezone.localtime(meeting.starts_at)
    initial = {
        "kind": meeting.kind,
        "topic": meeting.topic,
        "on": local.date(),
        "at": local.time().replace(second=0, microsecond=0),
        "place": meeting.place,
        "online_link": meeting.online_link,
        "agenda": meeting.agenda,
    }
    form = MeetingForm(request.POST or None, initial=initial)
    form.fields["kind"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.meeting_update(
                meeting=meeting,
                topic=data["topic"],
                agenda=data["agenda"],
                starts_at=form.starts_at(),
                place=data["place"],
                online_link=data["online_link"],
                by=request.user,
                ctx=AuditContext.of(request),
            )
        except ValidationError as error:
            _errors_on_form(form, error)
        else:
            messages.success(request, _("Đã lưu thay đổi của buổi họp."))
            return redirect("meetings:detail", meeting_id=meeting.pk)
    return render(
        request,
        "meetings/meeting_edit.html",
        {"meeting": meeting, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def meeting_cancel(request: AuthedHttpRequest, meeting_id: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, meeting_id, Role.EDITOR)
    try:
        services.meeting_cancel(
            meeting=meeting,
            reason=request.POST.get("reason", ""),
            by=request.user,
            ctx=AuditContext.of(request),
        )
    except ValidationError as error:
        return _refused_here(request, meeting, error)
    messages.success(request, _("Đã huỷ buổi họp và báo cho đảng viên được mời."))
    return redirect("meetings:detail", meeting_id=meeting.pk)


@login_required
def meeting_minutes(request: AuthedHttpRequest, meeting_id: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, meeting_id, Role.EDITOR)
    form = MinutesForm(
        request.POST or None,
        initial={"minutes": meeting.minutes, "resolutions": meeting.resolutions},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.minutes_post(
                meeting=meeting,
                minutes=form.cleaned_data["minutes"],
                resolutions=form.cleaned_data["resolutions"],
                by=request.user,
                ctx=AuditContext.of(request),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Đã đăng biên bản."))
            return redirect(reverse("meetings:detail", args=[meeting.pk]) + "#minutes")
    return render(request, "meetings/meeting_minutes.html", {"meeting": meeting, "form": form})


@login_required
@require_POST
def meeting_document_add(request: AuthedHttpRequest, meeting_id: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, meeting_id, Role.EDITOR)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _refused_here(request, meeting, ValidationError(_("Chọn tệp tài liệu.")))
    try:
        document = services.document_attach(
            meeting=meeting,
            upload=form.cleaned_data["file"],
            by=request.user,
            ctx=AuditContext.of(request),
        )
    except ValidationError as error:
        return _refused_here(request, meeting, error)
    messages.success(request, _("Đã đính kèm %(name)s.") % {"name": document.name})
    return redirect(reverse("meetings:detail", args=[meeting.pk]) + "#documents")


@login_required
def meeting_document(request: AuthedHttpRequest, document_id: int) -> HttpResponse:
    document = get_document_for_user(request.user, document_id)
    data = decrypt(document.stored_path().read_bytes())
    response = HttpResponse(data, content_type=document.content_type)
    inline = document.content_type == "application/pdf" or document.content_type.startswith(
        "image/"
    )
    disposition = "inline" if inline and not request.GET.get("download") else "attachment"
    response["Content-Disposition"] = _disposition(disposition, document.name)
    return response


def _disposition(kind: str, name: str) -> str:
    ascii_name = name.encode("ascii", "replace").decode().replace('"', "")
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


@login_required
@require_POST
def meeting_vote_open(request: AuthedHttpRequest, meeting_id: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, meeting_id, Role.EDITOR)
    try:
        services.vote_open(
            meeting=meeting,
            question=request.POST.get("question", ""),
            by=request.user,
            ctx=AuditContext.of(request),
        )
    except ValidationError as error:
        return _refused_here(request, meeting, error)
    messages.success(request, _("Đã mở biểu quyết."))
    return redirect(reverse("meetings:detail", args=[meeting.pk]) + "#votes")


@login_required
@require_POST
def meeting_vote_close(request: AuthedHttpRequest, vote_id: int) -> HttpResponse:
    vote = get_vote_for_user(request.user, vote_id, Role.EDITOR)
    try:
        services.vote_close(vote=vote, by=request.user, ctx=AuditContext.of(request))
    except ValidationError as error:
        return _refused_here(request, vote.meeting, error)
    messages.success(request, _("Đã kết thúc biểu quyết."))
    return redirect(reverse("meetings:detail", args=[vote.meeting_id]) + "#votes")


@login_required
@require_POST
def meeting_ballot(request: AuthedHttpRequest, vote_id: int) -> HttpResponse:
    try:
        vote = get_vote_for_user(request.user, vote_id)
    except Http404:
        return _not_your_meeting(request, _not_found_here())
    try:
        services.ballot_cast(
            vote=vote,
            member=own_member(request.user),
            by=request.user,
            choice=request.POST.get("choice", ""),
            ctx=AuditContext.of(request),
        )
    except ValidationError as error:
        return _refused_here(request, vote.meeting, error)
    messages.success(request, _("Đã ghi nhận biểu quyết của đồng chí."))
    return redirect(reverse("meetings:detail", args=[vote.meeting_id]) + "#votes")


@login_required
def meeting_stats(request: AuthedHttpRequest, code: str) -> HttpResponse:
    """Attendance in an organisation's subtree and each of its children, from the counters."""
    # Before the counters are read: the page's stream tells of any change after this moment.
    since = live.stamp()
    org = get_org_for_user(request.user, code)
    children = org_children(org)
    figures = attendance_figures([org, *children])
    # htmx fetches the figures again when the organisation's stream (orgs:live) says something
    # in the subtree changed (a check-in, a meeting closed); a reload always shows the truth.
    template = (
        "meetings/_stats_live.html" if request.GET.get("live") else "meetings/meeting_stats.html"
    )
    return render(
        request,
        template,
        {
            "live_since": since,
            "org": org,
            "ancestors": visible_ancestors(request.user, org),
            "total": figures[0],
            "children": figures[1:],
            "month": timezone.localtime().strftime("%m/%Y"),
            "month_before": (timezone.localdate().replace(day=1) - timedelta(days=1)).strftime(
                "%m/%Y"
            ),
            "is_cell": org.kind in services.MEETING_KINDS,
        },
    )
