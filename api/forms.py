from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from access.models import Role
from core.forms import BootstrapForm, VNDateField
from orgs.forms import OrgField


def _in_90_days() -> str:
    return (timezone.localdate() + timedelta(days=90)).strftime("%d/%m/%Y")


class ApiTokenForm(BootstrapForm):
    name = forms.CharField(
        label=_("Tên khoá"),
        max_length=100,
        help_text=_("Hệ thống nào sẽ dùng khoá này, ví dụ: Sổ tay đảng viên."),
    )
    org_code = OrgField(label=_("Tổ chức (phạm vi của khoá)"), role=Role.ADMIN)
    can_write = forms.BooleanField(
        label=_("Được ghi (và xem đầy đủ số CCCD)"), required=False, initial=False
    )
    expires_on = VNDateField(label=_("Hết hạn ngày"), initial=_in_90_days)
