"""Deterministic synthetic registry data that looks real, at the scale of a ward, a city or the nation.

The tree mirrors the real administrative units (vietnam-provinces); people come from lib.synth.
Everything is written with bulk inserts (COPY on PostgreSQL), one province at a time, and the
subtree counters are added up in memory and applied once per organisation.
"""

import random
from collections import defaultdict
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from congresses.demo import congresses_generate
from core.db import adapt_rows, bulk_insert, indexes_deferred, reset_sequence
from corrections.demo import corrections_demo
from handbook.demo import handbook_demo
from lib.synth import PersonFactory
from lib.vn.text import fold
from meetings.demo import meetings_demo
from members.bulk import CHANGE_COLUMNS, EVENT_COLUMNS, MEMBER_COLUMNS
from members.models import FieldChange, Member, MemberEvent
from members.record import (
    QUALITY_COLUMNS,
    member_keys,
    quality_keys,
    search_text,
    sort_key,
    status_when_admitted,
)
from orgs.models import AdminUnit, Kind, Org, OrgEvent
from orgs.rollups import add_keys, apply_to_subtree_counts, org_keys
from orgs.services import encode_step
from rollout.demo import rollout_demo

CITY_MEMBERS = 365_911
NATION_MEMBERS = 5_600_000
HCM = 79

CITY_UPPER_GRASSROOTS = [
    "Đảng bộ các cơ quan Đảng Thành phố",
    "Đảng bộ Uỷ ban nhân dân Thành phố",
    "Đảng bộ Công an Thành phố",
    "Đảng bộ Quân sự Thành phố",
    "Đảng bộ Mặt trận Tổ quốc, các đoàn thể Thành phố",
]
GRASSROOTS_NAMES = [
    "Trường Tiểu học",
    "Trường Trung học cơ sở",
    "Trường Trung học phổ thông",
    "Trạm Y tế",
    "Công ty Cổ phần Xây dựng",
    "Công ty TNHH Thương mại",
    "Bệnh viện",
    "Ban Chỉ huy Quân sự",
    "Công an",
    "Hợp tác xã",
    "Trung tâm Văn hoá",
    "Ngân hàng",
]


@dataclass
class Plan:
    provinces: list[int]  # current province codes
    communes_per_province: int | None  # None = all
    upper_per_province: int
    members: int


def plan_for(scale: str, members: int | None) -> Plan:
    if scale == "ward":
        return Plan([HCM], 2, 0, members or 2_000)
    if scale == "city":
        return Plan([HCM], None, 5, members or CITY_MEMBERS)
    if scale == "nation":
        from vietnam_provinces import Province

        return Plan(
            sorted(int(p.code) for p in Province.iter_all()), None, 3, members or NATION_MEMBERS
        )
    raise ValueError(f"unknown scale {scale!r}")


class Ids:
    """Hands out explicit ids so parents, children and members link up before anything is written."""

    def __init__(self, start: int) -> None:
        self.next = start

    def take(self) -> int:
        self.next += 1
        return self.next


@dataclass
class OrgRow:
    id: int
    code: str
    name: str
    kind: str
    parent_id: int | None
    path: str
    admin_unit_id: int | None = None
    children: int = 0

    def child_path(self) -> str:
        self.children += 1
        return self.path + encode_step(self.children)


ORG_COLUMNS = [
    "id",
    "code",
    "name",
    "kind",
    "parent_id",
    "path",
    "depth",
    "admin_unit_id",
    "status",
    "valid_from",
    "valid_to",
    "contact_name",
    "contact_phone",
    "sort_name",
]


# Names repeat a lot across millions of people: compute their keys once.
_sort_key = lru_cache(maxsize=500_000)(sort_key)


class Generator:
    def __init__(
        self,
        *,
        scale: str,
        seed: int,
        today: date,
        members: int | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        self.plan = plan_for(scale, members)
        self.seed, self.today = seed, today
        self.rng = random.Random(seed)
        self.progress = progress or (lambda n: None)
        self.now = timezone.now()
        self.org_ids = Ids(Org.objects.aggregate(m=Max("id"))["m"] or 0)
        self.member_ids = Ids(Member.objects.aggregate(m=Max("id"))["m"] or 0)
        # Serials count per province from 0: lib.synth keeps CCCDs and phones unique across
        # provinces made with the same seed, for serials below each factory's capacity.
        self.serial = -1
        self.card = 10_000_000 + self.rng.randrange(0, 5_000_000) + self.member_ids.next
        self.units = {(u.level, u.code): u.id for u in AdminUnit.objects.all()}

    # The tree -----------------------------------------------------------------------------
    def root(self) -> OrgRow:
        existing = Org.objects.filter(parent__isnull=True).first()
        if existing:
            row = OrgRow(
                existing.id, existing.code, existing.name, existing.kind, None, existing.path
            )
            last = Org.objects.filter(parent=existing).aggregate(m=Max("path"))["m"]
            row.children = int(last[-4:], 36) if last else 0
            return row
        root = OrgRow(
            self.org_ids.take(), "TW", "Đảng Cộng sản Việt Nam", Kind.CENTRAL, None, encode_step(1)
        )
        with transaction.atomic():
            self._write_orgs([root])
            apply_to_subtree_counts({(root.id, key): 1 for key in (f"orgs.{Kind.CENTRAL}", "orgs")})
        return root

    def _write_orgs(self, rows: list[OrgRow]) -> None:
        bulk_insert(
            Org._meta.db_table,
            ORG_COLUMNS,
            adapt_rows(
                (
                    r.id,
                    r.code,
                    r.name,
                    r.kind,
                    r.parent_id,
                    r.path,
                    len(r.path) // 4 - 1,
                    r.admin_unit_id,
                    "active",
                    self.today.replace(year=2025, month=7, day=1)
                    if r.kind != Kind.CENTRAL
                    else date(1930, 2, 3),
                    None,
                    "",
                    "",
                    fold(r.name),
                )
                for r in rows
            ),
        )
        bulk_insert(
            OrgEvent._meta.db_table,
            ["org_id", "kind", "on", "detail", "by_id", "created_at"],
            adapt_rows(
                (
                    r.id,
                    "created",
                    date(2025, 7, 1),
                    {"name": r.name, "generated": True},
                    None,
                    self.now,
                )
                for r in rows
            ),
        )

    def _child(
        self, parent: OrgRow, code: str, name: str, kind: str, admin_unit_id: int | None = None
    ) -> OrgRow:
        return OrgRow(
            self.org_ids.take(), code, name, kind, parent.id, parent.child_path(), admin_unit_id
        )

    def _grassroots(
        self, unit: OrgRow, budget: int, rng: random.Random
    ) -> list[tuple[OrgRow, list[tuple[OrgRow, int]]]]:
        """Split a unit's members into grassroots organisations and cells of 10–60 members."""
        out: list[tuple[OrgRow, list[tuple[OrgRow, int]]]] = []
        n = 0
        while budget > 0:
            n += 1
            if rng.random() < 0.4 or budget < 40:
                size = min(budget, rng.randint(15, 60))
                cell = self._child(
                    unit,
                    f"{unit.code}.{n:03d}",
                    f"Chi bộ Khu phố {n}" if unit.kind == Kind.COMMUNE else f"Chi bộ {n}",
                    Kind.GRASSROOTS_CELL,
                )
                out.append((cell, [(cell, size)]))
                budget -= size
            else:
                label = rng.choice(GRASSROOTS_NAMES)
                committee = self._child(
                    unit,
                    f"{unit.code}.{n:03d}",
                    f"Đảng bộ {label} số {n}",
                    Kind.GRASSROOTS_COMMITTEE,
                )
                cells = []
                for c in range(1, rng.randint(3, 8) + 1):
                    if budget <= 0:
                        break
                    size = min(budget, rng.randint(10, 60))
                    cells.append(
                        (
                            self._child(
                                committee, f"{committee.code}.{c:02d}", f"Chi bộ {c}", Kind.CELL
                            ),
                            size,
                        )
                    )
                    budget -= size
                out.append((committee, cells))
        return out

    # People -------------------------------------------------------------------------------
    def _members(
        self,
        factory: PersonFactory,
        cells: list[tuple[OrgRow, int]],
        deltas: defaultdict[tuple[int, str], int],
    ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        members: list[tuple[Any, ...]] = []
        events: list[tuple[Any, ...]] = []
        changes: list[tuple[Any, ...]] = []
        for cell, size in cells:
            for _i in range(size):
                self.serial += 1
                p = factory.person(serial=self.serial, today=self.today)
                mid = self.member_ids.take()
                status = status_when_admitted(p.official_date)
                card = None
                if p.official_date and (self.serial % 10):
                    self.card += 1
                    card = f"{self.card:08d}"
                members.append(
                    (
                        mid,
                        p.cccd,
                        "",
                        p.full_name,
                        "",
                        "",
                        p.sex,
                        p.birth_date,
                        "day",
                        p.birth_place,
                        p.hometown,
                        p.residence,
                        p.ethnicity,
                        p.religion,
                        p.education,
                        p.political_theory,
                        p.qualification,
                        p.foreign_language,
                        p.occupation,
                        "",
                        p.admission_date,
                        cell.name,
                        p.official_date,
                        cell.name if p.official_date else "",
                        "day",
                        "day",
                        card,
                        "",
                        "",
                        p.service,
                        p.phone,
                        p.email,
                        cell.id,
                        cell.path,
                        None,
                        status,
                        False,
                        search_text(cell.path, p.full_name),
                        _sort_key(p.full_name),
                        self.now,
                        self.now,
                    )
                )
                events.append((mid, "admitted", p.admission_date, cell.id, {}, "", None, self.now))
                if p.official_date:
                    events.append(
                        (mid, "recognised", p.official_date, cell.id, {}, "", None, self.now)
                    )
                if card:
                    events.append(
                        (
                            mid,
                            "card_issued",
                            p.official_date,
                            cell.id,
                            {"card_number": card},
                            "",
                            None,
                            self.now,
                        )
                    )
                changes.append(
                    (mid, "*", "", "", "generated", f"generate seed {self.seed}", None, self.now)
                )
                quality = quality_keys(
                    sex=p.sex,
                    birth_date=p.birth_date,
                    status=status,
                    values={
                        **{name: getattr(p, name, "") for name in QUALITY_COLUMNS},
                        "card_number": card,
                        "admission_date_precision": "day",
                    },
                )
                keys = member_keys(
                    status=status, sex=p.sex, birth_date=p.birth_date, exempt=False, quality=quality
                )
                add_keys(deltas, cell.id, keys, 1)
        return members, events, changes

    def province(self, root: OrgRow, province_code: int, members: int) -> int:
        from vietnam_provinces import Province, Ward

        rng = random.Random(f"{self.seed}:{province_code}")
        province = next(p for p in Province.iter_all() if int(p.code) == province_code)
        name = province.name.replace("Tỉnh ", "tỉnh ")
        top = self._child(
            root,
            f"{province_code:02d}",
            f"Đảng bộ {name}",
            Kind.PROVINCE,
            self.units.get(("province", province_code)),
        )
        wards = sorted(
            (w for w in Ward.iter_all() if int(w.province_code) == province_code),
            key=lambda w: int(w.code),
        )
        if self.plan.communes_per_province:
            wards = wards[: self.plan.communes_per_province]
        units = [
            self._child(
                top,
                f"{province_code:02d}.{int(w.code):05d}",
                f"Đảng bộ {w.name}",
                Kind.COMMUNE,
                self.units.get(("commune", int(w.code))),
            )
            for w in wards
        ]
        uppers = (
            CITY_UPPER_GRASSROOTS
            if province_code == HCM
            else [n.replace("Thành phố", "Tỉnh") for n in CITY_UPPER_GRASSROOTS]
        )
        units += [
            self._child(top, f"{province_code:02d}.K{i + 1:02d}", uppers[i], Kind.UPPER_GRASSROOTS)
            for i in range(self.plan.upper_per_province)
        ]
        weights = [rng.uniform(0.6, 1.4) for _u in units]
        total_weight = sum(weights)
        shares = [int(members * w / total_weight) for w in weights]
        shares[0] += members - sum(shares)
        # One seed for every province: lib.synth then guarantees CCCDs unique across all of them.
        factory = PersonFactory(self.seed, province_code=province_code)
        self.serial = -1
        orgs: list[OrgRow] = [top, *units]
        written = 0
        with transaction.atomic():
            pending_members: list[tuple[Any, ...]] = []
            pending_events: list[tuple[Any, ...]] = []
            pending_changes: list[tuple[Any, ...]] = []
            deltas: defaultdict[tuple[int, str], int] = defaultdict(int)
            for unit, share in zip(units, shares, strict=True):
                for grassroots, cells in self._grassroots(unit, share, rng):
                    orgs.append(grassroots)
                    orgs.extend(cell for cell, _size in cells if cell is not grassroots)
                    m, e, c = self._members(factory, cells, deltas)
                    pending_members += m
                    pending_events += e
                    pending_changes += c
                if len(pending_members) >= 50_000:
                    written += self._flush(orgs, pending_members, pending_events, pending_changes)
                    orgs, pending_members, pending_events, pending_changes = [], [], [], []
            written += self._flush(orgs, pending_members, pending_events, pending_changes)
            org_deltas: defaultdict[tuple[int, str], int] = defaultdict(int)
            for org in Org.objects.filter(path__startswith=top.path).only("id", "kind", "status"):
                add_keys(org_deltas, org.id, org_keys(org), 1)
            for key, value in org_deltas.items():
                deltas[key] += value
            apply_to_subtree_counts(deltas)
        return written

    def _flush(
        self,
        orgs: list[OrgRow],
        members: list[tuple[Any, ...]],
        events: list[tuple[Any, ...]],
        changes: list[tuple[Any, ...]],
    ) -> int:
        if orgs:
            self._write_orgs(orgs)
        bulk_insert(Member._meta.db_table, MEMBER_COLUMNS, adapt_rows(members, json=False))
        bulk_insert(MemberEvent._meta.db_table, EVENT_COLUMNS, adapt_rows(events))
        bulk_insert(FieldChange._meta.db_table, CHANGE_COLUMNS, adapt_rows(changes, json=False))
        self.progress(len(members))
        return len(members)

    def run(self) -> int:
        # A fresh load builds the secondary indexes once at the end (PostgreSQL); a load into a
        # registry that already has data keeps them, so its readers are never slowed down.
        if Member.objects.exists():
            written = self._run()
        else:
            with ExitStack() as stack:
                for model in (Member, MemberEvent, FieldChange):
                    stack.enter_context(indexes_deferred(model._meta.db_table))
                written = self._run()
        # The handbook's demo (documents, adoption) and the cells' meetings: once the registry and
        # its indexes stand.
        handbook_demo(seed=self.seed, today=self.today)
        meetings_demo(today=self.today, seed=self.seed)
        corrections_demo(today=self.today, seed=self.seed)
        rollout_demo(seed=self.seed)
        return written

    def _run(self) -> int:
        root = self.root()
        written = 0
        provinces = self.plan.provinces
        if len(provinces) > 1:
            from vietnam_provinces import Ward

            communes: dict[int, int] = defaultdict(int)
            for w in Ward.iter_all():
                communes[int(w.province_code)] += 1
            total = sum(communes[p] for p in provinces)
            shares = {p: self.plan.members * communes[p] // total for p in provinces}
            shares[provinces[0]] += self.plan.members - sum(shares.values())
        else:
            shares = {provinces[0]: self.plan.members}
        taken = set(Org.objects.filter(parent_id=root.id).values_list("code", flat=True))
        for code in provinces:
            if f"{code:02d}" in taken:
                continue
            written += self.province(root, code, shares[code])
        for table in (Org, Member, MemberEvent, FieldChange, OrgEvent):
            reset_sequence(table._meta.db_table)
        # The congress term in full swing over the tree just made.
        congresses_generate(seed=self.seed, today=self.today)
        return written
