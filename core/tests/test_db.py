"""core.db: the bulk helpers' PostgreSQL paths and their portable twins."""

from collections.abc import Sequence
from typing import Any

import orjson
import pytest
from django.db import connection

from core.db import adapt_rows, analyze_if_grown, dumps_json
from members.models import Member


@pytest.mark.django_db(transaction=True)
def test_a_table_is_analysed_once_it_has_grown_past_its_statistics() -> None:
    if connection.vendor != "postgresql":
        assert analyze_if_grown("members_member") == []  # SQLite keeps no such statistics
        return
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE grow_probe (id integer)")
    try:
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO grow_probe SELECT generate_series(1, 6000)")
            cursor.execute("SELECT pg_stat_force_next_flush()")
        assert analyze_if_grown("grow_probe", floor=5000) == ["grow_probe"]
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'grow_probe'")
            assert cursor.fetchone()[0] == 6000
            # Grown by less than its size since: left alone.
            cursor.execute("INSERT INTO grow_probe SELECT generate_series(1, 3000)")
            cursor.execute("SELECT pg_stat_force_next_flush()")
        assert analyze_if_grown("grow_probe", floor=0) == []
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE grow_probe")


@pytest.mark.django_db(transaction=True)
def test_an_analysis_can_be_kept_to_the_columns_lookups_use() -> None:
    if connection.vendor != "postgresql":
        assert analyze_if_grown("members_member", columns=["cccd"]) == []
        return
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE grow_probe (id integer, note text)")
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO grow_probe SELECT i, 'x' || i FROM generate_series(1, 6000) i"
            )
            cursor.execute("SELECT pg_stat_force_next_flush()")
        assert analyze_if_grown("grow_probe", floor=5000, columns=["id"]) == ["grow_probe"]
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'grow_probe'")
            assert cursor.fetchone()[0] == 6000  # the size is counted all the same
            cursor.execute("SELECT attname FROM pg_stats WHERE tablename = 'grow_probe'")
            assert [name for (name,) in cursor.fetchall()] == ["id"]
            # A little more is not "grown" (PostgreSQL's count of changes since an ANALYZE is
            # not reset by one of some columns: it must not make every commit analyse).
            cursor.execute("INSERT INTO grow_probe SELECT i, 'y' FROM generate_series(1, 100) i")
            cursor.execute("SELECT pg_stat_force_next_flush()")
        assert analyze_if_grown("grow_probe", floor=0, columns=["id"]) == []
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO grow_probe SELECT i, 'z' FROM generate_series(1, 6000) i")
            cursor.execute("SELECT pg_stat_force_next_flush()")
        assert analyze_if_grown("grow_probe", floor=0, columns=["id"]) == ["grow_probe"]
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE grow_probe")


@pytest.mark.django_db
def test_rows_without_json_go_to_postgresql_as_they_are() -> None:
    rows = [(1, "a", None)]
    adapted = adapt_rows(rows, json=False)
    if connection.vendor == "postgresql":
        assert adapted is rows
    else:
        assert [list(r) for r in adapted] == [[1, "a", None]]
    assert [list(r) for r in adapt_rows([(1, {"k": "đ"}, [1])])] == [
        [1, dumps_json({"k": "đ"}), "[1]"]
    ]
    assert dumps_json({"k": "đ", 2: None}) == '{"k":"đ","2":null}'


def test_any_matches_what_in_matches_with_one_parameter_however_long_the_list(world) -> None:
    cccds = [m.cccd for m in world.members]
    # 40,000 values: more than SQLite accepts as placeholders, and repeated values.
    probe = [f"{n:012d}" for n in range(40_000)] + cccds + cccds[:1]
    found = Member.objects.filter(cccd__any=probe)
    assert sorted(found.values_list("cccd", flat=True)) == sorted(cccds)
    _sql, params = found.query.sql_with_params()
    assert len(params) == 1
    ids = [m.pk for m in world.members[:2]]
    assert sorted(Member.objects.filter(pk__any=ids).values_list("pk", flat=True)) == sorted(ids)
    assert not Member.objects.filter(cccd__any=[]).exists()
    assert list(Member.objects.exclude(pk__any=ids).order_by("pk")) == list(
        Member.objects.exclude(pk__in=ids).order_by("pk")
    )


@pytest.mark.django_db
def test_any_leaves_a_json_documents_key_named_any_alone() -> None:
    from audit.models import AuditEvent
    from audit.services import audit_log

    audit_log(actor=None, action="probe", detail={"any": 1})
    assert AuditEvent.objects.filter(action="probe", detail__any=1).count() == 1


EVENTS = "members_memberevent"


def _event_insert(member_id: int, org_id: int) -> str:
    return (
        'INSERT INTO members_memberevent (member_id, kind, "on", org_id, detail, note, created_at) '
        f"VALUES ({member_id}, 'admitted', '2020-01-01', {org_id}, '{{}}', '', CURRENT_TIMESTAMP)"
    )


@pytest.mark.django_db(transaction=True)
def test_references_checked_skips_postgresqls_re_check_only_inside_its_block(world) -> None:
    from django.db import IntegrityError, transaction

    from core.db import references_checked

    if connection.vendor != "postgresql":
        with transaction.atomic(), references_checked(EVENTS) as skipped:
            assert skipped is False  # SQLite: nothing to skip, nothing changed
        return
    missing = Member.objects.order_by("-id").values_list("id", flat=True)[0] + 1000
    # Inside the block a reference the caller vouches for is not looked up again (this one is
    # wrong on purpose, to show that the check is skipped), and the block ends with the
    # setting as it was: the rest of the transaction is checked as always.
    with transaction.atomic():
        with references_checked(EVENTS) as skipped, connection.cursor() as cursor:
            assert skipped is True
            cursor.execute(_event_insert(missing, world.cell.pk))
        with connection.cursor() as cursor:
            cursor.execute("SHOW session_replication_role")
            assert cursor.fetchone()[0] == "origin"
        transaction.set_rollback(True)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_event_insert(missing, world.cell.pk))
    # Nor does an error that the caller catches inside the transaction leave it unchecked.
    with transaction.atomic():
        with pytest.raises(ZeroDivisionError), references_checked(EVENTS):
            1 / 0  # noqa: B018
        with connection.cursor() as cursor:
            cursor.execute("SHOW session_replication_role")
            assert cursor.fetchone()[0] == "origin"


@pytest.mark.django_db(transaction=True)
def test_a_table_with_a_trigger_of_its_own_keeps_its_checks_and_its_trigger(world) -> None:
    from django.db import IntegrityError, transaction

    from core.db import references_checked

    if connection.vendor != "postgresql":
        return
    missing = Member.objects.order_by("-id").values_list("id", flat=True)[0] + 1000
    # Replica mode would skip this trigger too: with it there, the block changes nothing.
    with pytest.raises(IntegrityError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE FUNCTION pg_temp.probe() RETURNS trigger LANGUAGE plpgsql "
                "AS $$ BEGIN RETURN NEW; END $$"
            )
            cursor.execute(
                f"CREATE TRIGGER probe BEFORE INSERT ON {EVENTS} "
                "FOR EACH ROW EXECUTE FUNCTION pg_temp.probe()"
            )
        with references_checked("members_member", EVENTS) as skipped:
            assert skipped is False
            with connection.cursor() as cursor:
                cursor.execute(_event_insert(missing, world.cell.pk))


@pytest.mark.django_db(transaction=True)
def test_without_the_privilege_the_references_are_checked_as_always(world, monkeypatch) -> None:
    from django.db import IntegrityError, transaction

    from core import db

    monkeypatch.setattr(db, "_may_skip_reference_checks", lambda: False)
    missing = Member.objects.order_by("-id").values_list("id", flat=True)[0] + 1000
    with (
        pytest.raises(IntegrityError),
        transaction.atomic(),
        db.references_checked(EVENTS) as skipped,
        connection.cursor() as cursor,
    ):
        assert skipped is False
        cursor.execute(_event_insert(missing, world.cell.pk))


@pytest.mark.django_db(transaction=True)
def test_a_role_may_skip_the_re_check_once_granted_the_setting_as_deployment_says() -> None:
    from django.db import transaction

    from core import db

    connection.ensure_connection()
    if connection.vendor != "postgresql" or connection.connection.info.server_version < 150000:
        return
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("CREATE ROLE partyorg_probe NOSUPERUSER")
            cursor.execute("SET LOCAL ROLE partyorg_probe")
            db._may_replicate.clear()
            assert db._may_skip_reference_checks() is False
            cursor.execute("RESET ROLE")
            cursor.execute("GRANT SET ON PARAMETER session_replication_role TO partyorg_probe")
            cursor.execute("SET LOCAL ROLE partyorg_probe")
            db._may_replicate.clear()
            assert db._may_skip_reference_checks() is True
            cursor.execute("SET LOCAL session_replication_role = replica")  # the grant suffices
            transaction.set_rollback(True)
    finally:
        db._may_replicate.clear()


@pytest.mark.django_db
def test_json_for_copy_writes_documents_as_they_were_whatever_their_characters() -> None:
    from core.db import bulk_insert, json_for_copy

    document = {
        "vi": "Họ và tên: “Nguyễn Văn Ân”",
        "escapes": 'tab\tnew line\nback\\slash "quoted" \\N',
        "raw": "a\tb\nc\\d\r",
        "list": [1, None, True, "đ"],
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE json_probe (id integer, doc jsonb)"
            if connection.vendor == "postgresql"
            else "CREATE TEMP TABLE json_probe (id integer, doc text)"
        )
        json = json_for_copy()
        assert bulk_insert("json_probe", ["id", "doc"], [(1, json(document)), (2, json([]))]) == 2
        cursor.execute("SELECT doc FROM json_probe ORDER BY id")
        assert [orjson.loads(doc) for (doc,) in cursor.fetchall()] == [document, []]


@pytest.mark.django_db
def test_bulk_insert_round_trips_every_column_type_the_bulk_paths_write() -> None:
    """COPY in binary on PostgreSQL (executemany on SQLite): the values come back as written,
    JSON given as text, as bytes or as objects, and an address given as text."""
    from datetime import UTC, date, datetime

    from core.db import bulk_insert, json_for_copy

    postgresql = connection.vendor == "postgresql"
    types = (
        "flag boolean, small smallint, mid integer, big bigint, note text, code varchar(8),"
        " day date, at timestamptz, doc jsonb, ip inet"
        if postgresql
        else "flag bool, small int, mid int, big int, note text, code varchar(8),"
        " day date, at datetime, doc text, ip text"
    )
    at = datetime(2025, 11, 27, 8, 30, 15, 123456, tzinfo=UTC)
    document = {"vi": "Nguyễn Văn Ân\t\\N", "n": [1, None]}
    rows: list[Sequence[Any]] = [
        (
            True,
            -3,
            2**31 - 1,
            2**62,
            "tab\tnew line\n\\N đ",
            "79.U0001",
            date(1975, 3, 12),
            at,
            json_for_copy()(document),
            "203.0.113.7",
        ),
        (False, 0, 0, 0, "", "", date(1, 1, 1), at, dumps_json([]), "2001:db8::1"),
        (None, None, None, None, None, None, None, None, None, None),
    ]
    if postgresql:
        rows.append((True, 1, 1, 1, "x", "y", date(2025, 7, 1), at, {"as": "object"}, None))
    columns = ["flag", "small", "mid", "big", "note", "code", "day", "at", "doc", "ip"]
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE copy_probe ({types})")
        rows = rows if postgresql else list(adapt_rows(rows))  # dates as SQLite keeps them
        assert bulk_insert("copy_probe", columns, rows) == len(rows)
        cursor.execute("SELECT * FROM copy_probe")
        back = cursor.fetchall()
    if not postgresql:
        assert len(back) == len(rows)
        return
    assert back[0][:8] == (
        True,
        -3,
        2**31 - 1,
        2**62,
        "tab\tnew line\n\\N đ",
        "79.U0001",
        date(1975, 3, 12),
        at,
    )
    assert orjson.loads(back[0][8]) == document and str(back[0][9]) == "203.0.113.7"
    assert (
        orjson.loads(back[1][8]) == []
        and str(back[1][9]) == "2001:db8::1"
        and back[1][6] == date(1, 1, 1)
    )
    assert back[2] == (None,) * 10
    assert orjson.loads(back[3][8]) == {"as": "object"}


@pytest.mark.django_db
def test_a_table_with_a_type_copy_cannot_send_in_binary_is_sent_as_text() -> None:
    from core import db

    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE numeric_probe (id bigint, amount numeric(8, 2))")
        # The registry's tables go in binary; this one cannot, and still goes in.
        assert db._binary_types(cursor, Member._meta.db_table, ["id", "birth_date"])
        assert db._binary_types(cursor, "numeric_probe", ["id", "amount"]) is None
        assert db._binary_types(cursor, "numeric_probe", ["id", "nothing"]) is None
        assert db.bulk_insert("numeric_probe", ["id", "amount"], [(1, "12.50")]) == 1
        cursor.execute("SELECT amount::text FROM numeric_probe")
        assert cursor.fetchall() == [("12.50",)]


@pytest.mark.django_db
def test_any_sends_any_string_or_integer_list_as_postgresql_reads_it_back(world) -> None:
    from core.lookups import array_literal

    if connection.vendor != "postgresql":
        pytest.skip("array literals are PostgreSQL's")
    strings = ['a"b', "back\\slash", "a,b", "{x}", " spaced ", "", "NULL", "Nguyễn Văn Ân", None]
    integers = [0, -1, 2**62, 7]
    with connection.cursor() as cursor:
        for values in (strings, integers):
            literal = array_literal(values)
            assert literal is not None
            cursor.execute(
                f"SELECT x FROM unnest(%s::{literal[1]}) WITH ORDINALITY AS u(x, n) ORDER BY n",
                [literal[0]],
            )
            assert [x for (x,) in cursor.fetchall()] == values
    assert (
        array_literal([]) is None
        and array_literal([1, "a"]) is None
        and array_literal([True]) is None
    )
    Member.objects.filter(pk=world.members[0].pk).update(full_name='Lê "Út" \\ Hai')
    found = Member.objects.filter(full_name__any=['Lê "Út" \\ Hai', "nobody"])
    assert list(found.values_list("pk", flat=True)) == [world.members[0].pk]


@pytest.mark.django_db(transaction=True)
def test_reserved_ids_are_distinct_sorted_unused_and_never_handed_out_again() -> None:
    from core.db import allocate_ids

    assert allocate_ids(Member._meta.db_table, 0) == []
    first = allocate_ids(Member._meta.db_table, 2500)
    again = allocate_ids(Member._meta.db_table, 3)
    assert len(set(first)) == 2500 and first == sorted(first)
    assert len(set(again)) == 3
    if connection.vendor == "postgresql":
        # The sequence hands them to nobody else. (SQLite counts from the highest id written,
        # safe because its one writer holds the lock until the reserved rows are written.)
        assert min(again) > max(first)
    assert not Member.objects.filter(pk__in=first + again).exists()
