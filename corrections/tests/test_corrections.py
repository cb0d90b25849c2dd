"""Correction requests through their services: filing, the climb, the decision and its write to
the record; every bad input refused with a clear message and nothing changed."""

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from conftest import World, person, png
from core.tick import tick
from corrections.models import Action, Request, Status, Step
from corrections.selectors import queue_counts, requests_visible_to
from corrections.services import (
    attachments_purge,
    request_act,
    request_answer,
    request_file,
    requests_mark_overdue,
)
from members.models import FieldChange, Member
from members.services import member_create
from notices.models import Notification
from orgs.rollups import rollups_rebuild

pytestmark = pytest.mark.django_db

PNG = png()
PDF = b"%PDF-1.4\n%%EOF\n"


def _photo(name: str = "giay-khai-sinh.png", data: bytes = PNG) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/png")


def _birth_request(world: World, **kwargs: object) -> Request:
    member = world.members[0]
    right = date(member.birth_date.year, member.birth_date.month, 2 + member.birth_date.day % 20)
    return request_file(
        member=member,
        field="birth_date",
        proposed=right.strftime("%d/%m/%Y"),
        reason="Giấy khai sinh ghi ngày khác",
        by=world.users["member"],
        **kwargs,  # type: ignore[arg-type]
    )


def _counts(org):
    tick()
    return queue_counts(org)


def test_it_climbs_to_the_competent_level_and_changes_the_record(world: World) -> None:
    request = _birth_request(world, attachment=_photo())
    assert request.org == world.cell and request.status == Status.REVIEW
    assert request.has_attachment
    assert _counts(world.ward)["review"] == 1
    request = request_act(request=request, action=Action.FORWARDED, by=world.users["secretary"])
    assert request.org == world.grassroots
    request = request_act(request=request, action=Action.FORWARDED, by=world.users["ward"])
    assert request.org == world.ward
    request = request_act(
        request=request, action=Action.ASKED, by=world.users["ward"], note="Gửi ảnh rõ hơn"
    )
    assert request.status == Status.WAITING
    assert _counts(world.city)["waiting"] == 1
    request = request_answer(request=request, note="Đã chụp lại", by=world.users["member"])
    assert request.status == Status.REVIEW
    request = request_act(request=request, action=Action.FORWARDED, by=world.users["ward"])
    assert request.org == world.city
    request = request_act(request=request, action=Action.APPROVED, by=world.users["city"])
    assert request.status == Status.APPROVED
    member = Member.objects.get(pk=world.members[0].pk)
    assert member.birth_date.strftime("%d/%m/%Y") == request.proposed_value
    change = FieldChange.objects.filter(member=member, field="birth_date").get()
    assert change.source == "correction" and change.source_ref == f"correction {request.pk}"
    assert [s.action for s in Step.objects.filter(request=request)] == [
        "filed",
        "forwarded",
        "forwarded",
        "asked",
        "answered",
        "forwarded",
        "approved",
    ]
    counts = _counts(world.city)
    assert (counts["review"], counts["waiting"], counts["opened"], counts["decided"]) == (
        0,
        0,
        1,
        1,
    )
    assert Notification.objects.filter(recipient=world.users["member"]).count() == 7
    # Counters kept live agree with a rebuild from the data.
    before = _counts(world.root)
    rollups_rebuild()
    assert queue_counts(world.root) == before


def test_it_refuses_a_field_the_member_may_not_change(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        request_file(
            member=world.members[0],
            field="religion",
            proposed="Phật giáo",
            reason="sai",
            by=world.users["member"],
        )
    assert "không đính chính qua yêu cầu" in str(error.value)
    assert not Request.objects.exists()


def test_it_refuses_a_value_that_fails_the_record_rules(world: World) -> None:
    member = world.members[0]
    with pytest.raises(ValidationError) as error:
        # A birth date after the admission date breaks "dates in order".
        request_file(
            member=member,
            field="birth_date",
            proposed=member.admission_date.strftime("%d/%m/%Y"),
            reason="sai",
            by=world.users["member"],
        )
    assert error.value.message_dict["proposed_value"]
    with pytest.raises(ValidationError) as error:
        request_file(
            member=member, field="cccd", proposed="079123", reason="sai", by=world.users["member"]
        )
    assert "12" in " ".join(error.value.message_dict["proposed_value"])
    with pytest.raises(ValidationError) as error:
        request_file(
            member=member, field="phone", proposed="12ab", reason="sai", by=world.users["member"]
        )
    assert "điện thoại" in " ".join(error.value.message_dict["proposed_value"])
    assert not Request.objects.exists()


def test_it_refuses_a_card_number_already_issued(world: World) -> None:
    from members.services import member_issue_card

    member_issue_card(member=world.members[1], card_number="12345678", on=date(2020, 1, 1))
    with pytest.raises(ValidationError) as error:
        request_file(
            member=world.members[0],
            field="card_number",
            proposed="12345678",
            reason="thẻ mới",
            by=world.users["member"],
        )
    assert "đã cấp cho đảng viên khác" in str(error.value)


def test_it_refuses_an_approval_by_a_level_that_is_not_competent(world: World) -> None:
    request = _birth_request(world)
    request_act(request=request, action=Action.FORWARDED, by=world.users["secretary"])
    request_act(request=request, action=Action.FORWARDED, by=world.users["ward"])
    with pytest.raises(ValidationError) as error:
        request_act(request=request, action=Action.APPROVED, by=world.users["ward"])
    assert "không có thẩm quyền" in str(error.value)
    request.refresh_from_db()
    assert request.status == Status.REVIEW and request.org == world.ward
    assert not FieldChange.objects.filter(field="birth_date").exists()


def test_it_refuses_steps_by_officials_outside_the_subtree(world: World) -> None:
    from access.models import Grant, Role
    from accounts.models import User

    other = User.objects.create_user(username="other-ward")
    Grant.objects.create(
        user=other, org=world.other_ward, role=Role.ADMIN, granted_at=timezone.now()
    )
    request = _birth_request(world)
    for by in (other, world.users["viewer"], world.users["member"], world.users["outsider"]):
        with pytest.raises(ValidationError) as error:
            request_act(request=request, action=Action.FORWARDED, by=by)
        assert "không có quyền" in str(error.value)
    assert not requests_visible_to(other).exists()
    assert list(requests_visible_to(world.users["member"])) == [request]
    # A secretary forwards but does not decide.
    with pytest.raises(ValidationError):
        request_act(request=request, action=Action.REJECTED, by=world.users["secretary"], note="x")
    request.refresh_from_db()
    assert request.org == world.cell and request.status == Status.REVIEW


def test_a_phone_is_approved_by_the_cell_level(world: World) -> None:
    request = request_file(
        member=world.members[0],
        field="phone",
        proposed="0912 345 678",
        reason="Đổi số",
        by=world.users["member"],
    )
    request_act(request=request, action=Action.APPROVED, by=world.users["approver"])
    assert Member.objects.get(pk=world.members[0].pk).phone == "+84912345678"


def test_a_rejection_carries_its_reason_to_the_member(world: World) -> None:
    request = _birth_request(world)
    with pytest.raises(ValidationError):
        request_act(request=request, action=Action.REJECTED, by=world.users["approver"])
    request_act(
        request=request, action=Action.REJECTED, by=world.users["approver"], note="Không có căn cứ"
    )
    request.refresh_from_db()
    assert request.status == Status.REJECTED
    note = Notification.objects.filter(recipient=world.users["member"]).latest("id")
    assert "Không có căn cứ" in note.body
    with pytest.raises(ValidationError) as error:
        request_act(request=request, action=Action.APPROVED, by=world.users["city"])
    assert "không còn chờ" in str(error.value)


def test_an_approval_that_breaks_a_rule_now_is_refused_with_the_rule(world: World) -> None:
    request = request_file(
        member=world.members[0],
        field="cccd",
        proposed="079060100777",  # member 0: a man born in 1960
        reason="CCCD mới",
        by=world.users["member"],
    )
    # Meanwhile someone else is recorded with that number.
    member_create(
        org=world.cell,
        data=person(
            60,
            cccd=request.proposed_value,
            sex=world.members[0].sex,
            birth_date=world.members[0].birth_date,
        ),
    )
    for by in ("secretary", "ward", "ward"):
        request = request_act(request=request, action=Action.FORWARDED, by=world.users[by])
    with pytest.raises(ValidationError) as error:
        request_act(request=request, action=Action.APPROVED, by=world.users["city"])
    assert "Không duyệt được" in str(error.value) and "đã có trong hệ thống" in str(error.value)
    request.refresh_from_db()
    assert request.status == Status.REVIEW


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("virus.exe", b"MZ" + b"\x00" * 10, "chỉ nhận ảnh"),
        ("anh.png", b"%PDF-1.4 not a png", "không đúng"),
        ("to.pdf", b"%PDF-1.4\n" + b"0" * (10 << 20), "lớn hơn 10 MB"),
    ],
)
def test_it_refuses_an_attachment_that_is_not_a_photo_or_pdf_or_too_large(
    world: World, name: str, data: bytes, words: str
) -> None:
    with pytest.raises(ValidationError) as error:
        _birth_request(world, attachment=SimpleUploadedFile(name, data))
    assert words in " ".join(error.value.message_dict["attachment"])
    assert not Request.objects.exists()


def test_it_flags_overdue_requests_and_purges_attachments_after_close(
    world: World, django_capture_on_commit_callbacks
) -> None:
    request = _birth_request(world, attachment=_photo("scan.pdf", PDF))
    assert requests_mark_overdue(today=date(2100, 1, 1)) == 1
    assert _counts(world.ward)["overdue"] == 1
    request_act(request=request, action=Action.REJECTED, by=world.users["approver"], note="Sai")
    assert _counts(world.ward)["overdue"] == 0
    stored = Path(settings.MEDIA_ROOT) / request.attachment_path
    assert stored.exists() and PDF not in stored.read_bytes()  # encrypted at rest
    assert attachments_purge(now=timezone.now()) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert attachments_purge(now=timezone.now() + timedelta(days=31)) == 1
    request.refresh_from_db()
    assert not request.has_attachment and not stored.exists()


def test_an_official_files_for_a_member_of_the_subtree_only(world: World) -> None:
    request = request_file(
        member=world.members[1],
        field="email",
        proposed="an@example.vn",
        reason="Bổ sung",
        by=world.users["secretary"],
    )
    assert request.filed_by == world.users["secretary"]
    with pytest.raises(ValidationError):
        request_file(
            member=world.stranger,
            field="email",
            proposed="x@example.vn",
            reason="x",
            by=world.users["secretary"],
        )
    with pytest.raises(ValidationError):
        request_file(
            member=world.members[1],
            field="email",
            proposed="x@example.vn",
            reason="x",
            by=world.users["member"],
        )
    assert Request.objects.count() == 1


def test_it_refuses_a_second_open_request_on_the_same_field(world: World) -> None:
    _birth_request(world)
    with pytest.raises(ValidationError) as error:
        _birth_request(world)
    assert "đang có một yêu cầu" in str(error.value)


def test_an_approved_name_reaches_search_and_the_change_feed(world: World) -> None:
    from audit.services import audit_seal
    from members.feed import changes_after
    from members.record import columns_drift

    member = world.members[0]
    request = request_file(
        member=member,
        field="full_name",
        proposed="nguyễn  văn anh",
        reason="Căn cước ghi Nguyễn Văn Anh",
        by=world.users["member"],
    )
    assert request.proposed_value == "Nguyễn Văn Anh"  # standardised as every write is
    audit_seal()
    _changes, cursor = changes_after(cursor=0, roots=[world.city.path])
    for by in ("secretary", "ward", "ward"):
        request = request_act(request=request, action=Action.FORWARDED, by=world.users[by])
    request_act(request=request, action=Action.APPROVED, by=world.users["city"])
    audit_seal()
    changes, _cursor = changes_after(cursor=cursor, roots=[world.city.path])
    assert [c.action for c in changes] == ["member.update"]
    assert changes[0].member is not None and changes[0].member.full_name == "Nguyễn Văn Anh"
    assert columns_drift() == []


def test_the_officials_of_the_level_a_request_reaches_are_told(world: World) -> None:
    request = _birth_request(world)
    secretary = Notification.objects.filter(recipient=world.users["secretary"])
    assert [n.title for n in secretary] == ["Yêu cầu đính chính cần xử lý: Ngày sinh"]
    assert not Notification.objects.filter(recipient=world.users["ward"]).exists()
    request_act(request=request, action=Action.FORWARDED, by=world.users["secretary"])
    request_act(request=request, action=Action.FORWARDED, by=world.users["ward"])
    ward = Notification.objects.filter(recipient=world.users["ward"])
    assert ward.count() == 1 and ward.get().url.endswith(f"/dinh-chinh/{request.pk}/")
    assert Notification.objects.filter(recipient=world.users["approver"]).count() == 1


def test_the_worker_flags_overdue_requests_and_purges_attachments() -> None:
    from core.periodic import _JOBS

    assert _JOBS["corrections.overdue"].func is requests_mark_overdue
    assert _JOBS["corrections.purge"].func is attachments_purge
