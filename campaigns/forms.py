from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapForm, VNDateField

from .models import Milestone


class CampaignForm(BootstrapForm):
    """A campaign with up to three milestones (the city's 2025 campaign had exactly these)."""

    name = forms.CharField(label=_("Tên đợt"), max_length=255)
    starts_on = VNDateField(label=_("Bắt đầu"))
    ends_on = VNDateField(label=_("Kết thúc"))
    unit_depth = forms.IntegerField(
        label=_("Đơn vị là tổ chức trực thuộc cấp thứ"),
        min_value=1,
        max_value=6,
        initial=1,
        help_text=_("1: các tổ chức trực thuộc trực tiếp (ví dụ 173 đơn vị của Thành phố)."),
    )
    m1_name = forms.CharField(label=_("Mốc 1"), max_length=255)
    m1_due = VNDateField(label=_("Hạn mốc 1"))
    m1_condition = forms.ChoiceField(
        label=_("Điều kiện mốc 1"), choices=Milestone.Condition.choices
    )
    m2_name = forms.CharField(label=_("Mốc 2"), max_length=255, required=False)
    m2_due = VNDateField(label=_("Hạn mốc 2"), required=False)
    m2_condition = forms.ChoiceField(
        label=_("Điều kiện mốc 2"), choices=Milestone.Condition.choices, required=False
    )
    m3_name = forms.CharField(label=_("Mốc 3"), max_length=255, required=False)
    m3_due = VNDateField(label=_("Hạn mốc 3"), required=False)
    m3_condition = forms.ChoiceField(
        label=_("Điều kiện mốc 3"), choices=Milestone.Condition.choices, required=False
    )

    def milestones(self) -> list[tuple[str, date, str]]:
        data = self.cleaned_data
        return [
            (data[f"m{i}_name"], data[f"m{i}_due"], data[f"m{i}_condition"])
            for i in (1, 2, 3)
            if data.get(f"m{i}_name") and data.get(f"m{i}_due")
        ]
