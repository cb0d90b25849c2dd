"""core.gcpause: the bulk paths run with the cyclic collector paused, and give it back."""

import gc

import pytest

from core.gcpause import gc_paused


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


def test_what_a_path_leaves_alive_is_not_walked_again_unless_it_failed(monkeypatch) -> None:
    """A bulk path that ends well freezes its survivors (the rules' caches, mostly), so the
    collector does not walk them all as soon as it is back; one that fails does not."""
    from core import gcpause

    monkeypatch.setattr(gcpause, "_ended_well", 0)  # not the COLLECT_EVERY-th path
    gc.unfreeze()
    try:
        with pytest.raises(ZeroDivisionError), gc_paused():
            kept_on_error = [[i] for i in range(1000)]
            1 / 0  # noqa: B018
        assert gc.get_freeze_count() == 0
        with gc_paused():
            with gc_paused():
                kept = [[i] for i in range(1000)]
            assert gc.get_freeze_count() == 0  # only the outermost pause freezes
        assert gc.get_freeze_count() >= len(kept) + len(kept_on_error)
        walked = {id(o) for o in gc.get_objects()}  # the generations a collection walks
        assert not any(id(x) in walked for x in kept)
        # Still freed by reference counting when dropped.
        import weakref

        class Box:
            pass

        with gc_paused():
            box = Box()
        ref = weakref.ref(box)
        del box
        assert ref() is None
    finally:
        gc.unfreeze()


def test_a_cycle_a_path_left_behind_is_collected_within_collect_every_paths(monkeypatch) -> None:
    import weakref

    from core import gcpause

    class Node:
        other: object = None

    monkeypatch.setattr(gcpause, "COLLECT_EVERY", 3)
    monkeypatch.setattr(gcpause, "_ended_well", 0)
    gc.unfreeze()
    try:
        with gc_paused():
            a, b = Node(), Node()
            a.other, b.other = b, a  # a cycle, unreachable once the path ends
            ref = weakref.ref(a)
            del a, b
        assert ref() is not None  # frozen with the rest
        with gc_paused():
            pass
        assert ref() is not None
        with gc_paused():  # the third: a full collection instead of a freeze
            pass
        assert ref() is None
    finally:
        gc.unfreeze()
