"""My record (own only, audited, error reports) and adoption per unit (counters, thresholds,
the list of members not yet activated)."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from core.tick import tick
from corrections.models import Request
from handbook import adoption
from handbook.counting import ACTIVATED, INSTALLED, reconcile
from handbook.models import MemberActivity
from handbook.services import member_seen
from members.services import member_update
from orgs.rollups import counts_of, rollups_rebuild

pytestmark = pytest.mark.django_db


def test_my_record_shows_the_summary_and_is_audited(world):
    member = world.members[0]
    response = world.client("member").get(reverse("handbook:me"))
    text = response.content.decode()
    assert response.status_code == 200
    assert member.full_name in text and member.cccd in text and world.cell.name in text
    assert member.birth_date.strftime("%d/%m/%Y") in text
    assert AuditEvent.objects.filter(
        action="member.view.handbook", object_id=str(member.pk), actor=world.users["member"]
    ).exists()


def test_my_record_is_never_someone_elses(world):
    # An official without a record of their own has no "my record".
    assert world.client("ward").get(reverse("handbook:me")).status_code == 404
    page = world.client("member").get(reverse("handbook:me")).content.decode()
    for other in world.members[1:]:
        assert other.cccd not in page


def test_an_error_report_is_a_correction_request_shown_as_sent(world):
    client = world.client("member")
    page = client.get(reverse("handbook:me")).content.decode()
    # "Báo lỗi" on a row files a correction request (corrections:mine_new).
    assert reverse("corrections:mine_new") in page
    empty = client.post(
        reverse("corrections:mine_new"), {"field": "phone", "proposed_value": " ", "reason": "x"}
    )
    assert empty.status_code == 200 and "Hãy nhập giá trị đúng" in empty.content.decode()
    assert not Request.objects.exists()
    response = client.post(
        reverse("corrections:mine_new"),
        {"field": "phone", "proposed_value": "0912 345 678", "reason": "Số mới"},
    )
    assert response.status_code == 302
    request = Request.objects.get()
    assert (request.member, request.field, request.current_value) == (
        world.members[0],
        "phone",
        world.members[0].phone,
    )
    page = client.get(reverse("handbook:me")).content.decode()
    assert "Đang đính chính" in page and "+84912345678" in page
    # The cell is not corrected by request: its row says whom to tell.
    client.post(
        reverse("corrections:mine_new"), {"field": "org", "proposed_value": "x", "reason": "x"}
    )
    assert Request.objects.count() == 1
    assert "hãy báo bí thư chi bộ" in page


def test_activation_counts_per_unit_and_thresholds(world, settings):
    settings.PARTYORG_ADOPTION_LOW = 50
    settings.PARTYORG_ADOPTION_HIGH = 80
    # Three of the four members of the cell log in; one has it installed.
    for index, member in enumerate(world.members[:3]):
        user = world.users["member"] if index == 0 else None
        if user is None:
            from accounts.models import User

            user = User.objects.create_user(username=f"m{index}", password="x" * 12)
            user.member = member
            user.save(update_fields=["member"])
        member_seen(user=user, installed=index == 0)
    tick()
    counts = counts_of([world.cell.pk, world.ward.pk, world.other_ward.pk])
    assert counts[world.cell.pk][ACTIVATED] == 3
    assert counts[world.ward.pk][ACTIVATED] == 3
    assert counts[world.ward.pk][INSTALLED] == 1
    assert ACTIVATED not in counts[world.other_ward.pk]
    own, children = adoption.shares(world.city)
    assert (own.done, own.eligible) == (3, 5)
    limits = adoption.thresholds(children)
    # Sài Gòn 3/4 = 75 % (above 50, below 80); Tân Định 0/1.
    assert (limits.units, limits.above_low, limits.at_high) == (2, 1, 0)
    page = world.client("city").get(reverse("handbook:adoption", args=[world.city.code]))
    text = page.content.decode()
    assert "60%" in text and "75%" in text
    assert "1 trên 2 đơn vị trên 50%" in text
    # A rebuild from the data agrees.
    rollups_rebuild()
    assert counts_of([world.ward.pk])[world.ward.pk][ACTIVATED] == 3


def test_exempted_members_do_not_count_and_reconcile_follows_changes(world):
    member = world.members[0]
    member_seen(user=world.users["member"])
    tick()
    assert counts_of([world.cell.pk])[world.cell.pk][ACTIVATED] == 1
    from members.models import Member

    Member.objects.filter(pk=member.pk).update(exempt=True)
    assert reconcile() == 1
    tick()
    assert counts_of([world.cell.pk])[world.cell.pk].get(ACTIVATED, 0) == 0
    assert MemberActivity.objects.get().counted_org is None
    Member.objects.filter(pk=member.pk).update(exempt=False)
    assert reconcile() == 1
    tick()
    assert counts_of([world.cell.pk])[world.cell.pk][ACTIVATED] == 1
    member_update(member=Member.objects.get(pk=member.pk), changes={"residence": "Quận 1"})
    assert reconcile() == 0


def test_not_activated_list_is_scoped_and_masked(world):
    member_seen(user=world.users["member"])
    url = reverse("handbook:not_activated", args=[world.ward.code])
    viewer_page = world.client("viewer").get(url).content.decode()
    assert world.members[0].full_name not in viewer_page  # activated
    for member in world.members[1:]:
        assert member.cccd not in viewer_page  # masked for a viewer
        assert member.cccd[:3] + "*******" + member.cccd[-2:] in viewer_page
    assert world.stranger.full_name not in viewer_page
    editor_page = world.client("ward").get(url).content.decode()
    assert world.members[1].cccd in editor_page
    # Not for a member, nor for another ward's organisation.
    assert world.client("member").get(url).status_code == 404
    other = reverse("handbook:not_activated", args=[world.other_ward.code])
    assert world.client("viewer").get(other).status_code == 404
    assert AuditEvent.objects.filter(action="member.list", actor=world.users["viewer"]).exists()


def test_adoption_page_live_fragment(world):
    url = reverse("handbook:adoption", args=[world.ward.code])
    response = world.client("ward").get(url, {"live": "1"})
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
