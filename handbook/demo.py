"""Demo data of the handbook (called by demo/generate.py after the registry is made):
documents published at the city, a ward and a cell; adoption that varies by unit (each
commune-level unit draws its own rate), spread over the last weeks; resolution study marks.
The demo member (`dangvien`, demo/logins.py: the first active member of the first cell of the
first ward) is always activated. Deterministic for a seed.
"""

import random
import zlib
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from core.db import bulk_insert
from lib.vn.text import fold
from members.models import ACTIVE_STATUSES, Member
from orgs.models import Kind, Org
from orgs.rollups import apply_to_subtree_counts

from .counting import ACTIVATED, INSTALLED, studied_key
from .models import Document, DocumentKind, DocumentRead, MemberActivity
from .services import document_publish

DAYS = 45


def pdf_bytes(title: str, lines: list[str]) -> bytes:
    """A small valid one-page PDF (Helvetica, so its text is written without diacritics)."""
    text_lines = [fold(title).upper(), "", *(fold(line) for line in lines)]
    ops = ["BT", "/F1 13 Tf", "50 790 Td", "16 TL"]
    for line in text_lines:
        safe = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(f"({safe}) Tj T*")
    ops.append("ET")
    stream = zlib.compress("\n".join(ops).encode("ascii", "replace"))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R"
        b" >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _first(kind_filter: list[str], under: Org | None) -> Org | None:
    rows = Org.objects.filter(kind__in=kind_filter, status=Org.Status.ACTIVE)
    if under is not None:
        rows = rows.filter(path__startswith=under.path)
    return rows.order_by("path").first()


def _publish(org: Org, title: str, kind: str, number: str, summary: str, study: bool) -> Document:
    lines = [summary, "", "Tai lieu mau cua he thong partyorg (du lieu trinh dien)."]
    return document_publish(
        org=org,
        upload=SimpleUploadedFile(
            f"{fold(title).replace(' ', '-')[:60]}.pdf", pdf_bytes(title, lines)
        ),
        title=title,
        kind=kind,
        number=number,
        summary=summary,
        issued_on=timezone.localdate() - timedelta(days=20),
        study=study,
        by=None,
    )


def handbook_demo(*, seed: int, today: date) -> dict[str, int]:
    """Make the handbook's demo data; returns how many rows of each kind it wrote."""
    if Document.objects.exists() or MemberActivity.objects.exists():
        return {}
    rng = random.Random(seed * 7919 + 23)
    province = _first([Kind.PROVINCE], None)
    if province is None:
        return {}
    ward = (
        Org.objects.filter(parent=province, kind=Kind.COMMUNE, status=Org.Status.ACTIVE)
        .order_by("path")
        .first()
    )
    cell = _first([Kind.CELL, Kind.GRASSROOTS_CELL], ward) if ward else None
    demo_member = (
        Member.objects.filter(org=cell, status__in=ACTIVE_STATUSES).order_by("sort_key").first()
        if cell
        else None
    )
    with transaction.atomic():
        documents = [
            _publish(
                province,
                "Nghị quyết Đại hội đại biểu Đảng bộ Thành phố lần thứ I, nhiệm kỳ 2025–2030",
                DocumentKind.RESOLUTION,
                "01-NQ/ĐH",
                "Nghị quyết về phương hướng, nhiệm vụ phát triển Thành phố nhiệm kỳ 2025–2030.",
                True,
            ),
            _publish(
                province,
                "Chỉ thị về tổ chức sinh hoạt chi bộ trên Sổ tay đảng viên điện tử",
                DocumentKind.DIRECTIVE,
                "05-CT/TU",
                "Mọi chi bộ tổ chức sinh hoạt định kỳ trên Sổ tay đảng viên điện tử.",
                False,
            ),
        ]
        if ward is not None:
            documents.append(
                _publish(
                    ward,
                    "Tài liệu học tập chuyên đề năm 2026: Học tập và làm theo tư tưởng, đạo đức,"
                    " phong cách Hồ Chí Minh",
                    DocumentKind.STUDY,
                    "12-HD/ĐU",
                    "Tài liệu học tập chuyên đề dành cho đảng viên trong đảng bộ phường.",
                    True,
                )
            )
        studied_docs = [d for d in documents if d.study]
        # Each commune-level unit (and the city's other upper-grassroots units) its own rate.
        rate_of: dict[str, float] = {}
        for unit in Org.objects.filter(parent=province).values_list("path", flat=True):
            rate_of[unit] = rng.choice([0.15, 0.3, 0.45, 0.55, 0.65, 0.75, 0.85, 0.92])
        depth = len(province.path) + 4
        now = timezone.make_aware(datetime.combine(today, time(20, 0)))
        activities: list[tuple[object, ...]] = []
        reads: list[tuple[object, ...]] = []
        deltas: defaultdict[tuple[int, str], int] = defaultdict(int)
        rows = Member.objects.filter(
            org_path__startswith=province.path, status__in=list(ACTIVE_STATUSES), exempt=False
        ).values_list("id", "org_id", "org_path")
        for member_id, org_id, org_path in rows.iterator(chunk_size=20000):
            rate = rate_of.get(org_path[:depth], 0.5)
            is_demo = demo_member is not None and member_id == demo_member.pk
            if not is_demo and rng.random() >= rate:
                continue
            at = now - timedelta(days=rng.randrange(DAYS), minutes=rng.randrange(600))
            installed = is_demo or rng.random() < 0.7
            activities.append((member_id, at, at if installed else None, at, org_id, installed))
            deltas[(org_id, ACTIVATED)] += 1
            if installed:
                deltas[(org_id, INSTALLED)] += 1
            for document in studied_docs:
                if not org_path.startswith(document.org_path) or is_demo:
                    continue
                if rng.random() < rate:
                    studied = max(at, document.published_at) + timedelta(minutes=5)
                    reads.append((member_id, document.pk, studied, None, studied, org_id))
                    deltas[(org_id, studied_key(document.pk))] += 1
        bulk_insert(
            MemberActivity._meta.db_table,
            [
                "member_id",
                "activated_at",
                "installed_at",
                "last_seen_at",
                "counted_org_id",
                "counted_installed",
            ],
            activities,
        )
        bulk_insert(
            DocumentRead._meta.db_table,
            [
                "member_id",
                "document_id",
                "opened_at",
                "bookmarked_at",
                "studied_at",
                "counted_org_id",
            ],
            reads,
        )
        apply_to_subtree_counts(deltas)
    return {"documents": len(documents), "activated": len(activities), "studied": len(reads)}
