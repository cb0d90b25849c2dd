"""Reads for the API: token look-up and everything a token may see, inside its subtree only."""

import hashlib

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import Role, User
from accounts.selectors import acts_as_superuser, scope_q
from members.models import ACTIVE_STATUSES, Member
from members.search import by_name
from orgs.models import Org

from .models import ApiToken


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_token_active(secret: str) -> ApiToken | None:
    """The live token with this secret: not revoked, not expired, on an active organisation."""
    return (
        ApiToken.objects.filter(
            digest=token_digest(secret),
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
            org__status=Org.Status.ACTIVE,
        )
        .select_related("org")
        .first()
    )


def api_tokens_manageable_by(user: User) -> QuerySet[ApiToken]:
    """Tokens on organisations inside the subtrees where `user` is an admin."""
    if acts_as_superuser(user):
        rows = ApiToken.objects.all()
    else:
        q = scope_q(user, Role.ADMIN, field="org__path")
        if q is None:
            return ApiToken.objects.none()
        rows = ApiToken.objects.filter(q)
    return rows.select_related("org", "created_by").order_by("-created_at")


def get_org_for_token(token: ApiToken, code: str) -> Org:
    """The organisation with `code` inside the token's subtree; 404 for not found and not allowed."""
    org = Org.objects.filter(code=code, path__startswith=token.org.path).first()
    if org is None:
        raise Http404
    return org


def members_for_token(*, token: ApiToken, org: Org, q: str = "") -> QuerySet[Member]:
    """Active members in `org`'s subtree (already checked to be inside the token's)."""
    # org_path, the member's own copy of its organisation's path: a range of the member table's
    # index, and what the name-search index is built on (no join to the tree).
    members = Member.objects.filter(org_path__startswith=org.path, status__in=ACTIVE_STATUSES)
    q = q.strip()
    if q:
        digits = "".join(ch for ch in q if ch.isdigit())
        if len(digits) >= 4 and len(digits) == len(q.replace(" ", "")):
            # A token that sees masked numbers finds a person by the whole number only: prefix
            # search would let it read the hidden digits back one query at a time.
            members = members.filter(
                Q(cccd__startswith=digits) if token.can_write else Q(cccd=digits)
            )
        else:
            members = by_name(members, path=org.path, q=q)
    return members.select_related("org").order_by("sort_key", "id")
