"""Deploy checks of our own security settings (`partyorg check --deploy`)."""

from typing import Any

from django.conf import settings
from django.core.checks import Error, Warning, register


@register(deploy=True)
def security_settings(app_configs: Any = None, **kwargs: Any) -> list[Error | Warning]:
    problems: list[Error | Warning] = []
    if settings.PARTYORG_TRUST_UNMARKED_SESSIONS and not settings.TESTING:
        problems.append(
            Error(
                "PARTYORG_TRUST_UNMARKED_SESSIONS is on: sessions no login of ours marked would "
                "count as level 2, skipping the second factor.",
                hint="Unset PARTYORG_TRUST_UNMARKED_SESSIONS; it exists for the test suite only.",
                id="partyorg.E001",
            )
        )
    if settings.PARTYORG_DEMO and not settings.DEBUG:
        problems.append(
            Error(
                "PARTYORG_DEMO is on in production: demo logins have published passwords.",
                hint="Unset PARTYORG_DEMO.",
                id="partyorg.E002",
            )
        )
    if not settings.PARTYORG_API_DOCS_LOGIN:
        problems.append(
            Warning(
                "PARTYORG_API_DOCS_LOGIN is off: the API's OpenAPI document is public.",
                hint="Unset PARTYORG_API_DOCS_LOGIN (it is on by default when DEBUG is off).",
                id="partyorg.W002",
            )
        )
    if not settings.PARTYORG_ENCRYPTION_KEYS:
        problems.append(
            Warning(
                "PARTYORG_ENCRYPTION_KEYS is empty: sensitive uploads cannot be encrypted at rest.",
                hint="Set it to a key made by `python -c 'import core.crypto as c; "
                "print(c.new_key())'`.",
                id="partyorg.W001",
            )
        )
    if settings.OIDC_ISSUER:
        if not settings.OIDC_ISSUER.startswith("https://"):
            problems.append(Error("OIDC_ISSUER must be an https:// address.", id="partyorg.E003"))
        if not settings.OIDC_ACR_LEVELS:
            problems.append(
                Error(
                    "OIDC_ACR_LEVELS is empty: no e-ID login can reach any level.",
                    hint='Map the provider\'s acr values to levels, e.g. "loa1=1,loa2=2".',
                    id="partyorg.E004",
                )
            )
    return problems
