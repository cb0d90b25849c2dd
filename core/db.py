"""Database helpers whose fast path is PostgreSQL-only, each with its portable path beside it."""

import ipaddress
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import date, datetime
from typing import Any

import orjson
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections
from psycopg import postgres, pq
from psycopg.adapt import Dumper
from psycopg.types.net import InetBinaryDumper


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def dumps_json(value: Any) -> str:
    """JSON text for a jsonb (or SQLite JSON) column: orjson, several times faster than json."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


class JsonBytes(bytes):
    """JSON encoded as UTF-8, which psycopg sends as it is (bulk_insert registers how)."""


class _JsonBytesDumper(Dumper):
    def dump(self, obj: Any) -> Any:
        return obj


def _json_bytes(value: Any) -> JsonBytes:
    return JsonBytes(orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS))


class _JsonbBinaryDumper(Dumper):
    """jsonb in COPY's binary format: a version byte, then the JSON text. Takes the JSON the
    bulk paths made already (JsonBytes or text) as it is, and encodes anything else."""

    format = pq.Format.BINARY
    oid = postgres.types["jsonb"].oid

    def dump(self, obj: Any) -> Any:
        if isinstance(obj, bytes):
            return b"\x01" + obj
        if isinstance(obj, str):
            return b"\x01" + obj.encode()
        return b"\x01" + orjson.dumps(obj, option=orjson.OPT_NON_STR_KEYS)


class _InetBinaryDumper(InetBinaryDumper):
    """inet in binary, from an address given as text (as Django keeps it) or as an object."""

    def dump(self, obj: Any) -> Any:
        return super().dump(ipaddress.ip_interface(obj) if isinstance(obj, str) else obj)


# Column types that bulk_insert sends in COPY's binary format: psycopg's binary dumpers (in C,
# chosen by the column's type) and the two above. Dates, times and numbers are then neither
# formatted as text by psycopg nor parsed back by PostgreSQL: a member row costs a quarter of
# the Python CPU it costs in text. A table with any other type of column is sent as text.
_BINARY_TYPES = frozenset(
    {"bool", "int2", "int4", "int8", "text", "varchar", "date", "timestamptz", "jsonb", "inet"}
)


def _binary_types(cursor: Any, table: str, columns: Sequence[str]) -> list[int] | None:
    """The type oids of the columns, if COPY may send them all in binary, else None."""
    cursor.execute(
        "SELECT a.attname, t.typname, t.oid FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid"
        " WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped",
        [connection.ops.quote_name(table)],
    )
    found = {name: (typname, oid) for name, typname, oid in cursor.fetchall()}
    # A column the table lacks is left to COPY to name, in text.
    types = [found.get(column, ("", 0)) for column in columns]
    if all(typname in _BINARY_TYPES for typname, _oid in types):
        return [oid for _typname, oid in types]
    return None


def json_for_copy() -> Callable[[Any], Any]:
    """How to encode a JSON column for bulk_insert on this backend: as UTF-8 bytes psycopg
    sends untouched on PostgreSQL (not decoded to text only for psycopg to encode it again:
    8-10 µs less a staged row, of its three documents), as text on SQLite."""
    return _json_bytes if is_postgresql() else dumps_json


def analyze_if_grown(
    *tables: str, share: float = 1.0, floor: int = 5000, columns: Sequence[str] = ()
) -> list[str]:
    """ANALYZE the tables a bulk write grew a lot since their statistics were taken (PostgreSQL):
    by `floor` rows plus `share` of their size (by default, when they have doubled).

    Autovacuum does this eventually; a campaign writes thousands of rows a second, and until
    the planner knows that the registry is no longer empty it reads members by scanning a
    unit's whole subtree instead of probing the CCCD index. With `columns`, only those are
    sampled (the table's size is counted all the same): the statistics of every other column
    and of expression indexes, which the bulk path's lookups do not use and which cost most
    of a whole ANALYZE, are left to autovacuum. Returns the tables analysed.
    """
    if not is_postgresql():
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid "
            # Rows now against rows at the last ANALYZE: n_mod_since_analyze would not do, as an
            # ANALYZE of some columns leaves it counting (the table would be analysed again at
            # every commit once it had passed `floor`).
            "WHERE s.relname = ANY(%s) AND s.n_live_tup > %s + %s * GREATEST(c.reltuples, 0)",
            [list(tables), floor, 1 + share],
        )
        stale = [name for (name,) in cursor.fetchall()]
        only = (
            " (" + ", ".join(connection.ops.quote_name(c) for c in columns) + ")" if columns else ""
        )
        for name in stale:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(name)}{only}")
    return stale


def bulk_insert(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert many rows fast: COPY on PostgreSQL, multi-row INSERTs on SQLite. Returns the row count."""
    count = 0
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    if isinstance(rows, list) and len(rows) <= FEW_ROWS and _plain(rows):
        # A few rows (a counter change in a request): one INSERT, where COPY would first ask
        # the catalogue for the column types, two round trips for one row.
        return _insert_few(table, cols, len(columns), rows)
    with connection.cursor() as cursor:
        if is_postgresql():
            # This cursor's own adapters (a connection's are copied from psycopg's when it opens).
            adapters = cursor.cursor.adapters
            adapters.register_dumper(JsonBytes, _JsonBytesDumper)
            adapters.register_dumper(None, _JsonbBinaryDumper)
            adapters.register_dumper(None, _InetBinaryDumper)
            types = _binary_types(cursor, table, columns)
            binary = " (FORMAT BINARY)" if types else ""
            # Django's wrapper turns psycopg's errors into django.db's (IntegrityError…).
            with (
                connection.wrap_database_errors,
                cursor.copy(
                    f"COPY {connection.ops.quote_name(table)} ({cols}) FROM STDIN{binary}"
                ) as copy,
            ):
                if types:
                    copy.set_types(types)
                for row in rows:
                    copy.write_row(row)
                    count += 1
        else:
            # Many rows a statement, not one: SQLite runs a statement that fires triggers in a
            # savepoint of its own, and FTS5 (the member search index, members/0012) writes out
            # what it holds at each savepoint. A member a statement cost 4 times a plain insert;
            # 500 a statement, the city loads faster than it did without the index.
            per = max(1, min(500, (connection.features.max_query_params or 999) // len(columns)))
            one = "(" + ", ".join(["%s"] * len(columns)) + ")"
            sql = f"INSERT INTO {connection.ops.quote_name(table)} ({cols}) VALUES "
            # Past Django's debug cursor (DEBUG, as in `make run`), which would write each
            # statement out with its thousands of values into the query log, as the executemany
            # before did not. Django's wrapper still turns sqlite3's errors into django.db's.
            raw = cursor.cursor
            batch: list[Any] = []
            size = 0
            with connection.wrap_database_errors:
                for row in rows:
                    batch.extend(row)
                    size += 1
                    if size == per:
                        raw.execute(sql + ", ".join([one] * size), batch)
                        count += size
                        batch, size = [], 0
                if size:
                    raw.execute(sql + ", ".join([one] * size), batch)
                    count += size
    return count


FEW_ROWS = 20
# Values a plain INSERT takes as they are (JSON documents and addresses go through COPY's dumpers).
_PLAIN = frozenset({int, str, bool, float, type(None), date, datetime})


def _plain(rows: list[Sequence[Any]]) -> bool:
    return all(type(value) in _PLAIN for row in rows for value in row)


def _insert_few(table: str, cols: str, width: int, rows: list[Sequence[Any]]) -> int:
    if not rows:
        return 0
    one = "(" + ", ".join(["%s"] * width) + ")"
    sql = f"INSERT INTO {connection.ops.quote_name(table)} ({cols}) VALUES " + ", ".join(
        [one] * len(rows)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for row in rows for value in row])
    return len(rows)


def adapt_rows(rows: Iterable[Sequence[Any]], *, json: bool = True) -> Iterable[Sequence[Any]]:
    """Values for raw SQL: JSON as text, and on SQLite dates and datetimes as Django stores them.

    With json=False (the rows hold no JSON values, or hold them as text already), PostgreSQL
    takes the rows as they are.
    """
    sqlite = connection.vendor == "sqlite"
    if not json and not sqlite:
        return rows
    return _adapted(rows, sqlite)


def _adapted(rows: Iterable[Sequence[Any]], sqlite: bool) -> Iterator[list[Any]]:
    adapt_datetime = connection.ops.adapt_datetimefield_value
    datetimes: dict[datetime, Any] = {}

    def adapt(value: Any) -> Any:
        kind = type(value)
        if kind is dict or kind is list:
            return dumps_json(value)
        if kind is datetime:
            if value not in datetimes:
                datetimes[value] = adapt_datetime(value)
            return datetimes[value]
        return value.isoformat()

    # Only these types need adapting; testing the type of each value is the cheap part.
    special = {dict, list, datetime, date} if sqlite else {dict, list}
    for row in rows:
        yield [adapt(v) if type(v) in special else v for v in row]


def allocate_ids(table: str, count: int) -> list[int]:
    """Reserve `count` ids for rows written later with COPY (PostgreSQL: from the sequence;
    SQLite: after the highest id, safe because its write lock is held for the transaction)."""
    if count <= 0:
        return []
    with connection.cursor() as cursor:
        if is_postgresql():
            # The sequence is looked up once, not once per id (which cost 7 µs an id of the
            # server's CPU, against 0.8), and the ids come back as one array, not a row each.
            cursor.execute(
                "WITH s AS MATERIALIZED"
                " (SELECT pg_get_serial_sequence(%s, 'id')::regclass AS seq)"
                " SELECT array_agg(nextval(s.seq)) FROM s, generate_series(1, %s)",
                [table, count],
            )
            return sorted(cursor.fetchone()[0])
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")
        start = cursor.fetchone()[0] + 1
        return list(range(start, start + count))


def reset_sequence(table: str) -> None:
    """After inserting explicit ids, move PostgreSQL's id sequence past them (SQLite needs nothing)."""
    if not is_postgresql():
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE(MAX(id), 1)) FROM {connection.ops.quote_name(table)}",
            [table],
        )


def upsert_add(
    table: str, key_columns: Sequence[str], value_column: str, rows: Sequence[Sequence[Any]]
) -> None:
    """Add values to counters, creating missing rows: INSERT … ON CONFLICT DO UPDATE (both backends)."""
    if not rows:
        return
    q = connection.ops.quote_name
    cols = [*key_columns, value_column]
    target = ", ".join(q(c) for c in key_columns)
    one = "(" + ", ".join(["%s"] * len(cols)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 500):
            chunk = rows[start : start + 500]
            sql = (
                f"INSERT INTO {q(table)} ({', '.join(q(c) for c in cols)}) VALUES {', '.join([one] * len(chunk))} "
                f"ON CONFLICT ({target}) DO UPDATE SET {q(value_column)} = {q(table)}.{q(value_column)} + excluded.{q(value_column)}"
            )
            cursor.execute(sql, [v for row in chunk for v in row])


@contextmanager
def indexes_deferred(table: str) -> Iterator[None]:
    """Drop a table's secondary indexes during a bulk load and build them once after (PostgreSQL).

    Building an index once is many times faster than maintaining it row by row, above all the
    GIN index of member names. Unique indexes and the primary key stay, so the load is still
    checked. SQLite keeps its indexes (the portable path).
    """
    if not is_postgresql():
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i JOIN pg_class c ON c.relname = i.indexname "
            "JOIN pg_index x ON x.indexrelid = c.oid WHERE i.tablename = %s AND NOT x.indisunique AND NOT x.indisprimary",
            [table],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX IF EXISTS {connection.ops.quote_name(name)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for _name, definition in indexes:
                cursor.execute(definition.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1))


@contextmanager
def references_checked(*tables: str) -> Iterator[bool]:
    """Rows written to `tables` in this block whose references the caller has just checked or
    created itself: PostgreSQL skips its own per-row re-check of their foreign keys. Yields
    whether it does.

    A commit creates a unit's members with their events and provenance: every member id is one
    it reserved and writes in the same block (or, for updates, a member it has just read), every
    organisation one it looked up, and organisations and members are never deleted. Re-checking
    each reference costs more than writing its row: 0.97 s for 20,000 members with their 52,000
    events and 20,000 provenance rows, against 2.0 s for the three INSERTs (measured with the
    city's registry).

    It is `session_replication_role = replica`, the setting pg_restore --disable-triggers
    uses, set for this block of the transaction only and then put back. It would skip every
    trigger of the rows written here, so it is not set if one of `tables` has a trigger of its
    own. It needs a superuser or, from PostgreSQL 15, `GRANT SET ON PARAMETER
    session_replication_role TO <role>` (docs/deployment.md). Otherwise, and on SQLite, the
    block changes nothing: the references are checked as always.
    """
    if not is_postgresql() or not _may_skip_reference_checks() or _have_triggers(tables):
        yield False
        return
    assert connection.in_atomic_block, "references_checked() belongs inside a transaction"
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        before = cursor.fetchone()[0]
        cursor.execute("SET LOCAL session_replication_role = replica")
    try:
        yield True
    finally:
        # Put back even when the block raised: an error the caller catches inside the same
        # transaction must not leave the rest of it unchecked. After a database error the
        # transaction is aborted (this fails, and its rollback resets the setting anyway).
        with suppress(DatabaseError), connection.cursor() as cursor:
            cursor.execute("SELECT set_config('session_replication_role', %s, true)", [before])


def _have_triggers(tables: Sequence[str]) -> bool:
    """Whether any of the tables has a trigger of its own (not a foreign key's)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT FROM pg_trigger WHERE NOT tgisinternal "
            "AND tgrelid = ANY(%s::regclass[]))",
            [list(tables)],
        )
        return bool(cursor.fetchone()[0])


def _may_skip_reference_checks() -> bool:
    """Whether this connection's role may set session_replication_role (asked once a connection)."""
    raw = connection.connection
    if raw not in _may_replicate:
        with connection.cursor() as cursor:
            if raw.info.server_version >= 150000:
                cursor.execute("SELECT has_parameter_privilege('session_replication_role', 'SET')")
            else:
                cursor.execute("SELECT current_setting('is_superuser') = 'on'")
            _may_replicate[raw] = bool(cursor.fetchone()[0])
    return _may_replicate[raw]


_may_replicate: "weakref.WeakKeyDictionary[Any, bool]" = weakref.WeakKeyDictionary()


def listening_connection(channel: str) -> Any:
    """A connection of its own (not the thread's) that LISTENs on `channel` (PostgreSQL): its
    raw psycopg connection's `notifies()` yields what other transactions NOTIFY once they commit.
    The caller owns it and closes it (`.close()`)."""
    wrapper = connections.create_connection(DEFAULT_DB_ALIAS)
    wrapper.ensure_connection()
    raw = wrapper.connection
    raw.autocommit = True
    raw.execute(f"LISTEN {connection.ops.quote_name(channel)}")
    return wrapper
