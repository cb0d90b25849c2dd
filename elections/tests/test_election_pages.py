"""Congress day's pages through HTTP: the list and the desk check-in, the door's QR check-in,
an election from its candidates to the monitor, the two counters' screens, and the PDFs."""

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from conftest import World
from congresses.models import Person
from elections import services
from elections.models import Ballot, Election
from lib.checkin import code_for, window_of

from .helpers import cell_congress, roll_with_present


@pytest.fixture
def congress(world: World):
    return cell_congress(world)


def _day(congress) -> str:
    return reverse("elections:day", args=[congress.term_id, congress.org.code])


def test_the_secretary_opens_the_list_and_checks_people_in_at_the_desk(
    world: World, congress
) -> None:
    client = world.client("secretary")
    client.post(_day(congress), {"action": "open"})
    member = world.members[2]
    response = client.post(_day(congress), {"action": "checkin", "member": member.pk}, follow=True)
    page = response.content.decode()
    assert f"{member.full_name} đã điểm danh." in page
    live = client.get(_day(congress) + "?live=1").content.decode()
    assert 'id="present">1<' in live and 'id="summoned">11<' in live
    assert AuditEvent.objects.filter(action="election.voters_viewed").exists()


def test_someone_not_on_the_list_is_refused_at_the_desk(world: World, congress) -> None:
    client = world.client("secretary")
    client.post(_day(congress), {"action": "open"})
    response = client.post(
        _day(congress), {"action": "checkin", "member": world.stranger.pk}, follow=True
    )
    assert "không có tên trong danh sách" in response.content.decode()


def test_a_delegate_checks_in_by_the_door_code(world: World, congress) -> None:
    roll = services.roll_open(congress=congress, by=world.users["secretary"])
    door = world.client("secretary").get(
        reverse("elections:door", args=[congress.term_id, congress.org.code])
    )
    assert door.status_code == 200 and b"<svg" in door.content
    code = code_for(services.checkin_key(roll), roll.pk, window_of(timezone.now().timestamp()))
    url = reverse("elections:checkin", args=[roll.pk])
    response = world.client("member").post(url, {"c": code})
    assert response.status_code == 200 and "đã điểm danh lúc" in response.content.decode()
    again = world.client("member").post(url, {"c": code})
    assert again.status_code == 400 and "không cần điểm danh lại" in again.content.decode()
    # Someone not on the list does not even find the door.
    assert world.client("outsider").get(url).status_code == 404


def _open_election(world: World, congress) -> Election:
    client = world.client("secretary")
    client.post(_day(congress), {"action": "election", "kind": "committee", "seats": "4"})
    election = Election.objects.get(congress=congress)
    page = reverse("elections:election", args=[election.pk])
    over = client.post(
        page,
        {"action": "candidates", "member": [m.pk for m in world.members[:6]]},
        follow=True,
    )
    assert "vượt số dư tối đa 30%" in over.content.decode()
    client.post(page, {"action": "candidates", "member": [m.pk for m in world.members[:5]]})
    client.post(page, {"action": "start", "ballots_issued": "10"})
    election.refresh_from_db()
    assert election.status == Election.Status.COUNTING
    return election


def test_an_election_goes_from_its_candidates_to_the_congress_monitor(
    world: World, congress
) -> None:
    roll_with_present(world, congress, 10)
    election = _open_election(world, congress)
    ids = [c.pk for c in election.candidates.all()]
    first, second = world.client("secretary"), world.client("ward")
    enter = reverse("elections:enter", args=[election.pk])
    verify = reverse("elections:verify", args=[election.pk])
    for n in range(1, 11):
        kept = ids[:4] if n <= 6 else ids[1:]
        assert first.post(enter, {"number": n, "kept": kept}).status_code == 302
    twice = first.post(enter, {"number": 1, "kept": ids[:1]})
    assert twice.status_code == 400 and "Phiếu số 1 đã được nhập" in twice.content.decode()
    # The second counter sees what is left to verify, never what the first one read.
    screen = second.get(verify).content.decode()
    assert 'id="to-verify">1, 2, 3' in screen
    for n in range(1, 10):
        kept = ids[:4] if n <= 6 else ids[1:]
        second.post(verify, {"number": n, "kept": kept})
    # Ballot 10 read otherwise: held as a difference, the tally will not close.
    response = second.post(verify, {"number": 10, "kept": ids[:4]}, follow=True)
    assert "hai lần nhập không khớp" in response.content.decode()
    page = reverse("elections:election", args=[election.pk])
    refused = first.post(page, {"action": "close"}, follow=True).content.decode()
    assert "chưa đối chiếu hoặc còn chênh lệch (số 10)" in refused
    second.post(
        verify,
        {"action": "resolve", "number": 10, "kept": ids[1:], "note": "Cả ban xem lại phiếu"},
    )
    assert Ballot.objects.get(election=election, number=10).status == Ballot.Status.RESOLVED
    first.post(page, {"action": "close"})
    shown = first.get(page).content.decode()
    # 6 of a base of 11 (not of the 10 present): 54,55 %, elected.
    assert "Trúng cử" in shown and "6 · 54,55%" in shown
    minutes = first.get(reverse("elections:minutes_pdf", args=[election.pk]))
    assert minutes.status_code == 200 and minutes.content.startswith(b"%PDF")
    first.post(page, {"action": "send"})
    assert Person.objects.filter(congress=congress, body=Person.Body.COMMITTEE).count() == 4
    again = first.post(page, {"action": "send"}, follow=True).content.decode()
    assert "không sửa được nữa" in again


def test_the_ballots_print_with_their_numbers(world: World, congress) -> None:
    roll_with_present(world, congress, 10)
    election = _open_election(world, congress)
    response = world.client("secretary").get(reverse("elections:ballots_pdf", args=[election.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    from elections.reports import ballots_html

    html = ballots_html(election)
    assert "Số: 10" in html and "Số: 11" not in html
    assert world.members[0].full_name.upper() in html


def test_a_viewer_reads_an_election_but_cannot_count(world: World, congress) -> None:
    roll_with_present(world, congress, 10)
    election = _open_election(world, congress)
    viewer = world.client("viewer")
    assert viewer.get(reverse("elections:election", args=[election.pk])).status_code == 200
    assert viewer.get(reverse("elections:enter", args=[election.pk])).status_code == 404
    page = reverse("elections:election", args=[election.pk])
    assert viewer.post(page, {"action": "close"}).status_code == 404


def test_the_congress_page_links_to_its_day(world: World, congress) -> None:
    page = world.client("viewer").get(
        reverse("congresses:congress", args=[congress.term_id, congress.org.code])
    )
    assert f'href="{_day(congress)}"' in page.content.decode()


def test_an_election_number_out_of_range_is_a_404(world: World) -> None:
    url = reverse("elections:election", args=[2**63])
    assert world.client("ward").get(url).status_code == 404


def test_a_tie_at_the_last_seat_goes_to_a_next_round_from_the_page(world: World, congress) -> None:
    from .helpers import counted

    roll_with_present(world, congress, 10)
    election = _open_election(world, congress)
    a, b, c, d, e = [x.pk for x in election.candidates.all()]
    counted(world, election, [[a, b, c, d]] * 4 + [[a, b, c, e]] * 4 + [[a, b, d, e]] * 2)
    client = world.client("secretary")
    page = reverse("elections:election", args=[election.pk])
    client.post(page, {"action": "close"})
    shown = client.get(page).content.decode()
    assert shown.count("Bằng phiếu: bầu lại") == 2 and 'id="second-form"' in shown
    from elections.reports import minutes_html

    minutes = minutes_html(Election.objects.get(pk=election.pk))
    assert "Bằng phiếu ở vị trí cuối: bầu lại" in minutes
    assert "Còn 1 vị trí chưa bầu đủ" in minutes
    tied = [m.pk for m in world.members[3:5]]
    response = client.post(page, {"action": "second", "member": tied}, follow=True)
    following = Election.objects.get(previous=election)
    assert response.redirect_chain[-1][0] == reverse("elections:election", args=[following.pk])
    assert (following.round, following.seats, following.candidates.count()) == (2, 1, 2)
    again = client.post(page, {"action": "second", "member": tied}, follow=True)
    assert "Lần bầu tiếp theo đã được mở rồi." in again.content.decode()
    assert Election.objects.filter(congress=congress).count() == 2


def test_the_tally_names_each_invalid_ballot_and_why(world: World, congress) -> None:
    from .helpers import counted

    roll_with_present(world, congress, 10)
    election = _open_election(world, congress)
    ids = [x.pk for x in election.candidates.all()]
    counted(world, election, [ids] + [ids[:4]] * 9)
    client = world.client("secretary")
    page = reverse("elections:election", args=[election.pk])
    client.post(page, {"action": "close"})
    shown = client.get(page).content.decode()
    assert "Phiếu số 1: để lại nhiều tên hơn số lượng cần bầu" in shown


def test_a_members_door_check_in_is_in_the_handbooks_layout(world: World, congress) -> None:
    roll = services.roll_open(congress=congress, by=world.users["secretary"])
    code = code_for(services.checkin_key(roll), roll.pk, window_of(timezone.now().timestamp()))
    url = reverse("elections:checkin", args=[roll.pk]) + f"?c={code}"
    page = world.client("member").get(url).content.decode()
    assert 'class="hb"' in page and "handbook/handbook.css" in page
    assert "bootstrap" not in page.lower() and 'id="checkin-button"' in page
    done = world.client("member").post(url, {"c": code}).content.decode()
    assert 'class="hb"' in done and 'id="done"' in done
