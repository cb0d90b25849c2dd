"""`partyorg audit member <id>` lists every access to one member, and nobody else's."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from conftest import World


def test_it_lists_every_read_change_and_list_of_one_member(world: World) -> None:
    member, other = world.members[1], world.members[2]
    ward = world.client("ward")
    ward.get(f"/members/{member.pk}/")
    world.client("city").get(f"/orgs/{world.cell.code}/members/?q=tran")
    Client().get("/")  # noise
    out = StringIO()
    call_command("audit", "member", str(member.pk), stdout=out)
    text = out.getvalue()
    lines = text.strip().splitlines()
    actions = [line.split("\t")[2] for line in lines[1:-1]]
    assert "member.create" in actions and "member.view.record" in actions
    assert "member.list" in actions
    assert "\tward\t" in text and "\tcity\t" in text
    other_out = StringIO()
    call_command("audit", "member", str(other.pk), stdout=other_out)
    assert "member.view.record" not in other_out.getvalue()


def test_it_asks_for_the_member_id() -> None:
    with pytest.raises(CommandError):
        call_command("audit", "member")
