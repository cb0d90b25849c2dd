"""Reports for the level above: the xlsx and the PDF of an organisation's congresses, their
figures from the counters, the party's header, the Vietnamese text exact, and their audit."""

import io
import os
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse

from audit.models import AuditEvent
from conftest import World
from congresses import services
from congresses.reports import congress_report, report_html
from congresses.tests.test_congress_services import TODAY, congress, held, reported, term
from core.tick import tick

__all__ = ["term"]  # the fixture, imported for its use here


@pytest.fixture
def busy(world: World, term):
    """A term under way in the world: the cell reported (a woman, a minority member), the other
    ward's cell held, a target on women, and the other ward's own congress late."""
    services.target_set(
        by=world.users["central"], term=term, org=world.root, key="women", percent="40"
    )
    services.target_set(
        by=world.users["central"], term=term, org=world.root, key="minority", percent="10"
    )
    reported(world, term, world.cell)
    held(world, term, world.other_cell)
    services.congress_plan(
        congress=congress(term, world.other_ward),
        data={"planned_on": TODAY - timedelta(days=3)},
        by=world.users["central"],
    )
    world.other_ward.contact_name = "Hoàng Thị Thu Hường"
    world.other_ward.contact_phone = "+84912345678"
    world.other_ward.save()
    services.congresses_mark_late(today=TODAY)
    tick()
    return term


def test_the_report_reads_the_subtree_from_its_counters(world: World, busy) -> None:
    report = congress_report(busy, world.city, today=TODAY)
    assert report.figures.total == 6
    assert report.figures.done == 2
    assert [r.org for r in report.rows] == [world.ward, world.other_ward]
    assert [c.org for c in report.late] == [world.other_ward]
    women = report.shares[0]
    # The cell elected three, one a woman: 33.3 % against a 40 % target.
    assert (women.value, women.target, women.met) == (33.3, 40.0, False)
    assert report.shares[2].met is True  # one minority member in three ≥ 10 %
    assert report.place == "Hà Nội"  # no administrative unit in the world: the capital


def test_xlsx_has_the_header_tables_and_neutralised_text(world: World, busy) -> None:
    world.ward.name = '=HYPERLINK("http://x","Đảng bộ")'
    world.ward.save()
    response = world.client("city").get(
        reverse("congresses:report_xlsx", args=[busy.pk, world.city.code])
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'-{world.city.code}.xlsx"')
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    summary = book.worksheets[0]
    assert summary["A1"].value == "ĐẢNG CỘNG SẢN VIỆT NAM"
    assert summary["A2"].value == world.city.name
    assert summary["A3"].value == f"Hà Nội, ngày {TODAY:%d/%m/%Y}"
    children = {row[0]: row for row in book["Tiến độ theo đơn vị"].iter_rows(values_only=True)}
    assert children["'" + world.ward.name][1:3] == (3, 1)
    late = list(book["Đơn vị chậm"].iter_rows(values_only=True))
    assert late[1][0] == world.other_ward.name and late[1][4] == "Hoàng Thị Thu Hường"
    makeup = {row[0]: row for row in book["Cơ cấu"].iter_rows(values_only=True)}
    assert makeup["Cấp uỷ viên nữ"][1:4] == (33.3, 40, "Chưa đạt")
    event = AuditEvent.objects.get(action="congress.report")
    assert event.object_id == world.city.code
    assert event.detail == {"term": busy.pk, "format": "xlsx", "children": 2}
    assert event.actor == world.users["city"]


def test_pdf_says_it_in_vietnamese_exactly_with_its_charts(world: World, busy) -> None:
    from pypdf import PdfReader

    response = world.client("ward").get(
        reverse("congresses:report_pdf", args=[busy.pk, world.ward.code])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    flat = " ".join(text.split())
    for words in [
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        world.ward.name.upper(),
        f"Hà Nội, ngày {TODAY:%d/%m/%Y}",
        "BÁO CÁO TIẾN ĐỘ VÀ KẾT QUẢ ĐẠI HỘI",
        "Nhiệm kỳ 2025–2030",
        "Tiến độ theo đơn vị trực thuộc",
        world.grassroots.name,
        "Cơ cấu cấp uỷ và đại biểu so với chỉ tiêu",
        "Cấp uỷ viên người dân tộc thiểu số",
        "Chưa đạt",
        "Biểu đồ 1. Đại hội đã tổ chức so với kế hoạch, cộng dồn theo tuần",
        "Kế hoạch",
    ]:
        assert words in flat, words
    assert AuditEvent.objects.filter(action="congress.report", detail__format="pdf").count() == 1
    Path(os.environ.get("PARTYORG_REPORT_PDF", "/dev/null")).write_bytes(response.content)


def test_the_report_page_of_another_subtree_or_an_unknown_term_is_not_found(
    world: World, busy
) -> None:
    client = world.client("ward")
    assert (
        client.get(
            reverse("congresses:report_pdf", args=[busy.pk, world.other_ward.code])
        ).status_code
        == 404
    )
    assert (
        client.get(
            reverse("congresses:report_xlsx", args=[busy.pk + 1, world.ward.code])
        ).status_code
        == 404
    )
    assert (
        client.get(reverse("congresses:report_xlsx", args=[2**64, world.ward.code])).status_code
        == 404
    )
    assert not AuditEvent.objects.filter(action="congress.report").exists()


def test_report_html_escapes_what_people_typed(world: World, busy) -> None:
    world.grassroots.name = "Đảng bộ <script>x</script>"
    world.grassroots.save()
    html = report_html(congress_report(busy, world.ward, today=TODAY))
    assert "<script>x" not in html and "&lt;script&gt;x" in html


def test_a_child_row_reads_only_the_table_keys_and_loses_nothing(world: World, busy) -> None:
    from congresses.selectors import children_rows, figures_for

    for row in children_rows(busy, world.city, today=TODAY):
        whole = figures_for(busy, [row.org], today=TODAY)[row.org.id]
        assert (row.figures.total, row.figures.steps, row.figures.done, row.figures.due) == (
            whole.total,
            whole.steps,
            whole.done,
            whole.due,
        )
        assert (row.figures.late, row.figures.reported, row.figures.approved) == (
            whole.late,
            whole.reported,
            whole.approved,
        )
        assert row.figures.makeup() == whole.makeup()
        assert not any(k.startswith(("plan.", "held.")) for k in row.figures.raw)
