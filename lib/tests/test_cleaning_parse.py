"""parse_file: every format, every encoding, and every kind of bad input."""

import codecs
import datetime
import io
import os
import unicodedata
import zipfile
from collections.abc import Sequence
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from lib.cleaning.parse import Limits, ParseError, parse_file

from . import bombs

FIXTURES = Path(__file__).parent / "fixtures"
HEADER = ["STT", "Họ và tên", "Số CCCD", "Giới tính", "Ngày sinh", "Ngày vào Đảng"]
ROW = [1, "Nguyễn Văn An", "079085000123", "Nam", "04/03/1985", "19/05/2010"]


def _xlsx(path: Path, rows: Sequence[Sequence[object]], *, merge_title: bool = False) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Danh sách"
    for row in rows:
        sheet.append(row)
    if merge_title:
        sheet.merge_cells("A1:F1")
    book.save(path)
    return path


def _csv(path: Path, text: str, encoding: str) -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def _cp1258_form(text: str) -> str:
    """Letters with their vowel marks precomposed and the tone combining, as 1258 stores them."""
    out = []
    for ch in text:
        marks = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in marks if c in "\u0300\u0301\u0303\u0309\u0323")
        out.append(
            unicodedata.normalize("NFC", "".join(c for c in marks if c not in tones)) + tones
        )
    return "".join(out)


def _refused(path: Path, code: str, **kwargs: object) -> ParseError:
    with pytest.raises(ParseError) as caught:
        parse_file(path, **kwargs)  # type: ignore[arg-type]
    assert caught.value.code == code, caught.value
    assert path.name in caught.value.message_vi or "display_name" in kwargs
    assert caught.value.message_en
    return caught.value


class TestWorkbooks:
    def test_it_finds_the_header_below_a_merged_title_row(self, tmp_path):
        path = _xlsx(
            tmp_path / "u.xlsx",
            [["DANH SÁCH ĐẢNG VIÊN CHI BỘ 1"], [], HEADER, ROW],
            merge_title=True,
        )
        parsed = parse_file(path)
        assert parsed.header_row == 3
        assert parsed.headers == HEADER
        assert parsed.mapping[1] == "full_name" and parsed.mapping[0] is None
        assert [(r.row, r.values[1]) for r in parsed.rows] == [(4, "Nguyễn Văn An")]

    def test_it_keeps_the_spreadsheet_row_numbers(self, tmp_path):
        path = _xlsx(tmp_path / "u.xlsx", [HEADER, ROW, [], [2, "Lê Văn Cường"]])
        assert [r.row for r in parse_file(path).rows] == [2, 3, 4]

    def test_it_renders_whole_numbers_without_the_excel_point_zero(self, tmp_path):
        path = _xlsx(tmp_path / "u.xlsx", [HEADER, [1, "An", 79085000123, "Nam", 1.5, 1985]])
        values = parse_file(path).rows[0].values
        assert values[2] == "79085000123"
        assert values[4] == "1.5"
        assert values[5] == "1985"

    def test_it_renders_date_cells_as_iso_and_marks_them_typed(self, tmp_path):
        row = [
            1,
            "An",
            "079085000123",
            "Nam",
            datetime.date(1985, 3, 4),
            datetime.datetime(2010, 5, 19, 8, 30),
        ]
        parsed = parse_file(_xlsx(tmp_path / "u.xlsx", [HEADER, row]))
        assert parsed.rows[0].values[4:] == ["1985-03-04", "2010-05-19"]
        assert parsed.rows[0].typed_dates == frozenset({4, 5})

    def test_it_keeps_formula_looking_text_as_text(self, tmp_path):
        path = tmp_path / "u.xlsx"
        book = xlsxwriter.Workbook(str(path))
        sheet = book.add_worksheet()
        sheet.write_row(0, 0, HEADER)
        sheet.write_string(1, 1, '=HYPERLINK("http://x","An")')
        # A real formula: calamine returns the value Excel cached, never evaluates it.
        sheet.write_formula(1, 2, "=1+1", None, "079085000123")
        book.close()
        values = parse_file(path).rows[0].values
        assert values[1] == '=HYPERLINK("http://x","An")'
        assert values[2] == "079085000123"

    def test_it_skips_the_row_of_column_numbers_under_the_header(self, tmp_path):
        numbers = [f"({i})" for i in range(1, 7)]
        parsed = parse_file(_xlsx(tmp_path / "u.xlsx", [HEADER, numbers, ROW]))
        assert [r.row for r in parsed.rows] == [3]

    def test_it_picks_the_sheet_with_the_member_list(self, tmp_path):
        path = tmp_path / "u.xlsx"
        book = openpyxl.Workbook()
        book.active.title = "Tổng hợp"
        book.active.append(["Tổng số đảng viên", 25])
        data = book.create_sheet("Danh sách")
        data.append(HEADER)
        data.append(ROW)
        book.save(path)
        parsed = parse_file(path)
        assert parsed.sheet == "Danh sách"
        assert parsed.sheets == ["Tổng hợp", "Danh sách"]

    def test_it_reads_the_sheet_the_caller_chooses(self, tmp_path):
        path = _xlsx(tmp_path / "u.xlsx", [HEADER, ROW])
        assert parse_file(path, sheet="Danh sách").sheet == "Danh sách"
        _refused(path, "file.sheet_not_found", sheet="Khác")

    def test_it_reads_an_excel_97_workbook(self):
        parsed = parse_file(FIXTURES / "members.xls")
        assert parsed.header_row == 3
        assert parsed.rows[0].values[:3] == ["1", "Nguyễn Văn An", "079085000123"]
        assert parsed.rows[1].values[2] == "79190000456"
        assert parsed.rows[0].values[4] == "1985-03-04" and 4 in parsed.rows[0].typed_dates

    def test_it_reads_an_opendocument_spreadsheet(self):
        parsed = parse_file(FIXTURES / "members.ods")
        assert parsed.header_row == 2
        assert [r.values[1] for r in parsed.rows] == ["Nguyễn Văn An", "Trần Thị Bình"]
        assert parsed.rows[1].values[4] == "1990-12-25"


class TestTextFiles:
    TEXT = "Danh sách đảng viên\n" + ",".join(HEADER) + "\n" + ",".join(map(str, ROW)) + "\n"

    @pytest.mark.parametrize(
        ("encoding", "bom"),
        [
            ("utf-8", b""),
            ("utf-8", codecs.BOM_UTF8),
            ("utf-16-le", codecs.BOM_UTF16_LE),
            ("utf-16-be", codecs.BOM_UTF16_BE),
            ("utf-16-le", b""),
        ],
    )
    def test_it_reads_utf8_and_utf16_with_or_without_a_bom(self, tmp_path, encoding, bom):
        path = tmp_path / "u.csv"
        path.write_bytes(bom + self.TEXT.encode(encoding))
        parsed = parse_file(path)
        assert parsed.header_row == 2
        assert parsed.headers[1] == "Họ và tên"
        assert parsed.rows[0].values[1] == "Nguyễn Văn An"
        assert parsed.rows[0].row == 3

    def test_it_reads_windows_1258_and_composes_the_tones(self, tmp_path):
        # Windows-1258 has "ê" but writes the tone as a combining mark: Nguyễn = Nguyê + ̃ + n.
        text = "Họ và tên,Giới tính,Ngày sinh\nNguyễn Văn An,Nam,04/03/1985\n"
        path = tmp_path / "u.csv"
        path.write_bytes(_cp1258_form(text).encode("cp1258"))
        parsed = parse_file(path)
        assert parsed.encoding == "cp1258"
        assert parsed.headers == ["Họ và tên", "Giới tính", "Ngày sinh"]
        assert parsed.rows[0].values[0] == "Nguyễn Văn An"

    def test_it_reads_text_typed_in_the_tcvn3_font_for_the_rules_to_convert(self, tmp_path):
        from lib.vn.encodings import encode_legacy, fix_legacy

        names = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Hoàng Cường"]
        lines = ["Ho va ten,Gioi tinh,Ngay sinh"] + [
            f"{encode_legacy(n, 'tcvn3')},Nam,04/03/1985" for n in names
        ]
        path = _csv(tmp_path / "u.csv", "\n".join(lines), "cp1252")
        parsed = parse_file(path)
        assert parsed.encoding == "cp1252 (TCVN3/VNI)"
        assert [fix_legacy(r.values[0])[0] for r in parsed.rows] == names

    @pytest.mark.parametrize("delimiter", [",", ";", "\t"])
    def test_it_sniffs_the_delimiter(self, tmp_path, delimiter):
        text = delimiter.join(HEADER) + "\n" + delimiter.join(map(str, ROW)) + "\n"
        parsed = parse_file(_csv(tmp_path / "u.csv", text, "utf-8"))
        assert parsed.rows[0].values[2] == "079085000123"

    def test_it_keeps_a_leading_apostrophe_and_quotes_as_typed(self, tmp_path):
        text = ",".join(HEADER) + '\n1,"Lê, Văn An",\'079085000123,Nam,04/03/1985,2010\n'
        values = parse_file(_csv(tmp_path / "u.csv", text, "utf-8")).rows[0].values
        assert values[1] == "Lê, Văn An"
        assert values[2] == "'079085000123"


class TestBadInput:
    def test_it_refuses_a_corrupt_workbook(self, tmp_path):
        good = _xlsx(tmp_path / "good.xlsx", [HEADER, ROW])
        bad = tmp_path / "bad.xlsx"
        bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
        error = _refused(bad, "file.corrupt")
        assert "hỏng" in error.message_vi

    def test_it_refuses_a_workbook_whose_zip_entries_are_damaged(self, tmp_path):
        good = _xlsx(tmp_path / "good.xlsx", [HEADER, ROW] * 50)
        data = bytearray(good.read_bytes())
        with zipfile.ZipFile(good) as archive:
            info = archive.getinfo("xl/worksheets/sheet1.xml")
        start = info.header_offset + 30 + len(info.filename) + 10
        data[start : start + 20] = b"\x00" * 20  # corrupt the compressed bytes, keep the directory
        bad = tmp_path / "bad.xlsx"
        bad.write_bytes(bytes(data))
        _refused(bad, "file.corrupt")

    def test_it_refuses_a_password_protected_workbook(self):
        error = _refused(FIXTURES / "encrypted.xlsx", "file.encrypted")
        assert "mật khẩu" in error.message_vi and "password" in error.message_en

    def test_it_refuses_a_zip_bomb_before_opening_it(self, tmp_path):
        path = tmp_path / "bomb.xlsx"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("xl/workbook.xml", "<workbook/>")
            archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (50 << 20))
        assert path.stat().st_size < 1 << 20
        _refused(path, "file.zip_bomb")

    @pytest.mark.parametrize(
        "bomb", [bombs.expanding, bombs.declaring, bombs.sparse, bombs.sparse_without_addresses]
    )
    def test_it_refuses_a_hostile_workbook_before_calamine_opens_it(
        self, tmp_path, monkeypatch, bomb
    ):
        import python_calamine

        class Unopened:
            @staticmethod
            def from_path(path: str) -> None:
                raise AssertionError("calamine opened a hostile workbook")

        monkeypatch.setattr(python_calamine, "CalamineWorkbook", Unopened)
        path = tmp_path / "bomb.xlsx"
        path.write_bytes(bomb(HEADER))
        assert path.stat().st_size < 200 << 10
        with pytest.raises(ParseError) as caught:
            parse_file(path)
        assert caught.value.code in ("file.zip_bomb", "file.too_many_cells"), caught.value

    def test_it_reads_a_sheet_with_stray_formatted_cells_far_away(self, tmp_path):
        # Formatted but empty (calamine allocates nothing for them): the file is fine.
        stray = '<row r="1048576"><c r="XFD1048576" s="1"/></row>'
        rows = bombs.header_row(HEADER) + '<row r="2">' + bombs.cell("B2", "Lê Văn Bình") + "</row>"
        path = tmp_path / "stray.xlsx"
        path.write_bytes(bombs.workbook(rows + stray))
        assert [r.values[1] for r in parse_file(path).rows] == ["Lê Văn Bình"]

    def test_it_counts_the_cells_of_every_sheet_whatever_its_part_is_called(self, tmp_path):
        path = tmp_path / "moved.xlsx"
        with (
            zipfile.ZipFile(path, "w") as out,
            zipfile.ZipFile(io.BytesIO(bombs.sparse(HEADER))) as source,
        ):
            for info in source.infolist():
                data = source.read(info)
                name = info.filename.replace("worksheets/sheet1.xml", "data/elsewhere.xml")
                out.writestr(name, data.replace(b"worksheets/sheet1.xml", b"data/elsewhere.xml"))
        _refused(path, "file.too_many_cells")

    def test_a_workbook_of_our_own_names_its_header(self, tmp_path):
        path = _xlsx(tmp_path / "own.xlsx", [["Tiêu đề"], ["Mã", "Ghi chú"], [7, "ghi chú"]])
        parsed = parse_file(path, header="Mã")
        assert parsed.headers == ["Mã", "Ghi chú"] and parsed.mapping == {}
        assert [(r.row, r.values) for r in parsed.rows] == [(3, ["7", "ghi chú"])]
        _refused(path, "file.no_header", header="Không có")

    def test_it_refuses_an_archive_that_expands_beyond_the_limit(self, tmp_path):
        good = _xlsx(tmp_path / "u.xlsx", [HEADER, ROW] * 200)
        _refused(good, "file.zip_bomb", limits=Limits(max_uncompressed=10_000))

    def test_it_refuses_a_1_gb_file_without_reading_it(self, tmp_path):
        path = tmp_path / "huge.csv"
        with open(path, "wb") as handle:
            handle.truncate(1 << 30)  # sparse: no gigabyte is written
        error = _refused(path, "file.too_large")
        assert "1,024 MB" in error.message_en

    @pytest.mark.parametrize("name", ["garbage.csv", "garbage.xlsx", "garbage.xls", "garbage.ods"])
    def test_it_refuses_binary_garbage(self, tmp_path, name):
        path = tmp_path / name
        path.write_bytes(os.urandom(64 * 1024))
        with pytest.raises(ParseError) as caught:
            parse_file(path)
        assert caught.value.code in ("file.binary", "file.corrupt")

    def test_it_refuses_a_sheet_with_no_recognisable_columns(self, tmp_path):
        path = _xlsx(tmp_path / "u.xlsx", [["Cột A", "Cột B", "Cột C"], [1, 2, 3]])
        error = _refused(path, "file.no_columns")
        assert "Họ và tên" in error.message_vi

    def test_it_refuses_rows_of_ten_thousand_columns(self, tmp_path):
        path = tmp_path / "wide.xlsx"
        book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
        sheet = book.add_worksheet()
        sheet.write_row(0, 0, HEADER)
        sheet.write_row(1, 0, ["x"] * 10_000)
        book.close()
        error = _refused(path, "file.too_many_columns")
        assert "10,000" in error.message_en

    def test_it_refuses_a_csv_with_ten_thousand_columns(self, tmp_path):
        text = ",".join(HEADER) + "\n" + ",".join(["x"] * 10_000) + "\n"
        _refused(_csv(tmp_path / "wide.csv", text, "utf-8"), "file.too_many_columns")

    def test_it_refuses_more_rows_than_the_limit(self, tmp_path):
        path = _xlsx(tmp_path / "u.xlsx", [HEADER] + [ROW] * 20)
        _refused(path, "file.too_many_rows", limits=Limits(max_rows=10))
        text = ",".join(HEADER) + "\n" + (",".join(map(str, ROW)) + "\n") * 20
        _refused(
            _csv(tmp_path / "u.csv", text, "utf-8"),
            "file.too_many_rows",
            limits=Limits(max_rows=10),
        )

    def test_it_refuses_an_unsupported_extension(self, tmp_path):
        path = tmp_path / "members.pdf"
        path.write_bytes(b"%PDF-1.4")
        _refused(path, "file.unsupported_type")

    def test_it_refuses_content_that_does_not_match_the_extension(self, tmp_path):
        csv_named_xlsx = _csv(tmp_path / "u.xlsx", ",".join(HEADER) + "\n", "utf-8")
        assert "csv" in _refused(csv_named_xlsx, "file.type_mismatch").message_en
        zip_named_xls = tmp_path / "u.xls"
        zip_named_xls.write_bytes(_xlsx(tmp_path / "x.xlsx", [HEADER]).read_bytes())
        _refused(zip_named_xls, "file.type_mismatch")
        xlsx_named_csv = tmp_path / "u.csv"
        xlsx_named_csv.write_bytes(zip_named_xls.read_bytes())
        _refused(xlsx_named_csv, "file.type_mismatch")
        docx = tmp_path / "u.xlsx"
        with zipfile.ZipFile(docx, "w") as archive:
            archive.writestr("word/document.xml", "<w/>")
        assert "Word" in _refused(docx, "file.type_mismatch").message_en

    def test_it_refuses_an_empty_file(self, tmp_path):
        path = tmp_path / "u.csv"
        path.write_bytes(b"")
        _refused(path, "file.empty")

    def test_it_names_the_file_as_the_user_uploaded_it(self, tmp_path):
        path = tmp_path / "upload-123.csv"
        path.write_bytes(b"")
        with pytest.raises(ParseError) as caught:
            parse_file(path, display_name="Chi bộ 1.csv")
        assert "Chi bộ 1.csv" in caught.value.message_vi


def test_it_reads_a_two_level_header_with_a_merged_group_cell(tmp_path):
    path = tmp_path / "u.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["STT", "Họ và tên", "Ngày tháng năm", None, None, "Số CCCD"])
    sheet.append([None, None, "Sinh", "Vào Đảng", "Chính thức", None])
    sheet.append([1, "Nguyễn Văn An", "04/03/1985", "19/05/2010", "19/05/2011", "079085000123"])
    sheet.merge_cells("C1:E1")
    sheet.merge_cells("A1:A2")
    book.save(path)
    parsed = parse_file(path)
    assert parsed.header_row == 2
    assert [parsed.mapping[i] for i in range(6)] == [
        None,
        "full_name",
        "birth_date",
        "admission_date",
        "official_date",
        "cccd",
    ]
    assert [r.row for r in parsed.rows] == [3]


def test_a_first_data_row_is_never_taken_for_a_second_header_row(tmp_path):
    path = _xlsx(tmp_path / "u.xlsx", [HEADER, ["", "Chi bộ Một", "", "Nam", "", ""], ROW])
    parsed = parse_file(path)
    assert parsed.header_row == 1 and len(parsed.rows) == 2
