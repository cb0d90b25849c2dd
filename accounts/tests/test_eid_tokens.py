"""The ID-token checks of the e-ID callback, one by one, with tokens we sign ourselves.

The end-to-end tests (test_eid_login.py) use a real provider, which only ever signs good tokens;
here a forged, expired, misaddressed or replayed token goes through the same code (Authlib's
validation and ours) and must be refused.
"""

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.test import RequestFactory
from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey

from accounts.oidc import EidError, EidIdentity, eid_authorize, eid_client, eid_complete

ISSUER = "https://eid.example.test"
CLIENT_ID = "partyorg"
KEY = RSAKey.generate_key(2048, parameters={"kid": "k1"})
# The same key id, another key: what a forger who read the provider's key id would use.
FORGED = RSAKey.generate_key(2048, parameters={"kid": "k1"})
CCCD = "079090100001"


@pytest.fixture
def provider(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Callable[..., EidIdentity]:
    settings.OIDC_ISSUER = ISSUER
    settings.OIDC_CLIENT_ID = CLIENT_ID
    settings.OIDC_CLIENT_SECRET = "secret"
    settings.OIDC_ACR_LEVELS = {"loa1": 1, "loa2": 2}
    client = eid_client()
    client.server_metadata.update(
        {
            "issuer": ISSUER,
            "authorization_endpoint": ISSUER + "/auth",
            "token_endpoint": ISSUER + "/token",
            "jwks": {"keys": [KEY.as_dict(private=False)]},
            "id_token_signing_alg_values_supported": ["RS256"],
            "_loaded_at": time.time(),
        }
    )
    factory = RequestFactory()

    def login(
        *, key: RSAKey | OctKey = KEY, header: dict[str, str] | None = None, **claims: Any
    ) -> Any:
        request = factory.get("/accounts/eid/login/")
        SessionMiddleware(lambda r: HttpResponse()).process_request(request)
        response = eid_authorize(request)
        query = parse_qs(urlsplit(response["Location"]).query)
        state, nonce = query["state"][0], query["nonce"][0]
        now = int(time.time())
        body = {
            "iss": ISSUER,
            "aud": CLIENT_ID,
            "sub": "person-1",
            "cccd": CCCD,
            "acr": "loa2",
            "nonce": nonce,
            "iat": now,
            "exp": now + 300,
        }
        body.update(claims)
        body = {k: v for k, v in body.items() if v is not None}
        token = jwt.encode(header or {"alg": "RS256", "kid": "k1"}, body, key)
        monkeypatch.setattr(
            client,
            "fetch_access_token",
            lambda **kw: {"access_token": "at", "token_type": "Bearer", "id_token": token},
        )
        callback = factory.get("/accounts/eid/callback/", {"code": "c", "state": state})
        callback.session = request.session
        return request, callback

    def run(**kwargs: Any) -> EidIdentity:
        _start, callback = login(**kwargs)
        return eid_complete(callback)

    run.login = login  # type: ignore[attr-defined]
    return run


def _refused(run: Callable[..., EidIdentity], **kwargs: Any) -> str:
    with pytest.raises(EidError) as info:
        run(**kwargs)
    return info.value.reason


def test_it_accepts_a_good_token(provider: Callable[..., EidIdentity]) -> None:
    identity = provider()
    assert (identity.cccd, identity.level, identity.subject) == (CCCD, 2, "person-1")


def test_it_sets_the_level_from_acr_itself(provider: Callable[..., EidIdentity]) -> None:
    assert provider(acr="loa1").level == 1
    assert provider(acr="something-else").level == 0
    assert provider(acr=None).level == 0


def test_it_refuses_a_bad_signature(provider: Callable[..., EidIdentity]) -> None:
    assert "signature" in _refused(provider, key=FORGED)


def test_it_refuses_a_token_signed_with_a_shared_secret(
    provider: Callable[..., EidIdentity],
) -> None:
    # The classic confusion: HMAC keyed with the provider's *public* key, which anyone has.
    public = OctKey.import_key(str(KEY.as_dict(private=False)["n"]).encode())
    _refused(provider, header={"alg": "HS256", "kid": "k1"}, key=public)


def test_it_refuses_an_expired_token(provider: Callable[..., EidIdentity]) -> None:
    now = int(time.time())
    assert "expired" in _refused(provider, iat=now - 7200, exp=now - 3600)


def test_it_refuses_a_token_for_another_client(provider: Callable[..., EidIdentity]) -> None:
    _refused(provider, aud="another-client")


def test_it_refuses_a_token_from_another_issuer(provider: Callable[..., EidIdentity]) -> None:
    _refused(provider, iss="https://evil.example.test")


def test_it_refuses_a_token_for_another_login(provider: Callable[..., EidIdentity]) -> None:
    _refused(provider, nonce="a-nonce-from-another-login")


def test_it_refuses_a_token_without_a_valid_cccd(provider: Callable[..., EidIdentity]) -> None:
    assert _refused(provider, cccd="79090100001") == "no_cccd"
    assert _refused(provider, cccd=None) == "no_cccd"


def test_it_refuses_a_replayed_nonce(provider: Callable[..., EidIdentity]) -> None:
    """A saved login (state, nonce and token) played back into the session is used up."""
    request, callback = provider.login()  # type: ignore[attr-defined]
    saved = dict(request.session.items())
    eid_complete(callback)
    request.session.update(saved)
    with pytest.raises(EidError) as info:
        eid_complete(callback)
    assert info.value.reason == "nonce_replayed"


def test_it_refuses_a_replayed_state(provider: Callable[..., EidIdentity]) -> None:
    _request, callback = provider.login()  # type: ignore[attr-defined]
    eid_complete(callback)
    with pytest.raises(EidError) as info:
        eid_complete(callback)
    assert info.value.reason == "mismatching_state"


def test_it_refuses_an_error_from_the_provider(provider: Callable[..., EidIdentity]) -> None:
    request = RequestFactory().get("/accounts/eid/callback/", {"error": "access_denied"})
    request.session = {}  # type: ignore[assignment]
    with pytest.raises(EidError) as info:
        eid_complete(request)
    assert info.value.reason == "provider_access_denied"
