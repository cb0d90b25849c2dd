"""The live layer through the organisation tree: the fold tells the watchers of every level
above a change, and the organisation's stream of server-sent events (orgs:live) is a page like
any other to access, over WSGI and over ASGI."""

import asyncio
import re
from collections.abc import Iterator, Mapping
from datetime import timedelta
from typing import Any

import pytest
from django.core.handlers.asgi import ASGIHandler
from django.db import connections
from django.http import StreamingHttpResponse
from django.test import Client
from django.utils import timezone

from campaigns.services import campaign_create
from conftest import World, make_world, person
from core import live
from members.services import member_create

# Long enough never to be reached when the feature works; reached, the test fails, not hangs.
PATIENCE = 20.0
EVENT = re.compile(rb"id: [0-9.]+\nevent: changed\ndata: ([0-9A-Z ]+)\n\n")


@pytest.fixture
def live_world(transactional_db: None, settings: Any) -> Iterator[World]:
    settings.PARTYORG_LIVE_POLL = 0.1
    settings.PARTYORG_LIVE_GAP = 0.0
    # A heartbeat where an event was awaited fails the test: make it come late.
    settings.PARTYORG_LIVE_HEARTBEAT = PATIENCE
    yield make_world()
    live.hub.stop()


def _member_joins(world: World, n: int = 40) -> None:
    """A member joins the ward's cell: committed, folded (inline tick), told."""
    member_create(org=world.cell, data=person(n))


def test_a_new_member_reaches_the_watchers_above_the_cell_and_not_the_other_ward(
    live_world: World,
) -> None:
    w = live_world
    watches = {
        org.code: live.hub.watch(org.path)
        for org in (w.root, w.city, w.ward, w.cell, w.other_ward, w.other_cell)
    }
    assert live.hub.wait_until_listening(PATIENCE)
    _member_joins(w)
    for code in (w.root.code, w.city.code, w.ward.code, w.cell.code):
        assert watches[code].wait(PATIENCE) == {w.cell.path}
    # Told in the same dispatch as those above.
    assert watches[w.other_ward.code].take() == set()
    assert watches[w.other_cell.code].take() == set()
    for watch in watches.values():
        live.hub.unwatch(watch)


def test_the_stream_is_refused_like_the_page_to_whoever_may_not_see_it(world: World) -> None:
    url = f"/orgs/{world.ward.code}/live/"
    assert world.client("outsider").get(url).status_code == 404
    assert world.client("member").get(url).status_code == 404
    assert world.client("viewer").get(f"/orgs/{world.city.code}/live/").status_code == 404
    response = world.client("anonymous").get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert live.hub.watching() == 0


def test_it_streams_what_changed_in_the_subtree_to_an_official(live_world: World) -> None:
    response = live_world.client("viewer").get(f"/orgs/{live_world.ward.code}/live/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/event-stream"
    assert response["Cache-Control"] == "no-cache"
    assert response["X-Accel-Buffering"] == "no"
    assert isinstance(response, StreamingHttpResponse)
    chunks = iter(response.streaming_content)
    try:
        assert next(chunks).startswith(b"retry: ")
        assert live.hub.watching() == 1
        assert live.hub.wait_until_listening(PATIENCE)
        _member_joins(live_world)
        event = EVENT.fullmatch(next(chunks))
        assert event is not None and event[1].decode() == live_world.cell.path
    finally:
        response.close()
    assert live.hub.watching() == 0


def test_it_streams_over_asgi_and_lets_go_when_the_browser_leaves(live_world: World) -> None:
    # The handler partyorg.asgi serves (importing that module would set Django up again, and
    # with it the logging the suite watches).
    application = ASGIHandler()
    client = Client()
    client.force_login(live_world.users["ward"])
    url = f"/orgs/{live_world.ward.code}/live/"
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": url,
        "raw_path": url.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"testserver"),
            (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()),
        ],
        "client": ("127.0.0.1", 40000),
        "server": ("testserver", 80),
    }

    def change() -> None:
        try:
            assert live.hub.wait_until_listening(PATIENCE)
            _member_joins(live_world)
        finally:
            connections.close_all()

    async def browser() -> bytes:
        sent: asyncio.Queue[Mapping[str, Any]] = asyncio.Queue()
        gone = asyncio.Event()
        asked = False

        async def receive() -> dict[str, Any]:
            nonlocal asked
            if not asked:
                asked = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await gone.wait()
            return {"type": "http.disconnect"}

        async def send(message: Mapping[str, Any]) -> None:
            await sent.put(message)

        server = asyncio.create_task(application(scope, receive, send))
        start = await asyncio.wait_for(sent.get(), PATIENCE)
        assert start["status"] == 200
        assert (b"content-type", b"text/event-stream") in [
            (k.lower(), v) for k, v in start["headers"]
        ]
        body = (await asyncio.wait_for(sent.get(), PATIENCE))["body"]
        assert body.startswith(b"retry: ")
        await asyncio.to_thread(change)
        while not EVENT.search(body):
            body += (await asyncio.wait_for(sent.get(), PATIENCE))["body"]
        gone.set()
        await asyncio.wait_for(server, PATIENCE)
        return body

    body = asyncio.run(browser())
    event = EVENT.search(body)
    assert event is not None and event[1].decode() == live_world.cell.path
    assert live.hub.watching() == 0


def test_the_pages_about_an_organisation_follow_its_stream(world: World) -> None:
    today = timezone.localdate()
    campaign = campaign_create(
        root=world.city,
        name="Đợt",
        starts_on=today,
        ends_on=today + timedelta(days=9),
        milestones=[("Gửi", today + timedelta(days=5), "submitted")],
    )
    client = world.client("ward")
    for url in (
        f"/orgs/{world.ward.code}/",
        f"/campaigns/{campaign.pk}/{world.ward.code}/",
    ):
        html = client.get(url).content.decode()
        assert f'data-live-url="/orgs/{world.ward.code}/live/"' in html, url
        assert 'hx-trigger="live"' in html and "every 10s" not in html, url
        assert re.search(r'data-live-since="\d+\.\d{3}"', html), url
