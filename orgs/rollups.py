"""Live counters of every organisation's whole subtree.

Writers queue deltas for the organisation the change happened in (`counts_changed`), in their own
transaction; `rollups_fold` adds them up per organisation and key, expands them to every ancestor
and applies each sum once. So a request never locks the root's counters, and a bulk path touches
each ancestor once however many rows it wrote.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping

from django.db import transaction

from core.db import bulk_insert, is_postgresql, upsert_add
from core.live import publish
from core.tick import tick_after_commit

from .models import CountDelta, Org, OrgCount

Deltas = Mapping[tuple[int, str], int]


def org_keys(org: Org) -> list[str]:
    return [f"orgs.{org.kind}", "orgs"] if org.is_active else []


def add_keys(
    deltas: defaultdict[tuple[int, str], int], org_id: int, keys: Iterable[str], sign: int
) -> None:
    for key in keys:
        deltas[(org_id, key)] += sign


def counts_changed(deltas: Deltas) -> None:
    """Queue counter changes for the organisations they happened in (same transaction)."""
    rows = [(org_id, key, delta) for (org_id, key), delta in deltas.items() if delta]
    if not rows:
        return
    bulk_insert(CountDelta._meta.db_table, ["org_id", "key", "delta"], rows)
    tick_after_commit()


def _paths_of(org_ids: Iterable[int]) -> dict[int, str]:
    return dict(Org.objects.filter(id__any=list(set(org_ids))).values_list("id", "path"))


def _ancestor_ids(paths: Mapping[int, str]) -> dict[int, list[int]]:
    """Map each organisation id to the ids of itself and all its ancestors."""
    prefixes = {p[:end] for p in paths.values() for end in range(4, len(p) + 1, 4)}
    id_of = dict(Org.objects.filter(path__any=sorted(prefixes)).values_list("path", "id"))
    return {
        org_id: [id_of[path[:end]] for end in range(4, len(path) + 1, 4) if path[:end] in id_of]
        for org_id, path in paths.items()
    }


def apply_to_subtree_counts(deltas: Deltas) -> None:
    """Add deltas of organisations to their own and all their ancestors' counters, once each,
    and tell the pages watching them (core/live.py) once this transaction commits."""
    totals: defaultdict[tuple[int, str], int] = defaultdict(int)
    paths = _paths_of(org_id for org_id, _key in deltas)
    ancestors = _ancestor_ids(paths)
    for (org_id, key), delta in deltas.items():
        for ancestor_id in ancestors.get(org_id, []):
            totals[(ancestor_id, key)] += delta
    # A fixed order of rows keeps two concurrent folders from deadlocking each other.
    rows = sorted((org_id, key, value) for (org_id, key), value in totals.items() if value)
    upsert_add(OrgCount._meta.db_table, ["org_id", "key"], "value", rows)
    # The organisations where the changes happened: a watcher of any of their ancestors hears
    # of them too. Told here, where the counters its page will read are already written.
    publish(
        {paths[org_id] for (org_id, _key), delta in deltas.items() if delta and org_id in paths}
    )


def rollups_fold(limit: int = 20000) -> int:
    """Apply up to `limit` pending deltas; returns how many were applied (0 = nothing pending)."""
    with transaction.atomic():
        pending = CountDelta.objects.order_by("id")
        if is_postgresql():
            pending = pending.select_for_update(skip_locked=True)
        batch = list(pending.values_list("id", "org_id", "key", "delta")[:limit])
        if not batch:
            return 0
        sums: defaultdict[tuple[int, str], int] = defaultdict(int)
        for _id, org_id, key, delta in batch:
            sums[(org_id, key)] += delta
        apply_to_subtree_counts(sums)
        CountDelta.objects.filter(id__any=[row[0] for row in batch]).delete()
    return len(batch)


# Every app that keeps counters (members by status, campaign milestones, data quality…)
# registers a function that recomputes its deltas from the data, so a rebuild covers every key.
Rebuilder = Callable[[], Iterable[tuple[tuple[int, str], int]]]
REBUILDERS: list[Rebuilder] = []
# Deltas are applied in slices of this many (organisation, key) sums: they are additive, and
# memory stays flat at national scale.
REBUILD_SLICE = 200_000


def register_rebuilder(func: Rebuilder) -> None:
    if func not in REBUILDERS:
        REBUILDERS.append(func)


def _orgs_rebuilt() -> Iterable[tuple[tuple[int, str], int]]:
    for org in Org.objects.filter(status=Org.Status.ACTIVE).only("id", "kind", "status"):
        for key in org_keys(org):
            yield (org.id, key), 1


def rollups_rebuild() -> int:
    """Recompute every counter from the data itself; returns the number of counter rows."""
    with transaction.atomic():
        CountDelta.objects.all().delete()
        OrgCount.objects.all().delete()
        deltas: defaultdict[tuple[int, str], int] = defaultdict(int)
        for rebuilder in [_orgs_rebuilt, *REBUILDERS]:
            for key, value in rebuilder():
                deltas[key] += value
                if len(deltas) >= REBUILD_SLICE:
                    apply_to_subtree_counts(deltas)
                    deltas.clear()
        apply_to_subtree_counts(deltas)
        return OrgCount.objects.count()


def counts_of(
    org_ids: Iterable[int], keys: Iterable[str] | None = None
) -> dict[int, dict[str, int]]:
    """Counters of several organisations at once: {org_id: {key: value}}."""
    result: dict[int, dict[str, int]] = defaultdict(dict)
    rows = OrgCount.objects.filter(org_id__in=list(org_ids))
    if keys is not None:
        rows = rows.filter(key__in=list(keys))
    for org_id, key, value in rows.values_list("org_id", "key", "value"):
        result[org_id][key] = value
    return result
