"""Congress day's pages, phone-first: the voter list with the desk check-in and the attendance
figure (live), the door's rotating code and the delegate's check-in, an election (candidates,
counting, tally, results), the two counters' screens, and the PDF ballots and minutes."""

from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from access.models import Role
from access.scope import can, own_member_id
from audit.services import AuditContext, audit_log
from congresses.models import Congress
from congresses.selectors import get_congress_for_user, may_update
from core.http import MAX_DB_INT, AuthedHttpRequest
from core.live import stamp
from lib.checkin import WINDOW, code_for, seconds_left, window_of
from members.models import Member

from . import services
from .models import Ballot, Election, Voter
from .reports import ballots_pdf, minutes_pdf
from .selectors import (
    attendance_of,
    ballots_to_verify,
    disputed,
    elections_of,
    get_election_for_user,
    get_roll_for_voter,
    invalid_ballots,
    roll_of,
    tally_rows,
    voters_of,
)


def _message(error: ValidationError) -> str:
    return " ".join(error.messages)


def _int(value: str | None) -> int | None:
    text = (value or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        return None
    return int(text)


def _congress(request: AuthedHttpRequest, term_id: int, code: str) -> Congress:
    if term_id > MAX_DB_INT:
        raise Http404
    return get_congress_for_user(request.user, term_id, code)


def _voters_viewed(request: AuthedHttpRequest, congress: Congress, voters: list[Voter]) -> None:
    """A list of names is a read of personal data: audited as a member list is."""
    if voters:
        audit_log(
            actor=request.user,
            action="election.voters_viewed",
            object_type="congress",
            object_id=congress.pk,
            detail={"members": [v.member_id for v in voters]},
            ctx=AuditContext.of(request),
        )


# -- The congress's day: its list, its elections ---------------------------------------------


def congress_day_link(viewer: Any, congress: Congress) -> tuple[str, str]:
    """The link on the congress monitor's page (congresses.links)."""
    return _("Bầu cử tại đại hội"), reverse(
        "elections:day", args=[congress.term_id, congress.org.code]
    )


@login_required
def congress_day(request: AuthedHttpRequest, term_id: int, code: str) -> HttpResponse:
    """The voter list with the attendance figure and the desk check-in; the elections."""
    since = stamp()
    congress = _congress(request, term_id, code)
    editor = may_update(request.user, congress)
    roll = roll_of(congress)
    if request.method == "POST":
        if not editor:
            raise Http404
        action = request.POST.get("action", "")
        ctx = AuditContext.of(request)
        try:
            if action == "open":
                services.roll_open(congress=congress, by=request.user, ctx=ctx)
                messages.success(request, _("Đã lập danh sách đại biểu."))
            elif action == "election":
                services.election_create(
                    congress=congress,
                    kind=request.POST.get("kind", ""),
                    seats=_int(request.POST.get("seats")) or 0,
                    by=request.user,
                    ctx=ctx,
                )
                messages.success(request, _("Đã mở cuộc bầu."))
            elif roll is not None and action in ("checkin", "mark", "add"):
                member_id = _int(request.POST.get("member"))
                if action == "add":
                    member = Member.objects.filter(
                        pk=member_id or 0, org_path__startswith=congress.org.path
                    ).first()
                    if member is None:
                        raise ValidationError(
                            _("Không tìm thấy đảng viên này trong %(org)s.")
                            % {"org": congress.org.name}
                        )
                    services.voter_add(roll=roll, member=member, by=request.user, ctx=ctx)
                    messages.success(request, _("Đã thêm vào danh sách."))
                elif action == "checkin":
                    voter = services.voter_checkin(
                        roll=roll,
                        member=Member.objects.filter(pk=member_id or 0).first(),
                        by=request.user,
                        ctx=ctx,
                    )
                    messages.success(
                        request, _("%(name)s đã điểm danh.") % {"name": voter.full_name}
                    )
                else:
                    voter_row = roll.voters.filter(member_id=member_id or 0).first()
                    if voter_row is None:
                        raise Http404
                    services.voter_mark(
                        voter=voter_row,
                        kind=request.POST.get("kind", ""),
                        credentials_ok=request.POST.get("credentials_ok") == "on",
                        by=request.user,
                        ctx=ctx,
                    )
                    messages.success(request, _("Đã cập nhật."))
            else:
                raise Http404
        except ValidationError as error:
            messages.error(request, _message(error))
        return redirect("elections:day", term_id=congress.term_id, code=congress.org.code)
    figures = attendance_of(roll) if roll is not None else None
    if request.GET.get("live"):
        return render(request, "elections/_attendance.html", {"figures": figures})
    voters = voters_of(roll) if roll is not None else []
    _voters_viewed(request, congress, voters)
    return render(
        request,
        "elections/day.html",
        {
            "congress": congress,
            "org": congress.org,
            "roll": roll,
            "figures": figures,
            "voters": voters,
            "elections": elections_of(congress),
            "editor": editor,
            "kinds": Election.Kind.choices,
            "voter_kinds": Voter.Kind.choices,
            "live_since": since,
        },
    )


@login_required
def door(request: AuthedHttpRequest, term_id: int, code: str) -> HttpResponse:
    """The secretariat's screen at the door: a QR code of the check-in address with a code that
    changes every 30 seconds, and the attendance figure."""
    congress = _congress(request, term_id, code)
    if not may_update(request.user, congress):
        raise Http404
    roll = roll_of(congress)
    if roll is None:
        raise Http404
    now = timezone.now()
    checkin = code_for(services.checkin_key(roll), roll.pk, window_of(now.timestamp()))
    url = request.build_absolute_uri(reverse("elections:checkin", args=[roll.pk]) + f"?c={checkin}")
    context: dict[str, Any] = {
        "congress": congress,
        "org": congress.org,
        "figures": attendance_of(roll),
        "qr": segno.make(url, error="m").svg_inline(scale=6, border=2, omitsize=True),
        "checkin_url": url,
        "seconds_left": seconds_left(now.timestamp()),
        "window": WINDOW,
    }
    template = "elections/_door.html" if request.GET.get("live") else "elections/door.html"
    return render(request, template, context)


@login_required
def checkin(request: AuthedHttpRequest, roll_id: int) -> HttpResponse:
    """What the door's QR code opens: the congress and one button checking the delegate in."""
    roll = get_roll_for_voter(request.user, roll_id)
    code = (request.POST.get("c") or request.GET.get("c", ""))[:16]
    context: dict[str, Any] = {"roll": roll, "congress": roll.congress, "code": code}
    if request.method == "POST":
        member_id = own_member_id(request.user)
        try:
            context["done"] = services.voter_checkin(
                roll=roll,
                member=Member.objects.filter(pk=member_id or 0).first(),
                by=request.user,
                code=code,
                ctx=AuditContext.of(request),
            )
        except ValidationError as error:
            context["refusal"] = _message(error)
            return render(request, "elections/checkin.html", context, status=400)
    return render(request, "elections/checkin.html", context)


# -- One election ----------------------------------------------------------------------------


def _election_redirect(election: Election) -> HttpResponse:
    return redirect("elections:election", election_id=election.pk)


@login_required
def election_page(request: AuthedHttpRequest, election_id: int) -> HttpResponse:
    """Candidates, counting, the tally and the results of one election."""
    election = get_election_for_user(request.user, election_id)
    congress = election.congress
    editor = can(request.user, congress.org.path, Role.EDITOR)
    if request.method == "POST":
        if not editor:
            raise Http404
        action = request.POST.get("action", "")
        ctx = AuditContext.of(request)
        ids = [i for i in (_int(v) for v in request.POST.getlist("member")) if i is not None]
        picked = list(
            Member.objects.filter(pk__in=ids, org_path__startswith=congress.org.path).order_by(
                "sort_key", "id"
            )
        )
        try:
            if action == "candidates":
                services.candidates_set(election=election, members=picked, by=request.user, ctx=ctx)
                messages.success(request, _("Đã lưu danh sách bầu cử."))
            elif action == "start":
                services.election_start_count(
                    election=election,
                    ballots_issued=_int(request.POST.get("ballots_issued")) or 0,
                    by=request.user,
                    ctx=ctx,
                )
                messages.success(request, _("Bắt đầu kiểm phiếu."))
            elif action == "close":
                services.election_close(election=election, by=request.user, ctx=ctx)
                messages.success(request, _("Đã chốt kết quả kiểm phiếu."))
            elif action == "second":
                following = services.election_second_round(
                    election=election, members=picked, by=request.user, ctx=ctx
                )
                messages.success(request, _("Đã mở lần bầu tiếp theo."))
                return _election_redirect(following)
            elif action == "send":
                services.election_send(election=election, by=request.user, ctx=ctx)
                messages.success(request, _("Đã chuyển kết quả sang theo dõi đại hội."))
            else:
                raise Http404
        except ValidationError as error:
            messages.error(request, _message(error))
        return _election_redirect(election)
    roll = roll_of(congress)
    chosen = set(election.candidates.values_list("member_id", flat=True))
    voters = voters_of(roll) if roll is not None and editor else []
    _voters_viewed(request, congress, voters)
    ballots = list(election.ballots.all())
    return render(
        request,
        "elections/election.html",
        {
            "election": election,
            "congress": congress,
            "org": congress.org,
            "editor": editor,
            "rows": tally_rows(election),
            "voters": voters,
            "chosen": chosen,
            "figures": attendance_of(roll) if roll is not None else None,
            "entered": len(ballots),
            "settled": sum(1 for b in ballots if b.settled),
            "disputed": sum(1 for b in ballots if b.status == Ballot.Status.DISPUTED),
            "max_candidates": election.seats
            + int(election.seats * election.rulebook.rules.max_surplus),
            "next_round": getattr(election, "next_round", None),
            "invalid": invalid_ballots(election) if election.base is not None else [],
            "open_seats": election.seats - sum(1 for c in election.candidates.all() if c.elected),
        },
    )


def _reading(request: AuthedHttpRequest) -> tuple[int, list[int], bool]:
    kept = [i for i in (_int(v) for v in request.POST.getlist("kept")) if i is not None]
    return _int(request.POST.get("number")) or 0, kept, request.POST.get("spoilt") == "on"


def _counter_screen(request: AuthedHttpRequest, election_id: int, mode: str) -> HttpResponse:
    election = get_election_for_user(request.user, election_id, Role.EDITOR)
    status = 200
    last: Ballot | None = None
    if request.method == "POST":
        number, kept, spoilt = _reading(request)
        ctx = AuditContext.of(request)
        try:
            if request.POST.get("action") == "resolve":
                ballot = election.ballots.filter(number=number).first()
                if ballot is None:
                    raise Http404
                services.ballot_resolve(
                    ballot=ballot,
                    kept=kept,
                    spoilt=spoilt,
                    note=request.POST.get("note", ""),
                    by=request.user,
                    ctx=ctx,
                )
                messages.success(request, _("Đã xử lý phiếu số %(n)d.") % {"n": number})
            elif mode == "enter":
                last = services.ballot_enter(
                    election=election,
                    number=number,
                    kept=kept,
                    spoilt=spoilt,
                    by=request.user,
                    ctx=ctx,
                )
                messages.success(request, _("Đã nhập phiếu số %(n)d.") % {"n": number})
            else:
                last = services.ballot_verify(
                    election=election,
                    number=number,
                    kept=kept,
                    spoilt=spoilt,
                    by=request.user,
                    ctx=ctx,
                )
                if last.status == Ballot.Status.DISPUTED:
                    messages.error(
                        request,
                        _(
                            "Phiếu số %(n)d: hai lần nhập không khớp. Ban kiểm phiếu xem lại phiếu "
                            "và xử lý bên dưới."
                        )
                        % {"n": number},
                    )
                else:
                    messages.success(request, _("Phiếu số %(n)d khớp.") % {"n": number})
        except ValidationError as error:
            messages.error(request, _message(error))
            status = 400
        if status == 200:
            return redirect(f"elections:{mode}", election_id=election.pk)
    candidates = list(election.candidates.all())
    names = {c.pk: c.full_name for c in candidates}
    return render(
        request,
        "elections/counter.html",
        {
            "election": election,
            "congress": election.congress,
            "org": election.congress.org,
            "mode": mode,
            "candidates": candidates,
            "to_verify": ballots_to_verify(election) if mode == "verify" else [],
            "disputed": [
                (
                    b,
                    [names.get(i, "?") for i in b.kept],
                    [names.get(i, "?") for i in b.second_kept or []],
                )
                for b in disputed(election)
            ],
            "entered": election.ballots.count(),
            "last": last,
        },
        status=status,
    )


@login_required
def ballot_enter(request: AuthedHttpRequest, election_id: int) -> HttpResponse:
    """The first counter's screen: a ballot's number and the names it keeps."""
    return _counter_screen(request, election_id, "enter")


@login_required
def ballot_verify(request: AuthedHttpRequest, election_id: int) -> HttpResponse:
    """The second counter's screen: each ballot read again, blind; disagreements resolved."""
    return _counter_screen(request, election_id, "verify")


@login_required
def ballots_file(request: AuthedHttpRequest, election_id: int) -> HttpResponse:
    """The ballots to print: the congress's header, the candidates, one number a ballot."""
    election = get_election_for_user(request.user, election_id, Role.EDITOR)
    if not election.candidates.exists():
        raise Http404
    response = HttpResponse(ballots_pdf(election), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="phieu-bau-{election.pk}.pdf"'
    return response


@login_required
def minutes_file(request: AuthedHttpRequest, election_id: int) -> HttpResponse:
    """The minutes of the count (biên bản kiểm phiếu), once the tally is closed."""
    election = get_election_for_user(request.user, election_id)
    if election.status not in (Election.Status.CLOSED, Election.Status.SENT):
        raise Http404
    audit_log(
        actor=request.user,
        action="election.minutes",
        object_type="election",
        object_id=election.pk,
        detail={"members": list(election.candidates.values_list("member_id", flat=True))},
        ctx=AuditContext.of(request),
    )
    response = HttpResponse(minutes_pdf(election), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="bien-ban-kiem-phieu-{election.pk}.pdf"'
    )
    return response
