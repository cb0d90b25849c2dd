"""What officials read on the review pages: words in their language, values as they write them."""

import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from cleaning import services
from cleaning.models import Batch
from conftest import World

HEADER = "STT,Họ và tên,Số CCCD,Giới tính,Ngày sinh,Ngày vào Đảng,Ngày chính thức,Điện thoại\n"


def _upload(world: World, *lines: str) -> Batch:
    content = (HEADER + "\n".join(lines) + "\n").encode()
    return services.batch_create(
        org=world.cell,
        uploads=[SimpleUploadedFile("chibo.csv", content, content_type="text/csv")],
        by=world.users["secretary"],
    )


def _line(page: str, code: str) -> str:
    """The review line of the page for one rule (its code is only in the markup)."""
    found = re.search(rf'<div class="mb-1" data-rule="{re.escape(code)}">(.*?)</div>', page, re.S)
    assert found, code
    return found[1]


def _page(world: World, batch: Batch, persona: str = "secretary", language: str = "vi") -> str:
    with translation.override("vi"):  # the request's language is not left to later tests
        return (
            world.client(persona)
            .get(reverse("cleaning:batch", args=[batch.pk]), HTTP_ACCEPT_LANGUAGE=language)
            .content.decode()
        )


def test_extra_spaces_are_shown_so_the_two_strings_differ(world: World) -> None:
    batch = _upload(world, "1,Nguyễn   Thị  Hoà,079185000101,Nữ,12/03/1985,19/05/2010,19/05/2011,")
    line = _line(_page(world, batch), "text.whitespace")
    dot = '<span class="vis-space" title="dấu cách">·</span>'
    typed, proposed = line.split("→")
    assert f"Nguyễn{dot * 3}Thị{dot * 2}Hoà" in typed
    assert f"Nguyễn{dot}Thị{dot}Hoà" in proposed


def test_a_phone_whose_zero_was_restored_is_proposed_as_it_is_dialled_at_home(
    world: World,
) -> None:
    batch = _upload(
        world, "1,Trần Văn Bảo,079080000102,Nam,01/02/1980,03/02/2005,03/02/2006,903123457"
    )
    line = _line(_page(world, batch), "phone.leading_zero_restored")
    assert "Đã thêm số 0" in line and "“903123457” → đề xuất: “0903 123 457”" in line
    assert "+84" not in line


def test_review_lines_say_words_and_values_as_officials_write_them(world: World) -> None:
    # A two-digit year and the sex as a code: both proposals are values in their usual form.
    batch = _upload(world, "1,Trần Văn Bảo,079080000102,1,01/02/80,03/02/2005,03/02/2006,")
    page = _page(world, batch)
    year = _line(page, "date.two_digit_year")
    assert "đề xuất: “01/02/1980”" in year and "1980-02-01" not in page
    sex = _line(page, "sex.numeric_code")
    assert "đề xuất: “Nam”" in sex and "“M”" not in sex
    # The line starts with its severity in words; the code is a tooltip for specialists.
    assert re.search(r'title="date.two_digit_year">Đã tự sửa</span>', year)
    assert ">date.two_digit_year<" not in page and ">sex.numeric_code<" not in page
    english = _page(world, batch, language="en")
    year = _line(english, "date.two_digit_year")
    assert "Two-digit year" in year and "Năm ghi" not in year and ">Fixed automatically<" in year


def test_the_rules_are_listed_by_their_titles(world: World) -> None:
    batch = _upload(world, "1,Trần Văn Bảo,79080000102,Nam,01/02/1980,03/02/2005,03/02/2006,")
    page = _page(world, batch)
    rules = page.split('id="rules"')[1].split("</table>")[0]
    assert "Đã thêm số 0 đầu CCCD bị Excel làm mất" in rules
    assert 'title="cccd.leading_zero_restored"' in rules
    assert ">cccd.leading_zero_restored<" not in rules
    filtered = world.client("secretary").get(
        reverse("cleaning:batch", args=[batch.pk]) + "?rule=cccd.leading_zero_restored"
    )
    assert ">cccd.leading_zero_restored<" not in filtered.content.decode()


def test_counts_are_grouped_the_vietnamese_way(world: World) -> None:
    batch = Batch.objects.create(org=world.cell, status=Batch.Status.REVIEW, rows_total=365911)
    assert "365.911 dòng" in _page(world, batch)
    assert "365,911" in _page(world, batch, language="en")
    listed = world.client("secretary").get(reverse("cleaning:batches", args=[world.cell.code]))
    assert '<td class="text-end">365.911</td>' in listed.content.decode()


def test_the_column_menus_name_fields_in_words(world: World) -> None:
    batch = _upload(world, "1,Trần Văn Bảo,079080000102,Nam,01/02/1980,03/02/2005,03/02/2006,")
    url = reverse("cleaning:mapping", args=[batch.pk, batch.files.get().pk])
    page = world.client("secretary").get(url).content.decode()
    assert '<option value="full_name" selected>Họ và tên</option>' in page
    assert not re.search(r">(full_name|cccd|birth_date|phone)<", page)
    with translation.override("vi"):
        english = world.client("secretary").get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<option value="full_name" selected>Full name</option>' in english


def _sheet(batch: Batch) -> tuple[list[str], dict[int, list[str]]]:
    import io

    from openpyxl import load_workbook

    from cleaning.annotated import annotated_workbook

    sheet = load_workbook(io.BytesIO(annotated_workbook(batch))).active
    assert sheet is not None
    names = [str(c.value) for c in sheet[1]]
    return names, {
        int(r[2].value): [str(c.value or "") for c in r] for r in sheet.iter_rows(min_row=2)
    }


def test_the_review_workbook_shows_proposals_as_officials_write_them(world: World) -> None:
    from cleaning.annotated import PROPOSED, apply_annotated, field_label

    batch = _upload(world, "1,Trần Văn Bảo,79080000102,1,01/02/80,03/02/2005,2006,903123457")
    names, rows = _sheet(batch)
    row = rows[2]

    def proposed(name: str) -> str:
        return row[names.index(field_label(name) + PROPOSED)]

    assert (proposed("birth_date"), proposed("official_date")) == ("01/02/1980", "2006")
    assert (proposed("sex"), proposed("phone")) == ("Nam", "0903 123 457")
    problems = row[-1]
    assert "Đã thêm số 0" in problems and "cccd.leading_zero_restored" not in problems
    # Sent back unchanged, nothing is taken for an edit.
    import io

    from openpyxl import load_workbook

    from cleaning.annotated import annotated_workbook

    book = load_workbook(io.BytesIO(annotated_workbook(batch)))
    out = io.BytesIO()
    book.save(out)
    assert apply_annotated(batch=batch, upload=SimpleUploadedFile("x.xlsx", out.getvalue())) == 0


def test_a_date_typed_in_review_is_read_day_first_even_in_a_month_first_file(
    world: World,
) -> None:
    from cleaning.models import BatchRow

    # Three birth dates only a month-first reading makes sense of: the file is month first.
    batch = _upload(
        world,
        "1,Trần Văn Bảo,079080000102,Nam,02/13/1980,03/02/2005,03/02/2006,",
        "2,Trần Văn Bình,079080000103,Nam,02/14/1980,03/02/2005,03/02/2006,",
        "3,Trần Văn Bích,079080000104,Nam,02/15/1980,03/02/2005,03/02/2006,",
    )
    row = BatchRow.objects.get(batch=batch, row_number=2)
    assert row.values["birth_date"] == "1980-02-13"
    services.batch_row_edit(row=row, field="birth_date", value="05/03/1980", by=None)
    row.refresh_from_db()
    assert row.values["birth_date"] == "1980-03-05"


def test_a_file_it_cannot_read_is_explained_in_the_readers_language_only(world: World) -> None:
    batch = services.batch_create(
        org=world.cell,
        uploads=[SimpleUploadedFile("khongcot.csv", b"a,b,c\n1,2,3\n")],
        by=world.users["secretary"],
    )
    assert batch.status == "failed" and batch.error and batch.error_en
    vietnamese, english = _page(world, batch), _page(world, batch, language="en")
    alert = re.compile(r'<div class="alert alert-danger" role="alert">(.*?)</div>', re.S)
    assert alert.search(vietnamese)[1].strip() == batch.error  # type: ignore[index]
    assert alert.search(english)[1].strip() == batch.error_en  # type: ignore[index]
    assert batch.error_en not in vietnamese and batch.error not in english


def test_a_worker_that_stopped_is_explained_in_the_readers_language_only(world: World) -> None:
    from cleaning.leases import STOPPED_COMMITTING, reap
    from cleaning.models import BatchLease

    batch = _upload(world, "1,Trần Văn Bảo,079080000102,Nam,01/02/1980,03/02/2005,03/02/2006,")
    Batch.objects.filter(pk=batch.pk).update(status="committing")
    from datetime import timedelta

    from django.utils import timezone

    BatchLease.objects.create(batch_id=batch.pk, seen_at=timezone.now() - timedelta(hours=1))
    assert reap() == [batch.pk]
    batch.refresh_from_db()
    with translation.override("en"):
        assert batch.error_en == str(STOPPED_COMMITTING)
    english = _page(world, batch, language="en")
    assert "Writing stopped midway" in english and "Việc ghi bị dừng" not in english
    assert "Writing stopped midway" not in _page(world, batch)


def test_the_duplicate_page_speaks_words_not_keys_and_codes(world: World) -> None:
    line = "1,Nguyễn Thị Hoà,079185000101,Nữ,12/03/1985,19/05/2010,19/05/2011,0903123456"
    batch = _upload(world, line, "2" + line[1:])
    pair = batch.candidates.get()
    assert pair.reasons == ["identical_row"]
    page = world.client("secretary").get(reverse("cleaning:duplicate", args=[pair.pk]))
    text = page.content.decode()
    assert "hai dòng giống hệt nhau" in text and "identical_row" not in text
    assert "<th>Họ và tên</th><td>Nguyễn Thị Hoà</td>" in text
    assert "<th>Giới tính</th><td>Nữ</td>" in text and "<td>F</td>" not in text
    assert "<th>Ngày sinh</th><td>12/03/1985</td>" in text and "1985-03-12" not in text
    assert "<td>0903 123 456</td>" in text and "+84" not in text
    assert not re.search(r"<th>(full_name|cccd|sex|birth_date|phone)</th>", text)


def test_a_pair_shows_which_fields_agreed_and_how_much_each_counted(world: World) -> None:
    from cleaning.models import DuplicateCandidate

    batch = _upload(
        world,
        "1,Nguyễn Thị Hoà,079185000101,Nữ,12/03/1985,19/05/2010,19/05/2011,0903123456",
        "2,Nguyễn Thị Hoà,,Nữ,12/03/1985,19/05/2010,19/05/2011,0903123456",
    )
    candidate = DuplicateCandidate.objects.get(batch=batch)
    url = reverse("cleaning:duplicate", args=[candidate.pk])
    page = world.client("secretary").get(url).content.decode()
    summary = re.search(r'id="pair-summary">(.*?)</p>', page, re.S)
    assert summary is not None
    text = summary[1]
    assert "họ tên trùng khớp: +" in text and "số điện thoại trùng khớp: +" in text
    assert "ngày sinh trùng khớp: +" in text
    assert "fs:" not in text and "exact" not in text  # no internal codes
