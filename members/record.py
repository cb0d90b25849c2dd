"""What a member row derives from its own values, owned here and nowhere else.

A member row carries copies that make lists and counters cheap: its organisation's path
(`org_path`), a search text (`search_name`: that path and the name without diacritics), a
Vietnamese sort key (`sort_key`), its status and card number (from its events), and the
counter keys it adds one to in its subtree. Every path that writes members, one by one or in
bulk (members.services, members.reorg, the import's commit in Python and in SQL, the synthetic
data generator), takes these from this module, so a copy never falls behind its source: after a
rename, a transfer, a move of the organisation or an import, search and counters agree with a
rebuild from the data (members/tests/test_record_writers.py holds every writer to it).
"""

from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from typing import Any

from django.db.models import Func, QuerySet, Value
from django.db.models.functions import Concat, StrIndex, Substr

from lib.cleaning.fast import fold
from lib.cleaning.rules import probation_over_on
from lib.vn.cccd import check_cccd
from lib.vn.dates import PartialDate
from lib.vn.text import sort_key as _sort_key

from .models import ACTIVE_STATUSES, Member, MemberEvent
from .status import State, derive

SORT_KEY_LENGTH = 255

# A record is complete when what officials most often find missing is there, an official
# member has a party card, and a member past the 12 months' probation has an official date.
COMPLETE_FIELDS = ("phone", "birth_place", "hometown", "residence", "ethnicity")
QUALITY_COLUMNS = (
    "cccd",
    *COMPLETE_FIELDS,
    "card_number",
    "official_date",
    "admission_date",
    "admission_date_precision",
)
# Complete members without an official date are also counted by the day their probation is
# over (PROBATION_KEY + "y2027", "m2027-03", "d2027-03-05"): a reader subtracts those whose day
# has come, so the figure follows the calendar with no write, and a rebuild gives the same.
PROBATION_KEY = "q.probation."
# No probation ended before the party's first anniversary (founded 3 February 1930): earlier
# days, from dates mistyped, all count in 1931's year key.
FIRST_PROBATION_YEAR = 1931


# -- Search and sort -------------------------------------------------------------------------


def search_text(org_path: str, full_name: str) -> str:
    """What name search matches: the organisation's path, a space, the name without diacritics.

    members.search turns it into words and ancestor-path tokens (PostgreSQL: one GIN index over
    member_search_vector(search_name)), so a search in a subtree never visits the rest of the
    country.
    """
    return f"{org_path} {fold(full_name)}"


def sort_key(full_name: str) -> str:
    return _sort_key(full_name)[:SORT_KEY_LENGTH]


def name_columns(full_name: str, org_path: str) -> dict[str, str]:
    """The columns a member's name and organisation decide: path, search text, sort key."""
    return {
        "org_path": org_path,
        "search_name": search_text(org_path, full_name),
        "sort_key": sort_key(full_name),
    }


def _name_part() -> Func:
    # search_name is "PATH folded name"; paths never hold a space, so the name starts after the
    # first one.
    return Substr("search_name", StrIndex("search_name", Value(" ")) + 1)


def moved_into(org_path: str) -> dict[str, Any]:
    """`.update()` arguments for members (of any organisations) moved into the one at
    `org_path`: the columns that follow their organisation, computed by the database."""
    return {
        "org_path": Value(org_path),
        "search_name": Concat(Value(org_path + " "), _name_part()),
    }


def subtree_moved(old_path: str, new_path: str) -> dict[str, Any]:
    """`.update()` arguments for the members under `old_path` once that subtree is at
    `new_path`: each keeps its place below the moved organisation."""
    tail = Substr("org_path", len(old_path) + 1)
    return {
        "org_path": Concat(Value(new_path), tail),
        "search_name": Concat(Value(new_path), tail, Value(" "), _name_part()),
    }


# -- Status ----------------------------------------------------------------------------------


def state_of(member: Member) -> State:
    """What a member's events say now: status, cell, temporary cell, exemption, card number."""
    events = (
        MemberEvent.objects.filter(member=member)
        .order_by("on", "id")
        .values_list("kind", "on", "org_id", "detail")
    )
    return derive(events)


def status_when_admitted(official_date: date | None) -> str:
    """The status of a record created with its admission (and maybe its recognition) on file."""
    return "official" if official_date else "probationary"


def status_when_admitted_sql(has_official_date: str) -> str:
    """status_when_admitted in SQL, given an SQL condition for "an official date is on file"
    (the import's commit makes new members in the database)."""
    return f"CASE WHEN {has_official_date} THEN 'official' ELSE 'probationary' END"


# -- Counters --------------------------------------------------------------------------------


def partial_date(on: date, precision: str) -> PartialDate:
    """A date of the record as far as it is known (the row keeps its first day and precision:
    birth and admission dates of old members may give only the year or the month)."""
    if precision == "year":
        return PartialDate(on.year)
    if precision == "month":
        return PartialDate(on.year, on.month)
    return PartialDate.from_date(on)


def probation_keys(over_on: date) -> list[str]:
    """The keys of a complete member whose probation is over on `over_on` with no official
    date: one per year, month and day, so a reader sums at most one key per year since 1931,
    11 months and 31 days, however many members are waiting."""
    year = max(over_on.year, FIRST_PROBATION_YEAR)
    return [
        f"{PROBATION_KEY}y{year:04d}",
        f"{PROBATION_KEY}m{over_on:%Y-%m}",
        f"{PROBATION_KEY}d{over_on:%Y-%m-%d}",
    ]


def overdue_keys(today: date) -> list[str]:
    """The probation keys whose members are no longer complete on `today`: the years before
    this one, the months of this year before this one, and this month's days up to today."""
    return [
        *(f"{PROBATION_KEY}y{y:04d}" for y in range(FIRST_PROBATION_YEAR, today.year)),
        *(f"{PROBATION_KEY}m{today.year:04d}-{m:02d}" for m in range(1, today.month)),
        *(f"{PROBATION_KEY}d{today:%Y-%m}-{d:02d}" for d in range(1, today.day + 1)),
    ]


def complete_keys(today: date) -> list[str]:
    """The counters that make the "complete" figure on `today` (for orgs.rollups.counts_of)."""
    return ["q.complete", *overdue_keys(today)]


def complete_of(counts: Mapping[str, int], today: date) -> int:
    """Members with a complete record on `today`, from their subtree's counters."""
    overdue = sum(counts.get(key, 0) for key in overdue_keys(today))
    return counts.get("q.complete", 0) - overdue


def quality_keys(
    *, sex: str, birth_date: date, status: str, values: Mapping[str, Any]
) -> list[str]:
    """Data-quality counters of one record: complete (with the day that stops being true, for
    a member without an official date), and a CCCD consistent with sex and year.

    values: the QUALITY_COLUMNS (dates as dates; the admission's precision "day" if absent).
    """
    keys = []
    if all(values.get(name) for name in COMPLETE_FIELDS) and (
        status != "official" or values.get("card_number")
    ):
        keys.append("q.complete")
        admitted = values.get("admission_date")
        if not values.get("official_date") and admitted:
            precision = values.get("admission_date_precision") or "day"
            keys += probation_keys(probation_over_on(partial_date(admitted, precision)))
    cccd = values.get("cccd") or ""
    if not [
        p for p in check_cccd(cccd, sex=sex, birth_year=birth_date.year) if p.severity == "error"
    ]:
        keys.append("q.cccd_ok")
    return keys


def member_keys(
    *, status: str, sex: str, birth_date: date, exempt: bool, quality: Iterable[str] = ()
) -> list[str]:
    """The counters a member adds one to, in the subtree of their organisation."""
    if status not in ACTIVE_STATUSES:
        return []
    keys = ["members", f"status.{status}", f"sex.{sex}", f"born.{birth_date.year}", *quality]
    if exempt:
        keys.append("exempt")
    return keys


def member_keys_of(member: Member | Any) -> list[str]:
    """The counters of a member (or of the columns of one about to be written)."""
    values = {name: getattr(member, name) for name in QUALITY_COLUMNS}
    quality = quality_keys(
        sex=member.sex, birth_date=member.birth_date, status=member.status, values=values
    )
    return member_keys(
        status=member.status,
        sex=member.sex,
        birth_date=member.birth_date,
        exempt=member.exempt,
        quality=quality,
    )


def counts_rebuilt() -> Iterator[tuple[tuple[int, str], int]]:
    """Every member's counters, from the rows themselves (orgs.rollups.rollups_rebuild)."""
    members = Member.objects.filter(status__in=ACTIVE_STATUSES).values_list(
        "org_id", "status", "sex", "birth_date", "exempt", *QUALITY_COLUMNS
    )
    for org_id, status, sex, birth_date, exempt, *quality_values in members.iterator(
        chunk_size=20000
    ):
        quality = quality_keys(
            sex=sex,
            birth_date=birth_date,
            status=status,
            values=dict(zip(QUALITY_COLUMNS, quality_values, strict=True)),
        )
        for key in member_keys(
            status=status, sex=sex, birth_date=birth_date, exempt=exempt, quality=quality
        ):
            yield (org_id, key), 1


def columns_drift(members: QuerySet[Member] | None = None) -> list[int]:
    """Ids of members whose derived columns differ from what their values and organisation
    make them: none, whatever wrote them (the tests ask after every writer)."""
    rows = (members if members is not None else Member.objects.all()).values_list(
        "id", "full_name", "org__path", "search_name", "sort_key", "org_path"
    )
    return [
        pk
        for pk, full_name, path, search_name, key, org_path in rows.iterator(chunk_size=20000)
        if {"org_path": org_path, "search_name": search_name, "sort_key": key}
        != name_columns(full_name, path)
    ]
