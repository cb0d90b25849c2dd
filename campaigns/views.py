"""Campaign pages: the list and creation, the dashboard at any level, and its xlsx export."""

import io
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from access.models import Role
from access.scope import can
from audit.services import AuditContext, audit_log
from core.forms import apply_errors
from core.http import AuthedHttpRequest
from core.live import stamp
from corrections.selectors import queue_counts, units_summary
from lib.cleaning.export import XlsxBook
from orgs.models import Org
from orgs.selectors import get_org_for_user, visible_ancestors

from .dashboard import (
    campaigns_for,
    children_figures,
    figures_for,
    late_units,
    progress_series,
)
from .forms import CampaignForm
from .models import Campaign, Milestone
from .services import (
    PublishResult,
    campaign_create,
    campaign_units,
    units_publish,
    units_readiness,
)


@login_required
def campaign_list(request: AuthedHttpRequest, code: str) -> HttpResponse:
    org = get_org_for_user(request.user, code)
    can_admin = can(request.user, org.path, Role.ADMIN)
    year = timezone.localdate().year
    form = CampaignForm(
        request.POST or None,
        initial={
            "name": _("Làm sạch dữ liệu đảng viên"),
            "starts_on": timezone.localdate(),
            "ends_on": date(year, 12, 31),
            "unit_depth": 1,
            "m1_name": _("Rà soát, làm sạch và gửi dữ liệu"),
            "m1_condition": "submitted",
            "m2_name": _("Tổng hợp, đồng bộ sang Sổ tay đảng viên"),
            "m2_condition": "published",
            "m3_name": _("Chi bộ sinh hoạt trên Sổ tay đảng viên"),
            "m3_condition": "meeting_held",
        },
    )
    if request.method == "POST":
        if not can_admin:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            try:
                campaign = campaign_create(
                    root=org,
                    name=data["name"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    unit_depth=data["unit_depth"],
                    milestones=form.milestones(),
                    by=request.user,
                    ctx=AuditContext.of(request),
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Đã mở đợt “%(name)s”.") % {"name": campaign.name})
                return redirect("campaigns:dashboard", campaign_id=campaign.pk, code=org.code)
    return render(
        request,
        "campaigns/campaign_list.html",
        {
            "org": org,
            "ancestors": visible_ancestors(request.user, org),
            "campaigns": campaigns_for(request.user, org),
            "form": form,
            "can_admin": can_admin,
        },
    )


def _campaign(request: AuthedHttpRequest, campaign_id: int, code: str) -> tuple[Campaign, Org]:
    org = get_org_for_user(request.user, code)
    campaign = Campaign.objects.filter(pk=campaign_id).select_related("root").first()
    if campaign is None or not (
        org.path.startswith(campaign.root.path) or campaign.root.path.startswith(org.path)
    ):
        raise Http404
    return campaign, org


def _units_under(campaign: Campaign, org: Org) -> list[Org]:
    """The campaign's units in the subtree of the page's organisation (all of them at the root)."""
    return [u for u in campaign_units(campaign) if u.path.startswith(org.path)]


def _publishing(request: AuthedHttpRequest, campaign: Campaign, org: Org) -> dict[str, Any] | None:
    """What the publish button and its confirmation show; None where this user may not publish."""
    today = timezone.localdate()
    if (
        not can(request.user, campaign.root.path, Role.APPROVER)
        or not campaign.starts_on <= today <= campaign.ends_on
        or not campaign.milestones.filter(condition=Milestone.Condition.PUBLISHED).exists()
    ):
        return None
    units = _units_under(campaign, org)
    if not units:
        return None
    readiness = units_readiness(campaign, units)
    return {
        "ready": [r.unit for r in readiness if r.ready],
        "already": [r.unit for r in readiness if r.published],
        "not_ready": [r for r in readiness if r.reasons and not r.published],
    }


@login_required
def campaign_dashboard(request: AuthedHttpRequest, campaign_id: int, code: str) -> HttpResponse:
    # Before the figures are read: the page's stream (orgs:live) tells of any change after it.
    since = stamp()
    campaign, org = _campaign(request, campaign_id, code)
    live = bool(request.GET.get("live"))
    context = {
        "campaign": campaign,
        "org": org,
        "ancestors": visible_ancestors(request.user, org),
        "figures": figures_for(campaign, [org])[0],
        "children": children_figures(campaign, org),
        "late": late_units(campaign, org),
        "series": progress_series(campaign, org),
        # Correction requests of the subtree, per unit (corrections/selectors.py).
        "corrections": {"counts": queue_counts(org), "units": units_summary(org)},
        # The live part refreshes when the organisation's stream says something changed; the
        # button and its confirmation are outside it.
        "publishing": None if live else _publishing(request, campaign, org),
        "live_since": since,
    }
    template = "campaigns/_campaign_live.html" if live else "campaigns/campaign_dashboard.html"
    return render(request, template, context)


@login_required
@require_POST
def campaign_publish(request: AuthedHttpRequest, campaign_id: int, code: str) -> HttpResponse:
    campaign, org = _campaign(request, campaign_id, code)
    if not can(request.user, campaign.root.path, Role.APPROVER):
        raise Http404
    try:
        result = units_publish(
            campaign=campaign,
            units=_units_under(campaign, org),
            by=request.user,
            ctx=AuditContext.of(request),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        _publish_messages(request, result)
    return redirect("campaigns:dashboard", campaign_id=campaign.pk, code=org.code)


# The message names at most this many units that were not ready; the dashboard lists the rest.
NOT_READY_NAMED = 10


def _publish_messages(request: AuthedHttpRequest, result: PublishResult) -> None:
    n, already = len(result.published), len(result.already)
    if n:
        text = ngettext(
            "Đã công bố %(n)d đơn vị sang Sổ tay đảng viên.",
            "Đã công bố %(n)d đơn vị sang Sổ tay đảng viên.",
            n,
        ) % {"n": n}
        if already:
            text += " " + _("%(k)d đơn vị đã công bố từ trước.") % {"k": already}
        messages.success(request, text)
    elif not result.not_ready:
        messages.info(request, _("Không có đơn vị nào mới để công bố; không có gì thay đổi."))
    if result.not_ready:
        named = [
            f"{r.unit.name} ({' '.join(r.reasons)})" for r in result.not_ready[:NOT_READY_NAMED]
        ]
        text = ngettext(
            "%(n)d đơn vị chưa sẵn sàng nên chưa công bố: %(units)s",
            "%(n)d đơn vị chưa sẵn sàng nên chưa công bố: %(units)s",
            len(result.not_ready),
        ) % {"n": len(result.not_ready), "units": "; ".join(named)}
        if (more := len(result.not_ready) - NOT_READY_NAMED) > 0:
            text += " " + _("và %(k)d đơn vị khác.") % {"k": more}
        messages.warning(request, text)


@login_required
def campaign_export(request: AuthedHttpRequest, campaign_id: int, code: str) -> HttpResponse:
    campaign, org = _campaign(request, campaign_id, code)
    rows = [figures_for(campaign, [org])[0], *children_figures(campaign, org)]
    buffer = io.BytesIO()
    book = XlsxBook(buffer)
    sheet = book.sheet(_("Tiến độ"))
    bold = book.style({"bold": True, "text_wrap": True})
    headers = [_("Tổ chức"), _("Mã")]
    for m in campaign.milestones.all():
        headers += [
            f"{m.name} · {_('đơn vị')}",
            f"{m.name} · {_('đã xong')}",
            f"{m.name} · {_('đúng hạn')}",
        ]
    headers += [
        _("Đảng viên"),
        _("Hồ sơ đầy đủ"),
        _("CCCD hợp lệ"),
        _("Vấn đề chưa xử lý"),
        _("Nghi trùng chưa quyết định"),
        _("Lần gửi gần nhất"),
    ]
    sheet.write_row(0, headers, bold)
    for r, figures in enumerate(rows, start=1):
        sheet.write(r, 0, figures.org.name)
        sheet.write(r, 1, figures.org.code)
        col = 2
        for figure in figures.milestones:
            sheet.write(r, col, figure.expected)
            # Left blank while nothing can count the milestone (Milestone.counted), not 0.
            if figure.milestone.counted:
                sheet.write(r, col + 1, figure.done)
                sheet.write(r, col + 2, figure.on_time)
            col += 3
        for key in ("members", "q_complete", "q_cccd_ok", "q_open_problems", "q_open_duplicates"):
            sheet.write(r, col, figures.quality.get(key, 0))
            col += 1
        if figures.last_submission is not None:
            # Local time, as the page shows it (a spreadsheet's dates carry no time zone).
            sheet.write(r, col, timezone.localtime(figures.last_submission).replace(tzinfo=None))
    late = book.sheet(_("Đơn vị chậm"))
    late.write_row(
        0,
        [
            _("Đơn vị"),
            _("Mã"),
            _("Mốc chưa đạt"),
            _("Số ngày chậm"),
            _("Người liên hệ"),
            _("Điện thoại"),
        ],
        bold,
    )
    for r, row in enumerate(late_units(campaign, org, limit=100000), start=1):
        unit = row["unit"]
        late.write_row(
            r,
            [
                unit.name,
                unit.code,
                "; ".join(m.name for m in row["missed"]),
                row["days_late"],
                unit.contact_name,
                unit.contact_phone,
            ],
        )
    footer = book.sheet(_("Thông tin"))
    footer.write(
        0,
        0,
        _("Xuất bởi %(user)s lúc %(at)s")
        % {"user": request.user.username, "at": timezone.localtime().strftime("%d/%m/%Y %H:%M")},
    )
    book.close()
    audit_log(
        actor=request.user,
        action="campaign.export",
        object_type="campaign",
        object_id=campaign.pk,
        detail={"org": org.code},
        ctx=AuditContext.of(request),
    )
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="tien-do-{campaign.pk}-{org.code}.xlsx"'
    )
    return response
