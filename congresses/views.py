"""The congress monitor's pages: terms and their schedules, the dashboard at any level (live),
a congress's page (plan, timeline, next step, approval), its results, targets, and the member
picker of the results form. Every object from a get_<thing>_for_user (404 out of scope); every
change through congresses.services, whose refusals are shown on the field they name."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import get_format
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from access.models import Role
from access.scope import can
from audit.services import AuditContext
from core.forms import DATE_FORMATS, apply_errors
from core.http import AuthedHttpRequest
from core.live import Part, stamp, stream_response
from members.models import ACTIVE_STATUSES
from members.selectors import MemberFilters, members_for, members_visible_to
from members.services import members_list_viewed
from orgs.models import Org
from orgs.selectors import get_org_for_user, org_roots_for, visible_ancestors

from . import services
from .counts import reached, week_of
from .forms import (
    ApproveForm,
    NumbersForm,
    PersonForm,
    PlanForm,
    ReopenForm,
    ScheduleForm,
    StepForm,
    TargetForm,
    TermForm,
    person_initial,
)
from .links import links_for
from .models import Congress, Person, Step, Target, Term, Tier, TierSchedule
from .selectors import (
    BoardChild,
    Figures,
    completion_series,
    congress_people,
    congress_timeline,
    dashboard_board,
    effective_targets,
    get_congress_for_user,
    get_term_for_user,
    late_children,
    may_approve,
    may_update,
    share,
    terms_visible_to,
)
from .services import PersonIn, open_children

# -- Terms -----------------------------------------------------------------------------------


@login_required
def congress_home(request: AuthedHttpRequest) -> HttpResponse:
    """The main menu's entry: the monitor of the viewer's own (top) organisation."""
    roots = org_roots_for(request.user)
    if not roots:
        raise Http404
    return redirect("congresses:index", code=roots[0].code)


def _terms_of(request: AuthedHttpRequest, org: Org) -> list[Term]:
    """Terms whose congresses reach this organisation (organised at or above it, or inside it)."""
    return [
        t
        for t in terms_visible_to(request.user).prefetch_related("schedule")
        if org.path.startswith(t.organiser.path) or t.organiser.path.startswith(org.path)
    ]


def _term_form(data: Any = None) -> TermForm:
    year = timezone.localdate().year
    return TermForm(
        data,
        initial={
            "name": _("Nhiệm kỳ %(a)d–%(b)d") % {"a": year, "b": year + 5},
            "first_year": year,
            "last_year": year + 5,
        },
    )


@login_required
def term_index(request: AuthedHttpRequest, code: str) -> HttpResponse:
    org = get_org_for_user(request.user, code)
    can_open = can(request.user, org.path, Role.ADMIN)
    terms = _terms_of(request, org)
    # A term in full swing goes straight to its dashboard from the menu; ?all=1 lists them.
    if len(terms) == 1 and request.method == "GET" and not request.GET.get("all") and not can_open:
        return redirect("congresses:dashboard", term_id=terms[0].pk, code=org.code)
    form = _term_form(request.POST or None)
    if request.method == "POST":
        if not can_open:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            try:
                term = services.term_create(
                    by=request.user,
                    organiser=org,
                    name=data["name"],
                    first_year=data["first_year"],
                    last_year=data["last_year"],
                    report_within_days=data["report_within_days"],
                    schedule=form.schedule(),
                    ctx=AuditContext.of(request),
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Đã mở %(name)s.") % {"name": term.name})
                return redirect("congresses:dashboard", term_id=term.pk, code=org.code)
    return _index_page(request, org, form, can_open)


def _schedule_forms(term: Term, bound: ScheduleForm | None = None) -> list[ScheduleForm]:
    """One form per tier for the organising level to move a wave's dates (the one posted,
    bound, in its place)."""
    rows = {s.tier: s for s in term.schedule.all()}
    forms = []
    for tier in Tier:
        if bound is not None and bound.tier == tier.value:
            forms.append(bound)
            continue
        row = rows.get(tier.value)
        initial = {"starts_on": row.starts_on, "deadline": row.deadline} if row else {}
        forms.append(
            ScheduleForm(initial=initial, tier=tier.value, prefix=f"sc{term.pk}-{tier.value}")
        )
    return forms


def _index_page(
    request: AuthedHttpRequest,
    org: Org,
    form: TermForm,
    can_open: bool,
    *,
    bound: ScheduleForm | None = None,
    bound_term: int | None = None,
    status: int = 200,
) -> HttpResponse:
    terms = _terms_of(request, org)
    rows = []
    for t in terms:
        # The organising level's admins move a wave's dates here, tier by tier.
        editable = can_open and t.organiser_id == org.id
        forms = _schedule_forms(t, bound if bound_term == t.pk else None) if editable else []
        rows.append((t, _schedule_rows(t), forms))
    return render(
        request,
        "congresses/term_index.html",
        {
            "org": org,
            "ancestors": visible_ancestors(request.user, org),
            "terms": rows,
            "form": form,
            "can_open": can_open,
        },
        status=status,
    )


def _tier_errors(form: ScheduleForm, error: ValidationError) -> None:
    """A refusal of schedule_set on the posted tier's fields (starts_on_cell → starts_on); one
    about another tier (bottom-up order) said above the form."""
    for name, messages_ in error.message_dict.items():
        for suffix in ("starts_on", "deadline"):
            if name == f"{suffix}_{form.tier}":
                for message in messages_:
                    form.add_error(suffix, message)
                break
        else:
            for message in messages_:
                form.add_error(None, message)


@login_required
def schedule(request: AuthedHttpRequest, term_id: int, code: str) -> HttpResponse:
    """A term's schedule, moved tier by tier by the organising level's admins (the terms page,
    with the posted tier's form and its errors)."""
    org = get_org_for_user(request.user, code, Role.ADMIN)
    term = get_term_for_user(request.user, term_id)
    if term.organiser_id != org.id:
        raise Http404
    form = _term_form()
    if request.method != "POST":
        return _index_page(request, org, form, True)
    tier = request.POST.get("tier", "")
    if tier not in Tier.values:
        raise Http404
    bound = ScheduleForm(request.POST, tier=tier, prefix=f"sc{term.pk}-{tier}")
    if bound.is_valid():
        try:
            services.schedule_set(
                by=request.user, term=term, schedule=[bound.dates()], ctx=AuditContext.of(request)
            )
        except ValidationError as error:
            _tier_errors(bound, error)
        else:
            messages.success(
                request,
                _("Đã sửa lịch đại hội %(tier)s của %(term)s.")
                % {"tier": Tier(tier).label, "term": term.name},
            )
            return redirect(reverse("congresses:index", args=[org.code]) + "?all=1")
    return _index_page(request, org, form, True, bound=bound, bound_term=term.pk, status=400)


def _schedule_rows(term: Term) -> list[tuple[str, date, date]]:
    order = [t.value for t in Tier]
    rows = sorted(term.schedule.all(), key=lambda s: order.index(s.tier))
    return [(str(Tier(s.tier).label), s.starts_on, s.deadline) for s in rows]


def _term_and_org(request: AuthedHttpRequest, term_id: int, code: str) -> tuple[Term, Org]:
    org = get_org_for_user(request.user, code)
    term = get_term_for_user(request.user, term_id)
    if not (org.path.startswith(term.organiser.path) or term.organiser.path.startswith(org.path)):
        raise Http404
    return term, org


# -- Dashboard -------------------------------------------------------------------------------

# What reverse() leaves unquoted in a path argument (django.urls.resolvers), so the children's
# links read as {% url %} writes them.
_URL_SAFE = "!$&'()*+,;=/~:@"


@dataclass
class LateRow:
    congress: Congress
    reason: str
    since: date | None
    days: int


def _late_rows(
    term: Term, org: Org, today: date, deadlines: dict[str, date] | None = None
) -> list[LateRow]:
    if deadlines is None:
        deadlines = dict(term.schedule.values_list("tier", "deadline"))
    rows = []
    for c in late_children(term, org, today=today):
        if not reached(c.step, Step.HELD):
            due = [d for d in (c.planned_on, deadlines.get(c.tier)) if d is not None]
            since = min(due) if due else None
            if c.planned_on is not None and since == c.planned_on:
                reason = _("Quá ngày dự kiến, chưa tổ chức")
            else:
                reason = _("Quá hạn hoàn thành của cấp, chưa tổ chức")
        else:
            since = c.held_on
            reason = _("Đã tổ chức, quá %(n)d ngày chưa báo cáo kết quả") % {
                "n": term.report_within_days
            }
        rows.append(LateRow(c, reason, since, (today - since).days if since else 0))
    return rows


# What the make-up table shows: (label, share key, target key or None).
MAKEUP_ROWS: list[tuple[Any, str, str | None]] = [
    (gettext_lazy("Cấp uỷ viên nữ"), "cm_women", Target.Key.WOMEN),
    (gettext_lazy("Cấp uỷ viên dưới 40 tuổi"), "cm_u40", Target.Key.UNDER_40),
    (gettext_lazy("Cấp uỷ viên người dân tộc thiểu số"), "cm_minority", Target.Key.MINORITY),
    (gettext_lazy("Cấp uỷ viên tái cử"), "cm_reelected", None),
    (gettext_lazy("Cấp uỷ viên mới"), "cm_new", None),
    (gettext_lazy("Bí thư tái cử"), "sec_reelected", None),
    (gettext_lazy("Bí thư do đại hội bầu trực tiếp"), "sec_direct", None),
    (gettext_lazy("Bí thư không phải người địa phương"), "sec_nonlocal", None),
    (gettext_lazy("Đại biểu nữ"), "dl_women", None),
    (gettext_lazy("Đại biểu dưới 30 tuổi"), "dl_young", None),
    (gettext_lazy("Đại biểu người dân tộc thiểu số"), "dl_minority", None),
    (gettext_lazy("Tỷ lệ số dư khi bầu cấp uỷ"), "surplus", None),
    (gettext_lazy("Tỷ lệ có mặt"), "attendance", None),
]


def _makeup(figures: Figures, targets: dict[str, float]) -> list[dict[str, Any]]:
    shares = figures.makeup()
    rows = []
    for label, key, target_key in MAKEUP_ROWS:
        value = shares.get(key)
        target = targets.get(target_key) if target_key else None
        rows.append(
            {
                "label": label,
                "key": key,
                "value": value,
                "target": target,
                "met": None if value is None or target is None else value >= target,
            }
        )
    return rows


def _tier_rows(
    term: Term, figures: Figures, today: date, schedule: list[TierSchedule] | None = None
) -> list[dict[str, Any]]:
    rows = []
    order = [t.value for t in Tier]
    for s in sorted(
        term.schedule.all() if schedule is None else schedule, key=lambda s: order.index(s.tier)
    ):
        n = figures.get(f"tier.{s.tier}.n")
        if not n:
            continue
        done = figures.get(f"tier.{s.tier}.done")
        rows.append(
            {
                "label": Tier(s.tier).label,
                "starts_on": s.starts_on,
                "deadline": s.deadline,
                "n": n,
                "done": done,
                "late": figures.get(f"tier.{s.tier}.late"),
                "percent": share(done, n) or 0,
                "overdue": s.deadline < today and done < n,
            }
        )
    return rows


# The chart's drawing area, in SVG units (the picture scales to the screen's width).
CHART_W, CHART_H, CHART_LEFT, CHART_BOTTOM = 600, 220, 44, 28


def _chart(series: list[tuple[str, int, int]]) -> dict[str, Any] | None:
    """The completion chart as SVG coordinates: congresses planned by each week (the plan) and
    held by then, cumulative."""
    if not series:
        return None
    # From nothing the week before the first congress planned or held, to this week.
    first = date.fromisocalendar(int(series[0][0][:4]), int(series[0][0][5:]), 1)
    series = _until(
        [(week_of(first - timedelta(days=7)), 0, 0), *series], week_of(timezone.localdate())
    )
    top = max(max(p, h) for _w, p, h in series) or 1
    width, height = CHART_W - CHART_LEFT - 8, CHART_H - CHART_BOTTOM - 10
    steps = max(len(series) - 1, 1)

    def x(i: int) -> float:
        return round(CHART_LEFT + width * i / steps, 1)

    def y(v: int) -> float:
        return round(10 + height - height * v / top, 1)

    def when(week: str) -> str:
        return date.fromisocalendar(int(week[:4]), int(week[5:]), 1).strftime("%d/%m/%Y")

    # Coordinates as text: a template would write a float the Vietnamese way (10,5), which SVG
    # does not read.
    return {
        "plan": " ".join(f"{x(i)},{y(p)}" for i, (_w, p, _h) in enumerate(series)),
        "held": " ".join(f"{x(i)},{y(h)}" for i, (_w, _p, h) in enumerate(series)),
        "top": top,
        "y_top": str(y(top)),
        "y_zero": str(y(0)),
        "x_left": str(CHART_LEFT),
        "x_label": str(CHART_LEFT - 6),
        "x_right": str(CHART_W - 8),
        "first": when(series[0][0]),
        "last": when(series[-1][0]),
        "end_x": str(x(len(series) - 1)),
        "end_plan_y": str(y(series[-1][1])),
        "end_held_y": str(y(series[-1][2])),
        "last_plan": series[-1][1],
        "last_held": series[-1][2],
        "height": str(CHART_H),
        "width": str(CHART_W),
        "label_y": str(CHART_H - 8),
    }


def _until(series: list[tuple[str, int, int]], week: str) -> list[tuple[str, int, int]]:
    """The series carried on to `week` (this week), so the chart reaches today; a year at most."""
    series = list(series)
    day = date.fromisocalendar(int(series[-1][0][:4]), int(series[-1][0][5:]), 1)
    while series[-1][0] < week and len(series) < 260:
        day += timedelta(days=7)
        series.append((week_of(day), series[-1][1], series[-1][2]))
    return series


def _export_links(term: Term, org: Org) -> list[tuple[str, str]]:
    """The report exports (xlsx, PDF) of the dashboard."""
    kwargs = {"term_id": term.pk, "code": org.code}
    return [
        (reverse("congresses:report_xlsx", kwargs=kwargs), "Excel"),
        (reverse("congresses:report_pdf", kwargs=kwargs), "PDF"),
    ]


def _children_table(term: Term, rows: list[BoardChild]) -> SafeString:
    """The rows of the children table, built here in one pass (as orgs/views.py builds the
    organisation page's): a province lists more than a hundred and seventy children, and template
    tags per cell (url, intcomma, date, a translated step per row) made its page three times a
    ward's."""
    if not rows:
        return format_html(
            '<tr><td colspan="5" class="text-muted">{}</td></tr>',
            _("Không có tổ chức trực thuộc tổ chức đại hội."),
        )
    separator = get_format("THOUSAND_SEPARATOR")
    board_head, board_tail = reverse(
        "congresses:dashboard", kwargs={"term_id": term.pk, "code": "-"}
    ).rsplit("/-/", 1)
    page_head, page_tail = reverse(
        "congresses:congress", kwargs={"term_id": term.pk, "code": "-"}
    ).rsplit("/-/", 1)
    # Escaped once here; each row is then plain text joined (format_html per cell cost more than
    # the rest of the row).
    steps = {value: escape(label) for value, label in Step.choices}
    held_word, behind_word, late_word = (
        escape(_("đã tổ chức")),
        escape(_("đến hạn chưa xong")),
        escape(_("chậm")),
    )
    behind_tail = f' <span class="d-sm-none small text-muted">{behind_word}</span></td>\n'
    no_late = f'<span class="text-muted">0 <span class="d-sm-none small">{late_word}</span></span>'

    def number(value: int) -> str:
        return format(value, ",").replace(",", separator)

    def day(value: date) -> str:
        return value.strftime("%d/%m/%Y")

    out = []
    for row in rows:
        code = escape(quote(row.code, safe=_URL_SAFE))
        page = f"{page_head}/{code}/{page_tail}"
        figures = row.figures
        if row.step is not None:
            when = ""
            if row.planned_on and not row.held_on:
                when = " · " + day(row.planned_on)
            if row.held_on:
                when += " · " + day(row.held_on)
            step = (
                f'<a class="link-secondary" href="{page}">'
                f"{steps.get(row.step) or escape(row.step)}</a>{when}"
            )
        else:
            step = "—"
        link = f"{board_head}/{code}/{board_tail}" if figures.total > 1 else page
        behind = figures.behind
        late = figures.late
        out.append(
            f'<tr data-org="{escape(row.code)}">\n'
            f'        <td class="card-title"><a href="{link}">{escape(row.name)}</a></td>\n'
            f'        <td class="card-first small">{step}</td>\n'
            f'        <td class="text-end" data-done>{number(figures.done)}/'
            f"{number(figures.total)} "
            f'<span class="d-sm-none small text-muted">{held_word}</span></td>\n'
            '        <td class="text-end">'
            + (f'<span class="text-danger">{number(behind)}</span>' if behind else "0")
            + behind_tail
            + '        <td class="text-end">'
            + (
                f'<span class="badge text-bg-danger">{number(late)} {late_word}</span>'
                if late
                else no_late
            )
            + "</td>\n      </tr>"
        )
    # Every text above escaped.
    return mark_safe("".join(out))


def _board_context(term: Term, org: Org, today: date) -> dict[str, Any]:
    """What the dashboard's live part shows: the same for every viewer who may see `org`."""
    # The schedule read once for the figures, the tiers' table and the late rows.
    schedule = list(term.schedule.all())
    deadlines = {s.tier: s.deadline for s in schedule}
    board = dashboard_board(term, org, today=today, deadlines=deadlines)
    figures = board.figures
    return {
        "term": term,
        "org": org,
        "figures": figures,
        "own": board.own,
        "children_table": _children_table(term, board.children),
        "tiers": _tier_rows(term, figures, today, schedule),
        "makeup": _makeup(figures, effective_targets(term, org)),
        "late": _late_rows(term, org, today, deadlines),
        "chart": _chart(completion_series(term, figures)),
        "steps": [(s.label, figures.steps.get(s.value, 0), s.value) for s in Step],
        "today": today,
    }


@login_required
def dashboard(request: AuthedHttpRequest, term_id: int, code: str) -> HttpResponse:
    # Before the counters are read: the page's stream (orgs:live) tells of any change after it.
    since = stamp()
    term, org = _term_and_org(request, term_id, code)
    today = timezone.localdate()
    if request.GET.get("live"):
        # The slow poll of a page whose stream cannot be had (the stream carries this part).
        return render(request, "congresses/_dashboard_live.html", _board_context(term, org, today))
    context = _board_context(term, org, today)
    context.update(
        live_url=reverse(
            "congresses:dashboard_live", kwargs={"term_id": term.pk, "code": org.code}
        ),
        ancestors=visible_ancestors(request.user, org),
        live_since=since,
        exports=_export_links(term, org),
    )
    return render(request, "congresses/dashboard.html", context)


@login_required
def dashboard_live(request: AuthedHttpRequest, term_id: int, code: str) -> StreamingHttpResponse:
    """The dashboard's live part, sent by the server after each change under the organisation
    (core.live: drawn once for every official watching it)."""
    term, org = _term_and_org(request, term_id, code)
    today = timezone.localdate()
    part = Part(
        key=f"congress-board:{term.pk}:{org.pk}:{today.isoformat()}",
        draw=lambda: render(
            request, "congresses/_dashboard_live.html", _board_context(term, org, today)
        ),
        language=get_language() or "vi",
    )
    return stream_response(request, org.path, part=part)


# -- A congress ------------------------------------------------------------------------------


def _committee_shares(congress: Congress, people: dict[str, list[Person]]) -> dict[str, Any]:
    """The shares of what this congress elected, computed from the people (never typed)."""
    committee = people.get(Person.Body.COMMITTEE, [])
    year = (congress.held_on or congress.planned_on or timezone.localdate()).year
    n = len(committee)
    decided, candidates = congress.committee_decided, congress.candidates
    return {
        "n": n,
        "women": share(sum(p.sex == "F" for p in committee), n),
        "u40": share(sum(year - p.birth_year < 40 for p in committee), n),
        "minority": share(sum(p.minority for p in committee), n),
        "reelected": share(sum(p.reelected for p in committee), n),
        "new": share(sum(not p.reelected for p in committee), n),
        "nonlocal": share(sum(not p.local for p in committee), n),
        "shortfall": (decided - n) if decided is not None and n < decided else 0,
        "surplus": share(candidates - decided, decided)
        if candidates is not None and decided
        else None,
        "attendance": share(congress.present or 0, congress.summoned or 0)
        if congress.present is not None
        else None,
    }


def _plan_initial(congress: Congress) -> dict[str, Any]:
    return {
        "ordinal": congress.ordinal,
        "format": congress.format,
        "contents": congress.contents,
        "pilot": congress.pilot,
        "planned_on": congress.planned_on,
        "planned_committee_size": congress.planned_committee_size,
        "summoned": congress.summoned,
    }


def _people_shown(
    request: AuthedHttpRequest, congress: Congress, people: dict[str, list[Person]]
) -> None:
    """The names of the elected people shown: a read of personal data, audited as a member
    list is."""
    services.congress_people_viewed(
        viewer=request.user,
        congress=congress,
        people=[p for rows in people.values() for p in rows],
        ctx=AuditContext.of(request),
    )


def _congress_live(request: AuthedHttpRequest, congress: Congress) -> HttpResponse:
    """The page's live parts (step, plan, results, timeline), fetched again whenever its
    organisation's stream (orgs:live) says something changed."""
    people = congress_people(congress)
    _people_shown(request, congress, people)
    return render(
        request,
        "congresses/_congress_live.html",
        {
            "congress": congress,
            "term": congress.term,
            "org": congress.org,
            "timeline": congress_timeline(congress),
            "bodies": [(Person.Body(body).label, rows) for body, rows in people.items() if rows],
            "shares": _committee_shares(congress, people),
            "steps": [(s.value, s.label, reached(congress.step, s.value)) for s in Step],
        },
    )


@login_required
def congress_page(request: AuthedHttpRequest, term_id: int, code: str) -> HttpResponse:
    # Before the congress is read: the page's stream tells of any change after it.
    since = stamp()
    congress = get_congress_for_user(request.user, term_id, code)
    if request.method == "GET" and request.GET.get("live"):
        return _congress_live(request, congress)
    updater, approver = may_update(request.user, congress), may_approve(request.user, congress)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    today = timezone.localdate()
    post = {action: request.POST} if action else {}
    plan_form = PlanForm(post.get("plan"), initial=_plan_initial(congress), prefix="plan")
    step_form = StepForm(
        post.get("step"), current=congress.step, initial={"on": today}, prefix="step"
    )
    approve_form = ApproveForm(post.get("approve"), prefix="approve")
    reopen_form = ReopenForm(post.get("reopen"), prefix="reopen")
    if action:
        if action in ("plan", "step") and not updater:
            raise Http404
        if action in ("approve", "reopen") and not approver:
            raise Http404
        form = {
            "plan": plan_form,
            "step": step_form,
            "approve": approve_form,
            "reopen": reopen_form,
        }.get(action)
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                done = _congress_action(request, congress, action, form.cleaned_data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, done)
                return redirect(
                    "congresses:congress", term_id=congress.term_id, code=congress.org.code
                )
    people = congress_people(congress)
    _people_shown(request, congress, people)
    still_open = open_children(congress) if approver and congress.step == Step.REPORTED else []
    # A refusal whose form the page no longer offers (the congress was approved meanwhile…) is
    # shown at the top of the page.
    shown = {
        "plan": updater and not congress.locked,
        "step": updater and not congress.locked and congress.step != Step.NOT_SCHEDULED,
        "approve": approver and congress.step == Step.REPORTED,
        "reopen": approver and congress.step == Step.APPROVED,
    }
    forms_of = {
        "plan": plan_form,
        "step": step_form,
        "approve": approve_form,
        "reopen": reopen_form,
    }
    hidden_errors = (
        list(forms_of[action].non_field_errors()) if action and not shown[action] else []
    )
    return render(
        request,
        "congresses/congress.html",
        {
            "congress": congress,
            "term": congress.term,
            "org": congress.org,
            "ancestors": visible_ancestors(request.user, congress.org),
            "timeline": congress_timeline(congress),
            "people": people,
            "bodies": [(Person.Body(body).label, rows) for body, rows in people.items() if rows],
            "shares": _committee_shares(congress, people),
            "may_update": updater and not congress.locked,
            "may_approve": approver,
            "plan_form": plan_form,
            "step_form": step_form,
            "approve_form": approve_form,
            "reopen_form": reopen_form,
            "still_open": still_open,
            "action": action,
            "hidden_errors": hidden_errors,
            "steps": [(s.value, s.label, reached(congress.step, s.value)) for s in Step],
            "live_since": since,
            "links": links_for(request.user, congress),
        },
        status=400 if action else 200,
    )


def _congress_action(
    request: AuthedHttpRequest, congress: Congress, action: str, data: dict[str, Any]
) -> str:
    ctx = AuditContext.of(request)
    if action == "plan":
        services.congress_plan(congress=congress, data=data, by=request.user, ctx=ctx)
        return _("Đã lưu kế hoạch đại hội.")
    if action == "step":
        services.congress_advance(
            congress=congress,
            to=data["to"],
            on=data["on"],
            note=data["note"],
            by=request.user,
            ctx=ctx,
        )
        return _("Đã cập nhật tiến độ: %(step)s.") % {"step": Step(data["to"]).label}
    if action == "approve":
        services.congress_approve(congress=congress, by=request.user, note=data["note"], ctx=ctx)
        return _("Đã chuẩn y kết quả đại hội.")
    services.congress_reopen(congress=congress, by=request.user, reason=data["reason"], ctx=ctx)
    return _("Đã mở lại kết quả đại hội để sửa.")


# -- Results ---------------------------------------------------------------------------------

# Each body's rows in the form, with the prefix of their fields.
SECTIONS = [
    ("cm", Person.Body.COMMITTEE),
    ("ins", Person.Body.INSPECTION),
    ("dl", Person.Body.DELEGATE),
]
MAX_ROWS = 200


def _row_count(request: AuthedHttpRequest, prefix: str) -> int:
    text = request.POST.get(f"{prefix}-count", "0")
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_ROWS:
        raise Http404
    return int(text)


def _blank_rows(congress: Congress, body: str, existing: int) -> int:
    if body == Person.Body.COMMITTEE:
        wanted = congress.committee_decided or congress.planned_committee_size or 3
        return max(min(wanted, MAX_ROWS) - existing, 1)
    return 3 if not existing else 1


def _sections(
    request: AuthedHttpRequest, congress: Congress, people: dict[str, list[Person]]
) -> list[dict[str, Any]]:
    sections = []
    adding = request.POST.get("add", "") if request.method == "POST" else ""
    pick = reverse(
        "congresses:member_pick", kwargs={"term_id": congress.term_id, "code": congress.org.code}
    )
    for prefix, body in SECTIONS:
        if body == Person.Body.COMMITTEE and congress.contents == Congress.Contents.THREE:
            continue
        if request.method == "POST":
            count = _row_count(request, prefix)
            forms = [
                PersonForm(request.POST, body=body, pick_url=pick, prefix=f"{prefix}-{i}")
                for i in range(count)
            ]
            if adding == prefix:
                forms += [
                    PersonForm(body=body, pick_url=pick, prefix=f"{prefix}-{i}")
                    for i in range(count, min(count + 3, MAX_ROWS))
                ]
        else:
            rows = people.get(body, [])
            forms = [
                PersonForm(
                    initial=person_initial(p), body=body, pick_url=pick, prefix=f"{prefix}-{i}"
                )
                for i, p in enumerate(rows)
            ]
            for p, form in zip(rows, forms, strict=True):
                form.member_name = p.full_name if p.member_id else ""
            forms += [
                PersonForm(body=body, pick_url=pick, prefix=f"{prefix}-{len(rows) + i}")
                for i in range(_blank_rows(congress, body, len(rows)))
            ]
        title = str(Person.Body(body).label)
        if body == Person.Body.COMMITTEE and congress.contents == Congress.Contents.TWO:
            title = _("Cấp uỷ do cấp trên chỉ định")
        sections.append({"prefix": prefix, "body": body, "title": title, "forms": forms})
    return sections


@login_required
def congress_results(request: AuthedHttpRequest, term_id: int, code: str) -> HttpResponse:
    congress = get_congress_for_user(request.user, term_id, code, Role.EDITOR)
    people = congress_people(congress)
    if request.method == "GET":
        # The form's rows are the stored people: their names shown, audited.
        _people_shown(request, congress, people)
    numbers = NumbersForm(
        request.POST or None,
        initial={
            "summoned": congress.summoned,
            "present": congress.present,
            "committee_decided": congress.committee_decided,
            "candidates": congress.candidates,
        },
    )
    sections = _sections(request, congress, people)
    people_errors: list[str] = []
    report_on = request.POST.get("report_on", "") if request.method == "POST" else ""
    status = 200
    if request.method == "POST" and not request.POST.get("add"):
        if not may_update(request.user, congress):
            raise Http404
        status = 400
        saved = _save_results(request, congress, numbers, sections, people_errors)
        if saved:
            messages.success(request, saved)
            return redirect("congresses:congress", term_id=congress.term_id, code=congress.org.code)
    return render(
        request,
        "congresses/results.html",
        {
            "congress": congress,
            "term": congress.term,
            "org": congress.org,
            "ancestors": visible_ancestors(request.user, congress.org),
            "numbers": numbers,
            "sections": sections,
            "people_errors": people_errors,
            "shares": _committee_shares(congress, people),
            "held": reached(congress.step, Step.HELD),
            "report_on": report_on or timezone.localdate().strftime("%d/%m/%Y"),
            "may_report": congress.step == Step.HELD,
        },
        status=status,
    )


def _parse_day(text: str) -> date | None:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def _save_results(
    request: AuthedHttpRequest,
    congress: Congress,
    numbers: NumbersForm,
    sections: list[dict[str, Any]],
    people_errors: list[str],
) -> str:
    """Save the results (and report them when asked), whole or not at all; '' when refused,
    with each refusal on its field or its row."""
    valid = numbers.is_valid()
    rows: list[tuple[PersonForm, PersonIn]] = []
    for section in sections:
        for form in section["forms"]:
            if not form.is_valid():
                valid = False
            elif not form.is_blank():
                rows.append((form, form.person_in()))
    if not valid:
        return ""
    valid = _resolve_typed_members(request, congress, rows)
    # A member picked must be one the official may edit (members_visible_to), and of the
    # organisation's subtree (the service checks that).
    ids = [p.member_id for _f, p in rows if p.member_id is not None]
    visible = set(
        members_visible_to(request.user, Role.EDITOR)
        .filter(pk__in=ids)
        .values_list("pk", flat=True)
    )
    for form, given in rows:
        if given.member_id is not None and given.member_id not in visible:
            form.add_error(None, _("Không tìm thấy đảng viên này trong phạm vi của bạn."))
            valid = False
    report = bool(request.POST.get("report"))
    day = _parse_day(request.POST.get("report_on", "")) if report else None
    if report and day is None:
        people_errors.append(_("Ngày báo cáo: nhập theo dạng dd/mm/yyyy."))
        valid = False
    if not valid:
        return ""
    ctx = AuditContext.of(request)
    try:
        with transaction.atomic():
            services.congress_results(
                congress=congress,
                numbers={k: v for k, v in numbers.cleaned_data.items()},
                people=[p for _f, p in rows],
                by=request.user,
                ctx=ctx,
            )
            if report and day is not None:
                services.congress_advance(
                    congress=congress, to=Step.REPORTED, on=day, by=request.user, ctx=ctx
                )
    except ValidationError as error:
        _show_results_errors(error, numbers, rows, people_errors)
        return ""
    if report:
        return _("Đã lưu và báo cáo kết quả đại hội lên cấp trên.")
    return _("Đã lưu kết quả đại hội.")


def _resolve_typed_members(
    request: AuthedHttpRequest, congress: Congress, rows: list[tuple[PersonForm, PersonIn]]
) -> bool:
    """A name typed without choosing a suggestion (no JavaScript, or typed in full) and without
    sex or birth year is looked up among the organisation's members, as the organisation picker
    does: one member of that name is them; several are named on the row to choose from."""
    resolved = True
    for form, given in rows:
        if given.member_id is not None or given.sex or given.birth_year:
            continue
        name = " ".join(given.full_name.split())
        matches = [
            m
            for m in members_for(
                viewer=request.user, org=congress.org, filters=MemberFilters(q=name)
            ).select_related("org")[:20]
            if " ".join(m.full_name.split()).casefold() == name.casefold()
        ]
        if len(matches) == 1:
            given.member_id = matches[0].pk
        elif len(matches) > 1:
            form.add_error(
                None,
                _(
                    "Có %(n)d đảng viên tên “%(name)s”: %(who)s. Hãy chọn một người trong danh sách gợi ý."
                )
                % {
                    "n": len(matches),
                    "name": name,
                    "who": "; ".join(f"{m.birth_date.year}, {m.org.name}" for m in matches[:5]),
                },
            )
            resolved = False
    return resolved


def _show_results_errors(
    error: ValidationError,
    numbers: NumbersForm,
    rows: list[tuple[PersonForm, PersonIn]],
    people_errors: list[str],
) -> None:
    if not hasattr(error, "error_dict"):
        people_errors.extend(error.messages)
        return
    for field, found in error.message_dict.items():
        if field.startswith("people-") and field[7:].isdigit() and int(field[7:]) < len(rows):
            for message in found:
                rows[int(field[7:])][0].add_error(None, message)
        elif field in numbers.fields:
            for message in found:
                numbers.add_error(field, message)
        else:
            people_errors.extend(found)


@login_required
def member_pick(request: AuthedHttpRequest, term_id: int, code: str) -> HttpResponse:
    """The results form's member picker: members of the organisation's subtree the official may
    edit, whose name matches what was typed."""
    congress = get_congress_for_user(request.user, term_id, code, Role.EDITOR)
    field = request.GET.get("field", "")[:64]
    query = request.GET.get(field, request.GET.get("q", ""))[:100].strip()
    found = []
    if len(query) >= 2:
        editable = members_visible_to(request.user, Role.EDITOR).filter(
            org_path__startswith=congress.org.path, status__in=ACTIVE_STATUSES
        )
        found = list(
            members_for(viewer=request.user, org=congress.org, filters=MemberFilters(q=query))
            .filter(pk__in=editable.values("pk"))
            .select_related("org")[:8]
        )
    if found:
        # Names and birth years of members: a read of personal data, audited as a list is.
        members_list_viewed(
            viewer=request.user,
            org=congress.org,
            query=query,
            shown=[m.pk for m in found],
            ctx=AuditContext.of(request),
        )
    return render(request, "congresses/_member_pick.html", {"members": found, "query": query})


# -- Targets ---------------------------------------------------------------------------------


@login_required
def targets(request: AuthedHttpRequest, term_id: int, code: str) -> HttpResponse:
    term, org = _term_and_org(request, term_id, code)
    can_set = can(request.user, org.path, Role.ADMIN) and org.path.startswith(term.organiser.path)
    own = {t.key: t for t in Target.objects.filter(term=term, org=org).select_related("set_by")}
    form = TargetForm(
        request.POST or None,
        initial={k: _percent_text(float(t.percent)) for k, t in own.items()},
    )
    if request.method == "POST":
        if not can_set:
            raise Http404
        if form.is_valid():
            try:
                with transaction.atomic():
                    changed = 0
                    for key in Target.Key.values:
                        text = (form.cleaned_data.get(key) or "").strip()
                        if not text:
                            continue
                        try:
                            services.target_set(
                                by=request.user,
                                term=term,
                                org=org,
                                key=key,
                                percent=text,
                                ctx=AuditContext.of(request),
                            )
                        except ValidationError as error:
                            if hasattr(error, "error_dict") and "percent" in error.error_dict:
                                raise ValidationError(
                                    {key: error.message_dict["percent"]}
                                ) from None
                            raise
                        changed += 1
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Đã lưu %(n)d chỉ tiêu.") % {"n": changed})
                return redirect("congresses:targets", term_id=term.pk, code=org.code)
    effective = effective_targets(term, org)
    sources = _target_sources(term, org)
    return render(
        request,
        "congresses/targets.html",
        {
            "term": term,
            "org": org,
            "ancestors": visible_ancestors(request.user, org),
            "rows": [
                {
                    "label": key.label,
                    "value": effective.get(key.value),
                    "source": sources.get(key.value),
                    "own": key.value in own,
                }
                for key in Target.Key
            ],
            "form": form if can_set else None,
            "status": 400 if request.method == "POST" else 200,
        },
        status=400 if request.method == "POST" else 200,
    )


def _percent_text(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def _target_sources(term: Term, org: Org) -> dict[str, Org]:
    """Which level each target applying to `org` was set by (the nearest one)."""
    found: dict[str, Org] = {}
    for target in (
        Target.objects.filter(term=term, org__path__in=org.ancestor_paths())
        .select_related("org")
        .order_by("org__depth")
    ):
        found[target.key] = target.org
    return found
