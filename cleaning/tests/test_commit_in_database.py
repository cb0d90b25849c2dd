"""On PostgreSQL a commit makes its new members in the database, from the staged rows' values.

Whatever way they are made, the rows written must be the same: the members, their events,
provenance and audit, and the counters they change. The same batch is committed both ways
(each in a transaction rolled back after it is read) and the two are compared.
"""

from collections import Counter
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction

from audit.models import AuditEvent
from cleaning import commit, services
from cleaning.commit import batch_commit
from cleaning.models import BatchRow
from conftest import World
from members.bulk import MEMBER_COLUMNS
from members.models import FieldChange, Member, MemberEvent
from members.record import member_keys_of
from orgs.models import CountDelta

HEADER = (
    "STT,Họ và tên,Số CCCD,Giới tính,Ngày sinh,Ngày vào Đảng,Ngày chính thức,Số thẻ đảng viên,"
    "Quê quán,Dân tộc,Điện thoại,Số lý lịch\n"
)
ROWS = [
    # Official, a card, a pre-2025 hometown, every date known to the day.
    "1,Nguyễn Thị Hoà,079185000101,Nữ,12/03/1985,19/05/2010,19/05/2011,02507125,"
    '"xã Bình Phước, huyện Mang Thít, tỉnh Vĩnh Long",Kinh,0903123456,LL-1',
    # Probationary: no official date, so no card (the number typed is not kept), no phone.
    "2,Trần Văn Bảo,079080000102,Nam,01/02/1980,03/02/2025,,02507126,,Tày,,",
    # Known only to the year or the month: dates stay partial, with their precision.
    "3,Lê Văn Cường,079075000104,Nam,1975,2001,05/2002,02507127,Hà Nội,Kinh,0903123458,",
    # Official with no card number.
    "4,Phạm Thị Dung,079190000105,Nữ,20/07/1990,01/09/2015,01/09/2016,,Huế,Kinh,0903123459,",
]


def _written(batch_pk: int) -> dict[str, Any]:
    """What a commit wrote, without the ids and times that differ from one run to the next."""
    members = {
        m["id"]: m
        for m in Member.objects.filter(field_changes__source_ref__startswith=f"batch {batch_pk} ")
        .values(*MEMBER_COLUMNS)
        .distinct()
    }
    cccd = {pk: m["cccd"] for pk, m in members.items()}
    skip = {"id", "created_at", "updated_at"}
    return {
        "members": sorted(
            (tuple((k, v) for k, v in m.items() if k not in skip) for m in members.values()),
        ),
        "events": [
            (cccd[e.member_id], e.kind, e.on, e.org_id, e.detail, e.note, e.by_id)
            for e in MemberEvent.objects.filter(member_id__in=members).order_by("id")
        ],
        "changes": [
            (cccd[c.member_id], c.field, c.old_value, c.new_value, c.source, c.source_ref, c.by_id)
            for c in FieldChange.objects.filter(member_id__in=members).order_by("id")
        ],
        "audits": [
            (cccd[int(a.object_id)], a.actor_id, a.actor_label, a.action, a.detail)
            for a in AuditEvent.objects.filter(
                action="member.import", object_id__in=[str(pk) for pk in members]
            ).order_by("id")
        ],
        "counters": sorted(
            CountDelta.objects.exclude(key="q.open_problems").values_list("org_id", "key", "delta")
        ),
        "keys": Counter(
            (member.org_id, key)
            for member in Member.objects.filter(id__in=members)
            for key in member_keys_of(member)
        ),
    }


def _commit_and_read(batch: Any, by: Any) -> dict[str, Any]:
    with transaction.atomic():
        CountDelta.objects.all().delete()
        summary = batch_commit(batch=batch, by=by)
        written = {**_written(batch.pk), "summary": summary}
        transaction.set_rollback(True)
    return written


def test_the_database_makes_the_same_members_events_provenance_and_counters(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the database path is PostgreSQL's; SQLite has only the Python one")
    batch = services.batch_create(
        org=world.cell,
        uploads=[
            SimpleUploadedFile("chibo.csv", (HEADER + "\n".join(ROWS) + "\n").encode("utf-8"))
        ],
        by=world.users["secretary"],
    )
    assert batch.status == "review" and batch.rows_total == len(ROWS)
    assert not BatchRow.objects.filter(batch=batch, errors__gt=0).exists()
    used = []
    in_database = commit._created_in_database

    def spied(plan: Any) -> None:
        used.append(len(plan.created))
        in_database(plan)

    monkeypatch.setattr(commit, "_created_in_database", spied)
    by_database = _commit_and_read(batch, world.users["secretary"])
    assert used == [len(ROWS)]
    monkeypatch.setattr(commit, "_readable_in_database", lambda created: False)
    by_python = _commit_and_read(batch, world.users["secretary"])
    assert used == [len(ROWS)]  # the second commit made them in Python

    assert by_database == by_python
    # And the counters are those of the members as written (orgs.rollups.member_keys_of).
    counted = Counter(
        (org, key) for org, key, delta in by_database["counters"] for _ in range(delta) if delta > 0
    )
    assert counted == by_database["keys"]
    members = {dict(m)["cccd"]: dict(m) for m in by_database["members"]}
    assert len(members) == len(ROWS) and by_database["summary"]["created"] == len(ROWS)
    # The cases above are in it: a partial date, a probationary member without a card, and
    # events with their precision.
    partial = members["079075000104"]
    assert partial["birth_date_precision"] == "year"
    assert partial["official_date_precision"] == "month"
    assert members["079080000102"]["status"] == "probationary"
    assert members["079080000102"]["card_number"] is None
    assert members["079185000101"]["card_number"] == "02507125"
    kinds = [(e[0], e[1]) for e in by_database["events"]]
    assert kinds[:3] == [
        ("079185000101", "admitted"),
        ("079185000101", "recognised"),
        ("079185000101", "card_issued"),
    ]
    assert any(
        e[1] == "recognised" and e[4].get("precision") == "month" for e in by_database["events"]
    )
