"""Login through the national e-ID: OpenID Connect, authorization code flow with PKCE (Authlib).

Authlib keeps the state, the nonce and the PKCE verifier in the session, exchanges the code and
checks the ID token's signature (the provider's published keys), audience, issuer, expiry and
nonce. On top of that we check what a relying party must not take on trust: that the discovered
issuer is the one configured, that the authorization response names that issuer (RFC 9207),
that a nonce is never accepted twice, and the assurance level, which we derive from `acr`
ourselves through settings.OIDC_ACR_LEVELS.
"""

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from authlib.integrations.base_client import OAuthError
from authlib.integrations.django_client import DjangoOAuth2App, OAuth
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

_CCCD = re.compile(r"^\d{12}$")
NAME = "eid"


class EidError(Exception):
    """A refused e-ID login; `reason` is a short code for the audit log, never personal data."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class EidIdentity:
    subject: str
    cccd: str
    acr: str
    level: int
    id_token: str


def eid_enabled() -> bool:
    return bool(settings.OIDC_ISSUER and settings.OIDC_CLIENT_ID)


_clients: dict[tuple[Any, ...], DjangoOAuth2App] = {}


def _config() -> tuple[Any, ...]:
    return (
        settings.OIDC_ISSUER,
        settings.OIDC_CLIENT_ID,
        settings.OIDC_CLIENT_SECRET,
        settings.OIDC_CLIENT_AUTH_METHOD,
        settings.OIDC_PRIVATE_KEY_FILE,
        settings.OIDC_SCOPES,
        settings.OIDC_TIMEOUT,
    )


def eid_client() -> DjangoOAuth2App:
    """The Authlib client for the configured provider (discovery is fetched once per config)."""
    config = _config()
    client = _clients.get(config)
    if client is None:
        method = settings.OIDC_CLIENT_AUTH_METHOD
        secret = settings.OIDC_CLIENT_SECRET
        auth_methods = []
        if method == "private_key_jwt":
            secret = Path(settings.OIDC_PRIVATE_KEY_FILE).read_text()
            auth_methods = [PrivateKeyJWT()]
        oauth = OAuth()
        client = oauth.register(
            name=NAME,
            client_id=settings.OIDC_CLIENT_ID,
            client_secret=secret,
            server_metadata_url=settings.OIDC_ISSUER + "/.well-known/openid-configuration",
            client_kwargs={
                "scope": settings.OIDC_SCOPES,
                "code_challenge_method": "S256",
                "token_endpoint_auth_method": method,
                "timeout": settings.OIDC_TIMEOUT,
            },
            client_auth_methods=auth_methods,
        )
        _clients.clear()
        _clients[config] = client
    return client


def _metadata(client: DjangoOAuth2App) -> dict[str, Any]:
    try:
        metadata = client.load_server_metadata()
    except Exception as error:
        raise EidError("discovery_failed") from error
    # OpenID Connect Discovery 1.0, section 4.3: the issuer in the document must be exactly the
    # one we asked, or a provider could speak for another.
    if metadata.get("issuer", "").rstrip("/") != settings.OIDC_ISSUER:
        client.server_metadata.pop("_loaded_at", None)
        raise EidError("issuer_mismatch")
    return metadata


def redirect_uri(request: HttpRequest) -> str:
    return settings.OIDC_REDIRECT_URI or request.build_absolute_uri(
        reverse("accounts:eid_callback")
    )


def eid_authorize(request: HttpRequest, **params: str) -> HttpResponse:
    """The redirect to the provider's login page; state, nonce and PKCE go into the session."""
    client = eid_client()
    _metadata(client)
    # Ask for the levels we know, highest first: providers name the `acr` they assert only when
    # it was asked for (OpenID Connect Core 1.0, section 3.1.2.1); the check stays ours.
    levels = settings.OIDC_ACR_LEVELS
    if levels and "acr_values" not in params:
        params["acr_values"] = " ".join(sorted(levels, key=lambda acr: -levels[acr]))
    response: HttpResponse = client.authorize_redirect(request, redirect_uri(request), **params)
    return response


def acr_level(acr: str | None) -> int:
    return int(settings.OIDC_ACR_LEVELS.get(acr or "", 0))


def _remember_nonce(nonce: str, expires: int) -> bool:
    """False if this nonce was already used: an ID token is good for one login only."""
    import time

    ttl = max(60, min(int(expires - time.time()) + settings.OIDC_LEEWAY, 86400))
    return bool(cache.add("eid-nonce:" + nonce, 1, timeout=ttl))


def eid_complete(request: HttpRequest) -> EidIdentity:
    """Finish the flow from the provider's redirect; raises EidError with the reason."""
    if "error" in request.GET:
        raise EidError("provider_" + re.sub(r"[^a-z_]", "", request.GET["error"])[:40])
    client = eid_client()
    metadata = _metadata(client)
    # RFC 9207: a provider that says it names itself in the response must do so, and rightly.
    iss = request.GET.get("iss")
    if metadata.get("authorization_response_iss_parameter_supported") and iss is None:
        raise EidError("issuer_missing")
    if iss is not None and iss.rstrip("/") != settings.OIDC_ISSUER:
        raise EidError("issuer_mismatch")
    try:
        token = client.authorize_access_token(
            request,
            claims_options={"iss": {"essential": True, "value": metadata["issuer"]}},
            leeway=settings.OIDC_LEEWAY,
        )
    except OAuthError as error:
        raise EidError(_reason(error)) from error
    except Exception as error:  # the signature, a claim, the network: all refuse the login
        raise EidError(_reason(error)) from error
    claims = token.get("userinfo")
    if not claims or "id_token" not in token:
        raise EidError("no_id_token")
    if not _remember_nonce(str(claims.get("nonce", "")), int(claims.get("exp", 0))):
        raise EidError("nonce_replayed")
    cccd = claims.get(settings.OIDC_CCCD_CLAIM)
    if cccd is None and metadata.get("userinfo_endpoint"):
        # Many providers put identity claims in userinfo only; its subject must be the token's.
        try:
            info = client.userinfo(token=token)
        except Exception as error:
            raise EidError("userinfo_failed") from error
        if info.get("sub") != claims.get("sub"):
            raise EidError("userinfo_subject_mismatch")
        cccd = info.get(settings.OIDC_CCCD_CLAIM)
    if not isinstance(cccd, str) or not _CCCD.match(cccd):
        raise EidError("no_cccd")
    acr = claims.get("acr")
    return EidIdentity(
        subject=str(claims["sub"]),
        cccd=cccd,
        acr=str(acr or ""),
        level=acr_level(acr),
        id_token=token["id_token"],
    )


def _reason(error: Exception) -> str:
    """A short code for the audit log, from Authlib's or joserfc's exception."""
    name = getattr(error, "error", None) or type(error).__name__
    words = re.sub(r"(?<!^)(?=[A-Z])", "_", str(name)).lower()
    return re.sub(r"[^a-z_]", "", words)[:60] or "invalid"


def eid_logout_url(request: HttpRequest, id_token: str | None) -> str | None:
    """The provider's end-session address (RP-initiated logout), if it publishes one."""
    if not eid_enabled():
        return None
    client = eid_client()
    try:
        metadata = _metadata(client)
    except EidError:
        return None
    if not metadata.get("end_session_endpoint"):
        return None
    result = client.create_logout_url(
        post_logout_redirect_uri=request.build_absolute_uri(reverse("accounts:login")),
        id_token_hint=id_token,
        client_id=settings.OIDC_CLIENT_ID,
    )
    return str(result["url"])
