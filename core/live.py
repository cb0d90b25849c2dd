"""The live layer: which organisations changed, from the committing transaction to every page
watching them, within about a second.

    publish(paths)            in the writer's transaction (rollups publish every counter change)
      → PostgreSQL: NOTIFY, delivered when the transaction commits and never after a rollback;
        SQLite: a row of core_liveevent, in the same transaction (an in-memory database, which
        lives in one process, tells the process's hub directly when the transaction commits)
      → one listener per process: a LISTEN connection, or a poll of that table every
        PARTYORG_LIVE_POLL seconds; it starts with the first watcher and stops when none is left
      → the hub matches the paths against the process's watchers (lib/live.py) and wakes those
        a change concerns, however many there are, from the one connection
      → each watcher's server-sent event stream (`stream_response`) tells its page, which fetches
        its fresh fragment through its ordinary view.

An event names only changed organisations inside the watched subtree (their paths), never data:
what the page then shows comes through the view, with its access checks. Streams keep no
database connection: the request's own is closed before streaming starts.

A page is drawn at some time T and its stream opens later (or reopens after a break). The hub
remembers what it dispatched for HISTORY seconds; a stream opened with `since=T` (the page's
time, or the id of the last event the browser received) starts with an event if something under
its organisation changed after T, so nothing falls in the gap.
"""

import asyncio
import logging
import math
import random
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.cache import cache
from django.core.handlers.asgi import ASGIRequest
from django.db import OperationalError, connection, connections, transaction
from django.db.backends.sqlite3.creation import DatabaseCreation as SqliteCreation
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import translation

from lib.live import Entry, compact, concerned, decode, encode

from .db import is_postgresql, listening_connection
from .models import LiveEvent

logger = logging.getLogger(__name__)

CHANNEL = "partyorg_live"
# A NOTIFY payload holds at most 8000 bytes.
PAYLOAD_BUDGET = 7900
# A change touching more organisations than this is told as that many common prefixes.
PUBLISH_LIMIT = 200
# An event names at most this many changed paths (about 10 kB, less than the root's fragment
# it makes the page fetch); beyond, it names the watched path alone.
REPORT_LIMIT = 400
# SQLite keeps this many rows of core_liveevent; a poller that fell further behind (or found
# the table emptied) tells every watcher that everything may have changed.
SQLITE_KEEP = 1000
# How long the hub remembers what it dispatched, for streams opened `since` a moment.
HISTORY = 120.0
# Clocks of two machines (the one that drew the page, the one that streams) differ by less.
CLOCK_SLACK = 1.0
# A listener with no watcher left closes its connection after this many seconds.
LINGER = 30.0
# How long a PostgreSQL listener waits for a notification before it looks at its watchers.
LISTEN_TIMEOUT = 1.0
# The browser waits this long before reconnecting a stream that ended.
RETRY_MS = 2000
# How long a drawn part is kept for the streams told of the same change (seconds).
FRAGMENT_KEEP = 60
# How long a stream waits for another's drawing of the same part before it draws itself.
DRAWING_WAIT = 10.0
# A stream that carries its page's part lives this long (seconds): the browser then opens it
# again through its view, whose access check a revoked grant or a logout fails.
PART_LIFE = 60.0
# Drawings in progress, one lock per stripe of fragment names (a bounded set).
_DRAWING = [threading.Lock() for _ in range(64)]
EVERYTHING: list[Entry] = [("", True)]


def publish(paths: Iterable[str]) -> None:
    """Tell the pages watching these organisations or any of their ancestors that something
    changed, once the current transaction commits (at once outside one); never if it rolls
    back."""
    entries = compact(paths, PUBLISH_LIMIT)
    if not entries:
        return
    if _in_memory():
        # An in-memory database lives in one process (the test suite's): its hub is told
        # directly, without SQLite's shared-cache table locks between the poller and writers.
        transaction.on_commit(lambda: hub.dispatch(entries))
        return
    payloads = encode(entries, PAYLOAD_BUDGET)
    if is_postgresql():
        with connection.cursor() as cursor:
            for payload in payloads:
                cursor.execute("SELECT pg_notify(%s, %s)", [CHANNEL, payload])
        return
    created = LiveEvent.objects.bulk_create([LiveEvent(paths=p) for p in payloads])
    newest = max(e.pk for e in created if e.pk is not None)
    LiveEvent.objects.filter(pk__lte=newest - SQLITE_KEEP).delete()


def _in_memory() -> bool:
    return connection.vendor == "sqlite" and bool(
        SqliteCreation.is_in_memory_db(connection.settings_dict["NAME"])
    )


def stamp() -> float:
    """Now, as a stream's `since`: take it before a page reads what it shows."""
    return round(time.time(), 3)


def _stamp_after() -> float:
    """Now, to the millisecond above: a moment no earlier than what has already happened."""
    return math.ceil(time.time() * 1000) / 1000


class Watch:
    """One stream's interest in the subtree at `path`. The listener adds what concerns it from
    its own thread; the stream takes it in its event loop (`loop`) or, under WSGI, its thread."""

    def __init__(self, path: str, loop: asyncio.AbstractEventLoop | None) -> None:
        self.path = path
        self.loop = loop
        self._lock = threading.Lock()
        self._pending: set[str] = set()
        # When the newest pending change reached the hub; after a take, that of what was taken.
        self._at = 0.0
        self.taken_at = 0.0
        self._ready: asyncio.Event | threading.Event = (
            asyncio.Event() if loop is not None else threading.Event()
        )

    def add(self, paths: set[str], at: float | None = None) -> None:
        """Called by the hub (any thread) with the moment the change reached it, after its
        commit; waking the stream is the hub's part."""
        with self._lock:
            self._pending |= paths
            self._at = max(self._at, at if at is not None else _stamp_after())

    def take(self) -> set[str]:
        """What changed since the last take (empty if nothing did)."""
        # Cleared before the swap: an add in between sets it again, at worst a wake for nothing.
        self._ready.clear()
        with self._lock:
            taken, self._pending = self._pending, set()
            self.taken_at, self._at = (self._at if taken else 0.0), 0.0
        return taken

    def wait(self, timeout: float) -> set[str]:
        assert isinstance(self._ready, threading.Event)
        self._ready.wait(max(timeout, 0))
        return self.take()

    async def wait_async(self, timeout: float) -> set[str]:
        assert isinstance(self._ready, asyncio.Event)
        with suppress(TimeoutError):
            await asyncio.wait_for(self._ready.wait(), max(timeout, 0))
        return self.take()

    def wake(self) -> None:
        """Set the ready flag; in the watch's own loop for an async watch."""
        self._ready.set()


def _wake_all(watches: list[Watch]) -> None:
    for watch in watches:
        watch.wake()


class Hub:
    """The process's watchers, keyed by the path they watch, and the one listener feeding them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._watchers: dict[str, set[Watch]] = {}
        self._ordered: list[str] | None = None
        self._history: deque[tuple[float, list[Entry]]] = deque()
        # When the current listener began to listen (None: not listening).
        self._listening_since: float | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._listening = threading.Event()
        self._idle_since = 0.0

    def watch(
        self,
        path: str,
        *,
        loop: asyncio.AbstractEventLoop | None = None,
        since: float | None = None,
    ) -> Watch:
        watch = Watch(path, loop)
        with self._lock:
            self._watchers.setdefault(path, set()).add(watch)
            self._ordered = None
            if self._thread is None:
                self._stop.clear()
                self._thread = threading.Thread(target=self._listen, name="live", daemon=True)
                self._thread.start()
            if since is not None:
                missed = self._missed(path, since)
                if missed:
                    watch.add(missed)
                    # The caller's thread, or the loop of an async watch: safe to set directly.
                    watch.wake()
        return watch

    def unwatch(self, watch: Watch) -> None:
        with self._lock:
            watchers = self._watchers.get(watch.path)
            if watchers is not None:
                watchers.discard(watch)
                if not watchers:
                    del self._watchers[watch.path]
                    self._ordered = None
            if not self._watchers:
                self._idle_since = time.monotonic()

    def wait_until_listening(self, timeout: float) -> bool:
        """Whether the listener listens, waiting up to `timeout` seconds for it (tests)."""
        return self._listening.wait(timeout)

    def watching(self) -> int:
        with self._lock:
            return sum(len(w) for w in self._watchers.values())

    def _missed(self, path: str, since: float) -> set[str]:
        """What concerned `path` after `since`, from the history (called with the lock held).
        Unknowable when the listener started after `since`: then the path itself."""
        if self._listening_since is None or since < self._listening_since:
            return {path}
        found: set[str] = set()
        for at, entries in self._history:
            if at >= since - CLOCK_SLACK:
                found |= concerned(entries, {path}, [path]).get(path, set())
        return found

    def dispatch(self, entries: list[Entry]) -> None:
        """Wake every watcher the entries concern, grouping async ones by their event loop."""
        now = time.time()
        # The events' id: every stream this notification wakes names the same moment, so the
        # parts they carry are one drawing (Part.told).
        at = _stamp_after()
        with self._lock:
            self._history.append((now, entries))
            while self._history and self._history[0][0] < now - HISTORY:
                self._history.popleft()
            if self._ordered is None:
                self._ordered = sorted(self._watchers)
            found = concerned(entries, self._watchers, self._ordered)
            woken = [(w, paths) for path, paths in found.items() for w in self._watchers[path]]
        by_loop: dict[asyncio.AbstractEventLoop, list[Watch]] = {}
        for watch, paths in woken:
            watch.add(paths, at)
            if watch.loop is None:
                watch.wake()
            else:
                by_loop.setdefault(watch.loop, []).append(watch)
        for loop, watches in by_loop.items():
            # A closed loop's streams are gone with it.
            with suppress(RuntimeError):
                loop.call_soon_threadsafe(_wake_all, watches)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the listener and close its connection (tests; a process that shuts down)."""
        with self._lock:
            thread = self._thread
            self._stop.set()
        if thread is not None:
            thread.join(timeout)

    def _should_go(self) -> bool:
        """Whether the listener should stop: asked to, or idle past LINGER (then it is gone)."""
        with self._lock:
            idle = not self._watchers and time.monotonic() - self._idle_since > LINGER
            if self._stop.is_set() or idle:
                self._thread = None
                self._listening.clear()
                self._listening_since = None
                self._history.clear()
                return True
            return False

    def _listen(self) -> None:
        failures = 0
        while True:
            try:
                listener: _PostgresListener | _SqlitePoller | _InProcess = (
                    _PostgresListener()
                    if is_postgresql()
                    else _InProcess(self._stop)
                    if _in_memory()
                    else _SqlitePoller()
                )
                try:
                    with self._lock:
                        self._listening_since = time.time()
                        self._listening.set()
                    if failures:
                        # Reconnected: what changed while it was down may concern anyone.
                        self.dispatch(EVERYTHING)
                    failures = 0
                    while not self._should_go():
                        for entries in listener.receive():
                            self.dispatch(entries)
                    return
                finally:
                    listener.close()
            except Exception:
                failures += 1
                logger.exception("live listener failed (%d); reconnecting", failures)
                with self._lock:
                    self._listening.clear()
                    self._listening_since = None
                if self._stop.wait(min(30.0, 0.5 * 2**failures)) or self._should_go():
                    return


class _PostgresListener:
    def __init__(self) -> None:
        self._wrapper = listening_connection(CHANNEL)

    def receive(self) -> Iterator[list[Entry]]:
        for notify in self._wrapper.connection.notifies(timeout=LISTEN_TIMEOUT):
            yield decode(notify.payload)

    def close(self) -> None:
        self._wrapper.close()


class _InProcess:
    """An in-memory database's changes are dispatched by `publish` itself: nothing to read."""

    def __init__(self, stop: threading.Event) -> None:
        self._stop = stop

    def receive(self) -> Iterator[list[Entry]]:
        self._stop.wait(LISTEN_TIMEOUT)
        return iter(())

    def close(self) -> None:
        pass


class _SqlitePoller:
    """Polls SQLite's version counter of core_liveevent (its AUTOINCREMENT sequence, which a
    rolled-back insert does not move) and reads the rows it moved past."""

    def __init__(self, wrapper: Any = None) -> None:
        self._wrapper = wrapper or connections.create_connection("default")
        self._last = self._version()

    def _query(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        with self._wrapper.cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall())

    def _version(self) -> int:
        rows = self._query(
            "SELECT seq FROM sqlite_sequence WHERE name = %s", [LiveEvent._meta.db_table]
        )
        return int(rows[0][0]) if rows else 0

    def receive(self) -> Iterator[list[Entry]]:
        time.sleep(settings.PARTYORG_LIVE_POLL)
        try:
            version = self._version()
            if version == self._last:
                return
            rows = self._query(
                f"SELECT id, paths FROM {LiveEvent._meta.db_table}"
                " WHERE id > %s AND id <= %s ORDER BY id",
                [self._last, version],
            )
        except OperationalError:
            # Busy past the timeout: the next poll reads what this one could not.
            logger.warning("live: SQLite poll failed, trying again", exc_info=True)
            return
        # Committed rows are numbered without gaps: fewer rows than numbers means some were
        # pruned before this poller read them (or the table was emptied and renumbered).
        complete = version > self._last and len(rows) == version - self._last
        self._last = version
        if not complete:
            yield EVERYTHING
            return
        for _id, paths in rows:
            yield decode(paths)

    def close(self) -> None:
        self._wrapper.close()


hub = Hub()


def _event(kind: str, paths: set[str], watched: str, at: float) -> bytes:
    """An event's id is the moment its newest change reached this process (after its commit):
    a page drawn from reads begun at or after it shows the change."""
    named = sorted(paths) if len(paths) <= REPORT_LIMIT else [watched]
    return f"id: {at:.3f}\nevent: {kind}\ndata: {' '.join(named)}\n\n".encode()


def _part_event(body: bytes, at: float) -> bytes:
    """The page's part itself, drawn after the change at `at`: one data line per line."""
    lines = body.decode().replace("\r\n", "\n").replace("\r", "\n").split("\n")
    data = "".join(f"data: {line}\n" for line in lines)
    return f"id: {at:.3f}\nevent: part\n{data}\n".encode()


def _heartbeat() -> bytes:
    # An id with no data moves the browser's Last-Event-ID without firing an event: a stream
    # that reconnects after a quiet while asks only for what changed since this moment.
    return f": heartbeat\nid: {stamp()}\n\n".encode()


def _release_database() -> None:
    """Close this thread's database connections: a stream may last minutes and needs none."""
    for conn in connections.all(initialized_only=True):
        if not conn.in_atomic_block:
            conn.close()


def _life(part: "Part | None") -> float:
    # Spread over the last fifth, so streams opened together do not all reconnect together.
    return (PART_LIFE if part else settings.PARTYORG_LIVE_LIFE) * random.uniform(0.8, 1.0)


@dataclass(frozen=True)
class Part:
    """The part of a page a stream carries after each change (`stream_response(part=…)`): its
    name in the cache (what it shows besides the data: organisation, term, day), the function
    drawing it, and the viewer's language."""

    key: str
    draw: Callable[[], HttpResponse]
    language: str

    def told(self, at: float) -> bytes:
        """The event carrying the part as drawn after `at`: one drawing shared by every stream
        of this process (and, with a shared cache, of every process) told of that change."""
        name = f"live-part:{self.key}:{self.language}"
        try:
            body = self._kept(name, at)
            if body is None:
                # The streams one change woke ask together, each in a thread of its own: one
                # draws while the others of this process wait (bounded, then they draw too).
                lock = _DRAWING[hash(name) % len(_DRAWING)]
                locked = lock.acquire(timeout=DRAWING_WAIT)
                try:
                    body = self._kept(name, at) or self._drawn(name)
                finally:
                    if locked:
                        lock.release()
            return _part_event(body, at)
        finally:
            _release_database()

    @staticmethod
    def _kept(name: str, at: float) -> bytes | None:
        """A drawing whose reads began at or after `at`: it shows that change."""
        kept = cache.get(name)
        return kept[1] if kept is not None and kept[0] >= at else None

    def _drawn(self, name: str) -> bytes:
        drawn_at = stamp()
        with translation.override(self.language):
            response = self.draw()
        if response.status_code == 200 and not response.streaming:
            cache.set(name, (drawn_at, response.content), FRAGMENT_KEEP)
        return response.content


async def _stream_async(path: str, since: float | None, part: Part | None) -> AsyncIterator[bytes]:
    # In the request's own thread (thread-sensitive), where its connection lives.
    await sync_to_async(_release_database)()
    watch = hub.watch(path, loop=asyncio.get_running_loop(), since=since)
    try:
        yield f"retry: {RETRY_MS}\n\n".encode()
        deadline = time.monotonic() + _life(part)
        beat = time.monotonic() + settings.PARTYORG_LIVE_HEARTBEAT
        while (now := time.monotonic()) < deadline:
            changed = await watch.wait_async(min(beat, deadline) - now)
            if changed and part is not None:
                yield await sync_to_async(part.told)(watch.taken_at)
                beat = time.monotonic() + settings.PARTYORG_LIVE_HEARTBEAT
                await asyncio.sleep(settings.PARTYORG_LIVE_GAP)
            elif changed:
                yield _event("changed", changed, path, watch.taken_at)
                beat = time.monotonic() + settings.PARTYORG_LIVE_HEARTBEAT
                # Changes during the gap are told together after it.
                await asyncio.sleep(settings.PARTYORG_LIVE_GAP)
            elif time.monotonic() >= beat:
                yield _heartbeat()
                beat = time.monotonic() + settings.PARTYORG_LIVE_HEARTBEAT
    finally:
        hub.unwatch(watch)


def _stream_sync(path: str, since: float | None, part: Part | None) -> Iterator[bytes]:
    """The same stream under WSGI (the development server): it holds a thread while it lasts."""
    _release_database()
    watch = hub.watch(path, since=since)
    try:
        yield f"retry: {RETRY_MS}\n\n".encode()
        deadline = time.monotonic() + _life(part)
        beat = time.monotonic() + settings.PARTYORG_LIVE_HEARTBEAT
        while (now := time.monotonic()) < deadline:
            changed = watch.wait(min(beat, deadline) - now)
            if changed and part is not None:
                yield part.told(watch.taken_at)
                beat = time.monotonic() + settings.PARTYORG_LIVE_HEARTBEAT
                time.sleep(settings.PARTYORG_LIVE_GAP)
            elif changed:
                yield _event("changed", changed, path, watch.taken_at)
                beat = time.monotonic() + settings.PARTYORG_LIVE_HEARTBEAT
                time.sleep(settings.PARTYORG_LIVE_GAP)
            elif time.monotonic() >= beat:
                yield _heartbeat()
                beat = time.monotonic() + settings.PARTYORG_LIVE_HEARTBEAT
    finally:
        hub.unwatch(watch)


def _since(request: HttpRequest) -> float | None:
    """From the browser's Last-Event-ID (a reconnection), else the page's own `since`."""
    for value in (request.headers.get("Last-Event-ID"), request.GET.get("since")):
        if value:
            try:
                return float(value)
            except ValueError:
                continue
    return None


def stream_response(
    request: HttpRequest, path: str, *, part: Part | None = None
) -> StreamingHttpResponse:
    """Server-sent events telling when anything in the subtree at `path` changes. The caller
    has checked that the user may see that organisation.

    With a `part`, each event carries the page's part itself, drawn once after the change for
    every stream told of it, instead of sending every page to fetch it (fifty officials
    watching the country cost one drawing per change, not fifty requests). The stream then
    lives a minute (PART_LIFE): the browser opens it again through its view, so a revoked
    grant or a logout stops it within that minute."""
    since = _since(request)
    # A stream lives for minutes and reads nothing more from the database (the one listener
    # tells it what changed): its request's connection goes back now, not when it ends, or
    # every watching page would hold a PostgreSQL backend (or a slot of the pool) all along.
    if not connection.in_atomic_block:
        connection.close()
    content = (
        _stream_async(path, since, part)
        if isinstance(request, ASGIRequest)
        else _stream_sync(path, since, part)
    )
    response = StreamingHttpResponse(content, content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    # nginx and its kin would otherwise hold the events back to fill a buffer.
    response["X-Accel-Buffering"] = "no"
    return response
