"""Member exports: their rows (with each record's provenance on request) and their files.

Every member export, the command's and the members page's, is written here, through the one
neutralising writer (lib.cleaning.export).
"""

import io
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date
from typing import IO, Any

from django.db.models import QuerySet
from django.utils.text import capfirst

from lib.cleaning.columns import SYNONYMS
from lib.cleaning.export import CsvRows, XlsxBook
from lib.record import DATES, NAMES
from lib.vn.cccd import mask_cccd
from members.models import ACTIVE_STATUSES, Member
from orgs.models import Org

# The whole record (lib.record), then what the registry derives: status and organisation.
EXPORT_FIELDS = ["id", *NAMES, "status", "org_code", "org_name"]

# Extra columns per member, added by a caller that knows more of them (the import's provenance).
Extra = Callable[[list[Member]], Mapping[int, list[str]]]


def subtree_members(org: Org) -> QuerySet[Member]:
    """Active members of `org`'s subtree in Vietnamese name order."""
    return (
        Member.objects.filter(org_path__startswith=org.path, status__in=ACTIVE_STATUSES)
        .select_related("org")
        .order_by("sort_key", "id")
    )


def rows_of(
    members: QuerySet[Member],
    *,
    masked: bool = False,
    readable: bool = False,
    extra: Extra | None = None,
    chunk: int = 2000,
) -> Iterator[list[Any]]:
    """The export rows of these members, in their order, a chunk of queries at a time; CCCDs
    masked when `masked`; with `readable`, values as people read them (Nam/Nữ, dd/mm/yyyy, the
    status's name); `extra` adds columns of its own to each row."""
    batch: list[Member] = []
    for member in members.iterator(chunk_size=chunk):
        batch.append(member)
        if len(batch) >= chunk:
            yield from _rows(batch, masked, readable, extra)
            batch = []
    if batch:
        yield from _rows(batch, masked, readable, extra)


def page_header() -> list[str]:
    """The columns of the members page's export, named as the importer knows them, so the file
    can be uploaded back (lib.cleaning.columns)."""
    return [
        "Mã hồ sơ",
        *(SYNONYMS[f][0] if f in SYNONYMS else _label(f) for f in NAMES),
        "Trạng thái",
        "Mã",
        "Chi bộ",
    ]


def _label(name: str) -> str:
    return capfirst(str(Member._meta.get_field(name).verbose_name))  # type: ignore[union-attr]


def members_workbook(
    members: QuerySet[Member], *, masked: bool, stamp: str
) -> tuple[bytes, list[int]]:
    """The members page's export of these members (readable, CCCDs masked when `masked`) as
    xlsx, and the ids of the members in it."""
    shown: list[int] = []

    def rows() -> Iterator[list[Any]]:
        for row in rows_of(members, masked=masked, readable=True):
            shown.append(row[0])
            yield row

    buffer = io.BytesIO()
    # Rows go through temporary files of their own, removed with the directory.
    with tempfile.TemporaryDirectory(prefix="partyorg-export-") as scratch:
        write_members_xlsx(buffer, rows=rows(), header=page_header(), stamp=stamp, tmpdir=scratch)
    return buffer.getvalue(), shown


def write_members_csv(
    out: IO[str], *, rows: Iterable[list[Any]], header: list[str], stamp: str
) -> int:
    """The stamp line, the header and the rows as csv; returns how many rows."""
    writer = CsvRows(out)
    writer.writerow([f"# {stamp}"])
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return count


def write_members_xlsx(
    target: str | IO[bytes],
    *,
    rows: Iterable[list[Any]],
    header: list[str],
    stamp: str,
    tmpdir: str | None = None,
) -> int:
    """The stamp, the header and the rows as one xlsx sheet; returns how many rows."""
    book = XlsxBook(target, constant_memory=True, tmpdir=tmpdir)
    sheet = book.sheet("Đảng viên")
    sheet.write(0, 0, stamp)
    sheet.write_row(1, header)
    count = 0
    for count, row in enumerate(rows, start=1):
        sheet.write_row(count + 1, row)
    book.close()
    return count


def partial_iso(value: date | None, precision: str) -> str:
    """ISO 8601 to the precision on file: yyyy-mm-dd, yyyy-mm, or yyyy ("" when none)."""
    if value is None:
        return ""
    return value.isoformat()[: {"year": 4, "month": 7}.get(precision, 10)]


def partial_vn(value: date | None, precision: str) -> str:
    """As Vietnamese forms print it, to the precision on file: dd/mm/yyyy, mm/yyyy or yyyy."""
    if value is None:
        return ""
    if precision == "year":
        return f"{value.year:04d}"
    if precision == "month":
        return f"{value.month:02d}/{value.year:04d}"
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def _value(member: Member, name: str, *, masked: bool, readable: bool) -> Any:
    value = getattr(member, name)
    if name in DATES:
        precision = getattr(member, f"{name}_precision")
        return partial_vn(value, precision) if readable else partial_iso(value, precision)
    if name == "cccd" and masked:
        return mask_cccd(value)
    if readable and name in ("sex", "service"):
        return getattr(member, f"get_{name}_display")()
    return "" if value is None else value


def _rows(
    members: list[Member], masked: bool, readable: bool, extra: Extra | None
) -> Iterator[list[Any]]:
    more = extra(members) if extra is not None else {}
    for m in members:
        yield [
            m.pk,
            *(_value(m, name, masked=masked, readable=readable) for name in NAMES),
            m.get_status_display() if readable else m.status,
            m.org.code,
            m.org.name,
            *more.get(m.pk, []),
        ]
