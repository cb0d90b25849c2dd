"""Reads of grants and API tokens, scoped to the subtrees where the viewer is an admin."""

import hashlib
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from .models import ROLE_RANK, ApiToken, Grant, Role
from .scope import acts_as_superuser, can, granted_paths, scope_q


def may_administer(actor: Any, path: str | None = None) -> bool:
    """A superuser, or an admin of the subtree at `path` (of any subtree when no path)."""
    if acts_as_superuser(actor):
        return True
    if path is None:
        return bool(granted_paths(actor, Role.ADMIN))
    return can(actor, path, Role.ADMIN)


def grants_manageable_by(actor: Any) -> QuerySet[Grant]:
    """Grants on organisations inside the subtrees where `actor` is an admin (all: superuser)."""
    if acts_as_superuser(actor):
        rows = Grant.objects.all()
    else:
        q = scope_q(actor, Role.ADMIN, field="org__path")
        if q is None:
            return Grant.objects.none()
        rows = Grant.objects.filter(q)
    return rows.select_related("user", "org", "granted_by").order_by("org__path", "user__username")


def get_grant_for_user(actor: Any, grant_id: int) -> Grant:
    """A grant the actor may manage; 404 for not found and not allowed alike."""
    grant = grants_manageable_by(actor).filter(id=grant_id).first()
    if grant is None:
        raise Http404
    return grant


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_token_active(secret: str) -> ApiToken | None:
    """The live token with this secret: not revoked, not expired, on an active organisation."""
    return (
        ApiToken.objects.filter(
            digest=token_digest(secret),
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
            org__status="active",
        )
        .select_related("org")
        .first()
    )


def api_tokens_manageable_by(actor: Any) -> QuerySet[ApiToken]:
    """Tokens on organisations inside the subtrees where `actor` is an admin (all: superuser)."""
    if acts_as_superuser(actor):
        rows = ApiToken.objects.all()
    else:
        q = scope_q(actor, Role.ADMIN, field="org__path")
        if q is None:
            return ApiToken.objects.none()
        rows = ApiToken.objects.filter(q)
    return rows.select_related("org", "created_by").order_by("-created_at")


def get_token_for_user(actor: Any, token_id: int) -> ApiToken:
    """An API token the actor may manage; 404 for not found and not allowed alike."""
    token = api_tokens_manageable_by(actor).filter(id=token_id).first()
    if token is None:
        raise Http404
    return token


def holders_at(org_id: int, role: str) -> list[int]:
    """Ids of the users holding `role` or a higher one on this very organisation (active grants):
    whom to tell of work that arrives there (a correction request at their level)."""
    roles = [r for r in Role.values if ROLE_RANK[Role(r)] >= ROLE_RANK[Role(role)]]
    now = timezone.now()
    return sorted(
        set(
            Grant.objects.filter(org_id=org_id, role__in=roles, revoked_at__isnull=True)
            .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
            .values_list("user_id", flat=True)
        )
    )
