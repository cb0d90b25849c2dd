"""The congress monitor's services: a term and its congresses, plans and the timeline, results
and what they add up to, approval bottom-up, lateness, and every refusal of bad input."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from conftest import World, person
from congresses import services
from congresses.models import Congress, Person, ProgressUpdate, Step, Tier
from congresses.services import PersonIn, TierDates
from core.tick import tick
from members.services import member_create
from orgs.models import OrgCount
from orgs.rollups import counts_of, rollups_rebuild

TODAY = date.today()
SCHEDULE = [
    TierDates(Tier.CELL, TODAY - timedelta(days=200), TODAY + timedelta(days=30)),
    TierDates(Tier.GRASSROOTS, TODAY - timedelta(days=150), TODAY + timedelta(days=60)),
    TierDates(Tier.UPPER, TODAY - timedelta(days=100), TODAY + timedelta(days=90)),
    TierDates(Tier.PROVINCIAL, TODAY - timedelta(days=50), TODAY + timedelta(days=120)),
    TierDates(Tier.NATIONAL, TODAY, TODAY + timedelta(days=150)),
]


@pytest.fixture
def term(world: World):
    return services.term_create(
        by=world.users["central"],
        organiser=world.root,
        name="Nhiệm kỳ 2025–2030",
        first_year=TODAY.year,
        last_year=TODAY.year + 5,
        schedule=SCHEDULE,
    )


def congress(term, org) -> Congress:
    return Congress.objects.select_related("org", "term").get(term=term, org=org)


def counts(org, term) -> dict[str, int]:
    tick()
    prefix = f"cg.{term.pk}."
    return {
        k[len(prefix) :]: v
        for k, v in counts_of([org.id]).get(org.id, {}).items()
        if k.startswith(prefix)
    }


def held(world: World, term, org, *, by: str = "central", on: date | None = None) -> Congress:
    c = congress(term, org)
    services.congress_plan(
        congress=c, data={"planned_on": TODAY, "summoned": 30}, by=world.users[by]
    )
    services.congress_advance(
        congress=c, to=Step.HELD, on=on or TODAY, by=world.users[by], note="Bỏ qua chuẩn bị"
    )
    return congress(term, org)


def reported(world: World, term, org, people: list[PersonIn] | None = None) -> Congress:
    c = held(world, term, org)
    services.congress_results(
        congress=c,
        numbers={"present": 28, "committee_decided": 3, "candidates": 3},
        people=people
        if people is not None
        else [
            PersonIn(
                "committee",
                "secretary",
                full_name="Nguyễn Văn A",
                sex="M",
                birth_year=1970,
                reelected=True,
                direct=True,
            ),
            PersonIn("committee", "deputy", full_name="Trần Thị B", sex="F", birth_year=1990),
            PersonIn(
                "committee", "member", full_name="Lò Văn C", sex="M", birth_year=1988, minority=True
            ),
        ],
        by=world.users["central"],
    )
    services.congress_advance(congress=c, to=Step.REPORTED, on=TODAY, by=world.users["central"])
    return congress(term, org)


def test_a_term_opens_a_congress_for_every_organisation_below_its_organiser(
    world: World, term
) -> None:
    assert Congress.objects.filter(term=term).count() == 7
    assert congress(term, world.cell).tier == Tier.CELL
    assert congress(term, world.other_cell).tier == Tier.GRASSROOTS
    assert congress(term, world.ward).tier == Tier.UPPER
    assert counts(world.root, term)["n"] == 7
    assert counts(world.ward, term) == {
        "n": 3,
        "tier.upper.n": 1,
        "tier.grassroots.n": 1,
        "tier.cell.n": 1,
        "step.not_scheduled": 3,
    }


def test_only_an_admin_of_the_organiser_opens_a_term(world: World) -> None:
    with pytest.raises(ValidationError) as info:
        services.term_create(
            by=world.users["city"],
            organiser=world.root,
            name="X",
            first_year=2025,
            last_year=2030,
            schedule=SCHEDULE,
        )
    assert "organiser" in info.value.message_dict


def test_a_schedule_runs_bottom_up(world: World) -> None:
    wrong = [SCHEDULE[0], TierDates(Tier.GRASSROOTS, TODAY, TODAY)]
    with pytest.raises(ValidationError) as info:
        services.term_create(
            by=world.users["central"],
            organiser=world.root,
            name="X",
            first_year=TODAY.year,
            last_year=TODAY.year + 5,
            schedule=wrong,
        )
    assert "deadline_grassroots" in info.value.message_dict


def test_planning_schedules_and_the_timeline_keeps_each_step(world: World, term) -> None:
    c = congress(term, world.cell)
    services.congress_plan(
        congress=c,
        data={"planned_on": TODAY + timedelta(days=5), "ordinal": 1, "summoned": 20},
        by=world.users["secretary"],
    )
    services.congress_advance(congress=c, to=Step.PREPARING, on=TODAY, by=world.users["secretary"])
    c.refresh_from_db()
    assert c.step == Step.PREPARING
    steps = list(ProgressUpdate.objects.filter(congress=c).values_list("previous", "step"))
    assert steps == [("not_scheduled", "scheduled"), ("scheduled", "preparing")]
    assert counts(world.ward, term)["step.preparing"] == 1


def test_a_step_is_not_skipped_without_saying_why(world: World, term) -> None:
    c = congress(term, world.cell)
    services.congress_plan(congress=c, data={"planned_on": TODAY}, by=world.users["secretary"])
    with pytest.raises(ValidationError) as info:
        services.congress_advance(congress=c, to=Step.HELD, on=TODAY, by=world.users["secretary"])
    assert "note" in info.value.message_dict
    assert congress(term, world.cell).step == Step.SCHEDULED
    services.congress_advance(
        congress=c, to=Step.HELD, on=TODAY, by=world.users["secretary"], note="Văn kiện duyệt miệng"
    )
    assert congress(term, world.cell).held_on == TODAY


def test_dates_before_the_previous_step_outside_the_term_or_ahead_are_refused(
    world: World, term
) -> None:
    c = congress(term, world.cell)
    services.congress_plan(congress=c, data={"planned_on": TODAY}, by=world.users["secretary"])
    for day, field in [
        (TODAY - timedelta(days=1), "on"),
        (date(TODAY.year - 3, 1, 1), "on"),
        (TODAY + timedelta(days=1), "on"),
    ]:
        with pytest.raises(ValidationError) as info:
            services.congress_advance(
                congress=c, to=Step.PREPARING, on=day, by=world.users["secretary"]
            )
        assert field in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        services.congress_plan(
            congress=c, data={"planned_on": date(TODAY.year + 9, 1, 1)}, by=world.users["secretary"]
        )
    assert "planned_on" in info.value.message_dict


def test_only_editors_of_the_organisation_or_above_update_it(world: World, term) -> None:
    for persona in ("viewer", "member", "outsider"):
        with pytest.raises(ValidationError):
            services.congress_plan(
                congress=congress(term, world.cell), data={"ordinal": 2}, by=world.users[persona]
            )
    with pytest.raises(ValidationError):
        services.congress_plan(
            congress=congress(term, world.other_cell),
            data={"ordinal": 2},
            by=world.users["secretary"],
        )
    services.congress_plan(
        congress=congress(term, world.cell), data={"ordinal": 2}, by=world.users["approver"]
    )


def test_results_add_up_to_computed_shares(world: World, term) -> None:
    reported(world, term, world.cell)
    ward = counts(world.ward, term)
    assert (
        ward["cm.n"],
        ward["cm.women"],
        ward["cm.minority"],
        ward["cm.reelected"],
        ward["cm.new"],
    ) == (3, 1, 1, 1, 2)
    assert ward["cm.u40"] == 2  # born 1990 and 1988
    assert (ward["sec.n"], ward["sec.reelected"], ward["sec.direct"]) == (1, 1, 1)
    assert (ward["summoned"], ward["present"], ward["reported"]) == (30, 28, 1)


def test_impossible_results_are_refused_naming_the_field_and_nothing_is_written(
    world: World, term
) -> None:
    c = held(world, term, world.cell)
    cases = [
        ({"present": 31}, None, "present"),
        ({"committee_decided": 5, "candidates": 4}, None, "candidates"),
        ({"committee_decided": 5, "candidates": 9}, None, "candidates"),
        (
            {"committee_decided": 1},
            [
                PersonIn("committee", "secretary", full_name="A B", sex="M", birth_year=1970),
                PersonIn("committee", "member", full_name="C D", sex="F", birth_year=1971),
            ],
            "people",
        ),
        ({}, [PersonIn("committee", "member", member_id=world.stranger.pk)], "people-0"),
        (
            {},
            [PersonIn("committee", "member", full_name="X Y", sex="M", birth_year=2020)],
            "people-0",
        ),
        (
            {},
            [PersonIn("delegate", "secretary", full_name="X Y", sex="M", birth_year=1970)],
            "people-0",
        ),
    ]
    for numbers, people, field in cases:
        with pytest.raises(ValidationError) as info:
            services.congress_results(
                congress=c, numbers=numbers, people=people, by=world.users["central"]
            )
        assert field in info.value.message_dict, (numbers, info.value.message_dict)
    c.refresh_from_db()
    assert (c.present, c.committee_decided, c.candidates) == (None, None, None)
    assert not Person.objects.filter(congress=c).exists()


def test_a_committee_member_from_the_registry_brings_their_facts(world: World, term) -> None:
    c = held(world, term, world.cell)
    member = world.members[1]
    services.congress_results(
        congress=c,
        numbers={"present": 20, "committee_decided": 1},
        people=[PersonIn("committee", "secretary", member_id=member.pk)],
        by=world.users["secretary"],
    )
    person = Person.objects.get(congress=c)
    assert (person.full_name, person.sex, person.birth_year) == (
        member.full_name,
        member.sex,
        member.birth_date.year,
    )


def test_results_are_not_reported_without_a_secretary(world: World, term) -> None:
    c = held(world, term, world.cell)
    services.congress_results(
        congress=c,
        numbers={"present": 20, "committee_decided": 1},
        people=[PersonIn("committee", "member", full_name="A B", sex="M", birth_year=1970)],
        by=world.users["central"],
    )
    with pytest.raises(ValidationError) as info:
        services.congress_advance(congress=c, to=Step.REPORTED, on=TODAY, by=world.users["central"])
    assert "people" in info.value.message_dict


def test_approval_runs_bottom_up_and_locks(world: World, term) -> None:
    grassroots = reported(world, term, world.grassroots)
    reported(world, term, world.cell)
    with pytest.raises(ValidationError) as info:
        services.congress_approve(congress=grassroots, by=world.users["approver"])
    assert world.cell.name in info.value.message_dict["congress"][0]
    with pytest.raises(ValidationError):  # an editor of the cell is not an approver above it
        services.congress_approve(congress=congress(term, world.cell), by=world.users["secretary"])
    services.congress_approve(congress=congress(term, world.cell), by=world.users["approver"])
    services.congress_approve(congress=grassroots, by=world.users["approver"])
    assert congress(term, world.grassroots).step == Step.APPROVED
    with pytest.raises(ValidationError) as info:
        services.congress_results(
            congress=congress(term, world.cell),
            numbers={"present": 1},
            people=None,
            by=world.users["central"],
        )
    assert "chuẩn y" in info.value.message_dict["congress"][0]
    assert counts(world.ward, term)["step.approved"] == 2


def test_reopening_unlocks_the_chain_above(world: World, term) -> None:
    reported(world, term, world.cell)
    reported(world, term, world.grassroots)
    services.congress_approve(congress=congress(term, world.cell), by=world.users["approver"])
    services.congress_approve(congress=congress(term, world.grassroots), by=world.users["approver"])
    with pytest.raises(ValidationError) as info:
        services.congress_reopen(
            congress=congress(term, world.cell), by=world.users["approver"], reason=""
        )
    assert "reason" in info.value.message_dict
    services.congress_reopen(
        congress=congress(term, world.cell), by=world.users["approver"], reason="Sai số có mặt"
    )
    assert congress(term, world.cell).step == Step.REPORTED
    assert congress(term, world.grassroots).step == Step.REPORTED
    last = ProgressUpdate.objects.filter(congress__org=world.grassroots).last()
    assert last is not None
    note = last.note
    assert world.cell.name in note and "Sai số có mặt" in note


def test_units_become_late_when_their_date_passes_and_not_when_held(world: World, term) -> None:
    c = congress(term, world.cell)
    services.congress_plan(congress=c, data={"planned_on": TODAY}, by=world.users["secretary"])
    assert services.congresses_mark_late(today=TODAY) == 0
    assert services.congresses_mark_late(today=TODAY + timedelta(days=1)) == 1
    assert counts(world.root, term)["late"] == 1
    services.congress_advance(
        congress=congress(term, world.cell),
        to=Step.HELD,
        on=TODAY,
        by=world.users["secretary"],
        note="x",
    )
    assert counts(world.root, term).get("late", 0) == 0
    # Held but not reported within the term's allowance: late again.
    later = TODAY + timedelta(days=term.report_within_days + 1)
    assert services.congresses_mark_late(today=later) >= 1
    assert congress(term, world.cell).late


def test_live_counters_equal_a_rebuild(world: World, term) -> None:
    reported(world, term, world.cell)
    held(world, term, world.other_cell)
    services.congresses_mark_late(today=TODAY + timedelta(days=400))
    services.congress_approve(congress=congress(term, world.cell), by=world.users["approver"])
    member_create(org=world.cell, data=person(77))
    tick()
    live = {(c.org_id, c.key): c.value for c in OrgCount.objects.all() if c.value}
    rollups_rebuild()
    assert {(c.org_id, c.key): c.value for c in OrgCount.objects.all() if c.value} == live


def test_a_target_is_inherited_unless_a_lower_level_sets_its_own(world: World, term) -> None:
    from congresses.selectors import effective_targets

    services.target_set(
        by=world.users["central"], term=term, org=world.root, key="women", percent="15"
    )
    services.target_set(
        by=world.users["ward"], term=term, org=world.ward, key="women", percent="20,5"
    )
    assert effective_targets(term, world.cell)["women"] == 20.5
    assert effective_targets(term, world.other_cell)["women"] == 15
    with pytest.raises(ValidationError):
        services.target_set(
            by=world.users["ward"], term=term, org=world.city, key="women", percent="1"
        )
    with pytest.raises(ValidationError) as info:
        services.target_set(
            by=world.users["central"], term=term, org=world.root, key="women", percent="120"
        )
    assert "percent" in info.value.message_dict


# -- The schedule after the term opened --------------------------------------------------------


def test_the_organising_level_moves_a_tiers_dates_audited(world: World, term) -> None:
    from audit.models import AuditEvent
    from congresses.models import TierSchedule

    start, end = TODAY - timedelta(days=10), TODAY + timedelta(days=45)
    services.schedule_set(
        by=world.users["central"], term=term, schedule=[TierDates(Tier.CELL, start, end)]
    )
    row = TierSchedule.objects.get(term=term, tier=Tier.CELL)
    assert (row.starts_on, row.deadline) == (start, end)
    event = AuditEvent.objects.filter(action="term.schedule").get()
    assert event.detail["tiers"]["cell"] == [start.isoformat(), end.isoformat()]
    # The other tiers are as they were.
    assert TierSchedule.objects.get(term=term, tier=Tier.UPPER).deadline == SCHEDULE[2].deadline


@pytest.mark.parametrize(
    ("who", "dates", "field"),
    [
        ("city", (TODAY, TODAY + timedelta(days=5)), "term"),
        ("central", (TODAY, TODAY - timedelta(days=1)), "deadline_cell"),
        ("central", (TODAY.replace(year=TODAY.year - 3), TODAY), "starts_on_cell"),
        ("central", (TODAY, TODAY.replace(year=TODAY.year + 7)), "deadline_cell"),
        # Bottom-up: a cell's deadline after its grassroots level's is refused on the tier
        # that would come too early.
        ("central", (TODAY, TODAY + timedelta(days=70)), "deadline_grassroots"),
    ],
)
def test_a_bad_schedule_is_refused_on_its_field(
    world: World, term, who: str, dates: tuple, field: str
) -> None:
    from congresses.models import TierSchedule

    with pytest.raises(ValidationError) as info:
        services.schedule_set(
            by=world.users[who], term=term, schedule=[TierDates(Tier.CELL, *dates)]
        )
    assert field in info.value.message_dict
    assert TierSchedule.objects.get(term=term, tier=Tier.CELL).deadline == SCHEDULE[0].deadline


def test_a_later_deadline_takes_back_the_lateness_it_caused(world: World, term) -> None:
    # The cells' wave is overdue: the cell is late.
    services.schedule_set(
        by=world.users["central"],
        term=term,
        schedule=[TierDates(Tier.CELL, TODAY - timedelta(days=60), TODAY - timedelta(days=1))],
    )
    assert services.congresses_mark_late(today=TODAY) == 1
    assert counts(world.root, term)["late"] == 1
    services.schedule_set(
        by=world.users["central"],
        term=term,
        schedule=[TierDates(Tier.CELL, TODAY - timedelta(days=60), TODAY + timedelta(days=10))],
    )
    assert not congress(term, world.cell).late
    assert counts(world.root, term).get("late", 0) == 0
