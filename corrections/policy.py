"""Who may approve what: the correction policy in effect on a day (settings), the levels of the
tree, and the deadlines of each step in working days."""

from datetime import date, timedelta

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from orgs.models import Kind

# The rank of an organisation's kind among the levels a policy names: a level is competent for
# a field when its rank reaches the field's level. Depth varies (DOMAIN.md), kinds do not.
RANK = {
    Kind.PARTY_GROUP: 1,
    Kind.CELL: 1,
    Kind.GRASSROOTS_CELL: 1,
    Kind.SUB_COMMITTEE: 2,
    Kind.GRASSROOTS_COMMITTEE: 3,
    Kind.COMMUNE: 4,
    Kind.UPPER_GRASSROOTS: 4,
    Kind.PROVINCE: 5,
    Kind.CENTRAL_COMMITTEE: 5,
    Kind.CENTRAL: 6,
}
LEVELS = {"cell": 1, "grassroots": 3, "commune": 4, "province": 5, "central": 6}
LEVEL_NAMES = {
    "cell": _("chi bộ"),
    "grassroots": _("đảng uỷ cơ sở"),
    "commune": _("đảng uỷ xã, phường"),
    "province": _("ban tổ chức tỉnh uỷ, thành uỷ"),
    "central": _("Trung ương"),
}


def policy_on(day: date) -> dict[str, str]:
    """{field: level} of the policy in effect on `day` (the latest that started by then)."""
    chosen: dict[str, str] = {}
    started = ""
    for policy in settings.PARTYORG_CORRECTION_POLICY:
        start = str(policy["from"])
        if start <= day.isoformat() and start >= started:
            started, chosen = start, dict(policy["fields"])  # type: ignore[call-overload]
    return chosen


def level_for(field: str, day: date) -> str | None:
    """The level that approves a change of `field` on `day`; None if it is not correctable."""
    return policy_on(day).get(field)


def competent(kind: str, field: str, day: date) -> bool:
    level = level_for(field, day)
    return level is not None and RANK.get(Kind(kind), 0) >= LEVELS[level]


def add_working_days(start: date, days: int) -> date:
    """The day `days` working days (Monday to Friday) after `start`."""
    day = start
    left = days
    while left > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


def due_from(start: date) -> date:
    return add_working_days(start, settings.PARTYORG_CORRECTION_STEP_DAYS)
