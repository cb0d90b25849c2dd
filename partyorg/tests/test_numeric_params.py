"""Numbers in addresses: out of range, or not numbers at all, they name nothing (404), never a 500.

Run on SQLite and on PostgreSQL: each refuses integers past 64 bits in its own way.
"""

import pytest
from django.urls import reverse

from conftest import World

from .test_access_matrix import MATRIX, PROJECT_URLS, _batch

HOSTILE = [
    str(10**20),
    str(2**63),
    str(-(2**63) - 1),
    "-1",
    "0",
    "abc",
    "1e3",
    "1.5",
    "٣",  # a digit, but not an ASCII one
    "1" * 5000,
]


def _pages(world: World) -> list[str]:
    batch = _batch(world)
    return [
        f"/orgs/{world.ward.code}/members/?page=",
        f"/imports/{batch.pk}/?page=",
        f"/imports/{batch.pk}/?file=",
    ]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_page_or_file_number_out_of_range_is_a_404(world: World, value: str) -> None:
    client = world.client("central")
    for prefix in _pages(world):
        if prefix.endswith("file=") and value == "0":
            continue  # file=0 means every file
        response = client.get(prefix + value)
        assert response.status_code == 404, f"{prefix}{value[:30]}: {response.status_code}"


def test_numbers_in_range_still_work(world: World) -> None:
    client = world.client("central")
    batch = _batch(world)
    file_id = batch.files.get().pk
    for url in (
        f"/orgs/{world.ward.code}/members/",
        f"/orgs/{world.ward.code}/members/?page=",
        f"/orgs/{world.ward.code}/members/?page=2",
        f"/orgs/{world.ward.code}/members/?page=1000000",
        f"/imports/{batch.pk}/?page=1&file={file_id}",
        f"/imports/{batch.pk}/?file=0",
        f"/imports/{batch.pk}/?file=",
    ):
        assert client.get(url).status_code == 200, url
    assert client.get(f"/imports/{batch.pk}/?file={file_id}").context["filters"]["file"] == file_id


@pytest.mark.parametrize("number", [10**20, 2**63, 2**63 - 1, 2**31])
def test_an_id_in_the_address_past_the_database_integer_is_a_404(world: World, number: int) -> None:
    client = world.client("central")
    checked = 0
    for name in PROJECT_URLS:
        if name.startswith("apiv1:"):
            # The API answers a session 401; its own bounds are its schema's (422, tested there).
            continue
        kwargs = MATRIX[name][0](world)
        for key, value in kwargs.items():
            if not isinstance(value, int):
                continue
            url = reverse(name, kwargs={**kwargs, key: number})
            assert client.get(url).status_code in (404, 405), f"GET {url}"
            assert client.post(url).status_code == 404, f"POST {url}"
            checked += 1
    assert checked >= 15


@pytest.mark.parametrize("query", [f"after={10**20}", f"after={2**63}", "after=-1", "limit=0"])
def test_the_change_feed_refuses_a_cursor_out_of_range(world: World, query: str) -> None:
    from api.tests.test_api import call, make_token

    response = call(f"/api/v1/changes?{query}", make_token(world))
    assert response.status_code == 422, response.content
