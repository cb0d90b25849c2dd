"""The congress monitor's API, for other systems: read progress and figures of a subtree, and
submit a congress's plan, steps and results (tokens that may write). Mounted by api.api at
/api/v1/congresses/; the same services and checks as the pages, through the same scoping path."""

from datetime import date

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja import Path as PathParam

from access.models import ApiToken, Role
from audit.services import AuditContext

from . import services
from .models import Congress, Step
from .selectors import Figures, children_rows, figures_for, get_congress_for_user, terms_visible_to

router = Router(tags=["congresses"])

NO_NUL = r"^[^\x00]*$"
Code = PathParam(..., max_length=64, pattern=NO_NUL)


def _token(request: HttpRequest) -> ApiToken:
    token = request.auth  # type: ignore[attr-defined]
    assert isinstance(token, ApiToken)
    return token


class TermOut(Schema):
    id: int
    name: str
    first_year: int
    last_year: int
    organiser_code: str


class FiguresOut(Schema):
    """A subtree's figures: congresses in all, per step, held, due by the schedule, late, and
    the make-up of what the reported congresses elected (percentages, null when none yet)."""

    total: int
    steps: dict[str, int]
    done: int
    due: int
    due_done: int
    late: int
    reported: int
    approved: int
    makeup: dict[str, float | None]


class CongressOut(Schema):
    org_code: str
    org_name: str
    tier: str
    step: str
    late: bool
    ordinal: int | None
    format: str
    contents: int
    pilot: bool
    planned_on: date | None
    planned_committee_size: int | None
    summoned: int | None
    held_on: date | None
    present: int | None
    committee_decided: int | None
    candidates: int | None
    reported_on: date | None
    approved_on: date | None
    figures: FiguresOut


class ChildOut(Schema):
    org_code: str
    org_name: str
    step: str | None
    figures: FiguresOut


class ErrorsOut(Schema):
    errors: dict[str, list[str]]


class StepIn(Schema):
    to: str = Field(max_length=16, pattern=NO_NUL)
    on: date
    note: str = Field("", max_length=500, pattern=NO_NUL)


class PlanIn(Schema):
    ordinal: int | None = Field(None, ge=1, le=100)
    format: str | None = Field(None, max_length=16, pattern=NO_NUL)
    contents: int | None = Field(None, ge=2, le=4)
    pilot: bool | None = None
    planned_on: date | None = None
    planned_committee_size: int | None = Field(None, ge=1, le=1000)
    summoned: int | None = Field(None, ge=1, le=100_000)


class PersonIn(Schema):
    body: str = Field(max_length=16, pattern=NO_NUL)
    role: str = Field(max_length=16, pattern=NO_NUL)
    member_id: int | None = Field(None, ge=1, le=2**62)
    full_name: str = Field("", max_length=128, pattern=NO_NUL)
    sex: str = Field("", max_length=1, pattern=NO_NUL)
    birth_year: int | None = Field(None, ge=1900, le=2100)
    minority: bool | None = None
    reelected: bool = False
    local: bool = True
    direct: bool = False


class ResultsIn(Schema):
    summoned: int | None = Field(None, ge=0, le=100_000)
    present: int | None = Field(None, ge=0, le=100_000)
    committee_decided: int | None = Field(None, ge=0, le=1000)
    candidates: int | None = Field(None, ge=0, le=1000)
    people: list[PersonIn] | None = Field(None, max_length=2000)


def _figures(figures: Figures) -> FiguresOut:
    return FiguresOut(
        total=figures.total,
        steps=figures.steps,
        done=figures.done,
        due=figures.due,
        due_done=figures.due_done,
        late=figures.late,
        reported=figures.reported,
        approved=figures.approved,
        makeup=figures.makeup(),
    )


def _congress(congress: Congress) -> CongressOut:
    figures = figures_for(congress.term, [congress.org], today=timezone.localdate())[
        congress.org_id
    ]
    return CongressOut(
        org_code=congress.org.code,
        org_name=congress.org.name,
        tier=congress.tier,
        step=congress.step,
        late=congress.late,
        ordinal=congress.ordinal,
        format=congress.format,
        contents=congress.contents,
        pilot=congress.pilot,
        planned_on=congress.planned_on,
        planned_committee_size=congress.planned_committee_size,
        summoned=congress.summoned,
        held_on=congress.held_on,
        present=congress.present,
        committee_decided=congress.committee_decided,
        candidates=congress.candidates,
        reported_on=congress.reported_on,
        approved_on=congress.approved_on,
        figures=_figures(figures),
    )


def _errors(error: ValidationError) -> Status:
    if hasattr(error, "error_dict"):
        return Status(422, ErrorsOut(errors={k: list(v) for k, v in error.message_dict.items()}))
    return Status(422, ErrorsOut(errors={"__all__": list(error.messages)}))


@router.get("/terms", response=list[TermOut], url_name="congress_terms", summary="Terms")
def term_list(request: HttpRequest) -> list[TermOut]:
    """The terms whose congresses reach into the token's subtree."""
    return [
        TermOut(
            id=t.pk,
            name=t.name,
            first_year=t.first_year,
            last_year=t.last_year,
            organiser_code=t.organiser.code,
        )
        for t in terms_visible_to(_token(request))
    ]


@router.get(
    "/{term_id}/{code}",
    response=CongressOut,
    url_name="congress",
    summary="A congress and its subtree's figures",
)
def congress_detail(
    request: HttpRequest, term_id: int = PathParam(..., ge=1, le=2**62), code: str = Code
) -> CongressOut:
    """The organisation's congress in the term (plan, step, results) and the live figures of
    every congress in its subtree."""
    return _congress(get_congress_for_user(_token(request), term_id, code))


@router.get(
    "/{term_id}/{code}/children",
    response=list[ChildOut],
    url_name="congress_children",
    summary="Progress of each subordinate organisation",
)
def congress_children(
    request: HttpRequest, term_id: int = PathParam(..., ge=1, le=2**62), code: str = Code
) -> list[ChildOut]:
    congress = get_congress_for_user(_token(request), term_id, code)
    rows = children_rows(congress.term, congress.org, today=timezone.localdate())
    return [
        ChildOut(
            org_code=r.org.code,
            org_name=r.org.name,
            step=r.congress.step if r.congress else None,
            figures=_figures(r.figures),
        )
        for r in rows
    ]


@router.post(
    "/{term_id}/{code}/steps",
    response={200: CongressOut, 422: ErrorsOut},
    url_name="congress_step",
    summary="Record a step of a congress (a token that may write)",
)
def congress_step(
    request: HttpRequest,
    body: StepIn,
    term_id: int = PathParam(..., ge=1, le=2**62),
    code: str = Code,
) -> object:
    """Move the congress to `to` (a step of its timeline: scheduled, preparing, held, reported),
    dated `on`; a step skipped or taken back needs a `note` saying why."""
    token = _token(request)
    congress = get_congress_for_user(token, term_id, code, Role.EDITOR)
    if body.to not in Step.values:
        return Status(422, ErrorsOut(errors={"to": ["unknown step"]}))
    try:
        congress = services.congress_advance(
            congress=congress,
            to=body.to,
            on=body.on,
            note=body.note,
            by=token,
            ctx=AuditContext.of(request),
        )
    except ValidationError as error:
        return _errors(error)
    return Status(200, _congress(congress))


@router.put(
    "/{term_id}/{code}/plan",
    response={200: CongressOut, 422: ErrorsOut},
    url_name="congress_plan",
    summary="Set a congress's plan (a token that may write)",
)
def congress_plan(
    request: HttpRequest,
    body: PlanIn,
    term_id: int = PathParam(..., ge=1, le=2**62),
    code: str = Code,
) -> object:
    token = _token(request)
    congress = get_congress_for_user(token, term_id, code, Role.EDITOR)
    data = body.dict(exclude_unset=True)
    try:
        congress = services.congress_plan(
            congress=congress, data=data, by=token, ctx=AuditContext.of(request)
        )
    except ValidationError as error:
        return _errors(error)
    return Status(200, _congress(congress))


@router.put(
    "/{term_id}/{code}/results",
    response={200: CongressOut, 422: ErrorsOut},
    url_name="congress_results",
    summary="Submit a congress's results, whole (a token that may write)",
)
def congress_results(
    request: HttpRequest,
    body: ResultsIn,
    term_id: int = PathParam(..., ge=1, le=2**62),
    code: str = Code,
) -> object:
    """The numbers, and when `people` is given, everyone elected or appointed (it replaces
    what was there). Checked whole: a refusal changes nothing."""
    token = _token(request)
    congress = get_congress_for_user(token, term_id, code, Role.EDITOR)
    data = body.dict(exclude_unset=True)
    people = data.pop("people", None)
    try:
        congress = services.congress_results(
            congress=congress,
            numbers=data,
            people=None if people is None else [services.PersonIn(**p) for p in people],
            by=token,
            ctx=AuditContext.of(request),
        )
    except ValidationError as error:
        return _errors(error)
    return Status(200, _congress(congress))
