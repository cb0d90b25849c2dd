"""Database helpers whose fast path is PostgreSQL-only, each with its portable path beside it."""

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

import orjson
from django.db import connection


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def dumps_json(value: Any) -> str:
    """JSON text for a jsonb (or SQLite JSON) column: orjson, several times faster than json."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


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
    """Insert many rows fast: COPY on PostgreSQL, executemany on SQLite. Returns the row count."""
    count = 0
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if is_postgresql():
            # Django's wrapper turns psycopg's errors into django.db's (IntegrityError…).
            with (
                connection.wrap_database_errors,
                cursor.copy(f"COPY {connection.ops.quote_name(table)} ({cols}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
                    count += 1
        else:
            marks = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO {connection.ops.quote_name(table)} ({cols}) VALUES ({marks})"
            batch: list[Sequence[Any]] = []
            for row in rows:
                batch.append(row)
                if len(batch) >= 5000:
                    cursor.executemany(sql, batch)
                    count += len(batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
                count += len(batch)
    return count


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
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
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
