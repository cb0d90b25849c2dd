"""Reads of terms and congresses, scoped to what the viewer may see; every figure a dashboard
shows comes from subtree counters (never a scan of congresses), so the whole country's page
costs what a ward's does."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from access.models import Role
from access.scope import Actor, can, granted_paths
from orgs.models import Org, OrgCount
from orgs.rollups import counts_of
from orgs.selectors import get_org_for_user

from .counts import week_of
from .models import STEP_ORDER, Congress, Person, ProgressUpdate, Step, Target, Term, Tier


def terms_visible_to(actor: Actor) -> QuerySet[Term]:
    """Terms whose congresses reach into the actor's subtrees (organised at or above them, or
    inside them)."""
    paths = granted_paths(actor, Role.VIEWER)
    if not paths:
        return Term.objects.none()
    ids = [
        t.pk
        for t in Term.objects.select_related("organiser")
        if any(p.startswith(t.organiser.path) or t.organiser.path.startswith(p) for p in paths)
    ]
    return Term.objects.filter(pk__in=ids).select_related("organiser")


def get_term_for_user(actor: Actor, term_id: int) -> Term:
    """The term, if it reaches into the actor's subtrees (as `terms_visible_to`, in one read)."""
    term = Term.objects.select_related("organiser").filter(pk=term_id).first()
    if term is None:
        raise Http404
    top = term.organiser.path
    if not any(p.startswith(top) or top.startswith(p) for p in granted_paths(actor, Role.VIEWER)):
        raise Http404
    return term


def get_congress_for_user(
    actor: Actor, term_id: int, code: str, role: str = Role.VIEWER
) -> Congress:
    """The congress of the organisation `code` in the term, if the actor may act on that
    organisation with `role`; 404 for not found and not allowed alike."""
    org = get_org_for_user(actor, code, role)
    term = get_term_for_user(actor, term_id)
    congress = (
        Congress.objects.filter(term=term, org=org)
        .select_related("term", "org__parent", "approved_by")
        .first()
    )
    if congress is None:
        raise Http404
    return congress


def congress_timeline(congress: Congress) -> list[ProgressUpdate]:
    return list(
        ProgressUpdate.objects.filter(congress=congress).select_related("by").order_by("-at", "-id")
    )


def congress_people(congress: Congress) -> dict[str, list[Person]]:
    people: dict[str, list[Person]] = {body: [] for body in Person.Body.values}
    order = {r: i for i, r in enumerate(["secretary", "deputy", "standing", "chair", "member"])}
    for person in Person.objects.filter(congress=congress).order_by("id"):
        people[person.body].append(person)
    for rows in people.values():
        rows.sort(key=lambda p: order.get(p.role, 9))
    return people


def effective_targets(term: Term, org: Org) -> dict[str, float]:
    """Each target as it applies to `org`: its own, else the nearest level above's."""
    paths = org.ancestor_paths()
    found: dict[str, tuple[int, float]] = {}
    for key, path, percent in Target.objects.filter(term=term, org__path__in=paths).values_list(
        "key", "org__path", "percent"
    ):
        depth = len(path)
        if key not in found or depth > found[key][0]:
            found[key] = (depth, float(percent))
    return {key: value for key, (_depth, value) in found.items()}


def share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass
class Figures:
    """A subtree's figures for one term, read from its counters."""

    total: int = 0
    steps: dict[str, int] = field(default_factory=dict)
    done: int = 0
    due: int = 0
    due_done: int = 0
    late: int = 0
    reported: int = 0
    approved: int = 0
    raw: dict[str, int] = field(default_factory=dict)

    @property
    def done_share(self) -> float | None:
        return share(self.done, self.total)

    @property
    def behind(self) -> int:
        """Congresses whose wave's deadline passed and that are not held yet."""
        return self.due - self.due_done

    def get(self, key: str) -> int:
        return self.raw.get(key, 0)

    def makeup(self) -> dict[str, float | None]:
        """The shares the Commission's statistics report, computed from the sums."""
        g = self.get
        return {
            "cm_women": share(g("cm.women"), g("cm.n")),
            "cm_u40": share(g("cm.u40"), g("cm.n")),
            "cm_minority": share(g("cm.minority"), g("cm.n")),
            "cm_reelected": share(g("cm.reelected"), g("cm.n")),
            "cm_new": share(g("cm.new"), g("cm.n")),
            "cm_shortfall": share(g("cm.decided") - g("cm.n"), g("cm.decided")),
            "sec_reelected": share(g("sec.reelected"), g("sec.n")),
            "sec_direct": share(g("sec.direct"), g("sec.n")),
            "sec_nonlocal": share(g("sec.nonlocal"), g("sec.n")),
            "dl_women": share(g("dl.women"), g("dl.n")),
            "dl_young": share(g("dl.young"), g("dl.n")),
            "dl_minority": share(g("dl.minority"), g("dl.n")),
            "surplus": share(g("bal.candidates") - g("bal.to_elect"), g("bal.to_elect")),
            "attendance": share(g("present"), g("summoned")),
        }


# The keys _figures reads, spelled once (a province's page computes figures for 170 children).
_STEP_KEYS = [(s, f"step.{s}") for s in STEP_ORDER]
_DONE_KEYS = [f"tier.{t}.done" for t in Tier.values]


def _figures(term: Term, raw: dict[str, int], today: date, deadlines: dict[str, date]) -> Figures:
    prefix = f"cg.{term.pk}."
    cut = len(prefix)
    mine = {k[cut:]: v for k, v in raw.items() if k.startswith(prefix)}
    get = mine.get
    figures = Figures(raw=mine)
    figures.total = get("n", 0)
    figures.steps = {s: get(key, 0) for s, key in _STEP_KEYS}
    figures.done = sum(get(key, 0) for key in _DONE_KEYS)
    for tier, deadline in deadlines.items():
        if deadline < today:
            figures.due += get(f"tier.{tier}.n", 0)
            figures.due_done += get(f"tier.{tier}.done", 0)
    figures.late = get("late", 0)
    figures.reported = get("reported", 0)
    figures.approved = figures.steps.get(Step.APPROVED, 0)
    return figures


# The make-up counters (congresses/counts.py) a child's figures carry, besides its progress.
MAKEUP_KEYS = [
    "summoned",
    "present",
    "pilot",
    "contents.2",
    "contents.3",
    "contents.4",
    "bal.n",
    "bal.candidates",
    "bal.to_elect",
    "cm.decided",
    "cm.n",
    "cm.women",
    "cm.u40",
    "cm.minority",
    "cm.reelected",
    "cm.new",
    "cm.nonlocal",
    "cm.appointed",
    "sec.n",
    "sec.reelected",
    "sec.direct",
    "sec.nonlocal",
    "sec.women",
    "dl.n",
    "dl.women",
    "dl.young",
    "dl.minority",
    "dl.ex_officio",
    "dl.elected",
    "dl.appointed",
    "ins.n",
]


def table_keys(term: Term) -> list[str]:
    """The counters of a row of the children's table: progress, lateness and make-up, not the
    weekly series (`plan.*`, `held.*`, most of a subtree's keys) nor other apps' counters, so a
    province's hundred and seventy children cost a third of their rows."""
    p = f"cg.{term.pk}."
    keys = [p + "n", p + "late", p + "reported", *(f"{p}step.{s}" for s in STEP_ORDER)]
    for tier in Tier.values:
        keys += [f"{p}tier.{tier}.n", f"{p}tier.{tier}.done", f"{p}tier.{tier}.late"]
    return keys + [p + key for key in MAKEUP_KEYS]


def term_deadlines(term: Term) -> dict[str, date]:
    return dict(term.schedule.values_list("tier", "deadline"))


def board_row_keys(term: Term) -> list[str]:
    """The counters a row of the dashboard's children table shows (held of all, due and not held,
    late): a dozen of the table's sixty, for a province's hundred and seventy children."""
    p = f"cg.{term.pk}."
    keys = [p + "n", p + "late"]
    for tier in Tier.values:
        keys += [f"{p}tier.{tier}.n", f"{p}tier.{tier}.done"]
    return keys


def figures_for(
    term: Term,
    orgs: list[Org],
    *,
    today: date,
    keys: list[str] | None = None,
    deadlines: dict[str, date] | None = None,
) -> dict[int, Figures]:
    """Figures of each organisation's subtree, from one read of their counters (only `keys`,
    when given)."""
    counts = counts_of([o.id for o in orgs], keys)
    # The schedule read once, not once per organisation (a province has a hundred children).
    if deadlines is None:
        deadlines = term_deadlines(term)
    return {o.id: _figures(term, counts.get(o.id, {}), today, deadlines) for o in orgs}


@dataclass
class ChildRow:
    org: Org
    figures: Figures
    congress: Congress | None


def children_rows(term: Term, org: Org, *, today: date) -> list[ChildRow]:
    """The organisation's children (that hold congresses or contain some) with their figures
    (those of the table: `table_keys`), and each child's own congress: the drill-down table of
    a dashboard."""
    children = list(
        Org.objects.filter(parent=org, status=Org.Status.ACTIVE).order_by("sort_name", "code")
    )
    figures = figures_for(term, children, today=today, keys=table_keys(term))
    own = {
        c.org_id: c
        for c in Congress.objects.filter(term=term, org__in=children).select_related("org")
    }
    return [
        ChildRow(child, figures[child.id], own.get(child.id))
        for child in children
        if figures[child.id].total
    ]


BOARD_CONGRESS_FIELDS = ("id", "term_id", "org_id", "tier", "step", "late", "planned_on", "held_on")


@dataclass(slots=True)
class BoardChild:
    """A row of a dashboard's children table, read as plain values: a province has 173, and
    building model instances for them and their congresses was a fifth of its page."""

    code: str
    name: str
    figures: Figures
    # The child's own congress: its step (None when it holds none) and dates.
    step: str | None
    planned_on: date | None
    held_on: date | None


@dataclass
class Board:
    """What a dashboard reads of its organisation: its subtree's figures, its own congress, and
    its children's rows."""

    figures: Figures
    own: Congress | None
    children: list[BoardChild]


def dashboard_board(term: Term, org: Org, *, today: date, deadlines: dict[str, date]) -> Board:
    """The dashboard's figures in three reads whatever the level: the children; the counters of
    the organisation (its term's keys, the weekly series included) and of its children (those
    its table shows, `board_row_keys`: their figures carry nothing else) in one query; the
    congresses of the organisation and its children in one query."""
    children = list(
        Org.objects.filter(parent=org, status=Org.Status.ACTIVE)
        .order_by("sort_name", "code")
        .values_list("id", "code", "name")
    )
    prefix = f"cg.{term.pk}."
    counts: dict[int, dict[str, int]] = {}
    rows = OrgCount.objects.filter(org_id=org.id, key__startswith=prefix).values_list(
        "org_id", "key", "value"
    )
    if children:
        # UNION ALL, not OR: each part keeps its own use of the (org, key) index. The children
        # by a join on their parent, not a list of their ids: PostgreSQL then probes the (org,
        # key) index child by child (4 ms for a province's 173), where with 173 ids it read
        # every counter of them all (31,000 rows, 28 ms; a seq scan before ANALYZE, 110 ms).
        rows = rows.union(
            OrgCount.objects.filter(
                org__parent=org, org__status=Org.Status.ACTIVE, key__in=board_row_keys(term)
            ).values_list("org_id", "key", "value"),
            all=True,
        )
    for org_id, key, value in rows:
        counts.setdefault(org_id, {})[key] = value
    # Only what the page shows of a congress (its results' columns are many).
    congresses = {
        values[2]: values
        for values in Congress.objects.filter(
            term=term, org_id__in=[org.id, *(child_id for child_id, _c, _n in children)]
        ).values_list(*BOARD_CONGRESS_FIELDS)
    }
    child_rows = []
    for child_id, code, name in children:
        figures = _figures(term, counts.get(child_id, {}), today, deadlines)
        if figures.total:
            _i, _t, _o, _tier, step, _late, planned_on, held_on = congresses.get(
                child_id, (None,) * len(BOARD_CONGRESS_FIELDS)
            )
            child_rows.append(BoardChild(code, name, figures, step, planned_on, held_on))
    own = None
    if org.id in congresses:
        own = Congress(**dict(zip(BOARD_CONGRESS_FIELDS, congresses[org.id], strict=True)))
        own.org = org
    return Board(_figures(term, counts.get(org.id, {}), today, deadlines), own, child_rows)


def late_children(term: Term, org: Org, *, today: date) -> list[Congress]:
    """The congresses of the organisation's direct children that are late, with contacts: what
    the parent's page lists (and its notifications)."""
    return list(
        Congress.objects.filter(term=term, org__parent=org, late=True)
        .select_related("org")
        .order_by("planned_on", "org__sort_name")
    )


def completion_series(term: Term, figures: Figures) -> list[tuple[str, int, int]]:
    """(ISO week, congresses planned by then, held by then), cumulative: the chart of completion
    against the plan."""
    planned = {k[5:]: v for k, v in figures.raw.items() if k.startswith("plan.")}
    held = {k[5:]: v for k, v in figures.raw.items() if k.startswith("held.")}
    weeks = sorted(set(planned) | set(held))
    if not weeks:
        return []
    series, plan_total, held_total = [], 0, 0
    for week in _weeks_between(weeks[0], weeks[-1]):
        plan_total += planned.get(week, 0)
        held_total += held.get(week, 0)
        series.append((week, plan_total, held_total))
    return series


def _weeks_between(first: str, last: str) -> list[str]:
    start = date.fromisocalendar(int(first[:4]), int(first[5:]), 1)
    end = date.fromisocalendar(int(last[:4]), int(last[5:]), 1)
    weeks: list[str] = []
    day = start
    while day <= end and len(weeks) < 260:
        weeks.append(week_of(day))
        day += timedelta(days=7)
    return weeks


def may_see(actor: Actor, org: Org) -> bool:
    return can(actor, org.path, Role.VIEWER)


def may_update(actor: Actor, congress: Congress) -> bool:
    """Editors of the organisation (or of a level above it) update its congress."""
    return can(actor, congress.org.path, Role.EDITOR)


def approving_org(congress: Congress) -> Org:
    """Whose approver approves a congress's results: the level above (the root approves its own)."""
    return congress.org.parent or congress.org


def may_approve(actor: Actor, congress: Congress) -> bool:
    return can(actor, approving_org(congress).path, Role.APPROVER)


def congress_context(actor: Actor, congress: Congress) -> dict[str, Any]:
    """What a congress's page may offer its viewer."""
    return {
        "may_update": may_update(actor, congress) and not congress.locked,
        "may_approve": may_approve(actor, congress),
    }
