"""Demo data for the congress monitor: the 2025–2030 term in full swing over whatever tree the
registry holds (a ward, the city, the nation).

The term's schedule is laid around `today` so every wave is somewhere along its way: the cells
done (a few late), the grassroots finishing, the communes preparing, the provinces planning and
the national congress ahead. Every organisation that holds a congress gets one in some state,
with its timeline; the held ones their results (the elected committee with a realistic make-up,
its secretary and deputies, the inspection committee, delegates to the level above), a few
pilot congresses, some approved (bottom-up only: a congress is approved only when all of its
children's are), some late.

Rows go in with bulk inserts (COPY on PostgreSQL), one province at a time; lateness is decided
by `services.is_late`, every figure by `counts.congress_counts`, and the counters are applied
once per organisation and key through `orgs.rollups.apply_to_subtree_counts`, as every bulk
path of the project does.
"""

import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from audit.services import audit_log
from core.db import adapt_rows, bulk_insert, reset_sequence
from lib.synth import PersonFactory
from orgs.models import Kind, Org
from orgs.rollups import apply_to_subtree_counts, counts_of

from .counts import PersonFacts, congress_counts
from .models import (
    CONGRESS_KINDS,
    STEP_ORDER,
    TIER_OF_KIND,
    Congress,
    Person,
    ProgressUpdate,
    Step,
    Target,
    Term,
    Tier,
    TierSchedule,
)
from .services import TierDates, _check_schedule, is_late

# Each wave's start and deadline, in days from `today`.
WAVES: dict[str, tuple[int, int]] = {
    Tier.CELL: (-160, -40),
    Tier.GRASSROOTS: (-120, 5),
    Tier.UPPER: (-75, 45),
    Tier.PROVINCIAL: (-20, 100),
    Tier.NATIONAL: (-5, 140),
}
# Provinces where many members belong to an ethnic minority set their own, higher target.
MINORITY_PROVINCES = {4, 8, 11, 12, 14, 15, 19, 20, 66, 68}
HANOI = 1

CONGRESS_COLUMNS = [
    "id",
    "term_id",
    "org_id",
    "tier",
    "step",
    "ordinal",
    "format",
    "contents",
    "pilot",
    "planned_on",
    "planned_committee_size",
    "summoned",
    "held_on",
    "present",
    "committee_decided",
    "candidates",
    "reported_on",
    "approved_on",
    "approved_by_id",
    "late",
    "updated_at",
]
UPDATE_COLUMNS = ["congress_id", "step", "previous", "on", "note", "by_id", "at"]
PERSON_COLUMNS = [
    "congress_id",
    "body",
    "role",
    "member_id",
    "full_name",
    "sex",
    "birth_year",
    "minority",
    "reelected",
    "local",
    "direct",
    "appointed",
]
NOTES = {
    Step.SCHEDULED: "Lên kế hoạch",
    Step.PREPARING: "Văn kiện và phương án nhân sự đã được cấp trên cho ý kiến",
    Step.HELD: "Đại hội thành công tốt đẹp",
    Step.REPORTED: "Đã gửi báo cáo kết quả đại hội",
    Step.APPROVED: "Chuẩn y kết quả bầu cử",
}


def term_schedule(today: date) -> tuple[int, list[TierDates]]:
    """The term's first year and its waves around `today`."""
    schedule = [
        TierDates(tier, today + timedelta(days=start), today + timedelta(days=end))
        for tier, (start, end) in WAVES.items()
    ]
    # The 2025–2030 term while its waves start by 2026 (the rule: around its first year).
    first_year = max(2025, schedule[0].starts_on.year - 1)
    return first_year, schedule


@dataclass
class Made:
    """One congress as generated: the row, its timeline and its people."""

    congress: Congress
    parent_id: int | None
    updates: list[tuple[str, str, date, str]] = field(default_factory=list)
    people: list[tuple[Any, ...]] = field(default_factory=list)
    facts: list[PersonFacts] = field(default_factory=list)


class CongressGenerator:
    def __init__(self, *, seed: int, today: date) -> None:
        self.seed, self.today = seed, today
        self.now = timezone.now()
        self.first_year, self.schedule = term_schedule(today)
        self.waves = {s.tier: s for s in self.schedule}
        self.next_id = Congress.objects.aggregate(m=Max("id"))["m"] or 0
        self.factories: dict[int, PersonFactory] = {}
        self.serial = 0

    # The term --------------------------------------------------------------------------------
    def term(self, root: Org) -> Term:
        name = f"Nhiệm kỳ {self.first_year}–{self.first_year + 5}"
        term = Term.objects.filter(organiser=root, name=name).first()
        if term is not None:
            return term
        _check_schedule(self.first_year, self.first_year + 5, self.schedule)
        term = Term.objects.create(
            name=name, first_year=self.first_year, last_year=self.first_year + 5, organiser=root
        )
        TierSchedule.objects.bulk_create(
            TierSchedule(term=term, tier=s.tier, starts_on=s.starts_on, deadline=s.deadline)
            for s in self.schedule
        )
        targets = [
            Target(term=term, org=root, key=Target.Key.WOMEN, percent=15),
            Target(term=term, org=root, key=Target.Key.UNDER_40, percent=10),
            Target(term=term, org=root, key=Target.Key.MINORITY, percent=5),
        ]
        for org in Org.objects.filter(parent=root, kind=Kind.PROVINCE):
            if _province_of(org.code) in MINORITY_PROVINCES:
                targets.append(Target(term=term, org=org, key=Target.Key.MINORITY, percent=25))
        Target.objects.bulk_create(targets)
        return term

    # One congress ----------------------------------------------------------------------------
    def _person(self, province: int, rng: random.Random, year: int) -> tuple[str, str, int, bool]:
        factory = self.factories.get(province)
        if factory is None:
            factory = self.factories[province] = PersonFactory(self.seed, province_code=province)
        while True:
            self.serial += 1
            p = factory.person(serial=self.serial, today=self.today)
            # Committees have fewer women than the membership.
            if p.sex == "F" and rng.random() < 0.35:
                continue
            age = int(rng.triangular(27, 62, 50))
            minority = bool(p.ethnicity) and p.ethnicity.strip().lower() != "kinh"
            return p.full_name, p.sex, year - age, minority

    def _people(self, made: Made, province: int, rng: random.Random) -> None:
        c = made.congress
        year = (c.held_on or self.today).year
        tier = Tier(c.tier)

        def add(body: str, role: str, *, reelected: bool, local: bool, direct: bool = False):
            name, sex, born, minority = self._person(province, rng, year)
            appointed = c.contents == Congress.Contents.TWO and body == Person.Body.COMMITTEE
            made.people.append(
                (
                    c.pk,
                    body,
                    role,
                    None,
                    name,
                    sex,
                    born,
                    minority,
                    reelected,
                    local,
                    direct,
                    appointed,
                )
            )
            made.facts.append(
                PersonFacts(body, role, sex, born, minority, reelected, local, direct, appointed)
            )

        if c.contents != Congress.Contents.THREE and c.committee_decided:
            elected = c.committee_decided
            if elected >= 5 and rng.random() < 0.08:
                elected -= 1  # one short: the ballot did not give everyone half the votes
            deputies = {Tier.CELL: 1, Tier.GRASSROOTS: 1, Tier.UPPER: 2}.get(tier, 3)
            standing = {Tier.UPPER: rng.randint(4, 6), Tier.PROVINCIAL: rng.randint(11, 14)}
            for i in range(elected):
                if i == 0:
                    role = Person.Role.SECRETARY
                elif i <= deputies:
                    role = Person.Role.DEPUTY
                elif i <= deputies + standing.get(tier, 0):
                    role = Person.Role.STANDING
                else:
                    role = Person.Role.MEMBER
                secretary = role == Person.Role.SECRETARY
                local_share = 0.6 if secretary and tier == Tier.PROVINCIAL else 0.93
                add(
                    Person.Body.COMMITTEE,
                    role,
                    reelected=rng.random() < (0.7 if secretary else 0.6),
                    local=rng.random() < local_share,
                    direct=secretary and rng.random() < 0.8,
                )
        if tier != Tier.CELL:
            size = {Tier.GRASSROOTS: (3, 5), Tier.UPPER: (5, 7)}.get(tier, (9, 11))
            for i in range(rng.randint(*size)):
                role = Person.Role.CHAIR if i == 0 else Person.Role.MEMBER
                add(Person.Body.INSPECTION, role, reelected=rng.random() < 0.5, local=True)
        if tier in (Tier.GRASSROOTS, Tier.UPPER, Tier.PROVINCIAL):
            size = {Tier.GRASSROOTS: (3, 8), Tier.UPPER: (10, 25)}.get(tier, (20, 35))
            for _i in range(rng.randint(*size)):
                draw = rng.random()
                role = (
                    Person.Role.EX_OFFICIO
                    if draw < 0.1
                    else Person.Role.APPOINTED
                    if draw < 0.13
                    else Person.Role.ELECTED
                )
                add(Person.Body.DELEGATE, role, reelected=False, local=True)

    def _make(
        self, term: Term, org: Org, members: int, rng: random.Random, children: list[Made]
    ) -> Made:
        tier = Tier(TIER_OF_KIND[org.kind])
        wave = self.waves[tier]
        today = self.today
        self.next_id += 1
        c = Congress(id=self.next_id, term=term, org_id=org.id, tier=tier, updated_at=self.now)
        made = Made(c, org.parent_id)
        # The plan.
        c.ordinal = 1 if org.kind == Kind.COMMUNE else rng.randint(3, 25)
        if org.kind == Kind.CENTRAL:
            c.ordinal = 15
        big = tier in (Tier.UPPER, Tier.PROVINCIAL, Tier.NATIONAL) or (
            org.kind == Kind.GRASSROOTS_COMMITTEE and members > 150
        )
        c.format = Congress.Format.DELEGATES if big else Congress.Format.MEMBERS
        draw = rng.random()
        c.contents = (
            Congress.Contents.TWO
            if draw < 0.04 and tier in (Tier.CELL, Tier.GRASSROOTS)
            else Congress.Contents.THREE
            if draw < 0.07 and tier == Tier.CELL
            else Congress.Contents.FOUR
        )
        c.planned_committee_size = {
            Tier.CELL: 3 if members >= 9 else 1,
            Tier.GRASSROOTS: rng.choice([5, 7, 9]) if org.kind == Kind.GRASSROOTS_COMMITTEE else 3,
            Tier.UPPER: rng.choice([15, 17, 19]) if org.kind == Kind.COMMUNE else 15,
            Tier.PROVINCIAL: rng.choice([53, 55, 57, 61]),
            Tier.NATIONAL: 180,
        }[tier]
        if c.format == Congress.Format.DELEGATES:
            c.summoned = {
                Tier.GRASSROOTS: 100,
                Tier.UPPER: rng.randint(150, 300),
                Tier.PROVINCIAL: rng.randint(350, 450),
            }.get(tier, 1586)
        else:
            c.summoned = max(members, 3)
        c.pilot = rng.random() < 0.015 and tier != Tier.NATIONAL
        span = (wave.deadline - wave.starts_on).days
        if c.pilot:
            planned = wave.starts_on + timedelta(days=rng.randint(0, max(span // 8, 1)))
        else:
            planned = wave.starts_on + timedelta(days=rng.randint(span // 10, span + 10))
        if tier == Tier.NATIONAL:
            planned = wave.deadline - timedelta(days=20)
        scheduled = min(wave.starts_on - timedelta(days=rng.randint(10, 40)), today)
        # Where it has got to.
        if planned <= today:
            step = Step.HELD if rng.random() < (0.99 if c.pilot else 0.93) else Step.PREPARING
        elif rng.random() < 0.04 and not c.pilot:
            step = Step.NOT_SCHEDULED
        elif (planned - today).days < 30 and rng.random() < 0.8:
            step = Step.PREPARING
        else:
            step = Step.SCHEDULED if rng.random() < 0.6 else Step.PREPARING
        if step == Step.PREPARING and rng.random() < 0.15 and planned <= today:
            step = Step.SCHEDULED
        held_on = planned if step == Step.HELD else None
        reported_on = approved_on = None
        if held_on is not None:
            reported = held_on + timedelta(days=rng.randint(1, 6))
            if reported <= today and rng.random() < 0.95:
                step, reported_on = Step.REPORTED, reported
                approved = reported + timedelta(days=rng.randint(3, 25))
                children_done = all(ch.congress.step == Step.APPROVED for ch in children)
                if approved <= today and children_done and rng.random() < 0.85:
                    step, approved_on = Step.APPROVED, approved
        if step != Step.NOT_SCHEDULED:
            c.planned_on = planned
            made.updates.append((Step.SCHEDULED, Step.NOT_SCHEDULED, scheduled, ""))
        if STEP_ORDER.index(step) >= STEP_ORDER.index(Step.PREPARING):
            prepared = max(scheduled, min(planned - timedelta(days=rng.randint(7, 30)), today))
            made.updates.append((Step.PREPARING, Step.SCHEDULED, prepared, ""))
        if held_on is not None:
            c.held_on = held_on
            made.updates.append((Step.HELD, Step.PREPARING, held_on, ""))
        if reported_on is not None:
            c.reported_on = reported_on
            made.updates.append((Step.REPORTED, Step.HELD, reported_on, ""))
            if c.summoned:
                absent = rng.randint(0, max(1, c.summoned // 20))
                c.present = max(c.summoned - absent, 1)
            if c.contents != Congress.Contents.THREE:
                c.committee_decided = c.planned_committee_size
                surplus = int(c.committee_decided * rng.uniform(0.1, 0.3))
                c.candidates = c.committee_decided + surplus
        if approved_on is not None:
            c.approved_on = approved_on
            made.updates.append((Step.APPROVED, Step.REPORTED, approved_on, ""))
        c.step = step
        c.late = is_late(
            c, today=today, deadline=wave.deadline, report_within=term.report_within_days
        )
        if step in (Step.REPORTED, Step.APPROVED):
            self._people(made, _province_of(org.code) or HANOI, rng)
        return made

    # A subtree at a time ---------------------------------------------------------------------
    def subtree(self, term: Term, top: Org) -> int:
        """Congresses for every organisation of `top`'s subtree that has none in the term."""
        have = set(
            Congress.objects.filter(term=term, org__path__startswith=top.path).values_list(
                "org_id", flat=True
            )
        )
        orgs = [
            o
            for o in Org.objects.filter(
                path__startswith=top.path, status=Org.Status.ACTIVE, kind__in=CONGRESS_KINDS
            ).only("id", "code", "kind", "path", "parent_id")
            if o.id not in have
        ]
        if not orgs:
            return 0
        members = {
            org_id: values.get("members", 0)
            for org_id, values in counts_of([o.id for o in orgs], ["members"]).items()
        }
        rng = random.Random(f"{self.seed}:congresses:{top.code}")
        made: dict[int, Made] = {}
        children: defaultdict[int, list[Made]] = defaultdict(list)
        # The deepest first: a congress is approved only once its children's are.
        for org in sorted(orgs, key=lambda o: (-len(o.path), o.path)):
            one = self._make(term, org, members.get(org.id, 0), rng, children.get(org.id, []))
            made[org.id] = one
            if org.parent_id is not None:
                children[org.parent_id].append(one)
        self._write(term, list(made.values()))
        return len(made)

    def _write(self, term: Term, made: list[Made]) -> None:
        tz = timezone.get_current_timezone()

        def at(day: date, n: int) -> datetime:
            return datetime.combine(day, time(8 + n, 0), tz).astimezone(UTC)

        congress_rows = (
            [
                m.congress.pk,
                term.pk,
                m.congress.org_id,
                m.congress.tier,
                m.congress.step,
                m.congress.ordinal,
                m.congress.format,
                m.congress.contents,
                m.congress.pilot,
                m.congress.planned_on,
                m.congress.planned_committee_size,
                m.congress.summoned,
                m.congress.held_on,
                m.congress.present,
                m.congress.committee_decided,
                m.congress.candidates,
                m.congress.reported_on,
                m.congress.approved_on,
                None,
                m.congress.late,
                self.now,
            ]
            for m in made
        )
        update_rows = (
            (m.congress.pk, step, previous, on, note or NOTES[Step(step)], None, at(on, n))
            for m in made
            for n, (step, previous, on, note) in enumerate(m.updates)
        )
        person_rows: Iterable[tuple[Any, ...]] = (row for m in made for row in m.people)
        deltas: defaultdict[tuple[int, str], int] = defaultdict(int)
        for m in made:
            for key, value in congress_counts(m.congress, m.facts).items():
                deltas[(m.congress.org_id, key)] += value
        with transaction.atomic():
            bulk_insert(Congress._meta.db_table, CONGRESS_COLUMNS, adapt_rows(congress_rows))
            bulk_insert(ProgressUpdate._meta.db_table, UPDATE_COLUMNS, adapt_rows(update_rows))
            bulk_insert(Person._meta.db_table, PERSON_COLUMNS, adapt_rows(person_rows))
            apply_to_subtree_counts(deltas)

    def run(self) -> int:
        root = Org.objects.filter(parent__isnull=True, status=Org.Status.ACTIVE).first()
        if root is None:
            return 0
        term = self.term(root)
        written = 0
        for top in Org.objects.filter(parent=root, status=Org.Status.ACTIVE).order_by("path"):
            written += self.subtree(term, top)
        # The root's own congress (the national one) last: it sees its children's states.
        written += self.subtree(term, root)
        for model in (Congress, ProgressUpdate, Person):
            reset_sequence(model._meta.db_table)
        audit_log(
            actor=None,
            action="congresses.generate",
            object_type="term",
            object_id=term.pk,
            detail={"seed": self.seed, "congresses": written},
        )
        return written


def _province_of(code: str) -> int | None:
    head = code.split(".", 1)[0]
    return int(head) if head.isdigit() else None


def congresses_generate(*, seed: int, today: date) -> int:
    """The demo term and a congress for every organisation that holds one and has none yet;
    returns how many were made."""
    return CongressGenerator(seed=seed, today=today).run()
