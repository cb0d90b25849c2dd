"""Production settings: `partyorg check --deploy` is clean, headers are strict, logs are clean."""

import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.test import Client

from core import crypto
from core.logging import RedactFilter, redact

ROOT = Path(__file__).resolve().parents[2]


def _production_env(**extra: str) -> dict[str, str]:
    # Not the test run's own switches (the browser tests allow async-unsafe ORM calls).
    skip = ("PYTEST_VERSION", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in skip}
    env.update(
        HTTPS="1",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="partyorg.example.vn",
        PARTYORG_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        DATABASE_URL="sqlite:///:memory:",
        **extra,
    )
    return env


def _check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "partyorg", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_deploy_checks_pass_under_production_settings() -> None:
    result = _check_deploy(_production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_deploy_checks_refuse_the_test_only_session_trust() -> None:
    result = _check_deploy(_production_env(PARTYORG_TRUST_UNMARKED_SESSIONS="1"))
    assert result.returncode != 0 and "partyorg.E001" in result.stderr


def test_the_deploy_checks_warn_of_public_api_documents() -> None:
    result = _check_deploy(_production_env(PARTYORG_API_DOCS_LOGIN="0"))
    assert result.returncode != 0 and "partyorg.W002" in result.stderr


def test_the_deploy_checks_refuse_an_eid_without_levels() -> None:
    result = _check_deploy(
        _production_env(OIDC_ISSUER="https://eid.example.vn", OIDC_CLIENT_ID="partyorg")
    )
    assert "partyorg.E004" in result.stderr


def test_pages_carry_a_strict_content_security_policy(db) -> None:
    response = Client().get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    assert (
        "script-src 'self'" in policy and "unsafe-inline" not in policy.split("style-src-attr")[0]
    )
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    html = response.content.decode()
    assert "onchange=" not in html and "<script>" not in html


@pytest.mark.parametrize(
    ("line", "leak"),
    [
        ("member 079090100001 viewed", "079090100001"),
        ("phone 0903123456 updated", "0903123456"),
        ("phone 0903 123 456 or +84903123456", "903123456"),
        ("excel lost the zero: 79090100001", "79090100001"),
        ("old id 025123456", "025123456"),
        ("GET /orgs/79/members/?q=079090100001", "079090100001"),
        ("field cccd.079090100001", "079090100001"),
    ],
)
def test_the_log_filter_masks_ids_and_phone_numbers(line: str, leak: str) -> None:
    assert leak not in redact(line).replace(" ", "")


def test_the_log_filter_keeps_ordinary_numbers() -> None:
    assert redact("member 42 in org 79.26734.001, 2025-11-27, 365911 members") == (
        "member 42 in org 79.26734.001, 2025-11-27, 365911 members"
    )


def test_the_log_filter_masks_arguments_and_tracebacks() -> None:
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "cccd %s", ("079090100001",), None)
    try:
        raise ValueError("bad 079090100001")
    except ValueError:
        record.exc_info = sys.exc_info()
    RedactFilter().filter(record)
    text = logging.Formatter().format(record)
    assert "079090100001" not in text and "079*******01" in text


def test_it_encrypts_and_decrypts_with_rotating_keys(settings) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.PARTYORG_ENCRYPTION_KEYS = [old]
    token = crypto.encrypt(b"079090100001,Nguyen Van An")
    assert b"079090100001" not in token
    settings.PARTYORG_ENCRYPTION_KEYS = [new, old]
    assert crypto.decrypt(token) == b"079090100001,Nguyen Van An"
    rotated = crypto.rotate(token)
    settings.PARTYORG_ENCRYPTION_KEYS = [new]
    assert crypto.decrypt(rotated) == b"079090100001,Nguyen Van An"
    with pytest.raises(crypto.InvalidToken):
        crypto.decrypt(token)


def test_it_refuses_altered_ciphertext(settings) -> None:
    settings.PARTYORG_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    token = bytearray(crypto.encrypt(b"secret"))
    token[-5] ^= 1
    with pytest.raises(crypto.InvalidToken):
        crypto.decrypt(bytes(token))


def test_it_limits_the_expensive_pages(world, settings) -> None:
    settings.PARTYORG_RATE_LIMITS = {"members:list": 3}
    client = world.client("ward")
    url = f"/orgs/{world.ward.code}/members/?q=nguyen"
    statuses = [client.get(url).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert "Quá nhiều yêu cầu" in client.get(url).content.decode()
    # Another official is not slowed down by the first one.
    assert world.client("city").get(url).status_code == 200


def test_the_data_protection_page_is_linked_from_every_page(db) -> None:
    page = Client().get("/accounts/data-protection/").content.decode()
    assert "Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15" in page
    assert 'href="/accounts/data-protection/"' in Client().get("/accounts/login/").content.decode()


def test_the_suite_watches_every_log_line_for_cccds() -> None:
    from partyorg.tests.logcheck import TEES

    logging.getLogger("partyorg.test").warning("looked up %s", "079090100001")
    written = "".join(line for tee in TEES for line in tee.lines)
    assert "looked up 079*******01" in written
    assert not any("079090100001" in line for tee in TEES for line in tee.leaks)


def test_it_refuses_to_start_without_a_secret_key_outside_debug() -> None:
    env = _production_env()
    del env["SECRET_KEY"]
    result = _check_deploy(env)
    assert result.returncode != 0 and "SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("name", ["HTTPS", "DEBUG", "STATIC_MANIFEST"])
def test_it_refuses_a_yes_no_setting_it_cannot_read(name: str) -> None:
    env = _production_env()
    env[name] = "ture"
    result = _check_deploy(env)
    assert result.returncode != 0
    assert f"{name}='ture' is not a yes/no value" in result.stderr
