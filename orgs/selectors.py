"""Reads of the organisation tree, always scoped to what the viewer may see."""

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from access.models import Role
from access.scope import Actor, can, granted_paths, scope_q
from lib.vn.text import fold

from .models import MEMBER_HOLDING_KINDS, Org, OrgEvent
from .rollups import counts_of


def orgs_visible_to(actor: Actor, role: str = Role.VIEWER) -> QuerySet[Org]:
    """Every organisation `actor` may act on with `role`: the start of every query over orgs."""
    q = scope_q(actor, role)
    if q is None:
        return Org.objects.none()
    return Org.objects.filter(q)


def org_in_scope(actor: Actor, code: str, role: str = Role.VIEWER) -> Org | None:
    """The organisation with `code` if `actor` may act on it with `role` (None either way):
    how a code typed or picked in a form is read."""
    code = (code or "").strip()
    if not code:
        return None
    return orgs_visible_to(actor, role).filter(code=code).select_related("parent").first()


@dataclass(frozen=True)
class OrgChoice:
    """What a name or code typed (or picked) in a form stands for, within the actor's scope."""

    org: Org | None
    candidates: list[Org]


def org_choice(actor: Actor, text: str, *, role: str, cells_only: bool = False) -> OrgChoice:
    """The organisation a person meant by `text`: a code (as the picker sends it), or a name.

    A name that several organisations in scope share gives no organisation but the candidates,
    so the form can ask which one; none in scope gives neither (not found and not allowed look
    the same).
    """
    text = (text or "").strip()
    if not text:
        return OrgChoice(None, [])
    orgs = orgs_visible_to(actor, role).filter(status=Org.Status.ACTIVE)
    if cells_only:
        orgs = orgs.filter(kind__in=MEMBER_HOLDING_KINDS)
    by_code = orgs.filter(code=text).select_related("parent").first()
    if by_code is not None:
        return OrgChoice(by_code, [by_code])
    named = list(orgs.filter(sort_name=fold(text)).select_related("parent").order_by("path")[:10])
    if len(named) == 1:
        return OrgChoice(named[0], named)
    if not named:
        named = orgs_search(actor, text, role=role, cells_only=cells_only, limit=10)
    return OrgChoice(None, named)


def get_org_for_user(actor: Actor, code: str, role: str = Role.VIEWER) -> Org:
    """The organisation with `code` if the actor may act on it with `role`; else 404 either way."""
    org = (
        orgs_visible_to(actor, role)
        .filter(code=code)
        .select_related("parent", "admin_unit")
        .first()
    )
    if org is None:
        raise Http404
    return org


def org_ancestors(org: Org) -> list[Org]:
    """Ancestors root first, without the organisation itself."""
    paths = org.ancestor_paths()[:-1]
    by_path = {o.path: o for o in Org.objects.filter(path__in=paths)}
    return [by_path[p] for p in paths if p in by_path]


def visible_ancestors(actor: Actor, org: Org) -> list[Org]:
    return [a for a in org_ancestors(org) if can(actor, a.path, Role.VIEWER)]


def org_children(org: Org, *, include_closed: bool = False) -> list[Org]:
    children = Org.objects.filter(parent=org).order_by("sort_name", "code")
    if not include_closed:
        children = children.filter(status=Org.Status.ACTIVE)
    return list(children)


@dataclass(frozen=True, slots=True)
class ChildRow:
    """What the children table shows of one child (no model instance: the root has 34 children,
    a province more than a hundred)."""

    code: str
    name: str
    kind: str
    counts: dict[str, int]


def org_children_with_counts(org: Org) -> list[ChildRow]:
    children = list(
        Org.objects.filter(parent=org, status=Org.Status.ACTIVE)
        .order_by("sort_name", "code")
        .values_list("id", "code", "name", "kind")
    )
    counts = counts_of(
        [c[0] for c in children],
        ["members", "status.probationary", "orgs.cell", "orgs.grassroots_cell", "orgs"],
    )
    return [
        ChildRow(code, name, kind, template_keys(counts.get(pk, {})))
        for pk, code, name, kind in children
    ]


def template_keys(counts: dict[str, int]) -> dict[str, int]:
    """Counter keys with dots made underscores, so templates can name them (status_official)."""
    keys = {key.replace(".", "_"): value for key, value in counts.items()}
    # "Chi bộ" counts every party cell: those under a grassroots committee and grassroots cells.
    keys["cells"] = counts.get("orgs.cell", 0) + counts.get("orgs.grassroots_cell", 0)
    return keys


def org_counts(org: Org) -> dict[str, int]:
    return counts_of([org.id]).get(org.id, {})


def org_roots_for(actor: Actor) -> list[Org]:
    """The top organisations of the actor's grants: where their tree browser starts."""
    paths = granted_paths(actor, Role.VIEWER)
    return list(Org.objects.filter(path__in=paths).order_by("path"))


def orgs_search(
    actor: Actor, query: str, *, role: str = Role.VIEWER, limit: int = 20, cells_only: bool = False
) -> list[Org]:
    """Active organisations the actor may act on with `role` whose name (or code) contains the
    query, without diacritics: what an organisation picker offers as one types."""
    folded = fold(query or "").strip()
    if not folded:
        return []
    orgs = orgs_visible_to(actor, role).filter(status=Org.Status.ACTIVE)
    if cells_only:
        orgs = orgs.filter(kind__in=MEMBER_HOLDING_KINDS)
    named = orgs.filter(sort_name__contains=folded) | orgs.filter(code__startswith=query.strip())
    return list(named.select_related("parent").order_by("depth", "sort_name", "code")[:limit])


AGE_BANDS = [
    (0, 30, "≤ 30"),
    (31, 40, "31–40"),
    (41, 50, "41–50"),
    (51, 60, "51–60"),
    (61, 70, "61–70"),
    (71, 200, "> 70"),
]


def age_bands(counts: dict[str, int], year: int) -> list[tuple[str, int, int]]:
    """Members by age band, from the birth-year counters (age = this year − birth year)."""
    bands = [0] * len(AGE_BANDS)
    for key, value in counts.items():
        if key.startswith("born."):
            age = year - int(key[5:])
            for i, (low, high, _label) in enumerate(AGE_BANDS):
                if low <= age <= high:
                    bands[i] += value
                    break
    top = max(bands) or 1
    return [
        (label, bands[i], round(100 * bands[i] / top))
        for i, (_low, _high, label) in enumerate(AGE_BANDS)
    ]


def org_history(org: Org) -> list[Any]:
    return list(OrgEvent.objects.filter(org=org).select_related("by").order_by("-on", "-id")[:50])
