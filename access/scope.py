"""The one rule of access: which subtrees an actor may act on, with which role, and what of a
person it may read.

An actor is whoever asks: a user (an official through their grants, a member through their own
record), or an API token (one subtree, read or read-write). Every query over organisations or
people starts from `granted_paths` (through `orgs.selectors.orgs_visible_to` and
`members.selectors.members_visible_to`), and every "may this actor…" question is answered here:
nothing else reads grants or tokens to decide access.
"""

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import ROLE_RANK, ApiToken, Grant, Role

if TYPE_CHECKING:
    from accounts.models import User

# A user (logged in or anonymous) or an API token.
Actor = Any


def role_at_least(role: str, minimum: str) -> bool:
    return ROLE_RANK[Role(role)] >= ROLE_RANK[Role(minimum)]


def active_grants(user: "User") -> QuerySet[Grant]:
    now = timezone.now()
    return (
        Grant.objects.filter(user=user, revoked_at__isnull=True, org__status="active")
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .select_related("org")
    )


def login_level(user: "User") -> int:
    """The assurance level of this login: the session's (set by the middleware), else stored."""
    level = getattr(user, "session_assurance_level", None)
    return int(user.assurance_level if level is None else level)


def holds_grants(user: Actor) -> bool:
    """Whether the user holds any active grant, whatever the level of the current login."""
    if isinstance(user, ApiToken) or not getattr(user, "is_authenticated", False):
        return False
    return bool(_grants_of(user))


def _grants_of(user: "User") -> list[tuple[str, int]]:
    """The user's active grants as (subtree, rank of the role), read once per user object (a
    request asks many times, for several roles, and grants change rarely)."""
    if "_active_grants" not in user.__dict__:
        user.__dict__["_active_grants"] = [
            (g.org.path, ROLE_RANK[Role(g.role)]) for g in active_grants(user)
        ]
    grants: list[tuple[str, int]] = user.__dict__["_active_grants"]
    return grants


def acts_as_superuser(actor: Actor) -> bool:
    """A superuser logged in at the officer level: below it, their powers sleep like grants do."""
    if isinstance(actor, ApiToken):
        return False
    return bool(
        getattr(actor, "is_superuser", False)
        and login_level(actor) >= settings.OIDC_OFFICER_MIN_LEVEL
    )


def needs_higher_level(user: Actor) -> bool:
    """An official (or a superuser) logged in below the officer level: their powers are asleep
    for this login."""
    if isinstance(user, ApiToken):
        return False
    return (holds_grants(user) or bool(getattr(user, "is_superuser", False))) and login_level(
        user
    ) < settings.OIDC_OFFICER_MIN_LEVEL


def _minimal(paths: list[str]) -> list[str]:
    minimal: list[str] = []
    for path in sorted(paths):
        if not any(path.startswith(root) for root in minimal):
            minimal.append(path)
    return minimal


def granted_paths(actor: Actor, role: str = Role.VIEWER) -> list[str]:
    """The minimal list of subtree roots in which `actor` holds `role` or a higher one.

    The one gate of every officer area: a login below OIDC_OFFICER_MIN_LEVEL (a level-1 e-ID, a
    password without its second factor) gets no subtree at all, whatever grants the user holds.
    An API token holds its one subtree, as a viewer, or as an editor when it may write (the
    caller checked it is live: `api_token_active`).
    """
    if isinstance(actor, ApiToken):
        most = Role.EDITOR if actor.can_write else Role.VIEWER
        return [actor.org.path] if role_at_least(most, role) else []
    if not getattr(actor, "is_authenticated", False):
        return []
    if login_level(actor) < settings.OIDC_OFFICER_MIN_LEVEL:
        return []
    cache: dict[str, list[str]] = actor.__dict__.setdefault("_granted_paths_cache", {})
    if role not in cache:
        rank = ROLE_RANK[Role(role)]
        cache[role] = _minimal([path for path, held in _grants_of(actor) if held >= rank])
    return cache[role]


def scope_q(actor: Actor, role: str = Role.VIEWER, *, field: str = "path") -> Q | None:
    """A filter for rows inside the actor's granted subtrees, or None when it holds none."""
    paths = granted_paths(actor, role)
    if not paths:
        return None
    q = Q()
    for path in paths:
        q |= Q(**{f"{field}__startswith": path})
    return q


def can(actor: Actor, path: str, role: str = Role.VIEWER) -> bool:
    """Whether `actor` may act with `role` on the organisation at `path` (and its subtree)."""
    return any(path.startswith(root) for root in granted_paths(actor, role))


def is_official(actor: Actor) -> bool:
    return bool(granted_paths(actor, Role.VIEWER))


def own_member_id(actor: Actor) -> int | None:
    """The member record that is the actor's own (a member sees it, and only it, of people)."""
    if isinstance(actor, ApiToken) or not getattr(actor, "is_authenticated", False):
        return None
    return getattr(actor, "member_id", None)


def sees_cccd(actor: Actor, org_path: str, *, member_id: int | None = None) -> bool:
    """Whether the actor reads the full CCCD of a person in the organisation at `org_path`.

    Those who enter and correct data (editors and above) need it; viewers and read-only tokens
    see it masked (079*******12), and so may not search by its first digits either: a prefix
    search would read the hidden digits back one query at a time. A member sees their own.
    """
    if member_id is not None and member_id == own_member_id(actor):
        return True
    return can(actor, org_path, Role.EDITOR)


def may_search_cccd_prefix(actor: Actor, org_path: str) -> bool:
    """A search by the first digits of a CCCD, in the subtree at `org_path`: only for those who
    see every full CCCD in it (otherwise only a whole number finds a person)."""
    return sees_cccd(actor, org_path)
