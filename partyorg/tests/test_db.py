"""partyorg.db: the bulk helpers' PostgreSQL paths and their portable twins."""

import pytest
from django.db import connection

from members.models import Member
from partyorg.db import adapt_rows, analyze_if_grown, dumps_json


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
