"""The subtree counters a congress adds to: progress, lateness, and the make-up of what it
elected. Every share a dashboard shows (women, under 40, re-elected…) is computed from these
sums at read time, never typed; the keys of one term start with `cg.<term id>.`.

A congress counts its people only once its results are reported, so a dashboard's make-up is
that of reported results.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from .models import STEP_ORDER, Congress, Person, Step

# Delegates under this age count as young; committee members under UNDER_AGE as "under 40".
YOUNG_AGE = 30
UNDER_AGE = 40


@dataclass(frozen=True, slots=True)
class PersonFacts:
    """What the counters need of an elected or appointed person."""

    body: str
    role: str
    sex: str
    birth_year: int
    minority: bool
    reelected: bool
    local: bool
    direct: bool
    appointed: bool

    @classmethod
    def of(cls, person: Person) -> "PersonFacts":
        return cls(
            person.body,
            person.role,
            person.sex,
            person.birth_year,
            person.minority,
            person.reelected,
            person.local,
            person.direct,
            person.appointed,
        )


def reached(step: str, at_least: str) -> bool:
    return STEP_ORDER.index(step) >= STEP_ORDER.index(at_least)


def week_of(day: date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}w{week:02d}"


def congress_counts(congress: Congress, people: Iterable[PersonFacts]) -> dict[str, int]:
    """The counters of one congress and what it elected: {key: value}."""
    p = f"cg.{congress.term_id}."
    counts: dict[str, int] = {
        p + "n": 1,
        f"{p}tier.{congress.tier}.n": 1,
        f"{p}step.{congress.step}": 1,
    }

    def add(key: str, value: int = 1) -> None:
        if value:
            counts[p + key] = counts.get(p + key, 0) + value

    if congress.late:
        add("late")
        add(f"tier.{congress.tier}.late")
    if congress.planned_on:
        add(f"plan.{week_of(congress.planned_on)}")
    if not reached(congress.step, Step.HELD):
        return counts
    add(f"tier.{congress.tier}.done")
    if congress.held_on:
        add(f"held.{week_of(congress.held_on)}")
    add(f"contents.{congress.contents}")
    add("pilot", int(congress.pilot))
    if not reached(congress.step, Step.REPORTED):
        return counts
    add("reported")
    add("summoned", congress.summoned or 0)
    add("present", congress.present or 0)
    add("cm.decided", congress.committee_decided or 0)
    if congress.candidates and congress.committee_decided:
        add("bal.n")
        add("bal.candidates", congress.candidates)
        add("bal.to_elect", congress.committee_decided)
    year = (congress.held_on or congress.planned_on or date.today()).year
    for person in people:
        age = year - person.birth_year
        if person.body == Person.Body.COMMITTEE:
            add("cm.n")
            add("cm.women", int(person.sex == "F"))
            add("cm.u40", int(age < UNDER_AGE))
            add("cm.minority", int(person.minority))
            add("cm.reelected", int(person.reelected))
            add("cm.new", int(not person.reelected))
            add("cm.nonlocal", int(not person.local))
            add("cm.appointed", int(person.appointed))
            if person.role == Person.Role.SECRETARY:
                add("sec.n")
                add("sec.reelected", int(person.reelected))
                add("sec.direct", int(person.direct))
                add("sec.nonlocal", int(not person.local))
                add("sec.women", int(person.sex == "F"))
        elif person.body == Person.Body.DELEGATE:
            add("dl.n")
            add("dl.women", int(person.sex == "F"))
            add("dl.young", int(age < YOUNG_AGE))
            add("dl.minority", int(person.minority))
            add(f"dl.{person.role}")
        elif person.body == Person.Body.INSPECTION:
            add("ins.n")
    return counts


def counts_delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    keys = set(before) | set(after)
    return {
        k: after.get(k, 0) - before.get(k, 0) for k in keys if after.get(k, 0) != before.get(k, 0)
    }
