"""Difficulties reported up: the province's desk answers, asks for more or escalates to the
centre; each step has its deadline, and the reporter is told at every step."""

import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from conftest import World
from notices.models import Notification
from rollout import services
from rollout.models import Difficulty, FaqEntry
from rollout.selectors import faq_visible_to, queue_counts


def png(size: tuple[int, int] = (40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def report(world: World, **kwargs) -> Difficulty:
    return services.difficulty_report(
        by=world.users["secretary"],
        doing=kwargs.get("doing", "Nhập kết quả đại hội chi bộ"),
        description=kwargs.get("description", "Không thấy nút Lưu trên điện thoại."),
        page_url="/congresses/",
        screenshot=kwargs.get("screenshot"),
    )


def told(world: World, persona: str) -> int:
    return Notification.objects.filter(recipient=world.users[persona]).count()


def test_a_difficulty_climbs_from_the_province_to_the_centre(world: World) -> None:
    d = report(world, screenshot=png())
    assert d.desk == world.city and d.org == world.cell and d.status == "open"
    assert d.screenshot_type == "image/png"
    assert d.due_at > timezone.now() + timedelta(days=1)
    assert told(world, "secretary") == 1 and told(world, "city") == 1
    assert queue_counts(world.city)["open"] == 1

    services.difficulty_ask(by=world.users["city"], difficulty=d, text="Máy gì, trình duyệt gì?")
    assert d.status == "asked" and told(world, "secretary") == 2
    services.difficulty_reply(by=world.users["secretary"], difficulty=d, text="Điện thoại Android.")
    assert d.status == "open"
    services.difficulty_escalate(by=world.users["city"], difficulty=d, text="Lỗi chung, xin TW.")
    assert d.desk == world.root and d.status == "escalated" and d.escalated
    assert told(world, "secretary") == 4 and told(world, "central") >= 1
    assert queue_counts(world.root)["escalated"] == 1
    # The province's desk no longer answers it; the centre does.
    with pytest.raises(ValidationError):
        services.difficulty_answer(by=world.users["city"], difficulty=d, text="x")
    services.difficulty_answer(by=world.users["central"], difficulty=d, text="Đã sửa, tải lại.")
    assert d.status == "answered" and told(world, "secretary") == 5
    assert [s.kind for s in d.steps.all()] == ["report", "ask", "reply", "escalate", "answer"]

    services.faq_publish(
        by=world.users["central"], difficulty=d, question="Không thấy nút Lưu", answer="Tải lại."
    )
    # Every level below finds it, with or without diacritics.
    assert list(faq_visible_to(world.users["viewer"], "khong thay nut luu")) == [d.faq]
    assert list(faq_visible_to(world.users["viewer"], "Không thấy")) == [d.faq]
    assert not faq_visible_to(world.users["member"]).exists()


def test_overdue_steps_are_counted(world: World) -> None:
    d = report(world)
    Difficulty.objects.filter(pk=d.pk).update(due_at=timezone.now() - timedelta(hours=1))
    assert queue_counts(world.city)["overdue"] == 1
    assert queue_counts(world.root)["overdue"] == 1


@pytest.mark.parametrize(
    "data",
    [b"GIF89a" + b"\x00" * 20, b"%PDF-1.4 not an image", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50],
)
def test_a_screenshot_that_is_not_an_image_is_refused(world: World, data: bytes) -> None:
    with pytest.raises(ValidationError) as error:
        report(world, screenshot=data)
    assert "screenshot" in error.value.message_dict
    assert not Difficulty.objects.exists()


def test_a_refused_screenshot_says_why_in_the_page_language(world: World) -> None:
    from django.utils import translation

    with pytest.raises(ValidationError) as error:
        report(world, screenshot=b"\x89PNG\r\n\x1a\n" + b"\x00" * 50)
    assert error.value.message_dict["screenshot"] == [
        "Ảnh chụp màn hình: tệp bị hỏng, không đọc được."
    ]
    with translation.override("en"), pytest.raises(ValidationError) as error:
        report(world, screenshot=b"GIF89a" + b"\x00" * 20)
    assert error.value.message_dict["screenshot"] == [
        "Screenshot: only PNG, JPEG or WebP files are accepted."
    ]


def test_a_screenshot_over_5_mb_is_refused(world: World) -> None:
    big = png() + b"\x00" * (5 * 1024 * 1024)
    with pytest.raises(ValidationError) as error:
        report(world, screenshot=big)
    assert "5 MB" in error.value.message_dict["screenshot"][0]
    assert not Difficulty.objects.exists()


def test_the_pages_report_and_answer(world: World) -> None:
    client = world.client("secretary")
    form = client.get(reverse("rollout:report") + "?page=/meetings/")
    assert 'value="/meetings/"' in form.content.decode()
    shot = io.BytesIO(b"not an image at all")
    shot.name = "a.png"
    bad = client.post(
        reverse("rollout:report"),
        {"doing": "Họp", "description": "Lỗi", "page_url": "/meetings/", "screenshot": shot},
    )
    assert bad.status_code == 200 and "Ảnh chụp màn hình" in bad.content.decode()
    assert not Difficulty.objects.exists()
    shot = io.BytesIO(png())
    shot.name = "a.png"
    response = client.post(
        reverse("rollout:report"),
        {"doing": "Họp", "description": "Lỗi", "page_url": "/meetings/", "screenshot": shot},
    )
    d = Difficulty.objects.get()
    assert response["Location"] == reverse("rollout:difficulty", args=[d.pk])
    assert client.get(reverse("rollout:screenshot", args=[d.pk]))["Content-Type"] == "image/png"
    # The ward's officials are not the province's desk: they do not see it.
    assert world.client("ward").get(reverse("rollout:difficulty", args=[d.pk])).status_code == 404
    city = world.client("city")
    assert (
        "Đang chờ trả lời"
        in city.get(reverse("rollout:queue", args=[world.city.code])).content.decode()
    )
    city.post(reverse("rollout:difficulty_act", args=[d.pk]), {"action": "answer", "text": "Xong."})
    d.refresh_from_db()
    assert d.status == "answered"
    city.post(
        reverse("rollout:difficulty_act", args=[d.pk]),
        {"action": "faq", "question": "Lỗi họp", "answer": "Xong."},
    )
    assert FaqEntry.objects.count() == 1
    assert "Lỗi họp" in client.get(reverse("rollout:faq") + "?q=loi").content.decode()


def test_only_officials_report(world: World) -> None:
    with pytest.raises(ValidationError):
        services.difficulty_report(by=world.users["member"], doing="x", description="y")


def test_the_pages_speak_english_on_the_switch(world: World) -> None:
    report(world)
    page = world.client("secretary").get(reverse("rollout:mine"), HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert "Difficulties reported" in text and "Awaiting an answer" in text
    assert "Khó khăn đã báo" not in text


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("/meetings/", "/meetings/"),
        ("//evil.example/x", ""),
        ("https://evil.example/", ""),
        ("/\\evil.example", ""),
        ("javascript:alert(1)", ""),
    ],
)
def test_only_a_page_of_this_site_is_kept(world: World, url: str, kept: str) -> None:
    d = services.difficulty_report(
        by=world.users["secretary"], doing="x", description="y", page_url=url
    )
    assert d.page_url == kept
