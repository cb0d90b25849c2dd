"""Login through a real, certified OpenID Connect provider (panva/oidc-provider) on loopback.

Django's test client plays the browser on our side; a `requests` session plays it on the
provider's side, so every redirect, cookie, code exchange and key fetch is real HTTP.
"""

from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import requests
from django.test import Client

from accounts.models import User
from audit.models import AuditEvent
from conftest import World
from tests.oidc.provider import Provider

from .conftest import OFFICIAL_CCCD, STRANGER_CCCD

TESTSERVER = "http://testserver"


def provider_round_trip(start: Any, account: str) -> str:
    """Follow the provider from the authorization request back to our callback; its path."""
    assert start.status_code == 302, start.status_code
    browser = requests.Session()
    response = browser.get(start["Location"], allow_redirects=False, timeout=10)
    for _step in range(10):
        if response.status_code in (302, 303):
            location = urljoin(response.url, response.headers["location"])
            if location.startswith(TESTSERVER):
                return location.removeprefix(TESTSERVER)
            response = browser.get(location, allow_redirects=False, timeout=10)
        elif response.status_code == 200 and "/login" in response.text:
            action = response.text.split('action="', 1)[1].split('"', 1)[0]
            response = browser.post(
                urljoin(response.url, action),
                data={"account": account},
                allow_redirects=False,
                timeout=10,
            )
        else:
            raise AssertionError(f"unexpected {response.status_code}: {response.text[:300]}")
    raise AssertionError("the provider never sent us back")


def eid_login(client: Client, account: str, next_url: str = "") -> Any:
    start = client.get("/accounts/eid/login/" + (f"?next={next_url}" if next_url else ""))
    return client.get(provider_round_trip(start, account))


def _official(world: World) -> User:
    ward = world.users["ward"]
    ward.cccd = OFFICIAL_CCCD
    ward.save(update_fields=["cccd"])
    return ward


def test_a_level_2_official_reaches_their_organisation(world: World, eid: Provider) -> None:
    ward = _official(world)
    client = Client()
    response = eid_login(client, "official2")
    assert response.status_code == 302 and response["Location"] == "/"
    home = client.get("/", follow=True)
    assert home.status_code == 200
    assert home.redirect_chain[-1][0] == f"/orgs/{world.ward.code}/"
    assert client.session["assurance_level"] == 2
    login = AuditEvent.objects.get(action="login", actor=ward)
    assert login.detail == {"method": "eid", "level": 2}


def test_it_returns_to_the_page_asked_for(world: World, eid: Provider) -> None:
    _official(world)
    client = Client()
    response = eid_login(client, "official2", next_url=f"/orgs/{world.cell.code}/")
    assert response["Location"] == f"/orgs/{world.cell.code}/"


def test_a_level_1_official_is_told_how_to_get_level_2(world: World, eid: Provider) -> None:
    _official(world)
    client = Client()
    assert eid_login(client, "official1").status_code == 302
    for url in ("/", f"/orgs/{world.ward.code}/", "/accounts/grants/", "/api/tokens/"):
        response = client.get(url)
        assert response.status_code == 403, url
        text = response.content.decode()
        assert "định danh điện tử mức 2" in text
        assert "Nghị định 69/2024" in text


def test_a_level_1_member_reads_their_own_record(world: World, eid: Provider) -> None:
    client = Client()
    assert eid_login(client, "member1").status_code == 302
    response = client.get("/members/me/")
    assert response.status_code == 200
    assert world.members[0].full_name in response.content.decode()
    assert client.get(f"/members/{world.members[1].pk}/").status_code == 404
    assert client.get(f"/orgs/{world.cell.code}/").status_code == 404


def test_the_first_login_links_the_member_with_that_cccd(world: World, eid: Provider) -> None:
    member = world.members[1]
    assert not User.objects.filter(member=member).exists()
    client = Client()
    assert eid_login(client, "newmember2").status_code == 302
    user = User.objects.get(member=member)
    assert user.cccd == member.cccd and user.assurance_level == 2
    assert member.cccd not in user.username
    assert client.get("/members/me/").status_code == 200
    assert AuditEvent.objects.filter(action="user.link_member", object_id=str(member.pk)).exists()
    # The second login finds the same user.
    client2 = Client()
    eid_login(client2, "newmember2")
    assert User.objects.filter(member=member).count() == 1


def test_it_refuses_a_person_who_is_neither_member_nor_official(
    world: World, eid: Provider
) -> None:
    client = Client()
    response = eid_login(client, "stranger2")
    assert response.status_code == 400
    assert "chưa có trong hệ thống" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(cccd=STRANGER_CCCD).exists()
    failed = AuditEvent.objects.get(action="login.failed")
    assert failed.detail["reason"] == "unknown_person"
    assert STRANGER_CCCD not in str(failed.detail)


def test_it_refuses_an_acr_it_does_not_know(world: World, eid: Provider) -> None:
    client = Client()
    response = eid_login(client, "unknownacr")
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.get(action="login.failed").detail["reason"] == "level_too_low"


def test_it_refuses_a_provider_that_is_not_the_configured_issuer(
    world: World, eid: Provider, settings
) -> None:
    # The same server reached by another name: its discovery document names 127.0.0.1.
    settings.OIDC_ISSUER = f"http://localhost:{eid.port}"
    response = Client().get("/accounts/eid/login/")
    assert response.status_code == 400
    assert AuditEvent.objects.get(action="login.failed").detail["reason"] == "issuer_mismatch"


def test_it_refuses_a_response_naming_another_issuer(world: World, eid: Provider) -> None:
    _official(world)
    client = Client()
    callback = provider_round_trip(client.get("/accounts/eid/login/"), "official2")
    forged = callback.replace("iss=http", "iss=https%3A%2F%2Fevil.example%2Fhttp")
    assert forged != callback
    response = client.get(forged)
    assert response.status_code == 400
    assert AuditEvent.objects.get(action="login.failed").detail["reason"] == "issuer_mismatch"


def test_it_refuses_a_replayed_state(world: World, eid: Provider) -> None:
    _official(world)
    client = Client()
    callback = provider_round_trip(client.get("/accounts/eid/login/"), "official2")
    assert client.get(callback).status_code == 302
    client.post("/accounts/logout/")
    # The same answer again, in the same browser: its state was spent by the first login.
    response = client.get(callback)
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session
    # And in another browser, which never asked for it.
    assert Client().get(callback).status_code == 400
    reasons = list(
        AuditEvent.objects.filter(action="login.failed")
        .order_by("id")
        .values_list("detail__reason", flat=True)
    )
    assert reasons == ["mismatching_state", "mismatching_state"]


def test_it_refuses_a_callback_without_state(world: World, eid: Provider) -> None:
    client = Client()
    client.get("/accounts/eid/login/")
    assert client.get("/accounts/eid/callback/?code=abc").status_code == 400


def test_logout_ends_the_session_here_and_at_the_provider(world: World, eid: Provider) -> None:
    ward = _official(world)
    client = Client()
    eid_login(client, "official2")
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(eid.issuer + "/session/end")
    query = parse_qs(urlsplit(location).query)
    assert query["client_id"] == [eid.client_id] and "id_token_hint" in query
    # The provider knows the token and asks the person to confirm signing out.
    confirm = requests.get(location, timeout=10)
    assert confirm.status_code == 200 and "logout" in confirm.text.lower()
    assert client.get("/").status_code == 302
    assert AuditEvent.objects.filter(action="logout", actor=ward).exists()


def test_the_login_page_offers_the_eid(world: World, eid: Provider) -> None:
    page = Client().get("/accounts/login/").content.decode()
    assert "/accounts/eid/login/" in page
