"""Tiny hostile workbooks for the tests of every path that reads an upload."""

import io
import os
import struct
import zipfile

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
        '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
        '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument'
        '.spreadsheetml.worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}"><Relationship '
        f'Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
        '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}"><Relationship '
        f'Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}


def cell(address: str, text: str) -> str:
    return f'<c r="{address}" t="inlineStr"><is><t>{text}</t></is></c>'


def header_row(headers: list[str]) -> str:
    return (
        '<row r="1">'
        + "".join(cell(f"{chr(65 + i)}1", h) for i, h in enumerate(headers))
        + "</row>"
    )


def workbook(rows_xml: str, *, padding: int = 0, noise: int = 0) -> bytes:
    """An xlsx of one sheet with these rows; `padding` bytes of blanks inside its sheet data,
    and `noise` random bytes in a part of their own (so the archive does not compress well)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in _PARTS.items():
            archive.writestr(name, text)
        if noise:
            archive.writestr("xl/media/image1.bin", os.urandom(noise))
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(
                f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}">'.encode()
            )
            sheet.write(f"<sheetData>{rows_xml}".encode())
            blank = b" " * (1 << 20)
            for _ in range(padding >> 20):
                sheet.write(blank)
            sheet.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


def expanding(headers: list[str]) -> bytes:
    """A 30 KB workbook whose sheet inflates to 30 MB."""
    return workbook(header_row(headers), padding=30 << 20)


def declaring(headers: list[str], declared: int = 0x7FFF_FFFF) -> bytes:
    """A workbook whose zip directory says its sheet inflates to `declared` bytes (2 GB)."""
    data = bytearray(workbook(header_row(headers)))
    name = b"xl/worksheets/sheet1.xml"
    # Its entry in the central directory: the uncompressed size at 24, the name at 46.
    entry = data.find(b"PK\x01\x02")
    while data[entry + 46 : entry + 46 + len(name)] != name:
        entry = data.find(b"PK\x01\x02", entry + 4)
    data[entry + 24 : entry + 28] = struct.pack("<I", declared)
    return bytes(data)


def sparse(headers: list[str], far: str = "GR1000000") -> bytes:
    """A 2 KB workbook with one value far from the header: calamine would allocate every cell
    between them (200 columns by a million rows: 6 GB)."""
    row = "".join(ch for ch in far if ch.isdigit())
    return workbook(header_row(headers) + f'<row r="{row}">{cell(far, "x")}</row>')


def sparse_without_addresses(headers: list[str], rows: int = 150_000) -> bytes:
    """The same without addresses (calamine places such cells and rows one after another):
    150,000 rows by 200 columns from a sheet under 1 MB, which no ratio check looks at."""
    far = "<row>" + "<c/>" * 199 + '<c t="inlineStr"><is><t>x</t></is></c></row>'
    return workbook(header_row(headers) + "<row/>" * (rows - 2) + far)
