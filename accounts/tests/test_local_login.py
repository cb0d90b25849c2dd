"""Local accounts (no e-ID configured): password, then TOTP for anyone holding a grant."""

from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from audit.models import AuditEvent
from conftest import PASSWORD, World
from partyorg import settings as project_settings


def code_of(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def password_login(client: Client, username: str, password: str = PASSWORD, next_url: str = ""):
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post("/accounts/login/", data)


def enrolled(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def test_it_hashes_passwords_with_argon2() -> None:
    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    from django.contrib.auth.hashers import Argon2PasswordHasher

    assert Argon2PasswordHasher().encode("x" * 12, "saltsaltsalt").startswith("argon2$argon2id$")


def test_a_member_logs_in_with_a_password_alone(world: World) -> None:
    client = Client()
    response = password_login(client, "member")
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/members/me/").status_code == 200
    assert client.session["assurance_level"] == 1
    assert AuditEvent.objects.filter(action="login", actor=world.users["member"]).exists()


def test_a_wrong_password_is_refused_and_audited(world: World) -> None:
    client = Client()
    response = password_login(client, "member", "wrong-password")
    assert response.status_code == 200
    assert "mật khẩu không đúng" in response.content.decode()
    failed = AuditEvent.objects.get(action="login.failed")
    assert failed.detail == {"method": "password", "reason": "bad_password", "username": "member"}


def test_an_official_must_set_up_a_second_factor(world: World, settings) -> None:
    # django-otp also slows down guessing (a wait after each wrong code); not what this tests.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    client = Client()
    response = password_login(client, "ward", next_url=f"/orgs/{world.ward.code}/")
    assert response["Location"] == "/accounts/2fa/setup/"
    # Nothing of the officer area before that, not even by typing its address.
    blocked = client.get(f"/orgs/{world.ward.code}/")
    assert blocked.status_code == 302 and blocked["Location"].startswith("/accounts/2fa/setup/")
    page = client.get("/accounts/2fa/setup/")
    text = page.content.decode()
    assert page.status_code == 200 and "<svg" in text and 'id="otp-secret"' in text
    device = TOTPDevice.objects.get(user=world.users["ward"], confirmed=False)
    wrong = client.post("/accounts/2fa/setup/", {"token": "000000"})
    assert "Mã xác thực không đúng" in wrong.content.decode()
    done = client.post("/accounts/2fa/setup/", {"token": code_of(device)})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10 and all(c in done.content.decode() for c in codes)
    assert client.get(f"/orgs/{world.ward.code}/").status_code == 200
    assert client.session["assurance_level"] == 2
    assert AuditEvent.objects.filter(action="otp.enrol", actor=world.users["ward"]).exists()
    # The secret is shown while setting up only.
    assert client.get("/accounts/2fa/setup/").status_code == 302


def test_an_enrolled_official_enters_their_code(world: World) -> None:
    device = enrolled(world.users["secretary"])
    client = Client()
    response = password_login(client, "secretary", next_url=f"/orgs/{world.cell.code}/")
    assert response["Location"] == "/accounts/2fa/"
    assert client.get(f"/orgs/{world.cell.code}/").status_code == 302
    done = client.post("/accounts/2fa/", {"token": code_of(device)})
    assert done.status_code == 302 and done["Location"] == f"/orgs/{world.cell.code}/"
    assert client.get(f"/orgs/{world.cell.code}/").status_code == 200
    levels = list(
        AuditEvent.objects.filter(action="login")
        .order_by("id")
        .values_list("detail__method", "detail__level")
    )
    assert levels == [("password", 1), ("totp", 2)]


def test_a_recovery_code_works_once(world: World) -> None:
    from accounts.services import recovery_codes_create

    user = world.users["ward"]
    enrolled(user)
    code = recovery_codes_create(user=user)[0]
    client = Client()
    password_login(client, "ward")
    assert client.post("/accounts/2fa/", {"token": code.upper()}).status_code == 302
    assert not StaticToken.objects.filter(token=code).exists()
    client.post("/accounts/logout/")
    password_login(client, "ward")
    again = client.post("/accounts/2fa/", {"token": code})
    assert again.status_code == 200 and "Mã xác thực không đúng" in again.content.decode()


def test_the_account_locks_after_five_failures(world: World) -> None:
    client = Client()
    for _ in range(5):
        assert password_login(client, "member", "wrong-password").status_code == 200
    locked = password_login(client, "member")
    assert locked.status_code == 429
    assert "tạm khoá" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    reasons = list(
        AuditEvent.objects.filter(action="login.failed")
        .order_by("id")
        .values_list("detail__reason", flat=True)
    )
    assert reasons == ["bad_password"] * 5 + ["locked"]
    # Another account from another address is not affected.
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert password_login(other, "secretary").status_code == 302


def test_an_address_locks_after_many_failures(world: World, settings) -> None:
    settings.PARTYORG_LOGIN_MAX_FAILURES_PER_IP = 3
    client = Client(REMOTE_ADDR="10.0.0.7")
    for name in ("a", "b", "c"):
        password_login(client, name, "wrong-password")
    locked = password_login(client, "member")
    assert locked.status_code == 429
    assert "địa chỉ mạng này" in locked.content.decode()


def test_the_second_factor_locks_after_five_wrong_codes(world: World) -> None:
    device = enrolled(world.users["ward"])
    client = Client()
    password_login(client, "ward")
    for _ in range(5):
        client.post("/accounts/2fa/", {"token": "000000"})
    locked = client.post("/accounts/2fa/", {"token": code_of(device)})
    assert locked.status_code == 429
    assert client.get(f"/orgs/{world.ward.code}/").status_code == 302


def test_officials_sessions_end_after_30_idle_minutes(world: World) -> None:
    device = enrolled(world.users["ward"])
    client = Client()
    password_login(client, "ward")
    client.post("/accounts/2fa/", {"token": code_of(device)})
    client.get("/")
    assert client.session.get_expiry_age() == 30 * 60
    member = Client()
    password_login(member, "member")
    member.get("/members/me/")
    assert member.session.get_expiry_age() == 7 * 24 * 3600


def test_the_idle_window_slides_with_activity_but_the_session_is_written_once_a_minute(
    world: World, monkeypatch
) -> None:
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    device = enrolled(world.users["ward"])
    client = Client()
    password_login(client, "ward")
    client.post("/accounts/2fa/", {"token": code_of(device)})
    client.get("/")
    key = client.session.session_key
    first = Session.objects.get(pk=key).expire_date
    client.get("/")
    # Within the minute: the session row is not rewritten (a write a request cost every page).
    assert Session.objects.get(pk=key).expire_date == first
    later = timezone.now() + timedelta(minutes=20)
    monkeypatch.setattr(timezone, "now", lambda: later)
    page = f"/orgs/{world.ward.code}/"
    assert client.get(page).status_code == 200
    # Twenty minutes on, the official is still in, and the 30 idle minutes count from now.
    assert Session.objects.get(pk=key).expire_date == later + timedelta(minutes=30)
    much_later = later + timedelta(minutes=31)
    monkeypatch.setattr(timezone, "now", lambda: much_later)
    assert client.get(page)["Location"].startswith("/accounts/login/")


def test_the_admin_site_logs_in_through_our_login(world: World) -> None:
    User.objects.create_superuser(username="root", password=PASSWORD)
    client = Client()
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
    password_login(client, "root")
    # A superuser holds the keys to everything: the second factor is mandatory for them too.
    assert client.get("/admin/")["Location"].startswith("/accounts/2fa/setup/")


def test_a_session_no_login_of_ours_marked_is_level_1_in_production(world: World, settings) -> None:
    settings.PARTYORG_TRUST_UNMARKED_SESSIONS = False
    client = world.client("ward")
    response = client.get(f"/orgs/{world.ward.code}/")
    assert response.status_code == 403
    assert world.client("member").get("/members/me/").status_code == 200


def test_password_logins_are_off_when_only_the_eid_is_allowed(world: World, settings) -> None:
    settings.PARTYORG_LOCAL_LOGIN = False
    assert password_login(Client(), "member").status_code == 404


def test_logout_is_audited(world: World) -> None:
    client = Client()
    password_login(client, "member")
    assert client.post("/accounts/logout/")["Location"] == "/accounts/login/"
    assert AuditEvent.objects.filter(action="logout", actor=world.users["member"]).exists()
    assert client.get("/members/me/").status_code == 302


def test_while_the_demo_loads_the_login_page_says_so_and_logs_nobody_in(
    world: World, settings, tmp_path
) -> None:
    # `make run` serves pages while `partyorg demo` loads the city, which holds the database's
    # write lock for a minute or more: a login then would wait for it, and find no demo login.
    settings.PARTYORG_DEMO = True
    settings.PARTYORG_DEMO_LOADING = tmp_path / "demo-loading"
    settings.PARTYORG_DEMO_LOADING.write_text("")
    client = Client()
    html = client.get("/accounts/login/").content.decode()
    assert 'id="demo-loading"' in html and 'id="id_password"' not in html
    response = password_login(client, "member")
    assert response.status_code == 200 and 'id="demo-loading"' in response.content.decode()
    assert not AuditEvent.objects.filter(action__startswith="login").exists()
    settings.PARTYORG_DEMO_LOADING.unlink()
    assert 'id="demo-loading"' not in client.get("/accounts/login/").content.decode()
    assert password_login(client, "member").status_code == 302


def test_the_demo_loading_notice_is_never_shown_outside_a_demo(
    world: World, settings, tmp_path
) -> None:
    settings.PARTYORG_DEMO = False
    settings.PARTYORG_DEMO_LOADING = tmp_path / "demo-loading"
    settings.PARTYORG_DEMO_LOADING.write_text("")
    assert 'id="demo-loading"' not in Client().get("/accounts/login/").content.decode()
    assert password_login(Client(), "member").status_code == 302
