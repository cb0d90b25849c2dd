"""Spreadsheet files to rows of text, with the file name and the row number kept.

``parse_file`` reads xlsx/xlsm/xls/ods with python-calamine and csv/tsv/txt with the
standard library. It either returns a :class:`ParsedFile` or raises :class:`ParseError`;
no other exception leaves it, whatever the bytes (a unit's upload is untrusted input).

What the rows look like
-----------------------
Every cell is the text the user sees, except that whole numbers lose Excel's ".0"
(79012345678.0 -> "79012345678"), other numbers keep their Python repr, and date cells
become ISO "yyyy-mm-dd" with their column index in ``SourceRow.typed_dates`` (a real date
cell has no day/month ambiguity). Formulas come as the value Excel cached when it saved
the file; they are never evaluated. Text that starts with "=" is just text, neutralised
on export (export.neutralise).

Merged cells: calamine gives the value of a merged range in its top-left cell only, the
other cells of the range are blank. A merged title row above the header therefore is one
cell of text, which never looks like a header; a merged cell inside the data (one cell
name for several rows) fills only its first row.

The header row is the first of the first 20 non-blank rows that maps at least three
known columns (columns.guess_mapping); officials' sheets have titles, dates and blank
rows above it, and often a row of column numbers ("(1) (2) (3)") below it, which is
skipped. A two-level header (a merged "Ngày tháng năm" over "Sinh | Vào Đảng | Chính
thức") is read as one: each lower cell is prefixed with the group above it.
``ParsedFile.header_row`` is the last header row. A workbook of our own (the annotated
workbook taken back) names its header instead: ``header=`` a cell the header row holds.

Every upload is read here, through the same guard: a workbook is checked as a container
(type, encryption, zip bomb, and the cells its sheets would make calamine allocate) before
calamine opens it.
"""

import codecs
import csv
import datetime
import io
import re
import sys
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lib.cleaning.columns import (
    MIN_HEADER_COLUMNS,
    Mapping,
    SourceRow,
    guess_mapping,
    mapped_count,
)
from lib.vn.encodings import detect_legacy

HEADER_SEARCH_ROWS = 20
SPREADSHEET_EXTENSIONS = frozenset({".xlsx", ".xlsm", ".xls", ".ods"})
TEXT_EXTENSIONS = frozenset({".csv", ".tsv", ".txt"})
SUPPORTED_EXTENSIONS = SPREADSHEET_EXTENSIONS | TEXT_EXTENSIONS

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# An encrypted (password-protected) xlsx/ods is not a zip but an OLE2 container holding
# these streams ([MS-OFFCRYPTO]); their directory names are UTF-16-LE.
_ENCRYPTED_STREAMS = ("EncryptedPackage".encode("utf-16-le"), "EncryptionInfo".encode("utf-16-le"))
_MB = 1 << 20


@dataclass(frozen=True, slots=True)
class Limits:
    """What parse_file refuses. Sizes in bytes."""

    max_bytes: int = 100 * _MB
    max_columns: int = 200
    max_rows: int = 1_000_000
    # Checked on the zip directory *before* calamine opens a workbook, then again while
    # the entries are streamed once (so a directory that lies is caught by its CRC).
    max_uncompressed: int = 200 * _MB
    max_ratio: float = 100.0
    max_zip_entries: int = 10_000
    # calamine allocates a sheet as the rectangle from its first to its last cell holding a
    # value, about 32 bytes a cell: values in A1 and GR1000000 of a 2 KB file ask for 6 GB.
    # Checked on the sheet XML while it is streamed (xlsx), before calamine.
    max_cells: int = 10_000_000


class ParseError(Exception):
    """A file we will not read, with a stable code and a message for people."""

    def __init__(self, code: str, message_vi: str, message_en: str) -> None:
        super().__init__(f"{code}: {message_en}")
        self.code = code
        self.message_vi = message_vi
        self.message_en = message_en


@dataclass(slots=True)
class ParsedFile:
    """One sheet of one file: the header and the data rows below it."""

    name: str
    sheet: str | None  # None for csv
    header_row: int  # 1-based, as the spreadsheet shows it
    headers: list[str]
    rows: list[SourceRow]
    mapping: Mapping = field(default_factory=dict)  # the guess; callers may override
    encoding: str | None = None  # csv only
    sheets: list[str] = field(default_factory=list)  # every sheet in the workbook


def _vi(number: float) -> str:
    """A figure grouped the Vietnamese way (10.000.000), for the messages' Vietnamese side."""
    return f"{number:,.0f}".replace(",", ".")


def _error(code: str, name: str, vi: str, en: str) -> ParseError:
    return ParseError(code, f"Tệp {name}: {vi}", f"File {name}: {en}")


def parse_file(
    path: Path | str,
    *,
    display_name: str | None = None,
    limits: Limits = Limits(),
    sheet: str | None = None,
    header: str | None = None,
) -> ParsedFile:
    """Read one upload; raises ParseError (only) for anything we will not read.

    With `header`, the header row is the first of the first rows holding that cell, and no
    column is mapped (a workbook of our own); otherwise it is guessed from known columns.
    """
    path = Path(path)
    name = display_name or path.name
    try:
        return _parse(path, name, limits, sheet, header)
    except ParseError:
        raise
    except (KeyboardInterrupt, SystemExit):
        raise
    except MemoryError:
        raise _error(
            "file.too_large",
            name,
            "tệp quá lớn để đọc; hãy chia nhỏ.",
            "the file is too large to read; split it.",
        ) from None
    except BaseException as exc:
        raise _error(
            "file.corrupt",
            name,
            "tệp bị hỏng hoặc không đúng định dạng bảng tính, không đọc được.",
            f"the file is damaged or not a valid spreadsheet ({type(exc).__name__}).",
        ) from None


def _parse(
    path: Path, name: str, limits: Limits, sheet: str | None, header: str | None
) -> ParsedFile:
    extension = path.suffix.lower()
    if extension not in SUPPORTED_EXTENSIONS:
        raise _error(
            "file.unsupported_type",
            name,
            f"không nhận loại tệp '{extension or '(không có đuôi)'}'; hãy gửi tệp xlsx, xls, "
            "ods hoặc csv.",
            f"'{extension or '(no extension)'}' files are not accepted; send xlsx, xls, ods "
            "or csv.",
        )
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise _error(
            "file.unreadable",
            name,
            "không mở được tệp.",
            f"cannot open the file ({exc.strerror or type(exc).__name__}).",
        ) from None
    if size > limits.max_bytes:
        raise _error(
            "file.too_large",
            name,
            f"tệp {_vi(size / _MB)} MB vượt giới hạn {_vi(limits.max_bytes / _MB)} MB; hãy "
            "chia thành nhiều tệp.",
            f"the file is {size / _MB:,.0f} MB, over the {limits.max_bytes / _MB:,.0f} MB "
            "limit; split it into several files.",
        )
    if size == 0:
        raise _error("file.empty", name, "tệp rỗng.", "the file is empty.")
    if extension in TEXT_EXTENSIONS:
        if head.startswith(_ZIP_MAGIC) or head.startswith(_OLE2_MAGIC):
            raise _mismatch(name, extension, "bảng tính Excel/ODS", "an Excel/ODS workbook")
        return _parse_text(path, name, limits, header)
    _check_container(path, name, extension, head, limits)
    return _parse_workbook(path, name, limits, sheet, header)


def _mismatch(name: str, extension: str, what_vi: str, what_en: str) -> ParseError:
    return _error(
        "file.type_mismatch",
        name,
        f"đuôi tệp là '{extension}' nhưng nội dung là {what_vi}; hãy lưu lại đúng định dạng.",
        f"the name says '{extension}' but the content is {what_en}; save it "
        "again in the right format.",
    )


def _encrypted(name: str) -> ParseError:
    return _error(
        "file.encrypted",
        name,
        "bảng tính có đặt mật khẩu; hãy bỏ mật khẩu (Tệp > Thông tin > Bảo vệ) rồi gửi lại.",
        "the workbook is password-protected; remove the password and send it again.",
    )


def _has_encrypted_package(path: Path) -> bool:
    """True when an OLE2 file holds an encrypted Office package (streamed, any size)."""
    overlap = max(len(m) for m in _ENCRYPTED_STREAMS)
    tail = b""
    with path.open("rb") as handle:
        while chunk := handle.read(_MB):
            window = tail + chunk
            if any(marker in window for marker in _ENCRYPTED_STREAMS):
                return True
            tail = window[-overlap:]
    return False


def _check_container(path: Path, name: str, extension: str, head: bytes, limits: Limits) -> None:
    """Refuse a workbook whose bytes are not what its name says, or a zip bomb."""
    is_zip = head.startswith(_ZIP_MAGIC)
    is_ole = head.startswith(_OLE2_MAGIC)
    if is_ole and _has_encrypted_package(path):
        raise _encrypted(name)
    if extension == ".xls":
        if is_zip:
            raise _mismatch(name, extension, "tệp xlsx/ods (dạng zip)", "an xlsx/ods (zip) file")
        if not is_ole:
            raise _not_a_workbook(path, name, extension)
        return
    if is_ole:
        raise _mismatch(name, extension, "tệp Excel 97-2003 (.xls)", "an Excel 97-2003 (.xls) file")
    if not is_zip:
        raise _not_a_workbook(path, name, extension)
    _check_zip(path, name, extension, limits)


def _not_a_workbook(path: Path, name: str, extension: str) -> ParseError:
    with path.open("rb") as handle:
        sample = handle.read(4096)
    if _looks_like_text(sample):
        return _mismatch(name, extension, "văn bản (csv?)", "plain text (a csv?)")
    return _error(
        "file.binary",
        name,
        "nội dung không phải bảng tính (dữ liệu nhị phân lạ).",
        "the content is not a spreadsheet (unrecognised binary data).",
    )


def _looks_like_text(sample: bytes) -> bool:
    if not sample or b"\x00" in sample:
        return False
    text = sample.decode("utf-8", errors="replace")
    bad = sum(
        1 for c in text if c == "\ufffd" or (unicodedata.category(c) == "Cc" and c not in "\t\r\n")
    )
    return bad <= len(text) // 100


def _zip_bomb(name: str) -> ParseError:
    return _error(
        "file.zip_bomb",
        name,
        "tệp nén giải ra quá lớn so với kích thước (nghi là 'bom nén'); không mở.",
        "the archive expands far beyond its size (a zip bomb?); not opened.",
    )


def _check_zip(path: Path, name: str, extension: str, limits: Limits) -> None:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise _error(
            "file.corrupt",
            name,
            "tệp bảng tính bị hỏng (không giải nén được).",
            "the workbook is damaged (not a readable zip archive).",
        ) from None
    with archive:
        infos = archive.infolist()
        if len(infos) > limits.max_zip_entries:
            raise _zip_bomb(name)
        total = sum(info.file_size for info in infos)
        packed = sum(info.compress_size for info in infos)
        if total > limits.max_uncompressed or (total > _MB and total > limits.max_ratio * packed):
            raise _zip_bomb(name)
        for info in infos:
            if info.file_size > _MB and info.file_size > limits.max_ratio * info.compress_size:
                raise _zip_bomb(name)
        if any(info.flag_bits & 0x1 for info in infos):
            raise _encrypted(name)
        names = {info.filename.lower() for info in infos}
        if extension in (".xlsx", ".xlsm"):
            if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
                kind_vi, kind_en = _office_kind(names)
                raise _mismatch(name, extension, kind_vi, kind_en)
        elif "content.xml" not in names or b"spreadsheet" not in _read_small(archive, "mimetype"):
            kind_vi, kind_en = _office_kind(names)
            raise _mismatch(name, extension, kind_vi, kind_en)
        elif b"encryption-data" in _read_small(archive, "META-INF/manifest.xml"):
            raise _encrypted(name)
        # Stream every entry once: a directory that understates sizes is caught here (the
        # reader stops at the declared size and the CRC then fails), before calamine. The
        # cells each worksheet would make calamine allocate are counted on the way.
        seen = 0
        for info in infos:
            # Every XML part: the workbook's relations may put a sheet anywhere in the archive.
            extent = (
                _SheetExtent()
                if extension in (".xlsx", ".xlsm") and info.filename.lower().endswith(".xml")
                else None
            )
            try:
                with archive.open(info) as member:
                    while chunk := member.read(_MB):
                        seen += len(chunk)
                        if seen > limits.max_uncompressed:
                            raise _zip_bomb(name)
                        if extent is not None:
                            extent.feed(chunk)
                if extent is not None and (not extent.plain or extent.cells() > limits.max_cells):
                    # Cells of another form, or too many at a glance (stray formatted cells
                    # far away count there): read again, tag by tag, as calamine places them.
                    extent = _SheetExtent(precise=True)
                    with archive.open(info) as member:
                        while chunk := member.read(_MB):
                            extent.feed(chunk)
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
                raise _error(
                    "file.corrupt",
                    name,
                    "tệp bảng tính bị hỏng (dữ liệu nén sai).",
                    "the workbook is damaged (bad compressed data).",
                ) from None
            if extent is not None and extent.cells() > limits.max_cells:
                raise _too_many_cells(name, extent, limits)


# Cells with their address first, as Excel, LibreOffice and every library we know write them
# (`<c r="B7" t="s">`). The quick reading counts every such cell, a value or not; the precise one
# (a sheet with cells of another form, or one the quick reading finds too large) places each tag
# as calamine does and counts only cells holding a value (calamine skips `<c r="B7" s="1"/>`).
_ADDRESSED_COLUMN = re.compile(rb'<c r="([A-Za-z]+)')
_ADDRESSED_ROW = re.compile(rb'<c r="[A-Za-z]+([0-9]+)')
_ANY_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])([^>]*)>")
_ADDRESS = re.compile(rb'\br="([A-Za-z]*)([0-9]*)"')


def _column(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


class _SheetExtent:
    """The rectangle calamine allocates for one xlsx worksheet, at most: from its first to its
    last cell, read from the sheet XML as it streams (constant memory)."""

    def __init__(self, *, precise: bool = False) -> None:
        self.precise = precise
        self.plain = True  # every cell tag of the quick reading had its address first
        self.top = self.left = sys.maxsize
        self.bottom = self.right = 0
        self.row = self.col = 0  # where calamine is (precise reading only)
        self.tail = b""

    def cells(self) -> int:
        if not self.bottom:
            return 0
        return (self.bottom - self.top + 1) * (self.right - self.left + 1)

    def feed(self, chunk: bytes) -> None:
        data = self.tail + chunk
        # A tag cut by the chunk's end waits for the next chunk (a cell tag is short).
        cut = data.rfind(b"<")
        if cut == -1 or data.find(b">", cut) != -1:
            cut = len(data)
        data, self.tail = data[:cut], data[cut:][-4096:]
        if self.precise:
            self._tags(data)
        elif self.plain:
            self._addressed(data)

    def _addressed(self, data: bytes) -> None:
        tags = data.count(b"<c ") + data.count(b"<c>") + data.count(b"<c/>")
        rows = _ADDRESSED_ROW.findall(data)
        if len(rows) != tags or b":c " in data or b":c>" in data:
            self.plain = False
            return
        if rows:
            numbers = [int(row) for row in set(rows)]
            columns = [_column(c) for c in set(_ADDRESSED_COLUMN.findall(data))]
            self._span(min(numbers), max(numbers), min(columns), max(columns))

    def _tags(self, data: bytes) -> None:
        for match in _ANY_TAG.finditer(data):
            tag, attributes = match.groups()
            address = _ADDRESS.search(attributes)
            if tag == b"row":
                self.row = int(address[2]) if address and address[2] else self.row + 1
                self.col = 0
                continue
            if address and address[1]:
                self.col = _column(address[1])
                self.row = int(address[2]) if address[2] else self.row
            else:
                self.col += 1
            if not attributes.endswith(b"/"):
                self._span(self.row, self.row, self.col, self.col)

    def _span(self, top: int, bottom: int, left: int, right: int) -> None:
        self.top, self.bottom = min(self.top, top), max(self.bottom, bottom)
        self.left, self.right = min(self.left, left), max(self.right, right)


def _too_many_cells(name: str, extent: _SheetExtent, limits: Limits) -> ParseError:
    rows, columns = extent.bottom - extent.top + 1, extent.right - extent.left + 1
    return _error(
        "file.too_many_cells",
        name,
        f"một trang tính trải trên {_vi(rows)} dòng × {_vi(columns)} cột, vượt giới hạn "
        f"{_vi(limits.max_cells)} ô; hãy xoá các ô thừa ở xa bảng dữ liệu hoặc chia tệp.",
        f"a sheet spans {rows:,} rows × {columns:,} columns, over the limit of "
        f"{limits.max_cells:,} cells; delete stray cells far from the data or split the file.",
    )


def _read_small(archive: zipfile.ZipFile, member: str) -> bytes:
    try:
        with archive.open(member) as handle:
            return handle.read(64 * 1024)
    except KeyError:
        return b""


def _office_kind(names: set[str]) -> tuple[str, str]:
    if "word/document.xml" in names:
        return "văn bản Word (.docx)", "a Word document (.docx)"
    if "ppt/presentation.xml" in names:
        return "bản trình chiếu (.pptx)", "a presentation (.pptx)"
    if "content.xml" in names:
        return "tài liệu OpenDocument khác", "another OpenDocument file"
    if "xl/workbook.xml" in names:
        return "bảng tính xlsx", "an xlsx workbook"
    return "tệp nén zip", "a zip archive"


# --- Workbooks ----------------------------------------------------------------------------
def _cell(value: Any) -> tuple[str, bool]:
    """(text, is a date cell)."""
    if value is None:
        return "", False
    if isinstance(value, str):
        return value, False
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE"), False
    if isinstance(value, int):
        return str(value), False
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value)), False
        return repr(value), False
    if isinstance(value, datetime.datetime):
        return value.date().isoformat(), True
    if isinstance(value, datetime.date):
        return value.isoformat(), True
    return str(value), False


def _texts(row: list[Any]) -> list[str]:
    return [_cell(v)[0] for v in row]


@dataclass(slots=True)
class _Header:
    index: int  # first header row, in the sheet's rows
    span: int  # 1, or 2 for a two-level header
    headers: list[str]
    mapping: Mapping

    @property
    def data_index(self) -> int:
        return self.index + self.span


@dataclass(slots=True)
class _Candidate:
    sheet: str
    header: _Header
    score: int
    data: Any = None  # the sheet as calamine read it (reading it again would cost as much)


def _two_level(top: list[str], below: list[str]) -> list[str] | None:
    """Headers of a two-level header ("Ngày tháng năm" over "Sinh | Vào Đảng"), if below is one.

    A merged group cell holds its text in its first column only, so a column with an empty
    upper cell takes the nearest text to its left. The lower row must look like headers:
    short text, no digits (a data row has dates, numbers, ID numbers).
    """
    cells = [c.strip() for c in below]
    filled = [c for c in cells if c]
    if len(filled) < 2 or any(len(c) > 40 or any(ch.isdigit() for ch in c) for c in filled):
        return None
    out: list[str] = []
    carried = ""
    for column in range(max(len(top), len(cells))):
        upper = top[column].strip() if column < len(top) else ""
        lower = cells[column] if column < len(cells) else ""
        if upper:
            carried = upper
        elif not lower:
            carried = ""
        out.append(" ".join(t for t in ((upper or (carried if lower else "")), lower) if t))
    return out


def _find_header(rows: list[list[str]], named: str | None = None) -> _Header | None:
    """The header: the first row holding the cell `named`, else guessed from known columns."""
    if named is not None:
        for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
            cells = [c.strip() for c in row]
            if named in cells:
                return _Header(index, 1, cells, {})
        return None
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if not any(cell.strip() for cell in row):
            continue
        mapping = guess_mapping(row)
        single = mapped_count(mapping)
        below = rows[index + 1] if index + 1 < len(rows) else None
        combined = None
        # A title row (one cell) above a real header is not the top of a two-level header.
        if (
            below is not None
            and sum(1 for c in row if c.strip()) >= 2
            and mapped_count(guess_mapping(below)) < MIN_HEADER_COLUMNS
        ):
            combined = _two_level(row, below)
        if combined is not None:
            combined_mapping = guess_mapping(combined)
            if mapped_count(combined_mapping) >= max(single + 2, MIN_HEADER_COLUMNS):
                return _Header(index, 2, combined, combined_mapping)
        if single >= MIN_HEADER_COLUMNS:
            return _Header(index, 1, [c.strip() for c in row], mapping)
    return None


def _too_many_columns(name: str, where: str, width: int, limits: Limits) -> ParseError:
    return _error(
        "file.too_many_columns",
        name,
        f"{where} có {_vi(width)} cột, vượt giới hạn {_vi(limits.max_columns)} cột.",
        f"{where} has {width:,} columns, over the limit of {limits.max_columns}.",
    )


def _too_many_rows(name: str, rows: int, limits: Limits) -> ParseError:
    return _error(
        "file.too_many_rows",
        name,
        f"có {_vi(rows)} dòng, vượt giới hạn {_vi(limits.max_rows)} dòng; hãy chia tệp.",
        f"it has {rows:,} rows, over the limit of {limits.max_rows:,}; split the file.",
    )


def _no_columns(name: str, named: str | None = None) -> ParseError:
    if named is not None:
        return _error(
            "file.no_header",
            name,
            f"không có cột “{named}” trong {HEADER_SEARCH_ROWS} dòng đầu.",
            f"there is no column “{named}” in the first {HEADER_SEARCH_ROWS} rows.",
        )
    return _error(
        "file.no_columns",
        name,
        f"không tìm thấy dòng tiêu đề có ít nhất {MIN_HEADER_COLUMNS} cột quen thuộc (Họ và "
        f"tên, Số CCCD, Ngày sinh...) trong {HEADER_SEARCH_ROWS} dòng đầu.",
        f"no header row with at least {MIN_HEADER_COLUMNS} known columns (Họ và tên, Số "
        f"CCCD, Ngày sinh...) in the first {HEADER_SEARCH_ROWS} rows.",
    )


def _parse_workbook(
    path: Path, name: str, limits: Limits, wanted: str | None, named: str | None
) -> ParsedFile:
    import python_calamine

    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    except python_calamine.PasswordError:
        raise _encrypted(name) from None
    sheet_names = list(workbook.sheet_names)
    if wanted is not None and wanted not in sheet_names:
        raise _error(
            "file.sheet_not_found",
            name,
            f"không có trang tính '{wanted}' (có: {', '.join(sheet_names)}).",
            f"there is no sheet '{wanted}' (there are: {', '.join(sheet_names)}).",
        )
    visible = {
        meta.name
        for meta in workbook.sheets_metadata
        if str(meta.visible).endswith("Visible") and "Work" in str(meta.typ)
    }
    order = [wanted] if wanted else [s for s in sheet_names if s in visible] or sheet_names
    best: _Candidate | None = None
    refusal: ParseError | None = None
    for sheet_name in order:
        sheet = workbook.get_sheet_by_name(sheet_name)
        if sheet.width > limits.max_columns:
            refusal = refusal or _too_many_columns(
                name, f"trang '{sheet_name}'", sheet.width, limits
            )
            continue
        top = [
            _texts(r) for r in sheet.to_python(skip_empty_area=True, nrows=HEADER_SEARCH_ROWS + 5)
        ]
        found = _find_header(top, named)
        if found is None:
            continue
        if sheet.height - found.data_index > limits.max_rows:
            refusal = refusal or _too_many_rows(name, sheet.height - found.data_index, limits)
            continue
        score = mapped_count(found.mapping)
        if best is None or score > best.score:
            best = _Candidate(sheet_name, found, score, sheet)
    if best is None:
        raise refusal or _no_columns(name, named)
    header = best.header
    sheet = best.data
    first_row = sheet.start[0] + 1 if sheet.start else 1
    cells = sheet.to_python(skip_empty_area=True)
    rows: list[SourceRow] = []
    for offset, raw_row in enumerate(cells[header.data_index :], start=header.data_index):
        values: list[str] = []
        dates: list[int] = []
        for column, value in enumerate(raw_row):
            text, is_date = _cell(value)
            values.append(text)
            if is_date:
                dates.append(column)
        rows.append(SourceRow(name, first_row + offset, values, frozenset(dates)))
    if named is None:
        rows = _drop_numbering_row(rows)
    return ParsedFile(
        name,
        best.sheet,
        first_row + header.data_index - 1,
        header.headers,
        rows,
        header.mapping,
        None,
        sheet_names,
    )


_NUMBER_CELL = re.compile(r"^\(?\d{1,3}\)?$")


def _drop_numbering_row(rows: list[SourceRow]) -> list[SourceRow]:
    """Drop the "(1) (2) (3) ..." row official forms put under the header."""
    if not rows:
        return rows
    cells = [c.strip() for c in rows[0].values if c.strip()]
    if len(cells) >= MIN_HEADER_COLUMNS and all(_NUMBER_CELL.match(c) for c in cells):
        numbers = [int(c.strip("()")) for c in cells]
        if numbers == sorted(numbers) and len(set(numbers)) == len(numbers):
            return rows[1:]
    return rows


# --- Text files -----------------------------------------------------------------------------
def _decode(data: bytes, name: str) -> tuple[str, str]:
    """(text, encoding name). UTF-8 (BOM or not), UTF-16 (BOM, or plainly), Windows-1258."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            return _strict(data[len(bom) :], encoding, name), encoding
    sample = data[: 64 * 1024]
    zeros_even = sample[0::2].count(0)
    zeros_odd = sample[1::2].count(0)
    if len(sample) >= 4 and max(zeros_even, zeros_odd) > len(sample) // 4:
        # UTF-16 without a byte order mark: ASCII letters leave a zero byte beside them.
        encoding = "utf-16-le" if zeros_odd > zeros_even else "utf-16-be"
        return _strict(data, encoding, name), encoding
    if b"\x00" in sample:
        raise _binary(name)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # Not UTF-8: an 8-bit file from Windows. Windows-1258 (Vietnamese) writes tones as
    # combining marks, hence NFC. But a file typed in the TCVN3/VNI fonts was saved as
    # Windows-1252 bytes; decoded as 1258 its letters would be mangled beyond repair, so
    # read it as 1252 when that reveals legacy Vietnamese, and let the rules convert it.
    latin = data.decode("cp1252", errors="replace")
    if _mostly_legacy(latin):
        return latin, "cp1252 (TCVN3/VNI)"
    return unicodedata.normalize("NFC", data.decode("cp1258", errors="replace")), "cp1258"


def _strict(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise _binary(name) from None


def _mostly_legacy(text: str) -> bool:
    words = [w for w in re.split(r"[\s,;\t\"]+", text[: 64 * 1024]) if w and not w.isascii()]
    if not words:
        return False
    legacy = sum(1 for w in words[:2000] if detect_legacy(w))
    return legacy * 2 >= min(len(words), 2000)


def _binary(name: str) -> ParseError:
    return _error(
        "file.binary",
        name,
        "nội dung không phải văn bản csv (dữ liệu nhị phân hoặc mã hóa lạ).",
        "the content is not csv text (binary data or an unknown encoding).",
    )


def _sniff_delimiter(lines: list[str]) -> str:
    best, best_score = ",", (0, 0)
    for delimiter in (",", ";", "\t"):
        counts = [
            len(r) for r in csv.reader(lines, delimiter=delimiter) if any(c.strip() for c in r)
        ]
        if not counts:
            continue
        widest = max(counts)
        # The delimiter that splits the most rows into the same (largest) number of cells.
        score = (sum(1 for c in counts if c == widest and c > 1), widest)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _parse_text(path: Path, name: str, limits: Limits, named: str | None) -> ParsedFile:
    data = path.read_bytes()
    text, encoding = _decode(data, name)
    del data
    sample = text[:4096]
    control = sum(1 for c in sample if unicodedata.category(c) == "Cc" and c not in "\t\r\n")
    if control > len(sample) // 100 or sample.count("\ufffd") > len(sample) // 50:
        raise _binary(name)
    head_lines = text[: 256 * 1024].splitlines()[:200]
    delimiter = "\t" if path.suffix.lower() == ".tsv" else _sniff_delimiter(head_lines)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[list[str]] = []
    try:
        for record in reader:
            if len(record) > limits.max_columns:
                raise _too_many_columns(name, f"dòng {len(records) + 1}", len(record), limits)
            records.append(record)
            if len(records) > limits.max_rows + HEADER_SEARCH_ROWS:
                raise _too_many_rows(name, len(records), limits)
    except csv.Error:
        raise _binary(name) from None
    found = _find_header(records, named)
    if found is None:
        raise _no_columns(name, named)
    if len(records) - found.data_index > limits.max_rows:
        raise _too_many_rows(name, len(records) - found.data_index, limits)
    rows = [
        SourceRow(name, number, values)
        for number, values in enumerate(records[found.data_index :], start=found.data_index + 1)
    ]
    return ParsedFile(
        name,
        None,
        found.data_index,
        found.headers,
        _drop_numbering_row(rows) if named is None else rows,
        found.mapping,
        encoding,
        [],
    )
