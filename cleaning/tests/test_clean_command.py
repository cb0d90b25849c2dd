"""partyorg clean: the pipeline from the command line, without touching the registry."""

import csv
import io
from datetime import date

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from conftest import person
from members.models import Member

HEADER = ["STT", "Họ và tên", "Số CCCD", "Giới tính", "Ngày sinh", "Ngày vào Đảng", "Điện thoại"]


def _unit(path, rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["DANH SÁCH ĐẢNG VIÊN"])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _run(*args: str) -> tuple[str, list[dict[str, str]]]:
    out = io.StringIO()
    call_command("clean", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue(), []


def _read(path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_it_writes_one_clean_row_per_input_row(tmp_path):
    first = _unit(
        tmp_path / "chi_bo_1.xlsx",
        [
            [1, "NGUYỄN VĂN AN", 79085000123, "Nam", "04/03/1985", "19/05/2010", 912345678],
            [2, "Trần Thị Bình", "", "Nữ", "12/25/1990", "2015", "0912 345 679"],
        ],
    )
    second = tmp_path / "chi_bo_2.csv"
    second.write_text(
        "Họ và tên;Số CCCD;Giới tính;Ngày sinh;Ngày vào Đảng\n"
        "Nguyễn Văn An;079085000123;Nam;04/03/1985;19/05/2010\n"
        "=cmd|' /C calc'!A0;;Nam;04/03/1985;19/05/2010\n",
        encoding="utf-8",
    )
    out = tmp_path / "clean.csv"
    summary, _ = _run(str(first), str(second), "--out", str(out), "--today", "20/11/2025")
    rows = _read(out)
    assert [(r["source_file"], r["source_row"]) for r in rows] == [
        ("chi_bo_1.xlsx", "3"),
        ("chi_bo_1.xlsx", "4"),
        ("chi_bo_2.csv", "2"),
        ("chi_bo_2.csv", "3"),
    ]
    an = rows[0]
    assert (an["full_name"], an["cccd"], an["sex"], an["birth_date"], an["phone"]) == (
        "Nguyễn Văn An",
        "079085000123",
        "M",
        "1985-03-04",
        "+84912345678",
    )
    assert "cccd.leading_zero_restored" in an["problems"].split(";")
    assert rows[3]["full_name"].startswith("'=")  # formulas are neutralised
    assert rows[1]["birth_date"] == "1990-12-25" and rows[1]["admission_date"] == "2015"
    assert "required.cccd" in rows[1]["problems"].split(";")
    assert an["duplicate_group"] and an["duplicate_group"] == rows[2]["duplicate_group"]
    assert rows[1]["duplicate_group"] == ""
    assert "cccd.leading_zero_restored" in summary and "required.cccd" in summary


def test_it_refuses_a_bad_file_with_one_clear_line_naming_it(tmp_path):
    bad = tmp_path / "hỏng.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(CommandError) as caught:
        _run(str(bad), "--out", str(tmp_path / "o.csv"))
    message = str(caught.value)
    assert "hỏng.xlsx" in message and "\n" not in message
    assert "Tệp" in message and "File" in message
    assert not (tmp_path / "o.csv").exists()


def test_it_exits_non_zero_from_the_command_line(tmp_path):
    import subprocess
    import sys

    bad = tmp_path / "garbage.csv"
    bad.write_bytes(bytes(range(256)) * 64)
    done = subprocess.run(
        [sys.executable, "manage.py", "clean", str(bad), "--out", str(tmp_path / "o.csv")],
        capture_output=True,
        text=True,
        env={"DATABASE_URL": "sqlite:///:memory:", "PATH": "/usr/bin:/bin", "SECRET_KEY": "t"},
        check=False,
    )
    assert done.returncode != 0
    assert "garbage.csv" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.django_db
def test_it_matches_against_the_registry_of_an_org_without_changing_it(world, tmp_path):
    member = world.members[0]
    data = person(0)
    path = _unit(
        tmp_path / "u.xlsx",
        [
            [
                1,
                member.full_name,
                "",
                "Nam",
                data["birth_date"].strftime("%d/%m/%Y"),  # type: ignore[attr-defined]
                "19/05/1985",
                "",
            ]
        ],
    )
    before = list(Member.objects.values_list("id", "full_name", "cccd", "updated_at"))
    out = tmp_path / "o.csv"
    summary, _ = _run(
        str(path), "--out", str(out), "--org", world.city.code, "--today", "20/11/2025"
    )
    rows = _read(out)
    assert rows[0]["duplicate_group"]
    assert list(Member.objects.values_list("id", "full_name", "cccd", "updated_at")) == before
    assert "members" in summary


@pytest.mark.django_db
def test_it_does_not_match_members_outside_the_org(world, tmp_path):
    stranger = world.stranger
    path = _unit(
        tmp_path / "u.xlsx",
        [
            [
                1,
                stranger.full_name,
                "",
                "Nữ" if stranger.sex == "F" else "Nam",
                stranger.birth_date.strftime("%d/%m/%Y"),
                "19/05/1985",
                "",
            ]
        ],
    )
    out = tmp_path / "o.csv"
    _run(str(path), "--out", str(out), "--org", world.ward.code, "--today", "20/11/2025")
    assert _read(out)[0]["duplicate_group"] == ""


@pytest.mark.django_db
def test_it_refuses_an_unknown_org(tmp_path):
    path = _unit(tmp_path / "u.xlsx", [[1, "An", "", "Nam", "04/03/1985", "2010", ""]])
    with pytest.raises(CommandError, match="XYZ"):
        _run(str(path), "--out", str(tmp_path / "o.csv"), "--org", "XYZ")


def test_it_refuses_a_today_not_written_dd_mm_yyyy(tmp_path):
    path = _unit(tmp_path / "u.xlsx", [[1, "An", "", "Nam", "04/03/1985", "2010", ""]])
    with pytest.raises(CommandError, match="dd/mm/yyyy"):
        _run(str(path), "--out", str(tmp_path / "o.csv"), "--today", str(date(2025, 11, 20)))
