"""The congress API: tokens read their subtree's congresses and figures; tokens that may write
submit plans, steps and results through the same checks as the pages."""

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from access.services import api_token_create
from conftest import World
from congresses.models import Congress, Step
from congresses.services import term_create
from congresses.tests.test_congress_services import SCHEDULE, TODAY
from core.tick import tick


def _setup(world: World) -> tuple[int, dict[str, str]]:
    term = term_create(
        by=world.users["central"],
        organiser=world.root,
        name="Nhiệm kỳ",
        first_year=TODAY.year,
        last_year=TODAY.year + 5,
        schedule=SCHEDULE,
    )
    secrets = {}
    for name, org, write in (
        ("read", world.ward, False),
        ("write", world.ward, True),
        ("other", world.other_ward, True),
    ):
        _t, secrets[name] = api_token_create(
            by=world.users["city"],
            org=org,
            name=name,
            can_write=write,
            expires_at=timezone.now() + timedelta(days=1),
        )
    tick()
    return term.pk, secrets


def _call(method: str, url: str, secret: str, body: dict | None = None):
    client = Client()
    headers = {"Authorization": f"Bearer {secret}"}
    if method == "get":
        return client.get(url, headers=headers)
    return getattr(client, method)(
        url, data=body or {}, content_type="application/json", headers=headers
    )


def test_a_token_reads_its_subtree_congresses_and_figures(world: World) -> None:
    term, secrets = _setup(world)
    body = _call("get", f"/api/v1/congresses/{term}/{world.ward.code}", secrets["read"]).json()
    assert body["step"] == "not_scheduled" and body["figures"]["total"] == 3
    children = _call(
        "get", f"/api/v1/congresses/{term}/{world.ward.code}/children", secrets["read"]
    ).json()
    assert [c["org_code"] for c in children] == [world.grassroots.code]
    assert (
        _call("get", f"/api/v1/congresses/{term}/{world.city.code}", secrets["read"]).status_code
        == 404
    )
    assert (
        _call("get", f"/api/v1/congresses/{term}/{world.ward.code}", secrets["other"]).status_code
        == 404
    )
    terms = _call("get", "/api/v1/congresses/terms", secrets["read"]).json()
    assert [t["id"] for t in terms] == [term]


def test_a_writing_token_submits_a_plan_and_a_step_and_a_read_token_cannot(world: World) -> None:
    term, secrets = _setup(world)
    url = f"/api/v1/congresses/{term}/{world.cell.code}"
    plan = {"planned_on": TODAY.isoformat(), "summoned": 25, "ordinal": 1}
    assert _call("put", url + "/plan", secrets["read"], plan).status_code == 404
    response = _call("put", url + "/plan", secrets["write"], plan)
    assert response.status_code == 200 and response.json()["step"] == "scheduled"
    refused = _call(
        "post", url + "/steps", secrets["write"], {"to": "held", "on": TODAY.isoformat()}
    )
    assert refused.status_code == 422 and "note" in refused.json()["errors"]
    ok = _call(
        "post",
        url + "/steps",
        secrets["write"],
        {"to": "held", "on": TODAY.isoformat(), "note": "x"},
    )
    assert ok.status_code == 200
    assert Congress.objects.get(term=term, org=world.cell).step == Step.HELD


def test_impossible_results_come_back_as_422_naming_the_field(world: World) -> None:
    term, secrets = _setup(world)
    url = f"/api/v1/congresses/{term}/{world.cell.code}"
    _call("put", url + "/plan", secrets["write"], {"planned_on": TODAY.isoformat(), "summoned": 10})
    _call(
        "post",
        url + "/steps",
        secrets["write"],
        {"to": "held", "on": TODAY.isoformat(), "note": "x"},
    )
    response = _call("put", url + "/results", secrets["write"], {"present": 11})
    assert response.status_code == 422 and "present" in response.json()["errors"]
    people = [{"body": "committee", "role": "secretary", "member_id": world.stranger.pk}]
    response = _call(
        "put",
        url + "/results",
        secrets["write"],
        {"present": 9, "committee_decided": 1, "people": people},
    )
    assert response.status_code == 422 and "people-0" in response.json()["errors"]
    assert Congress.objects.get(term=term, org=world.cell).present is None
