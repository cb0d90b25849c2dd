"""Schemathesis over our OpenAPI document, in-process: no generated request makes a server error."""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from access.services import api_token_create
from api.api import api
from conftest import World

# Reading the document touches no database: it is made once, at collection, from the API itself
# (its page is behind login, as in production).
schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = get_wsgi_application()


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """As Django's test client does: a request must not close the test's open transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token(world: World) -> str:
    # A read-write token over the whole tree: every branch of every endpoint is reachable.
    return api_token_create(
        by=world.users["central"],
        org=world.root,
        name="schemathesis",
        can_write=True,
        expires_at=timezone.now() + timedelta(days=1),
    )[1]


@schema.parametrize()
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_request_makes_a_server_error(case: Any, token: str, settings: Any) -> None:
    settings.PARTYORG_API_RATE = 10_000
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"}, checks=[not_a_server_error]
    )


@schema.parametrize()
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_without_a_valid_token_gets_in(case: Any, db: None) -> None:
    response = case.call(headers={"Authorization": "Bearer po_nothing"})
    # 401 for the documented methods; schemathesis also tries others, which get 405.
    assert response.status_code in (401, 405)
