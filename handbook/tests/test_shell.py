"""The handbook's shell: layout, home cards, the PWA's manifest and service worker, activity."""

import json

import pytest
from django.urls import reverse

from handbook import home
from handbook.home import Card, cards_for, register_card
from handbook.models import MemberActivity
from notices.models import Notification
from notices.services import notify

pytestmark = pytest.mark.django_db


def test_home_shows_the_member_greeting_and_bottom_nav(world):
    response = world.client("member").get(reverse("handbook:home"))
    assert response.status_code == 200
    text = response.content.decode()
    assert world.members[0].full_name in text
    for label in ("Trang chủ", "Tài liệu", "Thông báo", "Hồ sơ"):
        assert label in text
    assert 'rel="manifest"' in text and "apple-touch-icon" in text


def test_anonymous_is_sent_to_login(world):
    response = world.client("anonymous").get(reverse("handbook:home"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_registered_cards_show_in_order(world, monkeypatch):
    monkeypatch.setattr(home, "_CARDS", [])
    seen = []

    def second(request, member):
        seen.append(member)
        return ("handbook/tests/card.html", {"text": "second"})

    def first(request, member):
        return Card("handbook/tests/card.html", {"text": "first"})

    def nothing(request, member):
        return None

    register_card(second, order=20)
    register_card(first, order=10)
    register_card(nothing)
    register_card(first, order=10)  # twice is once
    cards = cards_for(None, world.members[0])  # type: ignore[arg-type]
    assert [c.context["text"] for c in cards] == ["first", "second"]
    assert seen == [world.members[0]]


def test_manifest_and_service_worker(world):
    client = world.client("anonymous")
    manifest = json.loads(client.get(reverse("handbook:manifest")).content)
    assert manifest["display"] == "standalone"
    assert {icon["sizes"] for icon in manifest["icons"]} >= {"192x192", "512x512"}
    assert any(icon.get("purpose") == "maskable" for icon in manifest["icons"])
    sw = client.get("/sw.js")
    assert sw.status_code == 200
    assert sw["Content-Type"].startswith("text/javascript")
    assert sw["Service-Worker-Allowed"] == "/"
    assert '"/so-tay/"' in sw.content.decode()


def test_first_login_activates_the_member_once(world):
    from django.test import Client

    from conftest import PASSWORD

    user = world.users["member"]
    assert not MemberActivity.objects.filter(member=world.members[0]).exists()
    client = Client()
    client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    activity = MemberActivity.objects.get(member=world.members[0])
    first = activity.activated_at
    client.post(reverse("handbook:activity"), {"installed": "1"})
    activity.refresh_from_db()
    assert activity.activated_at == first
    assert activity.installed_at is not None


def test_activity_of_a_user_without_member_record_records_nothing(world):
    response = world.client("ward").post(reverse("handbook:activity"))
    assert response.status_code == 204
    assert not MemberActivity.objects.exists()


def test_notify_and_read(world):
    member_user = world.users["member"]
    assert notify([member_user, member_user.pk], kind="document", title="Nghị quyết mới") == 1
    client = world.client("member")
    page = client.get(reverse("handbook:notices")).content.decode()
    assert "Nghị quyết mới" in page
    client.post(reverse("handbook:notices_read"))
    assert Notification.objects.get().read_at is not None


def test_notifications_are_the_users_own(world):
    notify([world.users["secretary"]], kind="document", title="Riêng của bí thư")
    page = world.client("member").get(reverse("handbook:notices")).content.decode()
    assert "Riêng của bí thư" not in page
    # Marking read by id never touches someone else's.
    note = Notification.objects.get()
    world.client("member").post(reverse("handbook:notices_read"), {"id": note.pk})
    note.refresh_from_db()
    assert note.read_at is None


def test_a_member_lands_in_the_handbook_with_a_long_session(world, settings):
    from django.test import Client

    from conftest import PASSWORD

    settings.PARTYORG_MEMBER_IDLE_SECONDS = 30 * 24 * 3600
    settings.PARTYORG_OFFICIAL_IDLE_SECONDS = 1800
    member = Client()
    member.post(reverse("accounts:login"), {"username": "member", "password": PASSWORD})
    response = member.get(reverse("home"))
    assert response["Location"] == reverse("handbook:home")
    member.get(reverse("handbook:home"))
    assert member.session.get_expiry_age() == 30 * 24 * 3600
    official = world.client("ward")
    official.get(reverse("handbook:home"))
    assert official.session.get_expiry_age() == 1800
