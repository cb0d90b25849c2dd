"""The member record and its events, through members.services."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from conftest import World, person
from core.tick import tick
from members import services
from members.models import FieldChange, Member, MemberEvent
from orgs.rollups import counts_of


def _count(org_id: int, key: str = "members") -> int:
    tick()
    return counts_of([org_id]).get(org_id, {}).get(key, 0)


def _refused(field: str, call, *args, **kwargs) -> ValidationError:
    before = (Member.objects.count(), MemberEvent.objects.count(), FieldChange.objects.count())
    with pytest.raises(ValidationError) as info:
        call(*args, **kwargs)
    assert field in info.value.message_dict, info.value.message_dict
    assert (
        Member.objects.count(),
        MemberEvent.objects.count(),
        FieldChange.objects.count(),
    ) == before
    return info.value


class TestCreate:
    def test_it_creates_an_official_member_with_events_provenance_counters_and_audit(
        self, world: World
    ) -> None:
        before = _count(world.city.id)
        member = services.member_create(
            org=world.cell, data=person(20, full_name="  nguyễn   thị thuỷ "), source_ref="test"
        )
        assert member.status == "official"
        assert member.search_name == f"{world.cell.path} nguyen thi thuy"
        assert [e.kind for e in member.events.all()] == ["admitted", "recognised"]
        assert FieldChange.objects.get(member=member, field="*").source == "manual"
        assert _count(world.city.id) == before + 1
        assert _count(world.root.id, "status.official") >= 1
        assert AuditEvent.objects.filter(action="member.create", object_id=str(member.pk)).exists()

    def test_it_creates_a_probationary_member_without_official_date(self, world: World) -> None:
        member = services.member_create(org=world.cell, data=person(21, official_date=None))
        assert member.status == "probationary"

    def test_it_refuses_a_cccd_of_the_wrong_length(self, world: World) -> None:
        _refused("cccd", services.member_create, org=world.cell, data=person(22, cccd="07912345"))

    def test_it_refuses_a_cccd_whose_sex_digit_disagrees(self, world: World) -> None:
        data = person(22)
        data["sex"] = "F" if data["sex"] == "M" else "M"
        _refused("cccd", services.member_create, org=world.cell, data=data)

    def test_it_refuses_a_cccd_whose_year_disagrees(self, world: World) -> None:
        data = person(22)
        data["birth_date"] = date(1955, 1, 1)
        data["admission_date"] = date(1980, 1, 1)
        data["official_date"] = date(1981, 1, 1)
        _refused("cccd", services.member_create, org=world.cell, data=data)

    def test_it_refuses_a_duplicate_cccd(self, world: World) -> None:
        _refused(
            "cccd", services.member_create, org=world.cell, data=person(0, full_name="Người Khác")
        )

    def test_it_refuses_admission_before_eighteen(self, world: World) -> None:
        data = person(23)
        birth = data["birth_date"]
        assert isinstance(birth, date)
        data["admission_date"] = birth.replace(year=birth.year + 17)
        data["official_date"] = None
        _refused("admission_date", services.member_create, org=world.cell, data=data)

    def test_it_refuses_an_official_date_before_admission(self, world: World) -> None:
        data = person(24)
        data["official_date"] = data["admission_date"] - timedelta(days=1)  # type: ignore[operator]
        _refused("official_date", services.member_create, org=world.cell, data=data)

    def test_it_refuses_missing_required_fields(self, world: World) -> None:
        error = _refused("full_name", services.member_create, org=world.cell, data={"sex": "M"})
        assert {"cccd", "birth_date", "admission_date"} <= set(error.message_dict)

    def test_it_refuses_future_dates_and_bad_phone_and_email(self, world: World) -> None:
        future = timezone.localdate() + timedelta(days=3)
        error = _refused(
            "phone",
            services.member_create,
            org=world.cell,
            data=person(25, phone="12", email="x@", official_date=future),
        )
        assert "email" in error.message_dict and "official_date" in error.message_dict

    def test_it_refuses_an_organisation_that_holds_no_members(self, world: World) -> None:
        _refused("org", services.member_create, org=world.ward, data=person(26))


class TestUpdate:
    def test_it_records_old_and_new_value_with_provenance(self, world: World) -> None:
        member = world.members[1]
        services.member_update(
            member=member,
            changes={"phone": "0912 000 111", "residence": "Quận 1"},
            source="import",
            source_ref="batch 3 row 12",
        )
        change = FieldChange.objects.get(member=member, field="phone")
        assert (
            change.new_value == "+84912000111"
            and change.source == "import"
            and change.source_ref == "batch 3 row 12"
        )
        assert Member.objects.get(pk=member.pk).residence == "Quận 1"

    def test_it_moves_counters_when_sex_changes(self, world: World) -> None:
        member = world.members[1]
        other = "M" if member.sex == "F" else "F"
        before = _count(world.cell.id, f"sex.{other}")
        birth = member.birth_date
        cccd = member.cccd[:3] + str(int(member.cccd[3]) ^ 1) + member.cccd[4:]
        services.member_update(
            member=member, changes={"sex": other, "cccd": cccd, "birth_date": birth}
        )
        assert _count(world.cell.id, f"sex.{other}") == before + 1

    def test_a_whole_date_typed_over_a_partial_one_is_whole(self, world: World) -> None:
        member = world.members[1]
        Member.objects.filter(pk=member.pk).update(admission_date_precision="year")
        member.refresh_from_db()
        typed = member.admission_date - timedelta(days=1)
        services.member_update(member=member, changes={"admission_date": typed})
        member.refresh_from_db()
        assert (member.admission_date, member.admission_date_precision) == (typed, "day")

    def test_it_refuses_unknown_fields(self, world: World) -> None:
        with pytest.raises(ValidationError):
            services.member_update(member=world.members[1], changes={"status": "official"})

    def test_it_writes_nothing_when_nothing_changed(self, world: World) -> None:
        before = FieldChange.objects.count()
        services.member_update(member=world.members[1], changes={"ethnicity": "Kinh"})
        assert FieldChange.objects.count() == before


class TestEvents:
    def test_it_recognises_a_probationary_member(self, world: World) -> None:
        member = services.member_create(org=world.cell, data=person(30, official_date=None))
        on = member.admission_date + timedelta(days=366)
        services.member_recognise(member=member, on=on)
        member.refresh_from_db()
        assert member.status == "official" and member.official_date == on
        assert FieldChange.objects.filter(
            member=member, field="official_date", source="event"
        ).exists()

    def test_it_refuses_to_recognise_an_official_member(self, world: World) -> None:
        with pytest.raises(ValidationError) as info:
            services.member_recognise(member=world.members[1], on=timezone.localdate())
        assert "member" in info.value.message_dict

    def test_it_transfers_between_cells_and_moves_the_counters(self, world: World) -> None:
        before_ward, before_other = _count(world.ward.id), _count(world.other_ward.id)
        member = world.members[2]
        services.member_transfer(member=member, to_org=world.other_cell, on=timezone.localdate())
        member.refresh_from_db()
        assert member.org_id == world.other_cell.id
        assert (_count(world.ward.id), _count(world.other_ward.id)) == (
            before_ward - 1,
            before_other + 1,
        )
        assert [e.kind for e in member.events.order_by("id")][-2:] == [
            "transfer_out",
            "transfer_in",
        ]

    def test_it_records_a_temporary_transfer_and_its_return(self, world: World) -> None:
        member = world.members[2]
        services.member_transfer(
            member=member, to_org=world.other_cell, on=timezone.localdate(), temporary=True
        )
        member.refresh_from_db()
        assert member.org_id == world.cell.id and member.temporary_org_id == world.other_cell.id
        services.member_transfer(
            member=member, to_org=world.cell, on=timezone.localdate(), temporary=True
        )
        member.refresh_from_db()
        assert member.temporary_org_id is None

    def test_it_refuses_to_transfer_to_the_same_cell(self, world: World) -> None:
        with pytest.raises(ValidationError) as info:
            services.member_transfer(
                member=world.members[2], to_org=world.cell, on=timezone.localdate()
            )
        assert "to_org" in info.value.message_dict

    def test_it_refuses_to_transfer_a_deceased_member(self, world: World) -> None:
        member = world.members[3]
        services.member_exit(member=member, kind="died", on=timezone.localdate())
        member.refresh_from_db()
        assert member.status == "deceased"
        with pytest.raises(ValidationError) as info:
            services.member_transfer(
                member=member, to_org=world.other_cell, on=timezone.localdate()
            )
        assert "member" in info.value.message_dict

    def test_exits_leave_the_counters(self, world: World) -> None:
        before = _count(world.root.id)
        services.member_exit(
            member=world.members[3], kind="expelled", on=timezone.localdate(), note="QĐ 12-QĐ/ĐU"
        )
        assert _count(world.root.id) == before - 1

    def test_removal_needs_a_decision(self, world: World) -> None:
        with pytest.raises(ValidationError) as info:
            services.member_exit(member=world.members[3], kind="removed", on=timezone.localdate())
        assert "note" in info.value.message_dict

    def test_exemption_is_counted_and_ended(self, world: World) -> None:
        member = world.members[1]
        services.member_exempt(member=member, on=timezone.localdate())
        assert _count(world.cell.id, "exempt") == 1
        services.member_exempt(member=member, on=timezone.localdate(), end=True)
        assert _count(world.cell.id, "exempt") == 0

    def test_it_issues_and_reissues_a_card(self, world: World) -> None:
        member = world.members[1]
        services.member_issue_card(member=member, card_number="12345678", on=timezone.localdate())
        services.member_issue_card(
            member=member, card_number="12345679", on=timezone.localdate(), reissue=True
        )
        member.refresh_from_db()
        assert member.card_number == "12345679"

    @pytest.mark.parametrize("number", ["1234567", "abcdefgh", "123456789", ""])
    def test_it_refuses_a_card_number_that_is_not_eight_digits(
        self, world: World, number: str
    ) -> None:
        with pytest.raises(ValidationError) as info:
            services.member_issue_card(
                member=world.members[1], card_number=number, on=timezone.localdate()
            )
        assert "card_number" in info.value.message_dict

    def test_it_refuses_a_card_number_already_issued(self, world: World) -> None:
        services.member_issue_card(
            member=world.members[1], card_number="22222222", on=timezone.localdate()
        )
        with pytest.raises(ValidationError) as info:
            services.member_issue_card(
                member=world.members[2], card_number="22222222", on=timezone.localdate()
            )
        assert "card_number" in info.value.message_dict

    def test_it_refuses_a_card_for_a_probationary_member(self, world: World) -> None:
        member = services.member_create(org=world.cell, data=person(31, official_date=None))
        with pytest.raises(ValidationError) as info:
            services.member_issue_card(
                member=member, card_number="33333333", on=timezone.localdate()
            )
        assert "card_number" in info.value.message_dict

    def test_it_refuses_an_event_before_admission_or_in_the_future(self, world: World) -> None:
        member = world.members[1]
        for on in (
            member.admission_date - timedelta(days=1),
            timezone.localdate() + timedelta(days=1),
        ):
            with pytest.raises(ValidationError) as info:
                services.member_exempt(member=member, on=on)
            assert "on" in info.value.message_dict

    def test_it_awards_a_badge_only_after_enough_years(self, world: World) -> None:
        member = world.members[1]
        years = timezone.localdate().year - member.admission_date.year
        allowed = max(y for y in services.BADGE_YEARS if y <= years) if years >= 30 else None
        too_many = min(y for y in services.BADGE_YEARS if y > years)
        with pytest.raises(ValidationError):
            services.member_award_badge(member=member, years=too_many, on=timezone.localdate())
        if allowed:
            services.member_award_badge(member=member, years=allowed, on=timezone.localdate())
            member.refresh_from_db()
            assert str(allowed) in member.badge

    def test_it_rates_and_disciplines(self, world: World) -> None:
        member = world.members[1]
        services.member_rate(
            member=member, year=timezone.localdate().year, rating=services.RATINGS[0]
        )
        services.member_discipline(
            member=member, form="Khiển trách", on=timezone.localdate(), note="QĐ 1"
        )
        kinds = set(member.events.values_list("kind", flat=True))
        assert {"rated", "disciplined"} <= kinds
        with pytest.raises(ValidationError):
            services.member_rate(member=member, year=1900, rating=services.RATINGS[0])
        with pytest.raises(ValidationError):
            services.member_discipline(
                member=member, form="Tử hình", on=timezone.localdate(), note="x"
            )


def test_typed_and_imported_records_agree_on_admission_before_18(world: World) -> None:
    """Both validators read the same rule: an error on import is an error typed in."""
    from datetime import date

    from lib.cleaning.rules import RULES

    assert RULES["dates.admission_under_18"].severity == "error"
    with pytest.raises(ValidationError) as info:
        services.member_create(
            org=world.cell,
            data=person(50, birth_date=date(1990, 1, 1), admission_date=date(2007, 6, 1)),
        )
    assert "admission_date" in info.value.message_dict
    assert "18" in info.value.message_dict["admission_date"][0]
