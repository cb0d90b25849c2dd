"""Coverage per unit, from the subtree counters: editors and approvers, level-2 logins, grants
expiring soon, and the units nobody can enter data for."""

import io
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from access.models import Grant, Role
from access.services import grant_revoke
from accounts.models import User
from accounts.services import login_record
from conftest import World
from core.tick import tick
from orgs.rollups import rollups_rebuild
from rollout.coverage import KEY_COVERED, KEY_EDITOR, KEY_LOGGED_IN
from rollout.selectors import coverage_of, units_without_editor


def figures(world: World, org) -> tuple[int, int, int, int]:
    total, _children = coverage_of(org)
    return total.units, total.editor, total.covered, total.logged_in


def test_units_are_counted_as_grants_come_and_go(world: World) -> None:
    # The world: admins at the root, the city and the ward (each covers its own unit), an
    # approver at the ward, an editor (the secretary) at the cell.
    units, editor, covered, _logged = figures(world, world.city)
    assert (editor, covered) == (3, 2)  # the city, the ward (both), the cell (an editor)
    assert units == 6
    new = User.objects.create_user(username="ed")
    grant = Grant.objects.create(
        user=new, org=world.grassroots, role=Role.EDITOR, granted_at=timezone.now()
    )
    tick()
    assert figures(world, world.city)[1:3] == (4, 2)
    grant_revoke(by=world.users["ward"], grant=grant)
    tick()
    assert figures(world, world.city)[1:3] == (3, 2)
    assert world.grassroots in units_without_editor(world.ward)
    login_record(user=world.users["secretary"], method="eid", level=2, ctx=None)
    tick()
    assert figures(world, world.ward)[3] == 1
    # A rebuild from the data gives the same figures.
    before = figures(world, world.root)
    rollups_rebuild()
    assert figures(world, world.root) == before


def test_the_page_and_its_export(world: World) -> None:
    parent = world.ward
    parent.contact_name, parent.contact_phone = "Đ/c Lan", "0909000111"
    parent.save(update_fields=["contact_name", "contact_phone"])
    Grant.objects.create(
        user=world.users["viewer"],
        org=world.cell,
        role=Role.VIEWER,
        granted_at=timezone.now(),
        expires_at=timezone.now() + timedelta(days=10),
    )
    client = world.client("ward")
    page = client.get(reverse("rollout:coverage", args=[world.ward.code])).content.decode()
    assert "Trường THPT Trưng Vương" in page and "0909000111" in page
    response = client.get(reverse("rollout:coverage_export", args=[world.ward.code]))
    book = load_workbook(io.BytesIO(response.content))
    assert book.worksheets[0]["A2"].value == world.ward.name
    assert book.worksheets[0]["G2"].value == 1  # one grant expiring within 30 days
    assert any(row[3] == "Đ/c Lan" for row in book.worksheets[1].iter_rows(values_only=True))


def test_keys_are_named_for_the_rollout() -> None:
    assert {KEY_EDITOR, KEY_COVERED, KEY_LOGGED_IN} == {
        "rollout.editor",
        "rollout.covered",
        "rollout.logged_in",
    }


def test_a_real_level_2_login_counts_its_units(world: World) -> None:
    """Through the login view's path, outside any transaction of the test's own making."""
    from audit.services import audit_log

    audit_log(actor=world.users["viewer"], action="login", detail={"method": "eid", "level": 1})
    tick()
    assert figures(world, world.ward)[3] == 0
    audit_log(actor=world.users["viewer"], action="login", detail={"method": "totp", "level": 2})
    tick()
    assert figures(world, world.ward)[3] == 1


def test_a_unit_closed_counts_no_more(world: World) -> None:
    from datetime import date

    from orgs.services import org_close

    before = figures(world, world.ward)[1]
    org_close(org=world.cell, status="dissolved", on=date(2026, 1, 1))
    tick()
    assert figures(world, world.ward)[1] == before - 1
    live = figures(world, world.root)
    rollups_rebuild()
    assert figures(world, world.root) == live
