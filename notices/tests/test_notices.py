"""notify() and Web Push from the worker (the push service replaced by a function)."""

import pytest

from notices.models import Notification, PushSubscription
from notices.push import push_pending, set_sender
from notices.services import notify, push_subscribe

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(settings):
    settings.PARTYORG_VAPID_PRIVATE_KEY = "private"
    settings.PARTYORG_VAPID_PUBLIC_KEY = "public"
    calls: list[tuple[str, str]] = []
    statuses: dict[str, int] = {}

    def sender(sub, payload):
        calls.append((sub.endpoint, payload))
        return statuses.get(sub.endpoint, 201)

    set_sender(sender)
    yield calls, statuses
    set_sender(None)


def test_notify_creates_one_row_per_user_and_queues_only_subscribed(world):
    push_subscribe(world.users["member"], endpoint="https://push.example/a", p256dh="k", auth="a")
    count = notify(
        [world.users["member"], world.users["ward"]], kind="meeting", title="Họp chi bộ", url="/x"
    )
    assert count == 2
    rows = {n.recipient_id: n for n in Notification.objects.all()}
    assert rows[world.users["member"].pk].push_pending
    assert not rows[world.users["ward"].pk].push_pending
    assert notify([], kind="meeting", title="x") == 0


def test_the_worker_pushes_pending_and_drops_gone_subscriptions(world, sent):
    calls, statuses = sent
    user = world.users["member"]
    push_subscribe(user, endpoint="https://push.example/a", p256dh="k", auth="a")
    push_subscribe(user, endpoint="https://push.example/gone", p256dh="k", auth="a")
    statuses["https://push.example/gone"] = 410
    notify([user], kind="document", title="Tài liệu mới", url="/so-tay/tai-lieu/1/")
    assert push_pending() == 1
    assert {endpoint for endpoint, _payload in calls} == {
        "https://push.example/a",
        "https://push.example/gone",
    }
    assert '"url": "/so-tay/tai-lieu/1/"' in calls[0][1]
    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [
        "https://push.example/a"
    ]
    assert push_pending() == 0  # nothing left


def test_without_vapid_keys_nothing_is_pushed(world, settings):
    settings.PARTYORG_VAPID_PRIVATE_KEY = ""
    push_subscribe(world.users["member"], endpoint="https://push.example/a", p256dh="k", auth="a")
    notify([world.users["member"]], kind="document", title="x")
    assert push_pending() == 0
    assert Notification.objects.get().push_pending


def test_subscribe_endpoint_checks_its_input(world):
    client = world.client("member")
    bad = client.post("/so-tay/thong-bao/nhan-tin/", {"endpoint": "http://x", "p256dh": "k"})
    assert bad.status_code == 400
    ok = client.post(
        "/so-tay/thong-bao/nhan-tin/",
        {"endpoint": "https://push.example/z", "p256dh": "k", "auth": "a"},
    )
    assert ok.status_code == 200
    assert PushSubscription.objects.get().user == world.users["member"]
