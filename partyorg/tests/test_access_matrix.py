"""Every URL of the project, called as every persona: who may see it, and who gets a 404.

URLs are enumerated from the URL conf, so a new URL without a row here fails the suite.
"""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from conftest import PERSONAS, World

ALL = set(PERSONAS)
OFFICIALS_ABOVE_WARD = {"central", "city"}
WARD_ADMINS = {"central", "city", "ward"}
CELL_EDITORS = {"central", "city", "ward", "secretary"}

# name -> (kwargs from the world, personas that get 200, the status everyone else gets)
Row = tuple[Callable[[World], dict[str, Any]], set[str], int]
MATRIX: dict[str, Row] = {
    "home": (lambda w: {}, ALL, 200),
    "accounts:login": (lambda w: {}, set(), 302),  # logged-in users are sent on
    "accounts:logout": (lambda w: {}, set(), 405),  # POST only
    "accounts:grants": (lambda w: {}, WARD_ADMINS, 404),
    "accounts:grant_revoke": (lambda w: {"grant_id": 1}, set(), 405),  # POST only, tested below
    "orgs:detail": (lambda w: {"code": w.ward.code}, WARD_ADMINS, 404),
    "orgs:members": (lambda w: {"code": w.ward.code}, WARD_ADMINS, 404),
    "orgs:child_create": (lambda w: {"code": w.ward.code}, WARD_ADMINS, 404),
    "orgs:rename": (lambda w: {"code": w.grassroots.code}, WARD_ADMINS, 404),
    "orgs:move": (lambda w: {"code": w.grassroots.code}, WARD_ADMINS, 404),
    "orgs:merge": (lambda w: {"code": w.grassroots.code}, WARD_ADMINS, 404),
    "orgs:dissolve": (lambda w: {"code": w.grassroots.code}, WARD_ADMINS, 404),
    "members:me": (lambda w: {}, {"member"}, 404),
    "members:detail": (lambda w: {"member_id": w.members[1].pk}, CELL_EDITORS, 404),
    "members:edit": (lambda w: {"member_id": w.members[1].pk}, CELL_EDITORS, 404),
    "members:event": (
        lambda w: {"member_id": w.members[1].pk, "kind": "transfer"},
        CELL_EDITORS,
        404,
    ),
    "members:create": (lambda w: {"code": w.cell.code}, CELL_EDITORS, 404),
    "set_language": (lambda w: {}, set(), 302),
}


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


@pytest.mark.parametrize("name", PROJECT_URLS)
def test_it_answers_each_persona_as_allowed(world: World, name: str) -> None:
    kwargs_of, allowed, denied_status = MATRIX[name]
    url = reverse(name, kwargs=kwargs_of(world))
    for persona in PERSONAS:
        response = world.client(persona).get(url)
        expected = 200 if persona in allowed else denied_status
        if name == "home" and response.status_code == 302:
            # Home sends a user with a single subtree (or a member) straight to it.
            expected = 302
        assert response.status_code == expected, (
            f"{persona} GET {url}: {response.status_code}, expected {expected}"
        )


@pytest.mark.parametrize("name", PROJECT_URLS)
def test_it_sends_anonymous_visitors_to_login(world: World, name: str) -> None:
    kwargs_of, _allowed, _denied = MATRIX[name]
    url = reverse(name, kwargs=kwargs_of(world))
    response = world.client("anonymous").get(url)
    if name in ("accounts:login",):
        assert response.status_code == 200
    elif name in ("accounts:logout", "accounts:grant_revoke"):
        assert response.status_code in (302, 405)
    elif name == "set_language":
        assert response.status_code == 302
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
