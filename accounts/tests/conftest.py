"""The real OpenID Connect provider (panva/oidc-provider) on loopback, and settings to use it."""

from collections.abc import Iterator

import pytest
from django.core.cache import cache

from conftest import person
from tests.oidc.provider import Provider, oidc_provider

ACR_1, ACR_2 = "urn:vn:eid:loa:1", "urn:vn:eid:loa:2"
# An official who is not a party member of this registry: known by the CCCD on their user only.
OFFICIAL_CCCD = "001080001234"
STRANGER_CCCD = "001099000001"
ACCOUNTS = {
    "official2": {"cccd": OFFICIAL_CCCD, "acr": ACR_2},
    "official1": {"cccd": OFFICIAL_CCCD, "acr": ACR_1},
    "member1": {"cccd": str(person(0)["cccd"]), "acr": ACR_1},
    "newmember2": {"cccd": str(person(1)["cccd"]), "acr": ACR_2},
    "stranger2": {"cccd": STRANGER_CCCD, "acr": ACR_2},
    "unknownacr": {"cccd": str(person(2)["cccd"]), "acr": "urn:somewhere:else"},
}
CALLBACK = "http://testserver/accounts/eid/callback/"


@pytest.fixture(autouse=True)
def _fresh_counters() -> None:
    """Lockout and rate-limit counters live in the cache: each test starts from zero."""
    cache.clear()


@pytest.fixture(scope="session")
def provider() -> Iterator[Provider]:
    with oidc_provider(
        accounts=ACCOUNTS,
        acr_values=[ACR_1, ACR_2, "urn:somewhere:else"],
        redirect_uris=[CALLBACK],
        post_logout_redirect_uris=["http://testserver/accounts/login/"],
    ) as running:
        yield running


@pytest.fixture
def eid(settings, provider: Provider) -> Provider:
    """Settings pointing at the test provider, as production points at the national e-ID."""
    settings.OIDC_ISSUER = provider.issuer
    settings.OIDC_CLIENT_ID = provider.client_id
    settings.OIDC_CLIENT_SECRET = provider.client_secret
    settings.OIDC_ACR_LEVELS = {ACR_1: 1, ACR_2: 2}
    settings.OIDC_CCCD_CLAIM = "cccd"
    return provider
