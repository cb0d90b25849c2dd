"""Reports for the level above: one organisation's congresses in one term, as an xlsx workbook
and as a PDF with the party's header, tables and charts.

Every figure comes from the selectors, that is from subtree counters and the children's own
congresses (never a scan of the subtree's congresses), so the country's report costs what a
ward's does. Text goes out through the one neutralising writer (XlsxBook); the PDF is laid out
by WeasyPrint (Debian's pango) from a template.
"""

import io
import logging
from dataclasses import dataclass, field
from datetime import date
from html import escape

from django.template.loader import render_to_string
from django.utils.formats import get_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from access.scope import Actor
from audit.services import AuditContext, audit_log
from lib.cleaning.export import XlsxBook
from orgs.models import Org

from .models import STEP_ORDER, Congress, Step, Target, Term
from .selectors import (
    ChildRow,
    Figures,
    children_rows,
    completion_series,
    effective_targets,
    figures_for,
    late_children,
)

PARTY = "ĐẢNG CỘNG SẢN VIỆT NAM"
# The completion chart per child shows this many children (the table lists them all).
CHART_CHILDREN = 40


@dataclass(frozen=True)
class Share:
    """One share of the make-up of what the subtree elected, against its target if one is set."""

    label: str
    value: float | None
    target: float | None = None

    @property
    def met(self) -> bool | None:
        if self.target is None or self.value is None:
            return None
        return self.value >= self.target


@dataclass
class Report:
    term: Term
    org: Org
    today: date
    place: str
    figures: Figures
    rows: list[ChildRow]
    late: list[Congress]
    series: list[tuple[str, int, int]]
    targets: dict[str, float]
    shares: list[Share] = field(default_factory=list)
    own: Congress | None = None

    @property
    def title(self) -> str:
        return _("Báo cáo tiến độ và kết quả đại hội đảng bộ các cấp, %(term)s") % {
            "term": self.term.name
        }

    @property
    def dated(self) -> str:
        return _("%(place)s, ngày %(day)s") % {
            "place": self.place,
            "day": self.today.strftime("%d/%m/%Y"),
        }


def _place(org: Org) -> str:
    """Where the report is signed: the nearest administrative unit of the organisation or of a
    level above it; the capital at the centre."""
    unit = (
        Org.objects.filter(path__in=org.ancestor_paths(), admin_unit__isnull=False)
        .order_by("-depth")
        .values_list("admin_unit__name", flat=True)
        .first()
    )
    return unit or _("Hà Nội")


def _shares(figures: Figures, targets: dict[str, float]) -> list[Share]:
    m = figures.makeup()
    return [
        Share(_("Cấp uỷ viên nữ"), m["cm_women"], targets.get(Target.Key.WOMEN)),
        Share(_("Cấp uỷ viên dưới 40 tuổi"), m["cm_u40"], targets.get(Target.Key.UNDER_40)),
        Share(
            _("Cấp uỷ viên người dân tộc thiểu số"),
            m["cm_minority"],
            targets.get(Target.Key.MINORITY),
        ),
        Share(_("Cấp uỷ viên tái cử"), m["cm_reelected"]),
        Share(_("Cấp uỷ viên lần đầu tham gia"), m["cm_new"]),
        Share(_("Thiếu so với số lượng đại hội quyết định"), m["cm_shortfall"]),
        Share(_("Bí thư tái cử"), m["sec_reelected"]),
        Share(_("Bí thư do đại hội bầu trực tiếp"), m["sec_direct"]),
        Share(_("Bí thư không là người địa phương"), m["sec_nonlocal"]),
        Share(_("Đại biểu dự đại hội cấp trên là nữ"), m["dl_women"]),
        Share(_("Đại biểu trẻ (dưới 30 tuổi)"), m["dl_young"]),
        Share(_("Đại biểu người dân tộc thiểu số"), m["dl_minority"]),
        Share(_("Số dư trong danh sách bầu cử"), m["surplus"]),
        Share(_("Đại biểu (đảng viên) có mặt"), m["attendance"]),
    ]


def congress_report(term: Term, org: Org, *, today: date) -> Report:
    """What the report says of `org`'s subtree in `term` (the caller checked the viewer may see
    the organisation and the term)."""
    figures = figures_for(term, [org], today=today)[org.id]
    targets = effective_targets(term, org)
    return Report(
        term=term,
        org=org,
        today=today,
        place=_place(org),
        figures=figures,
        rows=children_rows(term, org, today=today),
        late=late_children(term, org, today=today),
        series=completion_series(term, figures),
        targets=targets,
        shares=_shares(figures, targets),
        own=Congress.objects.filter(term=term, org=org).first(),
    )


# -- Formatting ------------------------------------------------------------------------------


def number(value: int) -> str:
    """365.911 in Vietnamese (the active language's grouping)."""
    return format(value, ",").replace(",", str(get_format("THOUSAND_SEPARATOR")))


def percent(value: float | None) -> str:
    if value is None:
        return "—"
    text = f"{value:.1f}".replace(".", str(get_format("DECIMAL_SEPARATOR")))
    return f"{text} %"


def step_label(step: str) -> str:
    return str(Step(step).label)


# -- xlsx ------------------------------------------------------------------------------------


def report_xlsx(report: Report) -> bytes:
    """The report as a workbook: a summary with the header, then one sheet per table."""
    buffer = io.BytesIO()
    book = XlsxBook(buffer)
    bold = book.style({"bold": True, "text_wrap": True, "valign": "top"})
    title = book.style({"bold": True, "font_size": 13})
    pct = book.style({"num_format": "0.0"})
    f = report.figures

    summary = book.sheet(_("Tổng hợp"))
    summary.write(0, 0, PARTY, bold)
    summary.write(1, 0, report.org.name, bold)
    summary.write(2, 0, report.dated)
    summary.write(4, 0, report.title, title)
    lines: list[tuple[str, int | float | None]] = [
        (_("Số đại hội trong nhiệm kỳ"), f.total),
        (_("Đã tổ chức"), f.done),
        (_("Tỷ lệ đã tổ chức (%)"), f.done_share),
        (_("Đến hạn theo lịch"), f.due),
        (_("Đến hạn mà chưa tổ chức"), f.behind),
        (_("Đơn vị chậm"), f.late),
        (_("Đã báo cáo kết quả"), f.reported),
        (_("Kết quả đã được chuẩn y"), f.approved),
    ]
    lines += [(step_label(s), f.steps.get(s, 0)) for s in STEP_ORDER]
    for r, (label, value) in enumerate(lines, start=6):
        summary.write(r, 0, label)
        summary.write(r, 1, value, pct if isinstance(value, float) else None)
    if report.own is not None:
        r = 6 + len(lines) + 1
        summary.write(r, 0, _("Đại hội của %(org)s") % {"org": report.org.name}, bold)
        summary.write(r, 1, step_label(report.own.step))
        summary.write(r + 1, 0, _("Ngày dự kiến"))
        summary.write(r + 1, 1, report.own.planned_on)
        summary.write(r + 2, 0, _("Ngày tổ chức"))
        summary.write(r + 2, 1, report.own.held_on)

    children = book.sheet(_("Tiến độ theo đơn vị"))
    children.write_row(
        0,
        [
            _("Tổ chức"),
            _("Số đại hội"),
            _("Đã tổ chức"),
            _("Tỷ lệ (%)"),
            _("Đến hạn"),
            _("Đến hạn mà chưa tổ chức"),
            _("Chậm"),
            _("Đã báo cáo"),
            _("Đã chuẩn y"),
            _("Đại hội của đơn vị"),
        ],
        bold,
    )
    children.freeze_panes(1, 1)
    for r, row in enumerate(report.rows, start=1):
        cf = row.figures
        children.write_row(
            r,
            [
                row.org.name,
                cf.total,
                cf.done,
                cf.done_share,
                cf.due,
                cf.behind,
                cf.late,
                cf.reported,
                cf.approved,
                step_label(row.congress.step) if row.congress else "",
            ],
        )

    late = book.sheet(_("Đơn vị chậm"))
    late.write_row(
        0,
        [
            _("Đơn vị"),
            _("Tiến độ"),
            _("Ngày dự kiến"),
            _("Ngày tổ chức"),
            _("Người liên hệ"),
            _("Điện thoại"),
        ],
        bold,
    )
    for r, congress in enumerate(report.late, start=1):
        late.write_row(
            r,
            [
                congress.org.name,
                step_label(congress.step),
                congress.planned_on,
                congress.held_on,
                congress.org.contact_name,
                congress.org.contact_phone,
            ],
        )

    makeup = book.sheet(_("Cơ cấu"))
    makeup.write_row(0, [_("Cơ cấu"), _("Tỷ lệ (%)"), _("Chỉ tiêu tối thiểu (%)"), _("Đạt")], bold)
    for r, s in enumerate(report.shares, start=1):
        makeup.write_row(
            r,
            [
                s.label,
                s.value,
                s.target,
                "" if s.met is None else (_("Đạt") if s.met else _("Chưa đạt")),
            ],
        )
    g = report.figures.get
    counts = [
        (_("Cấp uỷ viên được bầu"), g("cm.n")),
        (_("Số lượng cấp uỷ đại hội quyết định"), g("cm.decided")),
        (_("Bí thư"), g("sec.n")),
        (_("Uỷ viên uỷ ban kiểm tra"), g("ins.n")),
        (_("Đại biểu dự đại hội cấp trên"), g("dl.n")),
        (_("Đại biểu đương nhiên"), g("dl.ex_officio")),
        (_("Đại biểu được bầu"), g("dl.elected")),
        (_("Đại biểu được chỉ định"), g("dl.appointed")),
        (_("Đại hội điểm"), g("pilot")),
    ]
    base = len(report.shares) + 2
    for r, (label, value) in enumerate(counts, start=base):
        makeup.write_row(r, [label, value])

    series = book.sheet(_("Theo tuần"))
    series.write_row(0, [_("Tuần"), _("Kế hoạch (cộng dồn)"), _("Đã tổ chức (cộng dồn)")], bold)
    for r, (week, planned, held) in enumerate(report.series, start=1):
        series.write_row(r, [week, planned, held])
    book.close()
    return buffer.getvalue()


# -- Charts (SVG) ----------------------------------------------------------------------------

INK, MUTED, PLAN, DONE, LATE, GRID = (
    "#212529",
    "#6c757d",
    "#9ec5fe",
    "#0a58ca",
    "#dc3545",
    "#dee2e6",
)


def _svg(width: int, height: int, body: list[str], label: str) -> SafeString:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(label)}" '
        'font-family="Noto Sans, DejaVu Sans, sans-serif" font-size="11">'
    )
    return mark_safe(head + "".join(body) + "</svg>")  # every text escaped above


def _no_figures() -> str:
    return _("Chưa có số liệu.")


def _nice_top(value: int) -> int:
    """The top of a four-step axis above `value`: four times 1, 2 or 5 × 10ⁿ (4, 8, 20, 40…)."""
    magnitude = 1
    while True:
        for step in (1, 2, 5):
            if 4 * step * magnitude >= value:
                return 4 * step * magnitude
        magnitude *= 10


def completion_chart(series: list[tuple[str, int, int]], *, width: int = 680) -> SafeString:
    """Cumulative congresses planned and held, week by week: held against the plan."""
    height, left, right, top, bottom = 220, 56, 32, 14, 40
    label = _("Đại hội đã tổ chức so với kế hoạch, cộng dồn theo tuần")
    if not series:
        return _svg(
            width,
            40,
            [f'<text x="0" y="24" fill="{MUTED}">{escape(_no_figures())}</text>'],
            label,
        )
    peak = _nice_top(max(max(p, h) for _w, p, h in series))
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(series) - 1, 1)

    def xy(i: int, value: int) -> str:
        return f"{left + i * step:.1f},{top + plot_h - plot_h * value / peak:.1f}"

    body = []
    for k in range(5):
        value = peak * k // 4
        y = top + plot_h - plot_h * k / 4
        body.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
        )
        body.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{MUTED}">'
            f"{escape(number(value))}</text>"
        )
    ticks = max(1, len(series) // 8)
    for i, (week, _p, _h) in enumerate(series):
        last = len(series) - 1
        if i == last or (i % ticks == 0 and last - i > ticks // 2):
            monday = date.fromisocalendar(int(week[:4]), int(week[5:]), 1)
            body.append(
                f'<text x="{left + i * step:.1f}" y="{height - bottom + 16}" text-anchor="middle" '
                f'fill="{MUTED}">{monday.strftime("%d/%m/%y")}</text>'
            )
    planned = " ".join(xy(i, p) for i, (_w, p, _h) in enumerate(series))
    held = " ".join(xy(i, h) for i, (_w, _p, h) in enumerate(series))
    body.append(
        f'<polyline points="{planned}" fill="none" stroke="{PLAN}" stroke-width="3" '
        'stroke-dasharray="6 4"/>'
    )
    body.append(f'<polyline points="{held}" fill="none" stroke="{DONE}" stroke-width="2.5"/>')
    legend_y = height - 8
    planned_label, held_label = _("Kế hoạch"), _("Đã tổ chức")
    body.append(
        f'<line x1="{left}" x2="{left + 24}" y1="{legend_y - 4}" y2="{legend_y - 4}" '
        f'stroke="{PLAN}" stroke-width="3" stroke-dasharray="6 4"/>'
        f'<text x="{left + 30}" y="{legend_y}" fill="{INK}">{escape(planned_label)}</text>'
        f'<line x1="{left + 130}" x2="{left + 154}" y1="{legend_y - 4}" y2="{legend_y - 4}" '
        f'stroke="{DONE}" stroke-width="2.5"/>'
        f'<text x="{left + 160}" y="{legend_y}" fill="{INK}">{escape(held_label)}</text>'
    )
    return _svg(width, height, body, label)


def children_chart(rows: list[ChildRow], *, width: int = 680) -> SafeString:
    """Each child's share of congresses held (the first CHART_CHILDREN), late ones in red."""
    label = _("Tỷ lệ đại hội đã tổ chức theo đơn vị")
    shown = rows[:CHART_CHILDREN]
    if not shown:
        return _svg(
            width,
            40,
            [f'<text x="0" y="24" fill="{MUTED}">{escape(_no_figures())}</text>'],
            label,
        )
    name_w, bar_h, gap, top = 250, 12, 5, 4
    plot_w = width - name_w - 60
    height = top + len(shown) * (bar_h + gap) + 4
    body = []
    for i, row in enumerate(shown):
        y = top + i * (bar_h + gap)
        value = row.figures.done_share or 0.0
        name = row.org.name if len(row.org.name) <= 42 else row.org.name[:41] + "…"
        colour = LATE if row.figures.late else DONE
        body.append(
            f'<text x="{name_w - 6}" y="{y + bar_h - 2}" text-anchor="end" fill="{INK}">'
            f"{escape(name)}</text>"
            f'<rect x="{name_w}" y="{y}" width="{plot_w}" height="{bar_h}" fill="{GRID}"/>'
            f'<rect x="{name_w}" y="{y}" width="{plot_w * value / 100:.1f}" height="{bar_h}" '
            f'fill="{colour}"/>'
            f'<text x="{name_w + plot_w + 6}" y="{y + bar_h - 2}" fill="{INK}">'
            f"{escape(percent(row.figures.done_share))}</text>"
        )
    return _svg(width, height, body, label)


def makeup_chart(shares: list[Share], *, width: int = 680) -> SafeString:
    """The shares that have a target, each bar with its target marked."""
    label = _("Cơ cấu cấp uỷ so với chỉ tiêu")
    shown = [s for s in shares if s.target is not None] or shares[:3]
    name_w, bar_h, gap, top = 250, 16, 8, 4
    plot_w = width - name_w - 70
    height = top + len(shown) * (bar_h + gap) + 4
    body = []
    for i, s in enumerate(shown):
        y = top + i * (bar_h + gap)
        value = s.value or 0.0
        colour = LATE if s.met is False else DONE
        body.append(
            f'<text x="{name_w - 6}" y="{y + bar_h - 4}" text-anchor="end" fill="{INK}">'
            f"{escape(s.label)}</text>"
            f'<rect x="{name_w}" y="{y}" width="{plot_w}" height="{bar_h}" fill="{GRID}"/>'
            f'<rect x="{name_w}" y="{y}" width="{plot_w * min(value, 100) / 100:.1f}" '
            f'height="{bar_h}" fill="{colour}"/>'
            f'<text x="{name_w + plot_w + 6}" y="{y + bar_h - 4}" fill="{INK}">'
            f"{escape(percent(s.value))}</text>"
        )
        if s.target is not None:
            x = name_w + plot_w * min(s.target, 100) / 100
            body.append(
                f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y - 2}" y2="{y + bar_h + 2}" '
                f'stroke="{INK}" stroke-width="2"/>'
            )
    return _svg(width, height, body, label)


# -- PDF -------------------------------------------------------------------------------------


def report_html(report: Report) -> str:
    f = report.figures
    summary = [
        (_("Số đại hội trong nhiệm kỳ"), number(f.total)),
        (_("Đã tổ chức"), f"{number(f.done)} ({percent(f.done_share)})"),
        (_("Đến hạn theo lịch"), number(f.due)),
        (_("Đến hạn mà chưa tổ chức"), number(f.behind)),
        (_("Đơn vị chậm"), number(f.late)),
        (_("Đã báo cáo kết quả"), number(f.reported)),
        (_("Kết quả đã được chuẩn y"), number(f.approved)),
    ]
    return render_to_string(
        "congresses/report_pdf.html",
        {
            "party": PARTY,
            "report": report,
            "summary": summary,
            "steps": [(step_label(s), number(f.steps.get(s, 0))) for s in STEP_ORDER],
            "rows": [
                {
                    "name": row.org.name,
                    "total": number(row.figures.total),
                    "done": number(row.figures.done),
                    "share": percent(row.figures.done_share),
                    "behind": number(row.figures.behind),
                    "late": number(row.figures.late),
                    "approved": number(row.figures.approved),
                    "step": step_label(row.congress.step) if row.congress else "",
                }
                for row in report.rows
            ],
            "late": report.late,
            "shares": [
                {
                    "label": s.label,
                    "value": percent(s.value),
                    "target": percent(s.target) if s.target is not None else "",
                    "met": s.met,
                }
                for s in report.shares
            ],
            "elected": number(f.get("cm.n")),
            "delegates": number(f.get("dl.n")),
            "completion_chart": completion_chart(report.series),
            "children_chart": children_chart(report.rows),
            "makeup_chart": makeup_chart(report.shares),
            "chart_children": CHART_CHILDREN,
        },
    )


def report_pdf(report: Report) -> bytes:
    # Its progress is not news (it logs some while it is imported).
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    # Imported here: pango is loaded only when a PDF is asked for.
    from weasyprint import HTML

    pdf = HTML(string=report_html(report)).write_pdf()
    assert pdf is not None
    return bytes(pdf)


# -- Export, audited -------------------------------------------------------------------------

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def report_export(
    *,
    term: Term,
    org: Org,
    kind: str,
    by: Actor,
    today: date,
    ctx: AuditContext | None = None,
) -> bytes:
    """The report of `org` in `term` as `kind` (xlsx or pdf), its export audited (it names the
    contacts of late units). The caller checked the actor may see both."""
    if kind not in CONTENT_TYPES:
        raise ValueError(kind)
    report = congress_report(term, org, today=today)
    content = report_xlsx(report) if kind == "xlsx" else report_pdf(report)
    audit_log(
        actor=by,
        action="congress.report",
        object_type="org",
        object_id=org.code,
        detail={"term": term.pk, "format": kind, "children": len(report.rows)},
        ctx=ctx,
    )
    return content
