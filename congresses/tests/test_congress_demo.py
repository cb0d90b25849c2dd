"""The demo term: `partyorg generate` leaves a term in full swing whose every congress obeys the
services' rules (timeline in order, results possible, approval bottom-up, lateness as the rules
say) and whose counters equal a rebuild from the data."""

import io
import itertools
import os
import shutil
import subprocess
import tempfile
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command

from congresses.demo import congresses_generate
from congresses.models import CONGRESS_KINDS, STEP_ORDER, Congress, Person, Step, Term
from congresses.reports import congress_report, report_pdf
from congresses.services import _check_numbers, _check_results_complete, deadline_of, is_late
from orgs.models import Org, OrgCount
from orgs.rollups import rollups_rebuild

TODAY = date(2026, 12, 7)
GUIDE_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "guide" / "img"


@pytest.fixture
def demo(transactional_db) -> Term:
    # Not inside a test transaction: the generator drops and rebuilds indexes around its COPY.
    call_command(
        "generate", scale="ward", members=2500, seed=3, today="07/12/2026", no_progress=True
    )
    return Term.objects.get()


def test_every_organisation_that_holds_a_congress_has_one_in_some_state(demo: Term) -> None:
    orgs = Org.objects.filter(kind__in=CONGRESS_KINDS, status=Org.Status.ACTIVE)
    assert Congress.objects.filter(term=demo).count() == orgs.count() > 50
    assert demo.name == "Nhiệm kỳ 2025–2030"
    steps = set(Congress.objects.values_list("step", flat=True))
    assert {Step.SCHEDULED, Step.PREPARING, Step.HELD, Step.REPORTED, Step.APPROVED} <= steps
    assert Congress.objects.filter(late=True).exists()
    assert Congress.objects.filter(pilot=True).exists()
    # Elected committees with a make-up: women, minorities, re-elected and new.
    people = Person.objects.filter(body=Person.Body.COMMITTEE)
    assert people.filter(sex="F").exists() and people.filter(reelected=False).exists()
    assert Person.objects.filter(body=Person.Body.DELEGATE).exists()
    assert Person.objects.filter(body=Person.Body.INSPECTION).exists()


def test_each_congress_obeys_the_services_rules(demo: Term) -> None:
    for c in Congress.objects.filter(term=demo).select_related("term", "org"):
        updates = list(c.updates.order_by("at", "id"))
        steps = [u.step for u in updates]
        # The timeline goes one step at a time, dated in order, nothing in the future.
        assert steps == STEP_ORDER[1 : STEP_ORDER.index(c.step) + 1], c
        days = [u.on for u in updates]
        assert days == sorted(days) and all(d <= TODAY for d in days)
        assert all(u.previous == STEP_ORDER[STEP_ORDER.index(u.step) - 1] for u in updates)
        if c.held_on:
            assert c.held_on == next(u.on for u in updates if u.step == Step.HELD)
        assert c.late == is_late(
            c, today=TODAY, deadline=deadline_of(c), report_within=c.term.report_within_days
        )
        if c.step in (Step.REPORTED, Step.APPROVED):
            _check_numbers(c)
            _check_results_complete(c)
            committee = list(c.people.filter(body=Person.Body.COMMITTEE))
            assert len(committee) <= (c.committee_decided or 0)
            if c.elects_committee:
                assert sum(p.role == Person.Role.SECRETARY for p in committee) == 1


def test_approval_runs_bottom_up(demo: Term) -> None:
    approved = Congress.objects.filter(term=demo, step=Step.APPROVED)
    assert approved.exists()
    for c in approved:
        assert not Congress.objects.filter(term=demo, org__parent=c.org_id).exclude(
            step=Step.APPROVED
        ), c


def test_its_counters_equal_a_rebuild_and_a_second_run_adds_nothing(demo: Term) -> None:
    live = {(c.org_id, c.key): c.value for c in OrgCount.objects.all() if c.value}
    rollups_rebuild()
    assert {(c.org_id, c.key): c.value for c in OrgCount.objects.all() if c.value} == live
    assert congresses_generate(seed=3, today=TODAY) == 0


def test_the_root_report_reads_the_demo(demo: Term) -> None:
    root = Org.objects.get(parent__isnull=True)
    report = congress_report(demo, root, today=TODAY)
    assert report.figures.total == Congress.objects.count()
    assert report.figures.approved == Congress.objects.filter(step=Step.APPROVED).count()
    assert report.series and report.series[-1][2] == report.figures.done
    assert any(s.value for s in itertools.islice(report.shares, 3))


def test_a_commune_report_of_the_demo_as_pdf(demo: Term) -> None:
    """The report a commune sends up, from the demo data; with UPDATE_SCREENSHOTS=1 (and
    poppler's pdftoppm) its pages become the user guide's pictures."""
    from pypdf import PdfReader

    commune = Org.objects.filter(kind="commune").order_by("code").first()
    assert commune is not None
    content = report_pdf(congress_report(demo, commune, today=TODAY))
    text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).split()
    )
    assert f"{commune.name.upper()} * ĐẢNG CỘNG SẢN VIỆT NAM" in text
    assert "Đơn vị chậm tiến độ" in text and "Cấp uỷ viên nữ" in text
    if os.environ.get("UPDATE_SCREENSHOTS") == "1" and shutil.which("pdftoppm"):
        GUIDE_IMAGES.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as tmp:
            source = Path(tmp) / "report.pdf"
            source.write_bytes(content)
            subprocess.run(
                [
                    "pdftoppm",
                    "-png",
                    "-r",
                    "70",
                    "-f",
                    "1",
                    "-l",
                    "2",
                    source,
                    GUIDE_IMAGES / "dai-hoi-bao-cao",
                ],
                check=True,
            )
