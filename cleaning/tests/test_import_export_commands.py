"""partyorg import and partyorg export members, from the command line."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from cleaning.models import Batch
from cleaning.tests.test_import_pipeline import GOOD, HEADER
from conftest import World
from members.models import Member


@pytest.fixture
def good_file(tmp_path):
    path = tmp_path / "chibo.csv"
    path.write_text(HEADER + "\n".join(GOOD) + "\n", encoding="utf-8")
    return path


def test_import_is_a_dry_run_by_default(world: World, good_file, capsys) -> None:
    members = Member.objects.count()
    call_command("import", str(good_file), org=world.cell.code)
    out = capsys.readouterr().out
    assert "cccd.leading_zero_restored" in out and "dry run" in out
    assert Member.objects.count() == members and Batch.objects.get().status == "cancelled"


def test_import_commits_and_export_lists_the_sources(
    world: World, good_file, tmp_path, capsys
) -> None:
    call_command("import", str(good_file), org=world.cell.code, commit=True)
    assert Member.objects.filter(cccd="079185000101").exists()
    out = tmp_path / "out.csv"
    call_command(
        "export",
        "members",
        org=world.cell.code,
        format="csv",
        with_provenance=True,
        out=str(out),
        by="phuong",
    )
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("# Xuất bởi / exported by phuong")
    rows = list(csv.DictReader(io.StringIO("\n".join(lines[1:]))))
    imported = next(r for r in rows if r["cccd"] == "079185000101")
    assert imported["sources"] == "chibo.csv:2" and imported["full_name"] == "Nguyễn Thị Hoà"


def test_export_neutralises_formulas(world: World, tmp_path) -> None:
    from members.services import member_update

    member_update(member=world.members[1], changes={"residence": '=HYPERLINK("http://x")'})
    out = tmp_path / "out.csv"
    call_command("export", "members", org=world.cell.code, out=str(out))
    assert "'=HYPERLINK" in out.read_text(encoding="utf-8-sig")


def test_export_writes_xlsx(world: World, tmp_path) -> None:
    out = tmp_path / "out.xlsx"
    call_command("export", "members", org=world.ward.code, format="xlsx", out=str(out))
    assert out.read_bytes()[:2] == b"PK"


HOSTILE = {
    "residence": '=HYPERLINK("http://x.example","bấm")',
    "occupation": "@SUM(1)",
    "position": "+cmd|' /C calc'!A0",
    "qualification": "-5",
}


def test_export_neutralises_every_text_cell_in_csv_and_xlsx(world: World, tmp_path) -> None:
    from openpyxl import load_workbook

    from members.services import member_update

    member = world.members[1]
    member_update(member=member, changes=HOSTILE)
    member.refresh_from_db()
    assert member.phone.startswith("+84")
    expected = {
        **{field: "'" + value for field, value in HOSTILE.items()},
        "qualification": "-5",
        "phone": member.phone,
    }
    csv_out, xlsx_out = tmp_path / "out.csv", tmp_path / "out.xlsx"
    call_command("export", "members", org=world.cell.code, out=str(csv_out))
    call_command("export", "members", org=world.cell.code, format="xlsx", out=str(xlsx_out))
    lines = csv_out.read_text(encoding="utf-8-sig").splitlines()[1:]
    from_csv = next(r for r in csv.DictReader(lines) if r["id"] == str(member.pk))
    sheet = load_workbook(xlsx_out).active
    header, *rows = [list(r) for r in sheet.iter_rows(min_row=2, values_only=True)]
    from_xlsx = next(dict(zip(header, r, strict=True)) for r in rows if r[0] == member.pk)
    for field, value in expected.items():
        assert from_csv[field] == value and from_xlsx[field] == value, field


@pytest.mark.parametrize(
    ("args", "options", "message"),
    [
        (["nope.csv"], {"org": "79"}, "nope.csv"),
        (["FILE"], {"org": "KHONG-CO"}, "KHONG-CO"),
    ],
)
def test_import_refuses_bad_arguments_clearly(
    world: World, good_file, args, options, message
) -> None:
    args = [str(good_file) if a == "FILE" else a for a in args]
    with pytest.raises(CommandError, match=message):
        call_command("import", *args, **options)
    assert not Batch.objects.exists()


def test_import_of_an_unreadable_file_names_it(world: World, tmp_path) -> None:
    bad = tmp_path / "hong.xlsx"
    bad.write_bytes(b"not a workbook at all")
    with pytest.raises(CommandError, match=r"hong\.xlsx"):
        call_command("import", str(bad), org=world.cell.code)


def test_import_processes_its_batch_itself_with_a_progress_bar(
    world: World, good_file, settings, capsys
) -> None:
    """With a worker's queue configured, the command still cleans the batch in its own process
    (nothing is queued for a worker to clean it a second time), drawing its progress."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    call_command("import", str(good_file), org=world.cell.code, commit=True)
    captured = capsys.readouterr()
    assert not DBTaskResult.objects.exists()
    assert Batch.objects.get().status == "committed"
    assert "100%" in captured.err
    # Each rule's title in both languages.
    assert "Đã thêm số 0 đầu CCCD bị Excel làm mất / Leading zero of the CCCD restored" in (
        captured.out
    )


def test_partial_dates_stay_partial_in_the_registry_and_its_exports(world: World, tmp_path) -> None:
    """Only the year of admission (or the month and year of official membership) on file:
    the member keeps exactly that, shown and exported as such, not as 1 January."""
    from members.models import Member

    path = tmp_path / "chibo.csv"
    line = GOOD[0].replace("19/05/2010,19/05/2011", "2010,05/2011")
    path.write_text(HEADER + line + "\n", encoding="utf-8")
    call_command("import", str(path), org=world.cell.code, commit=True, verbosity=0)
    member = Member.objects.get(cccd="079185000101")
    assert (member.admission_date_precision, member.official_date_precision) == ("year", "month")
    out = tmp_path / "out.csv"
    call_command("export", "members", org=world.cell.code, format="csv", out=str(out), by="p")
    rows = list(csv.DictReader(io.StringIO("\n".join(out.read_text("utf-8-sig").splitlines()[1:]))))
    exported = next(r for r in rows if r["cccd"] == "079185000101")
    assert (exported["admission_date"], exported["official_date"]) == ("2010", "2011-05")
    page = world.client("secretary").get(f"/members/{member.pk}/").content.decode()
    assert "05/2011" in page and "01/01/2010" not in page


def test_import_refuses_a_file_over_100_mb_without_reading_it(
    world: World, tmp_path, monkeypatch
) -> None:
    from pathlib import Path

    big = tmp_path / "lon.csv"
    with big.open("wb") as out:
        out.truncate(100 * 1024 * 1024 + 1)  # sparse: no 100 MB written to disk

    def read_bytes(self):
        raise AssertionError(f"{self} read into memory")

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    with pytest.raises(CommandError, match=r"lon\.csv.*100 MB"):
        call_command("import", str(big), org=world.cell.code)
    assert not Batch.objects.exists()
