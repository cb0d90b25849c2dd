"""Grants over subtrees: who may grant what, expiry, revocation, and the audit of each."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from access.models import Grant, Role
from access.scope import can, granted_paths
from access.services import grant_create, grant_revoke
from accounts.models import User
from audit.models import AuditEvent
from conftest import World


def test_a_grant_covers_the_whole_subtree_and_nothing_else(world: World) -> None:
    ward = world.users["ward"]
    assert can(ward, world.cell.path, Role.ADMIN)
    assert not can(ward, world.other_cell.path, Role.VIEWER)
    assert not can(ward, world.city.path, Role.VIEWER)


def test_an_admin_grants_roles_in_their_subtree(world: World) -> None:
    newcomer = User.objects.create_user(username="new")
    grant = grant_create(by=world.users["ward"], user=newcomer, org=world.cell, role=Role.EDITOR)
    assert can(newcomer, world.cell.path, Role.EDITOR)
    assert AuditEvent.objects.filter(action="grant.create", object_id=str(grant.pk)).exists()


def test_an_admin_cannot_grant_admin_on_their_own_level(world: World) -> None:
    newcomer = User.objects.create_user(username="new")
    with pytest.raises(ValidationError) as info:
        grant_create(by=world.users["ward"], user=newcomer, org=world.ward, role=Role.ADMIN)
    assert "role" in info.value.message_dict
    grant_create(by=world.users["ward"], user=newcomer, org=world.grassroots, role=Role.ADMIN)


def test_an_admin_cannot_grant_outside_their_subtree(world: World) -> None:
    newcomer = User.objects.create_user(username="new")
    with pytest.raises(ValidationError):
        grant_create(by=world.users["ward"], user=newcomer, org=world.other_ward, role=Role.VIEWER)
    with pytest.raises(ValidationError):
        grant_create(by=world.users["secretary"], user=newcomer, org=world.cell, role=Role.VIEWER)
    assert not Grant.objects.filter(user=newcomer).exists()


def test_an_expired_grant_gives_nothing(world: World) -> None:
    newcomer = User.objects.create_user(username="new")
    grant = grant_create(
        by=world.users["city"],
        user=newcomer,
        org=world.ward,
        role=Role.VIEWER,
        expires_at=timezone.now() + timedelta(days=1),
    )
    Grant.objects.filter(pk=grant.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert granted_paths(User.objects.get(pk=newcomer.pk)) == []


def test_it_refuses_an_expiry_in_the_past(world: World) -> None:
    with pytest.raises(ValidationError) as info:
        grant_create(
            by=world.users["city"],
            user=world.users["outsider"],
            org=world.ward,
            role=Role.VIEWER,
            expires_at=timezone.now() - timedelta(days=1),
        )
    assert "expires_at" in info.value.message_dict


def test_a_revoked_grant_gives_nothing_and_cannot_be_revoked_twice(world: World) -> None:
    grant = Grant.objects.get(user=world.users["secretary"])
    grant_revoke(by=world.users["ward"], grant=grant)
    assert granted_paths(User.objects.get(pk=world.users["secretary"].pk)) == []
    with pytest.raises(ValidationError):
        grant_revoke(by=world.users["ward"], grant=grant)


def test_the_grants_page_grants_and_revokes(world: World) -> None:
    client = world.client("ward")
    response = client.post(
        "/accounts/grants/", {"username": "outsider", "org_code": world.cell.code, "role": "viewer"}
    )
    assert response.status_code == 302
    grant = Grant.objects.get(user=world.users["outsider"])
    assert client.post(f"/accounts/grants/{grant.pk}/revoke/").status_code == 302
    grant.refresh_from_db()
    assert grant.revoked_at is not None


def test_the_grants_page_refuses_an_organisation_outside_the_scope(world: World) -> None:
    html = (
        world.client("ward")
        .post(
            "/accounts/grants/",
            {"username": "outsider", "org_code": world.other_ward.code, "role": "viewer"},
        )
        .content.decode()
    )
    assert (
        'data-field="org_code"' in html
        and not Grant.objects.filter(user=world.users["outsider"]).exists()
    )


def test_nobody_revokes_a_grant_outside_their_scope(world: World) -> None:
    grant = Grant.objects.get(user=world.users["city"])
    assert world.client("ward").post(f"/accounts/grants/{grant.pk}/revoke/").status_code == 404
