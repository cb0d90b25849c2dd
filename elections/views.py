"""Congress day's pages, phone-first: the voter list with the desk check-in and the attendance
figure (live), the door's rotating code and the delegate's check-in, an election (candidates,
counting, tally, results), the two counters' screens, and the PDF ballots and minutes."""

from dataclasses import dataclass
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
from accounts.models import User
from audit.services import AuditContext, audit_log
from congresses.models import Congress
from congresses.selectors import get_congress_for_user, may_update
from core.http import MAX_DB_INT, AuthedHttpRequest
from core.live import stamp
from lib.checkin import WINDOW, code_for, seconds_left, window_of
from lib.elections import candidates_problem
from members.models import Member
from members.selectors import MemberFilters, members_for, members_visible_to

from . import services
from .models import Ballot, Candidate, Election, Voter
from .reports import ballots_pdf, minutes_pdf
from .selectors import (
    attendance_of,
    ballots_to_verify,
    counters_of,
    counting_now_for,
    disputed,
    elections_of,
    get_election_for_counter,
    get_election_for_user,
    get_roll_for_counter,
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


# -- Picking members: the congress results' picker, scoped the same way ----------------------

# Rows of the candidate list's picker for people not on the voter list, per save.
PICK_ROWS = 3


def _pick_url(congress: Congress) -> str:
    """The congress monitor's member picker: the organisation's subtree as far as the official
    may update it (members_visible_to), every look-up audited as a member list is."""
    return reverse(
        "congresses:member_pick", kwargs={"term_id": congress.term_id, "code": congress.org.code}
    )


def _picker(congress: Congress, prefix: str) -> dict[str, Any]:
    """What congresses/widgets/member_picker.html draws for one row named `prefix`."""
    return {
        "prefix": prefix,
        "widget": {
            "name": f"{prefix}-full_name",
            "attrs": {"id": f"id_{prefix}-full_name"},
            "value": "",
            "pick_url": _pick_url(congress),
        },
    }


def _in_scope(request: AuthedHttpRequest, congress: Congress) -> Any:
    return members_visible_to(request.user, Role.EDITOR).filter(
        org_path__startswith=congress.org.path
    )


def _not_found(congress: Congress) -> ValidationError:
    return ValidationError(
        _(
            "Không tìm thấy đảng viên này trong %(org)s, trong phạm vi đồng chí được cập nhật: "
            "hãy chọn trong danh sách gợi ý."
        )
        % {"org": congress.org.name}
    )


def _members_by_id(
    request: AuthedHttpRequest, congress: Congress, ids: list[int]
) -> dict[int, Member]:
    """The members of these ids, each in the official's scope; an id outside it is refused."""
    found = {m.pk: m for m in _in_scope(request, congress).filter(pk__in=ids)}
    if any(i not in found for i in ids):
        raise _not_found(congress)
    return found


def _picked(request: AuthedHttpRequest, congress: Congress, prefix: str) -> Member | None:
    """The member a picker row names: the id a suggestion put in it or, without JavaScript, a
    name typed in full that exactly one member in scope bears; None for an empty row."""
    member_id = _int(request.POST.get(f"{prefix}-member"))
    if member_id is not None:
        return _members_by_id(request, congress, [member_id])[member_id]
    name = " ".join(request.POST.get(f"{prefix}-full_name", "").split())[:128]
    if not name:
        return None
    matches = [
        m
        for m in members_for(viewer=request.user, org=congress.org, filters=MemberFilters(q=name))
        .filter(pk__in=_in_scope(request, congress).values("pk"))
        .select_related("org")[:20]
        if " ".join(m.full_name.split()).casefold() == name.casefold()
    ]
    if len(matches) > 1:
        raise ValidationError(
            _(
                "Có %(n)d đảng viên tên “%(name)s”: %(who)s. Hãy chọn một người trong danh sách gợi ý."
            )
            % {
                "n": len(matches),
                "name": name,
                "who": "; ".join(f"{m.birth_date.year}, {m.org.name}" for m in matches[:5]),
            }
        )
    if not matches:
        raise _not_found(congress)
    return matches[0]


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
            elif roll is not None and action in ("counter", "counter_remove"):
                _counters_post(request, roll, action, ctx)
            elif roll is not None and action in ("checkin", "mark", "add"):
                member_id = _int(request.POST.get("member"))
                if action == "add":
                    member = _picked(request, congress, "pick")
                    if member is None:
                        raise ValidationError(_("Hãy chọn đảng viên cần thêm."))
                    services.voter_add(roll=roll, member=member, by=request.user, ctx=ctx)
                    messages.success(
                        request, _("Đã thêm %(name)s vào danh sách.") % {"name": member.full_name}
                    )
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
            "picker": _picker(congress, "pick"),
            "counters": counters_of(roll) if roll is not None else [],
        },
    )


def _counters_post(request: AuthedHttpRequest, roll: Any, action: str, ctx: AuditContext) -> None:
    """Name a counter (a delegate on the list, with an official's account when their record has
    none), or take one off the counting committee."""
    if action == "counter_remove":
        counter = roll.counters.filter(pk=_int(request.POST.get("counter")) or 0).first()
        if counter is None:
            raise Http404
        services.counter_remove(counter=counter, by=request.user, ctx=ctx)
        messages.success(
            request, _("Đã bỏ %(name)s khỏi ban kiểm phiếu.") % {"name": counter.full_name}
        )
        return
    voter = roll.voters.filter(member_id=_int(request.POST.get("member")) or 0).first()
    if voter is None:
        raise ValidationError(_("Hãy chọn một đại biểu trong danh sách."))
    username = request.POST.get("username", "").strip()[:150]
    user = None
    if username:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise ValidationError(services.account_not_found(roll.congress))
    counter = services.counter_add(
        roll=roll,
        member=voter.member,
        user=user,
        head=request.POST.get("head") == "on",
        by=request.user,
        ctx=ctx,
    )
    messages.success(request, _("Đã cử %(name)s vào ban kiểm phiếu.") % {"name": counter.full_name})


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
    context: dict[str, Any] = {
        "roll": roll,
        "congress": roll.congress,
        "code": code,
        "hb_nav": "home",
        "counting": counting_now_for(request.user, roll),
    }
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
        try:
            picked = _candidates_picked(request, congress, extra=action == "candidates")
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
    listed = {v.member_id for v in voters}
    # Candidates from outside the voter list stay offered (ticked) beside the delegates.
    offered = [
        (c.member_id, c.full_name) for c in election.candidates.all() if c.member_id not in listed
    ]
    offered += [(v.member_id, v.full_name) for v in voters]
    ballots = list(election.ballots.all())
    problem = candidates_problem(election.seats, len(chosen), election.rulebook.rules)
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
            "offered": offered,
            "chosen": chosen,
            "pickers": [_picker(congress, f"extra-{n}") for n in range(PICK_ROWS)],
            "short": problem == "too_few" and bool(chosen),
            "list_ok": problem is None or (problem == "over_surplus" and election.round > 1),
            "counters": [(c, c.member_id in chosen) for c in counters_of(roll)]
            if roll is not None
            else [],
            "counting_url": reverse("elections:counting", args=[roll.pk]) if roll else "",
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


def _candidates_picked(
    request: AuthedHttpRequest, congress: Congress, *, extra: bool
) -> list[Member]:
    """The members a candidate list names, in the list's order (Vietnamese name order): those
    ticked (delegates, or candidates already on it) and, with `extra`, those picked from the
    organisation's subtree in the picker's rows. Every one in the official's scope, or refused."""
    ids = [i for i in (_int(v) for v in request.POST.getlist("member")) if i is not None]
    chosen = _members_by_id(request, congress, ids)
    if extra:
        for n in range(PICK_ROWS):
            member = _picked(request, congress, f"extra-{n}")
            if member is not None:
                chosen[member.pk] = member
    return sorted(chosen.values(), key=lambda m: (m.sort_key, m.pk))


@dataclass
class _Reading:
    number: int
    kept: list[int]
    spoilt: bool
    unclear: list[int]


def _reading(request: AuthedHttpRequest, candidates: list[Candidate], agree: bool) -> _Reading:
    """One reading of a ballot as typed: the names left on it (ticked), or on a ballot with
    agree/disagree columns each name's mark (agree, disagree, or both/neither: unclear)."""
    number = _int(request.POST.get("number")) or 0
    spoilt = request.POST.get("spoilt") == "on"
    if not agree:
        kept = [i for i in (_int(v) for v in request.POST.getlist("kept")) if i is not None]
        return _Reading(number, kept, spoilt, [])
    marks = {c.pk: request.POST.get(f"mark-{c.pk}", "") for c in candidates}
    missing = [c for c in candidates if marks[c.pk] not in ("agree", "disagree", "unclear")]
    if missing and not spoilt:
        raise ValidationError(
            _(
                "Phiếu số %(n)d: chưa ghi dòng của %(name)s (đồng ý, không đồng ý, hay cả hai "
                "cột hoặc không cột nào)."
            )
            % {"n": number, "name": missing[0].full_name}
        )
    return _Reading(
        number,
        [pk for pk, mark in marks.items() if mark == "agree"],
        spoilt,
        [pk for pk, mark in marks.items() if mark == "unclear"],
    )


def _counter_screen(request: AuthedHttpRequest, election_id: int, mode: str) -> HttpResponse:
    election = get_election_for_counter(request.user, election_id)
    status = 200
    last: Ballot | None = None
    candidates = list(election.candidates.all())
    agree = services.agree_form(election)
    if request.method == "POST":
        ctx = AuditContext.of(request)
        try:
            reading = _reading(request, candidates, agree)
            number, kept = reading.number, reading.kept
            spoilt, unclear = reading.spoilt, reading.unclear
            if request.POST.get("action") == "resolve":
                ballot = election.ballots.filter(number=number).first()
                if ballot is None:
                    raise Http404
                services.ballot_resolve(
                    ballot=ballot,
                    kept=kept,
                    spoilt=spoilt,
                    unclear=unclear,
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
                    unclear=unclear,
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
                    unclear=unclear,
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
    names = {c.pk: c.full_name for c in candidates}

    def shown(kept: list[int], unclear: list[int] | None) -> str:
        text = ", ".join(names.get(i, "?") for i in kept) or "—"
        if unclear:
            text += " · " + _("không rõ: %(names)s") % {
                "names": ", ".join(names.get(i, "?") for i in unclear)
            }
        return text

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
                (b, shown(b.kept, b.unclear), shown(b.second_kept or [], b.second_unclear))
                for b in disputed(election)
            ],
            "agree": agree,
            "entered": election.ballots.count(),
            "last": last,
            "refusal": services.counting_refusal(request.user, election),
            "roll": roll_of(election.congress),
        },
        status=status,
    )


@login_required
def counting(request: AuthedHttpRequest, roll_id: int) -> HttpResponse:
    """A counter's way in: the congress's elections being counted, with their two screens,
    for the counters of its counting committee (and its editors); 404 for anyone else."""
    roll = get_roll_for_counter(request.user, roll_id)
    elections = [
        (e, services.counting_refusal(request.user, e))
        for e in elections_of(roll.congress)
        if e.status == Election.Status.COUNTING
    ]
    return render(
        request,
        "elections/counting.html",
        {"roll": roll, "congress": roll.congress, "org": roll.congress.org, "elections": elections},
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
    problem = candidates_problem(
        election.seats, election.candidates.count(), election.rulebook.rules
    )
    # Ballots are printed from a whole list only (a draft short of the seats is not one).
    if problem is not None and not (problem == "over_surplus" and election.round > 1):
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
