"""The JSON API (django-ninja) at /api/v1/: Bearer tokens scoped to a subtree; OpenAPI at docs/."""

from collections.abc import Callable
from datetime import date, datetime
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from ninja import Field, ModelSchema, NinjaAPI, Query, Schema
from ninja import Path as PathParam
from ninja.security import HttpBearer
from ninja.throttling import AuthRateThrottle

from access.models import ApiToken
from access.scope import granted_paths, sees_cccd
from access.selectors import api_token_active
from access.services import api_token_use
from audit.services import AuditContext
from congresses.api import router as congresses_router
from core.http import MAX_DB_INT
from lib.record import NAMES
from lib.vn.cccd import mask_cccd
from members.feed import changes_after
from members.models import Member
from members.selectors import MemberFilters, members_for
from members.services import members_list_viewed
from orgs.selectors import get_org_for_user, org_counts


class TokenAuth(HttpBearer):
    """`Authorization: Bearer po_…`: a token made on the API tokens page, shown once there."""

    openapi_bearerFormat = "opaque"

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = api_token_active(token)
        if found is not None:
            api_token_use(
                token=found,
                method=request.method or "",
                path=request.get_full_path(),
                ctx=AuditContext.of(request),
            )
        return found


def _documents_behind_login(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The OpenAPI document and its page: behind our login where PARTYORG_API_DOCS_LOGIN is on
    (wherever DEBUG is off), open in development. Read at each request, not at start-up."""

    @wraps(view)
    def documents(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if settings.PARTYORG_API_DOCS_LOGIN and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return documents


api = NinjaAPI(
    title="partyorg API",
    version="1",
    description=(
        "Đọc dữ liệu tổ chức đảng và đảng viên trong phạm vi của khoá API. "
        "Read party organisations and members within the API token's subtree. "
        "Every call is written to the audit log."
    ),
    auth=TokenAuth(),
    urls_namespace="apiv1",
    docs_decorator=_documents_behind_login,
    # Per token (authentication runs first, so only a valid token is ever counted).
    throttle=[AuthRateThrottle(f"{settings.PARTYORG_API_RATE}/m")],
)


class OrgOut(Schema):
    code: str
    name: str
    kind: str
    status: str
    parent_code: str | None
    counts: dict[str, int]


class MemberOut(Schema):
    id: int
    full_name: str
    sex: str
    birth_date: date
    status: str
    org_code: str
    cccd: str


class MemberRecordOut(ModelSchema):
    """The whole record (lib.record: the same fields as the form and the exports), with its
    status and organisation, as the change feed carries it. Dates known only by their year (or
    month) are given as the first day of it."""

    org_code: str

    class Meta:
        model = Member
        fields = ["id", *NAMES, "status", "exempt"]


def _record(m: Member, token: ApiToken) -> MemberRecordOut:
    values = {name: getattr(m, name) for name in NAMES}
    if not sees_cccd(token, m.org_path):
        values["cccd"] = mask_cccd(m.cccd)
    return MemberRecordOut.model_validate(
        {"id": m.pk, **values, "status": m.status, "exempt": m.exempt, "org_code": m.org.code}
    )


class MemberPage(Schema):
    items: list[MemberOut]
    page: int
    next_page: int | None


# Text parameters: no NUL character (PostgreSQL refuses it in any text value), bounded length.
NO_NUL = r"^[^\x00]*$"


class MemberFilter(Schema):
    org: str = Field(max_length=64, pattern=NO_NUL)
    q: str = Field("", max_length=100, pattern=NO_NUL)
    page: int = Field(1, ge=1, le=100_000)


def _token(request: HttpRequest) -> ApiToken:
    token = request.auth  # type: ignore[attr-defined]
    assert isinstance(token, ApiToken)
    return token


@api.get(
    "/orgs/{code}", response=OrgOut, url_name="org", summary="An organisation and its counters"
)
def org_detail(
    request: HttpRequest, code: str = PathParam(..., max_length=64, pattern=NO_NUL)
) -> OrgOut:
    """One organisation inside the token's subtree, with the live counters of its whole subtree."""
    org = get_org_for_user(_token(request), code)
    return OrgOut(
        code=org.code,
        name=org.name,
        kind=org.kind,
        status=org.status,
        parent_code=org.parent.code if org.parent_id and org.parent else None,
        counts=org_counts(org),
    )


PAGE_SIZE = 50


@api.get("/members", response=MemberPage, url_name="members", summary="Members of a subtree")
def member_list(request: HttpRequest, filters: Query[MemberFilter]) -> MemberPage:
    """Active members of an organisation's subtree, in Vietnamese name order, 50 a page.

    `q` is a name without diacritics, or a personal ID number (a read-only token finds a person
    by the whole 12 digits only). The CCCD is masked unless the token may write.
    """
    token = _token(request)
    org = get_org_for_user(token, filters.org)
    page = max(1, min(filters.page, 100_000))
    rows = list(
        members_for(viewer=token, org=org, filters=MemberFilters(q=filters.q))[
            (page - 1) * PAGE_SIZE : page * PAGE_SIZE + 1
        ]
    )
    items = rows[:PAGE_SIZE]
    members_list_viewed(
        viewer=token,
        org=org,
        query=filters.q,
        shown=[m.pk for m in items],
        ctx=AuditContext.of(request),
    )
    return MemberPage(
        items=[
            MemberOut(
                id=m.pk,
                full_name=m.full_name,
                sex=m.sex,
                birth_date=m.birth_date,
                status=m.status,
                org_code=m.org.code,
                cccd=m.cccd if sees_cccd(token, m.org_path) else mask_cccd(m.cccd),
            )
            for m in items
        ],
        page=page,
        next_page=page + 1 if len(rows) > PAGE_SIZE else None,
    )


class ChangeOut(Schema):
    cursor: int
    # member.create, member.update, member.transfer, member.import, …, member.left_scope
    action: str
    at: datetime
    member_id: int
    # The whole current record; null for member.left_scope (moved out of the token's subtree:
    # drop the member from your copy).
    member: MemberRecordOut | None


class ChangePage(Schema):
    items: list[ChangeOut]
    next: int


@api.get(
    "/changes", response=ChangePage, url_name="changes", summary="Change feed of member records"
)
def change_feed(
    request: HttpRequest,
    after: int = Query(0, ge=0, le=MAX_DB_INT),
    limit: int = Query(500, ge=1, le=1000),
) -> ChangePage:
    """Member records changed after `after` (a cursor), in a stable order, within the token's subtree.

    Each item carries the member's whole current record: applying a page twice gives the same
    state (idempotent). Ask again with `after=next` until `items` is empty. The CCCD is masked
    unless the token may write. A member transferred out of the token's subtree comes as
    `member.left_scope` with `member_id` and no record: remove them from your copy.
    """
    token = _token(request)
    changes, next_cursor = changes_after(cursor=after, roots=granted_paths(token), limit=limit)
    members_list_viewed(
        viewer=token,
        org=token.org,
        query=f"changes after {after}",
        shown=[c.member_id for c in changes if c.member is not None],
        ctx=AuditContext.of(request),
    )
    return ChangePage(
        items=[
            ChangeOut(
                cursor=c.cursor,
                action=c.action,
                at=c.at,
                member_id=c.member_id,
                member=_record(c.member, token) if c.member is not None else None,
            )
            for c in changes
        ],
        next=next_cursor,
    )


# Each app's endpoints live beside it (<app>/api.py) and are mounted here, behind the same
# tokens, throttle and audit.
api.add_router("/congresses", congresses_router)
