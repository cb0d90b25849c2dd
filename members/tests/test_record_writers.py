"""Every writer of the member record keeps what the record derives true: search, counters, status.

Random sequences of the services (create, rename, a correction, transfer, exemption, exit), the
reorganisations (move, merge) and imports run one after another; after each step the members'
derived columns are what members.record makes of their values, a name search finds each active
member under every organisation above them and nowhere else, each status is what the events
say, and the live counters equal a rebuild from the data. The same test runs on SQLite and on
PostgreSQL (scripts/test.sh), whose name search reads different indexes.
"""

from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaning.commit import batch_commit
from cleaning.services import batch_create
from conftest import World, person
from core.tick import tick
from demo.generate import Generator
from members import reorg, services
from members.models import ACTIVE_STATUSES, Member, Source
from members.record import columns_drift, state_of
from members.selectors import MemberFilters, members_for
from orgs.models import Kind, Org, OrgCount
from orgs.rollups import rollups_rebuild
from orgs.services import org_create

NAMES = ["Nguyễn Văn An", "Lò Thị Xuân", "Trần Hoàng Nam", "Hà Thị Thuỷ", "Võ Minh Đức"]

STEPS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "create",
                "admit",
                "recognise",
                "card",
                "rename",
                "correct",
                "transfer",
                "exempt",
                "exit",
                "move",
                "merge",
                "import",
            ]
        ),
        st.integers(min_value=0, max_value=10_000),
    ),
    min_size=1,
    max_size=6,
)


def _cells() -> list[Org]:
    return list(
        Org.objects.filter(
            status=Org.Status.ACTIVE, kind__in=[Kind.CELL, Kind.GRASSROOTS_CELL]
        ).order_by("path")
    )


def _active() -> list[Member]:
    return list(Member.objects.filter(status__in=ACTIVE_STATUSES).order_by("id"))


def _counters() -> dict[tuple[int, str], int]:
    return {(c.org_id, c.key): c.value for c in OrgCount.objects.all() if c.value}


def _import(world: World, n: int) -> None:
    """A cell's spreadsheet: one new member, and a new phone for a member already on file."""
    known = Member.objects.filter(org=world.cell, status__in=ACTIVE_STATUSES).first()
    new = person(5000 + n, full_name=NAMES[n % len(NAMES)])
    lines = [
        "Họ và tên,Số CCCD,Giới tính,Ngày sinh,Ngày vào Đảng,Điện thoại",
        f"{new['full_name']},{new['cccd']},{'Nam' if new['sex'] == 'M' else 'Nữ'},"
        f"{new['birth_date']:%d/%m/%Y},{new['admission_date']:%d/%m/%Y},0912{n:06d}",
    ]
    if known is not None:
        # The same person under a corrected name, with a new phone: an update.
        lines.append(
            f"{NAMES[(n + 3) % len(NAMES)]},{known.cccd},{'Nam' if known.sex == 'M' else 'Nữ'},"
            f"{known.birth_date:%d/%m/%Y},{known.admission_date:%d/%m/%Y},0913{n:06d}"
        )
    upload = SimpleUploadedFile(f"chi-bo-{n}.csv", "\n".join(lines).encode())
    batch = batch_create(org=world.cell, uploads=[upload], by=world.users["secretary"])
    batch.refresh_from_db()
    if batch.status == "review":
        batch_commit(batch=batch, by=world.users["secretary"])


def _step(world: World, action: str, n: int, serial: int) -> None:
    today = timezone.localdate()
    cells, active = _cells(), _active()
    member = active[n % len(active)] if active else None
    if action == "create" or member is None:
        services.member_create(
            org=cells[n % len(cells)],
            data=person(1000 + serial, full_name=NAMES[n % len(NAMES)]),
        )
    elif action == "admit":
        # A complete record on probation, admitted up to two years ago: "complete" until the
        # probation is over, which its counters keep by day.
        services.member_create(
            org=cells[n % len(cells)],
            data=person(
                1000 + serial,
                full_name=NAMES[n % len(NAMES)],
                birth_place="Hà Nội",
                hometown="Tỉnh Nam Định",
                residence="Phường Sài Gòn",
                admission_date=today - timedelta(days=n % 730),
                official_date=None,
            ),
        )
    elif action == "recognise":
        waiting = [m for m in active if m.status == "probationary"]
        if waiting:
            chosen = waiting[n % len(waiting)]
            services.member_recognise(member=chosen, on=max(chosen.admission_date, today))
    elif action == "card":
        without = [m for m in active if m.status == "official" and not m.card_number]
        if without:
            chosen = without[n % len(without)]
            services.member_issue_card(
                member=chosen, card_number=f"{20000000 + serial:08d}", on=today
            )
    elif action == "rename":
        services.member_update(member=member, changes={"full_name": NAMES[(n + 1) % len(NAMES)]})
    elif action == "correct":
        services.member_update(
            member=member,
            changes={"full_name": NAMES[(n + 2) % len(NAMES)], "phone": f"0987{n:06d}"},
            source=Source.CORRECTION,
            source_ref=f"request {n}",
        )
    elif action == "transfer":
        others = [c for c in cells if c.id != member.org_id]
        services.member_transfer(member=member, to_org=others[n % len(others)], on=today)
    elif action == "exempt":
        services.member_exempt(member=member, on=today, end=member.exempt)
    elif action == "exit":
        services.member_exit(member=member, kind="died", on=today)
    elif action == "move":
        grassroots = Org.objects.get(pk=world.grassroots.pk)
        wards = [world.ward, world.other_ward]
        target = next(w for w in wards if w.pk != grassroots.parent_id)
        reorg.org_move(org=grassroots, new_parent=Org.objects.get(pk=target.pk), on=today)
    elif action == "merge":
        small = [c for c in cells if c.id not in (world.cell.id, world.other_cell.id)]
        if small:
            reorg.org_merge(sources=[small[0]], target=Org.objects.get(pk=world.cell.pk), on=today)
    elif action == "import":
        _import(world, serial)


def _found_under(org: Org, member: Member) -> bool:
    rows = members_for(
        viewer=_central, org=org, filters=MemberFilters(q=member.full_name, status="all")
    )
    return member.pk in {m.pk for m in rows}


_central = None


def _check(world: World) -> None:
    assert columns_drift() == []
    orgs = list(Org.objects.all())
    for member in Member.objects.select_related("org"):
        state = state_of(member)
        assert (member.status, member.org_id, member.exempt) == (
            state.status,
            state.org_id,
            state.exempt,
        ), member.pk
        for org in orgs:
            assert _found_under(org, member) is member.org.path.startswith(org.path), (
                member.full_name,
                org.code,
            )
    live = _counters()
    rollups_rebuild()
    assert _counters() == live


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=STEPS)
def test_every_writer_keeps_search_status_and_counters_true(world: World, steps) -> None:
    global _central
    _central = world.users["central"]
    with transaction.atomic():
        # Two more cells, so that merges and transfers have somewhere to go.
        org_create(code="X1", name="Chi bộ Khu phố 7", kind=Kind.CELL, parent=world.grassroots)
        org_create(
            code="X2",
            name="Chi bộ Tổ dân phố 3",
            kind=Kind.GRASSROOTS_CELL,
            parent=world.other_ward,
        )
        tick()
        for serial, (action, n) in enumerate(steps):
            _step(world, action, n, serial)
            tick()
            _check(world)
        # Each example starts from the same world.
        transaction.set_rollback(True)


def test_the_generator_writes_what_the_record_derives(transactional_db) -> None:
    # Not inside a test transaction: the generator drops and rebuilds indexes around its COPY.
    Generator(scale="ward", seed=3, today=date(2026, 1, 1), members=300).run()
    tick()
    assert Member.objects.count() == 300
    assert columns_drift() == []
    live = _counters()
    rollups_rebuild()
    assert _counters() == live
