"""Every URL of the project, called as every persona: who may see it, and who gets a 404.

URLs are enumerated from the URL conf, so a new URL without a row here fails the suite.
"""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from conftest import PERSONAS, World

ALL = set(PERSONAS)
OFFICIALS_ABOVE_WARD = {"central", "city"}
WARD_ADMINS = {"central", "city", "ward"}
# The ward's approver ranks above an editor: it enters data in the ward's subtree too.
WARD_EDITORS = WARD_ADMINS | {"approver"}
WARD_READERS = WARD_EDITORS | {"viewer"}
CELL_EDITORS = WARD_EDITORS | {"secretary"}
CELL_READERS = CELL_EDITORS | {"viewer"}

# name -> (kwargs from the world, personas that get 200, the status everyone else gets)
Row = tuple[Callable[[World], dict[str, Any]], set[str], int]
MATRIX: dict[str, Row] = {
    "home": (lambda w: {}, ALL, 200),
    "accounts:login": (lambda w: {}, set(), 302),  # logged-in users are sent on
    "accounts:logout": (lambda w: {}, set(), 405),  # POST only
    "accounts:grants": (lambda w: {}, WARD_ADMINS, 404),
    "accounts:grant_revoke": (lambda w: {"grant_id": 1}, set(), 405),  # POST only, tested below
    "orgs:detail": (lambda w: {"code": w.ward.code}, WARD_READERS, 404),
    # A stream of server-sent events: the matrix reads its status, not its endless body.
    "orgs:live": (lambda w: {"code": w.ward.code}, WARD_READERS, 404),
    "orgs:child_create": (lambda w: {"code": w.ward.code}, WARD_EDITORS, 404),
    "orgs:rename": (lambda w: {"code": w.grassroots.code}, WARD_ADMINS, 404),
    "members:list": (lambda w: {"code": w.ward.code}, WARD_READERS, 404),
    "members:org_move": (lambda w: {"code": w.grassroots.code}, WARD_ADMINS, 404),
    "members:org_merge": (lambda w: {"code": w.grassroots.code}, WARD_ADMINS, 404),
    "members:org_dissolve": (lambda w: {"code": w.grassroots.code}, WARD_ADMINS, 404),
    "members:me": (lambda w: {}, {"member"}, 404),
    "members:detail": (lambda w: {"member_id": w.members[1].pk}, CELL_READERS, 404),
    "members:edit": (lambda w: {"member_id": w.members[1].pk}, CELL_EDITORS, 404),
    "members:event": (
        lambda w: {"member_id": w.members[1].pk, "kind": "transfer"},
        CELL_EDITORS,
        404,
    ),
    "members:create": (lambda w: {"code": w.cell.code}, CELL_EDITORS, 404),
    # Imports: a batch of the cell, uploaded by its secretary (see _batch below).
    "cleaning:batches": (lambda w: {"code": w.cell.code}, CELL_READERS, 404),
    "cleaning:batch": (lambda w: {"batch_id": _batch(w).pk}, CELL_READERS, 404),
    "cleaning:row_edit": (
        lambda w: {"batch_id": _batch(w).pk, "row_id": 1},
        set(),
        405,
    ),  # POST only
    "cleaning:accept_rule": (lambda w: {"batch_id": _batch(w).pk}, set(), 405),
    "cleaning:mapping": (
        lambda w: {"batch_id": _batch(w).pk, "file_id": _batch(w).files.get().pk},
        CELL_EDITORS,
        404,
    ),
    "cleaning:annotated": (lambda w: {"batch_id": _batch(w).pk}, CELL_EDITORS, 404),
    "cleaning:reupload": (lambda w: {"batch_id": _batch(w).pk}, set(), 405),
    "cleaning:commit": (lambda w: {"batch_id": _batch(w).pk}, set(), 405),
    "cleaning:cancel": (lambda w: {"batch_id": _batch(w).pk}, set(), 405),
    "cleaning:duplicate": (
        lambda w: {"candidate_id": _candidate(w).pk},
        CELL_READERS,
        404,
    ),
    "cleaning:campaigns": (lambda w: {"code": w.ward.code}, WARD_READERS, 404),
    "cleaning:campaign": (
        lambda w: {"campaign_id": _campaign(w).pk, "code": w.ward.code},
        WARD_READERS,
        404,
    ),
    "cleaning:campaign_export": (
        lambda w: {"campaign_id": _campaign(w).pk, "code": w.ward.code},
        WARD_READERS,
        404,
    ),
    # POST only: who may publish is tested in cleaning/tests/test_campaigns.py.
    "cleaning:campaign_publish": (
        lambda w: {"campaign_id": _campaign(w).pk, "code": w.ward.code},
        set(),
        405,
    ),
    "set_language": (lambda w: {}, set(), 302),
    # Login steps: the two-factor pages serve only a password login half-way through (tested in
    # accounts/tests/test_local_login.py); the e-ID pages exist only when an issuer is set
    # (accounts/tests/test_eid_login.py drives them against a real provider).
    "accounts:otp_verify": (lambda w: {}, set(), 404),
    "accounts:otp_setup": (lambda w: {}, set(), 404),
    "accounts:eid_login": (lambda w: {}, set(), 404),
    "accounts:eid_callback": (lambda w: {}, set(), 404),
    "accounts:level2_help": (lambda w: {}, ALL, 200),
    "accounts:data_protection": (lambda w: {}, ALL, 200),
    "api:tokens": (lambda w: {}, WARD_ADMINS, 404),
    "api:token_revoke": (lambda w: {"token_id": 1}, set(), 405),  # POST only
    # The JSON API answers to Bearer tokens, never to a browser session (api/tests/).
    "apiv1:org": (lambda w: {"code": w.ward.code}, set(), 401),
    "apiv1:members": (lambda w: {}, set(), 401),
    "apiv1:changes": (lambda w: {}, set(), 401),
    "apiv1:api-root": (lambda w: {}, set(), 404),
    "apiv1:openapi-json": (lambda w: {}, ALL, 200),
    "apiv1:openapi-view": (lambda w: {}, ALL, 200),
}

# What an anonymous visitor gets where it is not the redirect to the login page.
ANONYMOUS = {
    "accounts:login": 200,
    "set_language": 302,
    "accounts:otp_verify": 404,
    "accounts:otp_setup": 404,
    "accounts:eid_login": 404,
    "accounts:eid_callback": 404,
    "accounts:level2_help": 200,
    "accounts:data_protection": 200,
    "apiv1:org": 401,
    "apiv1:members": 401,
    "apiv1:changes": 401,
    "apiv1:api-root": 404,
    "apiv1:openapi-json": 200,
    "apiv1:openapi-view": 200,
}
# Personas who hold grants: at level 1 their grants sleep, and officer pages explain why (403).
GRANT_HOLDERS = {"central", "city", "ward", "viewer", "approver", "secretary"}


def _batch(world: World) -> Any:
    """One batch of the cell (created once per world), whose row duplicates a member elsewhere."""
    if not hasattr(world, "_batch"):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from cleaning.services import batch_create

        m = world.stranger
        line = f"1,{m.full_name},{m.cccd},{'Nam' if m.sex == 'M' else 'Nữ'},{m.birth_date:%d/%m/%Y},{m.admission_date:%d/%m/%Y},,"
        content = (
            "STT,Họ và tên,Số CCCD,Giới tính,Ngày sinh,Ngày vào Đảng,Ngày chính thức,Điện thoại\n"
            + line
            + "\n"
        )
        batch = batch_create(
            org=world.cell,
            uploads=[SimpleUploadedFile("a.csv", content.encode())],
            by=world.users["secretary"],
        )
        setattr(world, "_batch", batch)  # noqa: B010 - a cache on the fixture object
    return getattr(world, "_batch")  # noqa: B009


def _campaign(world: World) -> Any:
    if not hasattr(world, "_campaign"):
        from datetime import timedelta

        from django.utils import timezone

        from cleaning.campaigns import campaign_create

        today = timezone.localdate()
        campaign = campaign_create(
            root=world.city,
            name="Đợt",
            starts_on=today,
            ends_on=today + timedelta(days=9),
            milestones=[("Gửi", today + timedelta(days=5), "submitted")],
        )
        setattr(world, "_campaign", campaign)  # noqa: B010 - a cache on the fixture object
    return getattr(world, "_campaign")  # noqa: B009


def _candidate(world: World) -> Any:
    return _batch(world).candidates.get()


def _names(resolver: URLResolver | None = None, prefix: str = "") -> Iterator[str]:
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            yield from _names(pattern, namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield prefix + pattern.name


PROJECT_URLS = sorted(n for n in set(_names()) if not n.startswith("admin:"))
ADMIN_URLS = sorted(n for n in set(_names()) if n.startswith("admin:"))


def test_it_has_a_row_for_every_url() -> None:
    assert set(PROJECT_URLS) - set(MATRIX) == set(), "add the new URL to MATRIX"


def client_at_level(world: World, persona: str, level: int) -> Client:
    """A client logged in as an e-ID login of this assurance level would be."""
    client = world.client(persona)
    session = client.session
    session["assurance_level"], session["login_method"] = level, "eid"
    session.save()
    return client


def expected_at_level(name: str, persona: str, level: int) -> int:
    _kwargs, allowed, denied_status = MATRIX[name]
    expected = 200 if persona in allowed else denied_status
    if (
        level < 2
        and persona in GRANT_HOLDERS
        and ANONYMOUS.get(name) != 200
        and expected in (200, 404)
    ):
        return 403
    return expected


@pytest.mark.parametrize("level", [2, 1])
@pytest.mark.parametrize("name", PROJECT_URLS)
def test_it_answers_each_persona_as_allowed(world: World, name: str, level: int) -> None:
    kwargs_of, _allowed, _denied = MATRIX[name]
    url = reverse(name, kwargs=kwargs_of(world))
    for persona in PERSONAS:
        response = client_at_level(world, persona, level).get(url)
        expected = expected_at_level(name, persona, level)
        if name == "home" and response.status_code == 302:
            # Home sends a user with a single subtree (or a member) straight to it.
            expected = 302
        assert response.status_code == expected, (
            f"{persona} at level {level} GET {url}: {response.status_code}, expected {expected}"
        )
        if expected == 403:
            assert "định danh điện tử mức 2" in response.content.decode()


@pytest.mark.parametrize("name", PROJECT_URLS)
def test_it_trusts_force_login_sessions_in_tests_only(world: World, name: str) -> None:
    """The existing tests' force_login sessions carry no level; the suite trusts them as level 2."""
    kwargs_of, _allowed, _denied = MATRIX[name]
    url = reverse(name, kwargs=kwargs_of(world))
    for persona in PERSONAS:
        response = world.client(persona).get(url)
        expected = expected_at_level(name, persona, 2)
        if name == "home" and response.status_code == 302:
            expected = 302
        assert response.status_code == expected, f"{persona} GET {url}"


@pytest.mark.parametrize("name", PROJECT_URLS)
def test_it_sends_anonymous_visitors_to_login(world: World, name: str) -> None:
    kwargs_of, _allowed, _denied = MATRIX[name]
    url = reverse(name, kwargs=kwargs_of(world))
    response = world.client("anonymous").get(url)
    if name in ANONYMOUS:
        assert response.status_code == ANONYMOUS[name]
    elif name in ("accounts:logout", "accounts:grant_revoke", "api:token_revoke"):
        assert response.status_code in (302, 405)
    else:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("name", ADMIN_URLS)
def test_it_keeps_the_admin_site_for_superusers(world: World, name: str) -> None:
    fillers = {"object_id": "1", "app_label": "orgs", "content_type_id": "1", "id": "1"}
    for attempt in (
        dict(fillers),
        {"app_label": "orgs"},
        {},
        {"object_id": "1"},
        {"content_type_id": "1", "object_id": "1"},
    ):
        try:
            url = reverse(name, kwargs=attempt)
            break
        except Exception:
            continue
    else:
        pytest.skip(f"cannot build {name}")
    if name in ("admin:login", "admin:logout"):
        # The admin's own login page is open to all; logging out is harmless.
        return
    for persona in PERSONAS:
        response = world.client(persona).get(url)
        assert response.status_code in (302, 404), f"{persona} reached {url}"
        if response.status_code == 302:
            assert "/admin/login/" in response["Location"]


# API tokens as personas: a read token and a read-write token of the ward, a read token of the
# other ward. (url, token personas that get 200; the others get 404).
TOKENS = {
    "ward-read": ("ward", False),
    "ward-write": ("ward", True),
    "other-read": ("other", False),
}
API_MATRIX: dict[str, tuple[Callable[[World], str], set[str]]] = {
    "org": (lambda w: f"/api/v1/orgs/{w.ward.code}", {"ward-read", "ward-write"}),
    "org inside": (lambda w: f"/api/v1/orgs/{w.cell.code}", {"ward-read", "ward-write"}),
    "org above": (lambda w: f"/api/v1/orgs/{w.city.code}", set()),
    "members": (lambda w: f"/api/v1/members?org={w.ward.code}", {"ward-read", "ward-write"}),
    "members elsewhere": (lambda w: f"/api/v1/members?org={w.other_ward.code}", {"other-read"}),
    "changes": (lambda w: "/api/v1/changes", set(TOKENS)),
}


def _token_secrets(world: World) -> dict[str, str]:
    from datetime import timedelta

    from django.utils import timezone

    from access.services import api_token_create

    secrets = {}
    for name, (where, write) in TOKENS.items():
        _token, secrets[name] = api_token_create(
            by=world.users["city"],
            org=world.ward if where == "ward" else world.other_ward,
            name=name,
            can_write=write,
            expires_at=timezone.now() + timedelta(days=1),
        )
    return secrets


@pytest.mark.parametrize("name", sorted(API_MATRIX))
def test_each_api_token_reads_only_its_subtree(world: World, name: str) -> None:
    secrets = _token_secrets(world)
    url_of, allowed = API_MATRIX[name]
    for persona, secret in secrets.items():
        response = Client().get(url_of(world), headers={"Authorization": f"Bearer {secret}"})
        expected = 200 if persona in allowed else 404
        assert response.status_code == expected, f"{persona} GET {url_of(world)}"


def test_a_read_token_sees_masked_numbers_and_cannot_search_their_first_digits(
    world: World,
) -> None:
    secrets = _token_secrets(world)
    member = world.members[1]
    for persona, full in (("ward-read", False), ("ward-write", True)):
        headers = {"Authorization": f"Bearer {secrets[persona]}"}
        by_prefix = Client().get(
            f"/api/v1/members?org={world.ward.code}&q={member.cccd[:8]}", headers=headers
        )
        found = [m["id"] for m in by_prefix.json()["items"]]
        assert (member.pk in found) is full, persona
        whole = (
            Client()
            .get(f"/api/v1/members?org={world.ward.code}&q={member.cccd}", headers=headers)
            .json()["items"]
        )
        assert [m["id"] for m in whole] == [member.pk]
        assert (whole[0]["cccd"] == member.cccd) is full
