"""`partyorg demo`: the demo data and logins, and the mark the login page reads while it loads."""

import io

import pytest
from django.core.management import call_command

from accounts.models import User
from demo.management.commands import demo


@pytest.fixture
def loading(settings, tmp_path):
    settings.PARTYORG_DEMO = True
    settings.PARTYORG_DEMO_LOADING = tmp_path / "var" / "demo-loading"
    return settings.PARTYORG_DEMO_LOADING


def test_it_marks_the_demo_as_loading_until_its_logins_exist(db, loading, monkeypatch) -> None:
    seen = []

    # The generator itself is left out: on PostgreSQL it rebuilds indexes, which it cannot do
    # inside a test's transaction.
    def generate(*args, **kwargs):
        seen.append((args, loading.exists()))

    monkeypatch.setattr(demo, "call_command", generate)
    call_command("demo", scale="ward", members=40, stdout=io.StringIO())
    assert seen == [(("generate",), True)]
    assert not loading.exists()
    assert User.objects.filter(username="quantri").exists()


def test_a_load_that_fails_leaves_no_mark(db, loading, monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(demo, "call_command", broken)
    with pytest.raises(RuntimeError):
        call_command("demo", scale="ward", members=40, stdout=io.StringIO())
    assert not loading.exists()
