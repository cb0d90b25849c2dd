"""Who may see and change what: the one place that turns grants into scopes."""

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import ROLE_RANK, Grant, Role, User


def active_grants(user: User) -> QuerySet[Grant]:
    now = timezone.now()
    return (
        Grant.objects.filter(user=user, revoked_at__isnull=True, org__status="active")
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .select_related("org")
    )


def login_level(user: User) -> int:
    """The assurance level of this login: the session's (set by the middleware), else stored."""
    level = getattr(user, "session_assurance_level", None)
    return int(user.assurance_level if level is None else level)


def holds_grants(user: User) -> bool:
    """Whether the user holds any active grant, whatever the level of the current login."""
    if not getattr(user, "is_authenticated", False):
        return False
    if "_holds_grants" not in user.__dict__:
        user.__dict__["_holds_grants"] = active_grants(user).exists()
    return bool(user.__dict__["_holds_grants"])


def acts_as_superuser(user: User) -> bool:
    """A superuser logged in at the officer level: below it, their powers sleep like grants do."""
    return bool(
        getattr(user, "is_superuser", False)
        and login_level(user) >= settings.OIDC_OFFICER_MIN_LEVEL
    )


def needs_higher_level(user: User) -> bool:
    """An official (or a superuser) logged in below the officer level: their powers are asleep
    for this login."""
    return (holds_grants(user) or bool(getattr(user, "is_superuser", False))) and login_level(
        user
    ) < settings.OIDC_OFFICER_MIN_LEVEL


def granted_paths(user: User, role: str = Role.VIEWER) -> list[str]:
    """The minimal list of subtree roots in which `user` holds `role` or a higher one.

    The one gate of every officer area: a login below OIDC_OFFICER_MIN_LEVEL (a level-1 e-ID, a
    password without its second factor) gets no subtree at all, whatever grants the user holds.
    """
    if not getattr(user, "is_authenticated", False):
        return []
    if login_level(user) < settings.OIDC_OFFICER_MIN_LEVEL:
        return []
    # Cached on the user object: one request asks many times, and grants change rarely.
    cache: dict[str, list[str]] = user.__dict__.setdefault("_granted_paths_cache", {})
    if role not in cache:
        rank = ROLE_RANK[Role(role)]
        paths = sorted(g.org.path for g in active_grants(user) if ROLE_RANK[Role(g.role)] >= rank)
        minimal: list[str] = []
        for path in paths:
            if not any(path.startswith(root) for root in minimal):
                minimal.append(path)
        cache[role] = minimal
    return cache[role]


def scope_q(user: User, role: str = Role.VIEWER, *, field: str = "path") -> Q | None:
    """A filter for rows inside the user's granted subtrees, or None when they hold no grant."""
    paths = granted_paths(user, role)
    if not paths:
        return None
    q = Q()
    for path in paths:
        q |= Q(**{f"{field}__startswith": path})
    return q


def is_official(user: User) -> bool:
    return bool(granted_paths(user, Role.VIEWER))


def can(user: User, path: str, role: str) -> bool:
    return any(path.startswith(root) for root in granted_paths(user, role))


def grants_manageable_by(user: User) -> QuerySet[Grant]:
    """Grants on organisations inside the subtrees where `user` is an admin."""
    q = scope_q(user, Role.ADMIN, field="org__path")
    if q is None:
        return Grant.objects.none()
    return (
        Grant.objects.filter(q)
        .select_related("user", "org", "granted_by")
        .order_by("org__path", "user__username")
    )
