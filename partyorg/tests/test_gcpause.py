"""partyorg.gcpause: the bulk paths run with the cyclic collector paused, and give it back."""

import gc

import pytest

from partyorg.gcpause import gc_paused


def test_the_collector_is_paused_inside_and_restored_after_even_on_error() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():  # nested: the inner one leaves it paused
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ZeroDivisionError), gc_paused():
        1 / 0  # noqa: B018
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_cleaning_and_committing_a_batch_run_with_the_collector_paused(world, monkeypatch) -> None:
    from cleaning import commit, services
    from cleaning.tests.test_import_pipeline import GOOD, _upload

    seen: list[tuple[str, bool]] = []
    clean_record, plan = services.clean_record, commit._plan

    def watched_clean(*args, **kwargs):
        seen.append(("clean", gc.isenabled()))
        return clean_record(*args, **kwargs)

    def watched_plan(*args, **kwargs):
        seen.append(("plan", gc.isenabled()))
        return plan(*args, **kwargs)

    monkeypatch.setattr(services, "clean_record", watched_clean)
    monkeypatch.setattr(commit, "_plan", watched_plan)
    batch = _upload(world, *GOOD)
    commit.batch_commit(batch=batch, by=None)
    assert seen == [("clean", False), ("clean", False), ("plan", False)]
    assert gc.isenabled()
