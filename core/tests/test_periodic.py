"""The worker's periodic jobs: each runs when its period is due, a failing one does not stop the
others."""

from core import periodic


def test_a_job_runs_when_due_and_a_failure_does_not_stop_the_others(monkeypatch) -> None:
    monkeypatch.setattr(periodic, "_JOBS", {})
    ran: list[str] = []

    def broken() -> None:
        raise RuntimeError("boom")

    periodic.register_periodic("a", lambda: ran.append("a"), every=60)
    periodic.register_periodic("broken", broken, every=10)
    assert periodic.run_due(now=1000.0) == ["a", "broken"]
    assert ran == ["a"]
    assert periodic.run_due(now=1005.0) == []
    assert periodic.run_due(now=1011.0) == ["broken"]
    assert periodic.run_due(now=1061.0) == ["a", "broken"]
    assert ran == ["a", "a"]


def test_the_apps_register_their_jobs() -> None:
    assert {"cleaning.reap", "congresses.late"} <= set(periodic._JOBS)
