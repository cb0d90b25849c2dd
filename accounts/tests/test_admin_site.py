"""The Django admin is reached through our login only: password, lockout, then the second factor."""

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from audit.models import AuditEvent
from conftest import PASSWORD, World
from tests.oidc.provider import Provider

from .conftest import OFFICIAL_CCCD
from .test_eid_login import eid_login
from .test_local_login import code_of, enrolled, password_login

MEMBERS = "/admin/members/member/"


def _superuser(username: str = "root") -> User:
    return User.objects.create_superuser(username=username, password=PASSWORD)


def test_a_logged_in_member_cannot_log_in_as_a_superuser_on_the_admin_form(world: World) -> None:
    """The pentest's finding: the admin's own form took a superuser's password, no code asked."""
    root = _superuser()
    enrolled(root)
    client = Client()
    password_login(client, "member")
    assert client.get("/admin/login/").status_code == 404
    posted = client.post("/admin/login/", {"username": "root", "password": PASSWORD})
    assert posted.status_code == 404
    assert client.session["_auth_user_id"] == str(world.users["member"].pk)
    assert client.get(MEMBERS).status_code == 404


def test_the_admin_login_page_takes_no_password(world: World) -> None:
    _superuser()
    client = Client()
    page = client.get("/admin/login/?next=/admin/members/member/")
    assert page.status_code == 302
    assert page["Location"].startswith("/accounts/login/?next=/admin/members/member/")
    posted = client.post("/admin/login/", {"username": "root", "password": PASSWORD})
    assert posted.status_code == 302 and posted["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_wrong_passwords_for_a_superuser_lock_the_account(world: World) -> None:
    _superuser()
    client = Client()
    for _ in range(5):
        client.post("/admin/login/", {"username": "root", "password": "wrong-password"})
        password_login(client, "root", "wrong-password")
    assert password_login(client, "root").status_code == 429
    assert client.get(MEMBERS).status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_superuser_reaches_the_admin_after_the_second_factor(world: World) -> None:
    device = enrolled(_superuser())
    client = Client()
    password_login(client, "root", next_url=MEMBERS)
    assert client.get(MEMBERS)["Location"].startswith("/accounts/2fa/")
    assert client.get("/admin/login/")["Location"].startswith("/accounts/2fa/")
    done = client.post("/accounts/2fa/", {"token": code_of(device)})
    assert done["Location"] == MEMBERS
    assert client.get(MEMBERS).status_code == 200
    assert client.get("/admin/login/")["Location"] == "/admin/"
    methods = AuditEvent.objects.filter(action="login").values_list("detail__method", flat=True)
    assert list(methods) == ["password", "totp"]


def test_a_staff_user_needs_the_second_factor_too(world: World) -> None:
    staff = User.objects.create_user(username="staff", password=PASSWORD, is_staff=True)
    client = Client()
    password_login(client, "staff")
    assert client.get("/admin/")["Location"].startswith("/accounts/2fa/setup/")
    assert TOTPDevice.objects.filter(user=staff, confirmed=True).count() == 0


def test_an_unconfirmed_device_verifies_nobody(world: World) -> None:
    root = _superuser()
    pending = TOTPDevice.objects.create(user=root, name="phone", confirmed=False)
    client = Client()
    password_login(client, "root")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = pending.persistent_id
    session.save()
    assert client.get(MEMBERS)["Location"].startswith("/accounts/2fa/setup/")


def test_a_session_no_login_of_ours_marked_never_reaches_the_admin(world: World) -> None:
    client = Client()
    client.force_login(_superuser())
    assert client.get(MEMBERS).status_code == 404


def _eid_superuser(world: World) -> User:
    user = world.users["outsider"]
    user.cccd, user.is_staff, user.is_superuser = OFFICIAL_CCCD, True, True
    user.save(update_fields=["cccd", "is_staff", "is_superuser"])
    return user


def test_a_level_2_eid_superuser_reaches_the_admin(world: World, eid: Provider) -> None:
    _eid_superuser(world)
    client = Client()
    assert eid_login(client, "official2", next_url=MEMBERS)["Location"] == MEMBERS
    assert client.get(MEMBERS).status_code == 200


def test_a_level_1_eid_superuser_is_told_to_use_level_2(world: World, eid: Provider) -> None:
    _eid_superuser(world)
    client = Client()
    eid_login(client, "official1")
    response = client.get(MEMBERS)
    assert response.status_code == 403
    assert "định danh điện tử mức 2" in response.content.decode()


def test_a_level_1_eid_superuser_holds_no_superuser_power(world: World, eid: Provider) -> None:
    """Outside the admin too: grants and national API tokens need the officer level, as grants do."""
    _eid_superuser(world)
    client = Client()
    eid_login(client, "official1")
    for url in ("/accounts/grants/", "/api/tokens/"):
        assert client.get(url).status_code == 403, url
    client.post(
        "/api/tokens/",
        {"name": "x", "org_code": world.root.code, "can_write": "on", "expires_on": ""},
    )
    client.post(
        "/accounts/grants/",
        {"username": "outsider", "org_code": world.root.code, "role": "admin"},
    )
    assert not AuditEvent.objects.filter(action__in=["api_token.create", "grant.create"]).exists()


def test_a_level_2_eid_superuser_keeps_them(world: World, eid: Provider) -> None:
    _eid_superuser(world)
    client = Client()
    eid_login(client, "official2")
    for url in ("/accounts/grants/", "/api/tokens/"):
        assert client.get(url).status_code == 200, url
