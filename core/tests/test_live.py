"""core.live: a committed change reaches the watchers it concerns, through the process's one
listener (PostgreSQL LISTEN, or the SQLite poll), and a rolled-back one reaches nobody."""

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.utils import ConnectionHandler

from core import live
from core.models import LiveEvent

CITY, WARD, OTHER_WARD, CELL = "0001", "00010002", "00010003", "000100020004"
# Long enough never to be reached when the feature works; reached, the test fails, not hangs.
PATIENCE = 20.0

pytestmark = pytest.mark.django_db(transaction=True)


WATCHES: list[live.Watch] = []


@pytest.fixture(autouse=True)
def _listener_stopped() -> Iterator[None]:
    yield
    while WATCHES:
        live.hub.unwatch(WATCHES.pop())
    live.hub.stop()


def _watch(path: str, since: float | None = None) -> live.Watch:
    WATCHES.append(live.hub.watch(path, since=since))
    return WATCHES[-1]


def _listening(*paths: str) -> list[live.Watch]:
    watches = [_watch(p) for p in paths]
    assert live.hub.wait_until_listening(PATIENCE)
    return watches


def test_a_committed_change_reaches_a_watcher_above_it_and_not_a_sibling() -> None:
    city, ward, other_ward, cell = _listening(CITY, WARD, OTHER_WARD, CELL)
    with transaction.atomic():
        live.publish([WARD])
    assert city.wait(PATIENCE) == {WARD}
    assert ward.wait(PATIENCE) == {WARD}
    # Dispatched together with the above: what was not added by now never will be.
    assert other_ward.take() == set()
    assert cell.take() == set()


def test_a_rolled_back_change_reaches_nobody() -> None:
    (city,) = _listening(CITY)
    with pytest.raises(RuntimeError), transaction.atomic():
        live.publish([OTHER_WARD])
        raise RuntimeError("the writer failed")
    # Changes arrive in the order they committed: once the later one is here, the rolled-back
    # one would have been too.
    live.publish([WARD])
    assert city.wait(PATIENCE) == {WARD}
    assert city.take() == set()


def test_one_listener_serves_every_watcher_of_the_process() -> None:
    watches = _listening(*[WARD] * 50, *[CELL] * 50)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND query ILIKE 'LISTEN%%'"
            )
            assert cursor.fetchone()[0] == 1
    live.publish([CELL])
    assert all(w.wait(PATIENCE) == {CELL} for w in watches)
    assert live.hub.watching() == 100
    while WATCHES:
        live.hub.unwatch(WATCHES.pop())
    assert live.hub.watching() == 0


def test_a_big_change_is_told_as_subtrees() -> None:
    city, other_ward = _listening(CITY, OTHER_WARD)
    live.publish(f"{WARD}{i:04d}" for i in range(1000))
    assert city.wait(PATIENCE) == {CITY}
    assert other_ward.take() == set()


def test_a_stream_opened_later_hears_of_what_changed_since_its_page_was_drawn() -> None:
    (city,) = _listening(CITY)
    drawn = live.stamp()
    live.publish([WARD])
    assert city.wait(PATIENCE) == {WARD}
    # Opened after the change, for a page drawn before it: told at once.
    late = _watch(WARD, since=drawn)
    assert late.take() == {WARD}
    # A page drawn after the change (beyond the clocks' slack) has nothing to catch up.
    later = _watch(OTHER_WARD, since=live.stamp() + live.CLOCK_SLACK)
    assert later.take() == set()
    # A page older than the listener: it cannot know, so it says the page may have changed.
    assert _watch(CELL, since=0.0).take() == {CELL}


def test_sqlite_writes_a_change_where_the_poller_of_another_process_reads_it(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's path")
    settings.PARTYORG_LIVE_POLL = 0.0
    # As with a database file: the test suite's in-memory one tells its hub directly.
    monkeypatch.setattr(live, "_in_memory", lambda: False)
    poller = live._SqlitePoller()
    try:
        with transaction.atomic():
            live.publish([CELL, WARD])
        with pytest.raises(RuntimeError), transaction.atomic():
            live.publish([OTHER_WARD])
            raise RuntimeError("the writer failed")
        assert list(LiveEvent.objects.values_list("paths", flat=True)) == [f"{WARD} {CELL}"]
        assert list(poller.receive()) == [[(WARD, False), (CELL, False)]]
        assert list(poller.receive()) == []
    finally:
        poller.close()


def test_a_sqlite_poller_that_fell_behind_the_pruning_says_everything_changed(
    tmp_path: Path, settings: Any
) -> None:
    settings.PARTYORG_LIVE_POLL = 0.0
    databases = ConnectionHandler(
        {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "live.db")}}
    )
    writer = databases["default"]
    with writer.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE core_liveevent"
            " (id integer NOT NULL PRIMARY KEY AUTOINCREMENT, paths text NOT NULL)"
        )
    poller = live._SqlitePoller(databases.create_connection("default"))
    try:
        with writer.cursor() as cursor:
            for paths in (WARD, CELL, OTHER_WARD):
                cursor.execute("INSERT INTO core_liveevent (paths) VALUES (%s)", [paths])
            cursor.execute("DELETE FROM core_liveevent WHERE paths = %s", [WARD])
        assert list(poller.receive()) == [live.EVERYTHING]
        with writer.cursor() as cursor:
            cursor.execute("INSERT INTO core_liveevent (paths) VALUES (%s)", [CITY])
        assert list(poller.receive()) == [[(CITY, False)]]
    finally:
        poller.close()
        writer.close()


def test_a_stream_gives_its_database_connection_back_before_it_streams() -> None:
    """A stream lives for minutes and reads nothing more from the database (the one listener
    tells it what changed): holding its request's connection that long took a PostgreSQL
    backend (or a pool's slot) per watching page."""
    from django.test import RequestFactory

    from orgs.models import Org

    request = RequestFactory().get("/orgs/x/live/")
    Org.objects.exists()  # the view's own reads (its access check) opened the connection
    assert connection.connection is not None
    response = live.stream_response(request, "0001")
    assert connection.connection is None
    response.close()


def _redis_url() -> str:
    import os
    import socket

    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
    host_port = url.split("//", 1)[1].split("/", 1)[0]
    host, _, port = host_port.partition(":")
    try:
        socket.create_connection((host, int(port or 6379)), timeout=1).close()
    except OSError:
        pytest.skip(f"no Redis at {host_port}")
    return url


@pytest.fixture(params=["in-process", "redis"])
def shared_cache(request: pytest.FixtureRequest) -> Iterator[None]:
    """The default per-process cache, and Redis as deployments share it between processes."""
    from django.core.cache import cache
    from django.test import override_settings

    if request.param == "in-process":
        cache.clear()
        yield
        return
    backend = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _redis_url()}
    with override_settings(CACHES={"default": backend}):
        cache.clear()
        yield
        cache.clear()


def test_streams_told_together_wait_for_one_drawing() -> None:
    from concurrent.futures import ThreadPoolExecutor

    from django.core.cache import cache
    from django.http import HttpResponse

    cache.clear()
    drawn: list[int] = []

    def draw() -> HttpResponse:
        drawn.append(1)
        time.sleep(0.3)  # a slow drawing: every other stream asks while it is drawn
        return HttpResponse("the board")

    part = live.Part(key="board:3", draw=draw, language="vi")
    at = live.stamp()
    with ThreadPoolExecutor(max_workers=10) as pool:
        told = list(pool.map(lambda _: part.told(at), range(10)))
    assert told == [f"id: {at:.3f}\nevent: part\ndata: the board\n\n".encode()] * 10
    assert len(drawn) == 1


def test_every_stream_one_change_wakes_names_the_same_moment_after_it() -> None:
    city, ward = _listening(CITY, WARD)
    before = time.time()
    with transaction.atomic():
        live.publish([WARD])
    assert city.wait(PATIENCE) == {WARD}
    assert ward.wait(PATIENCE) == {WARD}
    # The id the pages pass as `after`: one for both streams, so they share one drawing.
    assert city.taken_at == ward.taken_at >= before
    assert ward.take() == set() and ward.taken_at == 0.0


@pytest.mark.usefixtures("shared_cache")
def test_a_part_is_drawn_once_for_every_stream_told_of_one_change() -> None:
    from django.http import HttpResponse
    from django.utils import translation

    drawn: list[str] = []

    def draw() -> HttpResponse:
        drawn.append(translation.get_language() or "")
        return HttpResponse("<p>một\r\nhai</p>")

    part = live.Part(key="board:4", draw=draw, language="vi")
    at = live.stamp()
    first = part.told(at)
    assert first == f"id: {at:.3f}\nevent: part\ndata: <p>một\ndata: hai</p>\n\n".encode()
    # Another stream told of this change, or of an earlier one: the same drawing.
    assert part.told(at) == first
    assert part.told(at - 5).endswith(b"data: <p>m\xe1\xbb\x99t\ndata: hai</p>\n\n")
    assert drawn == ["vi"]
    part.told(live.stamp() + 1)  # a later change: drawn again
    assert len(drawn) == 2
    # Another language is another drawing, in that language.
    live.Part(key="board:4", draw=draw, language="en").told(at)
    assert drawn[-1] == "en" and len(drawn) == 3


@pytest.mark.usefixtures("shared_cache")
def test_a_refused_drawing_is_not_kept() -> None:
    from django.http import HttpResponse

    at = live.stamp()
    live.Part(key="board:2", draw=lambda: HttpResponse("no", status=500), language="vi").told(at)
    told = live.Part(key="board:2", draw=lambda: HttpResponse("yes"), language="vi").told(at)
    assert told.endswith(b"data: yes\n\n")
