"""Each unit's coverage, counted like any other figure (orgs/rollups.py): per unit, whether a
current grant held at the unit itself lets someone enter its data (editor or above) and approve
it (approver or above), and whether one of its officials has logged in at the officer level.

The unit's state is kept in UnitCoverage so a change adds or takes away exactly once: any save
of a grant (granted, revoked, through whichever page) refreshes its unit, a grant's expiry is
caught by a drain of the one-second tick, and a first officer-level login (an audited "login")
refreshes the units where the user holds grants. `rollups_rebuild` recomputes everything.
"""

import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_save
from django.utils import timezone

from access.models import ROLE_RANK, Grant, Role
from audit.models import AuditEvent
from orgs.models import Org
from orgs.rollups import counts_changed

from .models import Level2Login, UnitCoverage

KEY_EDITOR = "rollout.editor"
KEY_COVERED = "rollout.covered"
KEY_LOGGED_IN = "rollout.logged_in"
KEYS = (KEY_EDITOR, KEY_COVERED, KEY_LOGGED_IN)
# A grant ending within this many days is listed as expiring soon.
EXPIRING_DAYS = 30


def _current(now: Any) -> Q:
    return Q(revoked_at__isnull=True) & (Q(expires_at__isnull=True) | Q(expires_at__gt=now))


def states_of(org_ids: Iterable[int]) -> dict[int, tuple[bool, bool, bool]]:
    """(has an editor, has an approver, an official logged in at level 2) of active units."""
    ids = list(set(org_ids))
    now = timezone.now()
    states = {
        org_id: (False, False, False)
        for org_id in Org.objects.filter(id__in=ids, status=Org.Status.ACTIVE).values_list(
            "id", flat=True
        )
    }
    logged = set(
        Level2Login.objects.values_list("user_id", flat=True).filter(user__grants__org_id__in=ids)
    )
    editor_rank, approver_rank = ROLE_RANK[Role.EDITOR], ROLE_RANK[Role.APPROVER]
    for org_id, role, user_id in Grant.objects.filter(_current(now), org_id__in=ids).values_list(
        "org_id", "role", "user_id"
    ):
        if org_id not in states:
            continue
        editor, approver, logged_in = states[org_id]
        rank = ROLE_RANK[Role(role)]
        states[org_id] = (
            editor or rank >= editor_rank,
            approver or rank >= approver_rank,
            logged_in or user_id in logged,
        )
    return states


def _keys(state: tuple[bool, bool, bool]) -> list[str]:
    editor, approver, logged_in = state
    keys = []
    if editor:
        keys.append(KEY_EDITOR)
    if editor and approver:
        keys.append(KEY_COVERED)
    if logged_in:
        keys.append(KEY_LOGGED_IN)
    return keys


def refresh_units(org_ids: Iterable[int]) -> None:
    """Bring the units' coverage rows and counters up to date (in the caller's transaction)."""
    ids = sorted(set(org_ids))
    if not ids:
        return
    # Its own transaction when the caller has none (a login, the tick's expiry drain).
    with transaction.atomic():
        _refresh(ids)


def _refresh(ids: list[int]) -> None:
    states = states_of(ids)
    rows = {
        row.org_id: row for row in UnitCoverage.objects.select_for_update().filter(org_id__in=ids)
    }
    deltas: defaultdict[tuple[int, str], int] = defaultdict(int)
    for org_id in ids:
        new = states.get(org_id, (False, False, False))
        row = rows.get(org_id)
        old = (row.has_editor, row.has_approver, row.logged_in) if row else (False, False, False)
        if new == old:
            continue
        for key in _keys(old):
            deltas[(org_id, key)] -= 1
        for key in _keys(new):
            deltas[(org_id, key)] += 1
        if row is None:
            UnitCoverage.objects.create(
                org_id=org_id, has_editor=new[0], has_approver=new[1], logged_in=new[2]
            )
        else:
            row.has_editor, row.has_approver, row.logged_in = new
            row.save(update_fields=["has_editor", "has_approver", "logged_in"])
    counts_changed(deltas)


def rebuild_counts() -> Iterator[tuple[tuple[int, str], int]]:
    """For rollups_rebuild: every unit's keys from the data, its coverage rows rewritten."""
    org_ids = set(Grant.objects.values_list("org_id", flat=True))
    states = states_of(org_ids)
    UnitCoverage.objects.all().delete()
    UnitCoverage.objects.bulk_create(
        UnitCoverage(org_id=org_id, has_editor=s[0], has_approver=s[1], logged_in=s[2])
        for org_id, s in states.items()
        if any(s)
    )
    for org_id, state in states.items():
        for key in _keys(state):
            yield (org_id, key), 1


def level2_login_record(user_id: int) -> None:
    """Note a user's first officer-level login, and count it for the units of their grants."""
    with transaction.atomic():
        _row, created = Level2Login.objects.get_or_create(
            user_id=user_id, defaults={"first_at": timezone.now()}
        )
        if created:
            refresh_units(Grant.objects.filter(user_id=user_id).values_list("org_id", flat=True))


_last_expiry_check: list[float] = []
EXPIRY_EVERY = 60.0


def expiry_drain() -> int:
    """At most once a minute: refresh the units whose grants ended since the last look."""
    now_mono = time.monotonic()
    if _last_expiry_check and now_mono - _last_expiry_check[0] < EXPIRY_EVERY:
        return 0
    _last_expiry_check[:] = [now_mono]
    now = timezone.now()
    # Ended in the last day and still counted: each such unit is refreshed (idempotent).
    ended = Grant.objects.filter(
        expires_at__gt=now - timedelta(days=1), expires_at__lte=now, revoked_at__isnull=True
    ).values_list("org_id", flat=True)
    stale = UnitCoverage.objects.filter(org_id__in=list(ended)).values_list("org_id", flat=True)
    refresh_units(list(stale))
    return 0


def _grant_saved(sender: Any, instance: Grant, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        refresh_units([instance.org_id])


def _event_saved(sender: Any, instance: AuditEvent, raw: bool = False, **kwargs: Any) -> None:
    if raw or instance.action != "login" or instance.actor_id is None:
        return
    level = (instance.detail or {}).get("level")
    if isinstance(level, int) and level >= settings.OIDC_OFFICER_MIN_LEVEL:
        level2_login_record(instance.actor_id)


def _org_saved(sender: Any, instance: Org, raw: bool = False, **kwargs: Any) -> None:
    # A unit closed (dissolved, merged) counts no more; only saves naming its status matter.
    fields = kwargs.get("update_fields")
    if not raw and fields is not None and "status" in fields:
        refresh_units([instance.pk])


def connect_signals() -> None:
    post_save.connect(_grant_saved, sender=Grant, dispatch_uid="rollout.grant_saved")
    post_save.connect(_org_saved, sender=Org, dispatch_uid="rollout.org_saved")
    post_save.connect(_event_saved, sender=AuditEvent, dispatch_uid="rollout.event_saved")
