"""Member exports: their rows (with each record's provenance on request) and their files.

Every member export, the command's and the members page's, is written here, through the one
neutralising writer (lib.cleaning.export).
"""

import io
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date
from typing import IO, Any

from django.db.models import Q, QuerySet

from lib.cleaning.columns import SYNONYMS
from lib.cleaning.export import CsvRows, XlsxBook
from lib.vn.cccd import mask_cccd
from members.models import ACTIVE_STATUSES, FieldChange, Member
from orgs.models import Org

EXPORT_FIELDS = [
    "id",
    "cccd",
    "full_name",
    "sex",
    "birth_date",
    "birth_place",
    "hometown",
    "residence",
    "ethnicity",
    "religion",
    "education",
    "political_theory",
    "qualification",
    "foreign_language",
    "occupation",
    "position",
    "admission_date",
    "official_date",
    "card_number",
    "phone",
    "email",
    "status",
    "org_code",
    "org_name",
]


PROVENANCE_FIELDS = ["sources", "suspected_duplicates", "open_problems"]


def export_header(*, with_provenance: bool = False) -> list[str]:
    return [*EXPORT_FIELDS, *(PROVENANCE_FIELDS if with_provenance else [])]


def export_rows(
    org: Org, *, with_provenance: bool = False, chunk: int = 2000
) -> Iterator[list[Any]]:
    """Active members of `org`'s subtree in Vietnamese name order, a chunk of queries at a time."""
    members = (
        Member.objects.filter(org__path__startswith=org.path, status__in=ACTIVE_STATUSES)
        .select_related("org")
        .order_by("sort_key", "id")
    )
    return rows_of(members, with_provenance=with_provenance, chunk=chunk)


def rows_of(
    members: QuerySet[Member],
    *,
    with_provenance: bool = False,
    masked: bool = False,
    readable: bool = False,
    chunk: int = 2000,
) -> Iterator[list[Any]]:
    """The export rows of these members, in their order; CCCDs masked when `masked`; with
    `readable`, values as people read them (Nam/Nữ, dd/mm/yyyy, the status's name)."""
    batch: list[Member] = []
    for member in members.iterator(chunk_size=chunk):
        batch.append(member)
        if len(batch) >= chunk:
            yield from _rows(batch, with_provenance, masked, readable)
            batch = []
    if batch:
        yield from _rows(batch, with_provenance, masked, readable)


def page_header() -> list[str]:
    """The columns of the members page's export, named as the importer knows them, so the file
    can be uploaded back (lib.cleaning.columns)."""
    return [
        "Mã hồ sơ",
        *(SYNONYMS[f][0] for f in EXPORT_FIELDS[1:-3]),
        "Trạng thái",
        "Mã",
        "Chi bộ",
    ]


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


def _suspects(
    row_a: int | None,
    row_a_member: int | None,
    row_b: int | None,
    row_b_member: int | None,
    member_b: int | None,
) -> tuple[tuple[str, int | None], tuple[str, int | None]]:
    """The two records of a duplicate pair by id: a member ("member", id) where the side is one
    or a staged row updates one, else the staged row ("row", id: the annotated workbook's
    row id)."""
    a = ("member", row_a_member) if row_a_member else ("row", row_a)
    if member_b:
        return a, ("member", member_b)
    return a, (("member", row_b_member) if row_b_member else ("row", row_b))


def _rows(
    members: list[Member], with_provenance: bool, masked: bool, readable: bool
) -> Iterator[list[Any]]:
    day = partial_vn if readable else partial_iso
    sources: dict[int, list[str]] = defaultdict(list)
    duplicates: dict[int, list[str]] = defaultdict(list)
    problems: dict[int, list[str]] = defaultdict(list)
    if with_provenance:
        ids = [m.pk for m in members]
        for member_id, ref in (
            FieldChange.objects.filter(member_id__in=ids, source="import")
            .values_list("member_id", "source_ref")
            .distinct()
        ):
            # "batch 12 file.xlsx:34" -> "file.xlsx:34"
            location = ref.split(" ", 2)[-1]
            if location not in sources[member_id]:
                sources[member_id].append(location)
        from cleaning.models import BatchRow, DuplicateCandidate

        # Rows in review (or queued for their commit) that update these members: their open
        # problems, and the pairs they are in.
        rows: dict[int, int] = {}
        for row_id, member_id, row_problems in BatchRow.objects.filter(
            member_id__in=ids, batch__status__in=("review", "committing")
        ).values_list("id", "member_id", "problems"):
            rows[row_id] = member_id
            # Open ones only: errors, and warnings not accepted (info problems were fixed).
            problems[member_id] += [
                p["code"]
                for p in row_problems
                if p.get("severity") in ("error", "warning") and not p.get("accepted")
            ]
        mine = set(ids)
        for pair in (
            DuplicateCandidate.objects.filter(decision="open")
            .filter(Q(member_b_id__in=ids) | Q(row_a_id__in=rows) | Q(row_b_id__in=rows))
            .values_list(
                "row_a_id", "row_a__member_id", "row_b_id", "row_b__member_id", "member_b_id"
            )
        ):
            a, b = _suspects(*pair)
            for me, other in ((a, b), (b, a)):
                if me[0] == "member" and me[1] in mine and other != me:
                    duplicates[me[1]].append(f"{other[0]}:{other[1]}")
    for m in members:
        row = [
            m.pk,
            mask_cccd(m.cccd) if masked else m.cccd,
            m.full_name,
            m.get_sex_display() if readable else m.sex,
            day(m.birth_date, m.birth_date_precision),
            m.birth_place,
            m.hometown,
            m.residence,
            m.ethnicity,
            m.religion,
            m.education,
            m.political_theory,
            m.qualification,
            m.foreign_language,
            m.occupation,
            m.position,
            day(m.admission_date, m.admission_date_precision),
            day(m.official_date, m.official_date_precision),
            m.card_number or "",
            m.phone,
            m.email,
            m.get_status_display() if readable else m.status,
            m.org.code,
            m.org.name,
        ]
        if with_provenance:
            row += [
                ";".join(sources[m.pk]),
                ";".join(dict.fromkeys(duplicates[m.pk])),
                ";".join(sorted(set(problems[m.pk]))),
            ]
        yield row
