"""The JSON API: Bearer tokens scoped to a subtree, read or read-write, hashed, revocable, audited."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from access.models import ApiToken
from access.selectors import token_digest
from access.services import api_token_create, api_token_revoke
from audit.models import AuditEvent
from conftest import World
from lib.vn.cccd import mask_cccd


def make_token(world: World, org=None, *, write: bool = False, by: str = "ward") -> str:
    _token, secret = api_token_create(
        by=world.users[by],
        org=org or world.ward,
        name="Sổ tay",
        can_write=write,
        expires_at=timezone.now() + timedelta(days=30),
    )
    return secret


def call(url: str, secret: str | None = None):
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    return Client().get(url, headers=headers)


def test_it_stores_only_the_hash_of_a_token(world: World) -> None:
    secret = make_token(world)
    token = ApiToken.objects.get()
    assert secret.startswith("po_") and len(secret) > 40
    assert token.digest == token_digest(secret) and secret not in token.digest
    assert secret.startswith(token.prefix)
    event = AuditEvent.objects.get(action="api_token.create")
    assert secret not in str(event.detail)


def test_only_an_admin_of_the_subtree_makes_tokens(world: World) -> None:
    with pytest.raises(ValidationError) as info:
        make_token(world, world.other_ward)
    assert "org_code" in info.value.message_dict
    with pytest.raises(ValidationError):
        make_token(world, world.cell, by="secretary")


def test_it_reads_an_organisation_with_its_counters(world: World) -> None:
    secret = make_token(world)
    response = call(f"/api/v1/orgs/{world.cell.code}", secret)
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == world.cell.code and body["parent_code"] == world.grassroots.code
    assert body["counts"]["members"] == 4
    assert AuditEvent.objects.filter(
        action="api.call", actor_label__startswith="api-token:"
    ).exists()


def test_it_answers_404_outside_the_tokens_subtree(world: World) -> None:
    secret = make_token(world)
    assert call(f"/api/v1/orgs/{world.other_ward.code}", secret).status_code == 404
    assert call(f"/api/v1/orgs/{world.city.code}", secret).status_code == 404
    assert call("/api/v1/orgs/NO-SUCH", secret).status_code == 404
    assert call(f"/api/v1/members?org={world.other_ward.code}", secret).status_code == 404


def test_it_refuses_missing_wrong_revoked_and_expired_tokens(world: World) -> None:
    url = f"/api/v1/orgs/{world.ward.code}"
    assert call(url).status_code == 401
    assert call(url, "po_not-a-real-token").status_code == 401
    secret = make_token(world)
    token = ApiToken.objects.get()
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert call(url, secret).status_code == 401
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() + timedelta(days=1))
    assert call(url, secret).status_code == 200
    api_token_revoke(by=world.users["city"], token=token)
    assert call(url, secret).status_code == 401
    assert AuditEvent.objects.filter(action="api_token.revoke").exists()


def test_a_read_token_sees_masked_numbers(world: World) -> None:
    secret = make_token(world)
    body = call(f"/api/v1/members?org={world.ward.code}", secret).json()
    assert len(body["items"]) == 4 and body["next_page"] is None
    cccds = {item["cccd"] for item in body["items"]}
    assert cccds == {mask_cccd(m.cccd) for m in world.members}
    listed = AuditEvent.objects.get(action="member.list")
    assert sorted(listed.detail["members"]) == sorted(m.pk for m in world.members)


def test_a_read_write_token_sees_whole_numbers(world: World) -> None:
    secret = make_token(world, write=True)
    body = call(f"/api/v1/members?org={world.ward.code}", secret).json()
    assert {item["cccd"] for item in body["items"]} == {m.cccd for m in world.members}


def test_it_searches_by_name_and_by_number(world: World) -> None:
    read, write = make_token(world), make_token(world, write=True)
    member = world.members[3]
    by_name = call(f"/api/v1/members?org={world.ward.code}&q=pham thi thuy", read).json()
    assert [i["id"] for i in by_name["items"]] == [member.pk]
    prefix = member.cccd[:8]
    # A read-only token may not read hidden digits back through prefix searches.
    assert call(f"/api/v1/members?org={world.ward.code}&q={prefix}", read).json()["items"] == []
    assert call(f"/api/v1/members?org={world.ward.code}&q={prefix}", write).json()["items"]
    whole = call(f"/api/v1/members?org={world.ward.code}&q={member.cccd}", read).json()
    assert [i["id"] for i in whole["items"]] == [member.pk]
    # The searched number never reaches the audit log whole.
    assert member.cccd not in str(list(AuditEvent.objects.values_list("detail", flat=True)))


def test_it_limits_each_tokens_rate(world: World, settings) -> None:
    from api.api import api

    secret = make_token(world)
    limit = api.throttle[0].num_requests  # type: ignore[index,union-attr]
    url = f"/api/v1/orgs/{world.ward.code}"
    statuses = [call(url, secret).status_code for _ in range(limit + 1)]
    assert statuses[:limit] == [200] * limit and statuses[-1] == 429


def test_the_api_documents_are_behind_login_in_production(world: World, settings) -> None:
    from partyorg import settings as project_settings

    # On wherever DEBUG is off (this test run, production), unless turned off.
    assert project_settings.DEBUG is False and project_settings.PARTYORG_API_DOCS_LOGIN is True
    for url in ("/api/v1/openapi.json", "/api/v1/docs"):
        anonymous = Client().get(url)
        assert anonymous.status_code == 302, url
        assert anonymous["Location"] == f"/accounts/login/?next={url}"
        assert world.client("member").get(url).status_code == 200, url
    settings.PARTYORG_API_DOCS_LOGIN = False  # development
    assert Client().get("/api/v1/openapi.json").status_code == 200


def test_the_openapi_document_describes_bearer_auth(world: World) -> None:
    doc = world.client("member").get("/api/v1/openapi.json").json()
    schemes = doc["components"]["securitySchemes"]
    assert schemes["TokenAuth"]["type"] == "http" and schemes["TokenAuth"]["scheme"] == "bearer"
    assert {"/api/v1/orgs/{code}", "/api/v1/members"} <= set(doc["paths"])
    for path in doc["paths"].values():
        for operation in path.values():
            assert operation["security"] == [{"TokenAuth": []}]
    docs = world.client("member").get("/api/v1/docs")
    assert docs.status_code == 200 and "swagger-ui-bundle.js" in docs.content.decode()


def test_the_tokens_page_shows_a_secret_once_and_revokes(world: World) -> None:
    client = world.client("ward")
    response = client.post(
        "/api/tokens/",
        {"name": "Sổ tay", "org_code": world.cell.code, "expires_on": "31/12/2099"},
    )
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    secret = response.context["secret"]
    assert secret and secret in response.content.decode()
    listing = client.get("/api/tokens/").content.decode()
    assert secret not in listing and ApiToken.objects.get().prefix in listing
    token = ApiToken.objects.get()
    assert client.post(f"/api/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_the_tokens_page_refuses_an_organisation_outside_the_admins_subtree(
    world: World,
) -> None:
    response = world.client("ward").post(
        "/api/tokens/",
        {"name": "x", "org_code": world.other_ward.code, "expires_on": "31/12/2099"},
    )
    assert "Không tìm thấy" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_another_subtrees_admin_cannot_revoke(world: World) -> None:
    make_token(world, world.cell)
    token = ApiToken.objects.get()
    assert world.client("secretary").post(f"/api/tokens/{token.pk}/revoke/").status_code == 404
