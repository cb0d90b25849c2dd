"""Forms of the meeting pages: scheduling, with the date typed dd/mm/yyyy and the time hh:mm."""

from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapForm, VNDateField

from .models import Meeting


class MeetingForm(BootstrapForm):
    kind = forms.ChoiceField(label=_("Loại buổi họp"), choices=Meeting.Kind.choices)
    topic = forms.CharField(label=_("Chủ đề"), max_length=255)
    on = VNDateField(label=_("Ngày họp"))
    at = forms.TimeField(
        label=_("Giờ bắt đầu"),
        input_formats=["%H:%M", "%Hh%M", "%H.%M"],
        # Shown as typed (hh:mm) when the form is filled from a meeting, not hh:mm:ss, which
        # the field would then refuse.
        widget=forms.TimeInput(
            format="%H:%M", attrs={"placeholder": "hh:mm", "inputmode": "numeric"}
        ),
        error_messages={"invalid": _("Nhập giờ theo dạng hh:mm, ví dụ 19:30.")},
    )
    place = forms.CharField(label=_("Địa điểm"), max_length=255, required=False)
    online_link = forms.URLField(
        label=_("Đường dẫn họp trực tuyến"),
        required=False,
        error_messages={"invalid": _("Nhập đường dẫn đầy đủ, bắt đầu bằng https://")},
    )
    agenda = forms.CharField(
        label=_("Chương trình"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )

    def starts_at(self) -> datetime:
        data: dict[str, Any] = self.cleaned_data
        return timezone.make_aware(datetime.combine(data["on"], data["at"]))


class DocumentForm(BootstrapForm):
    file = forms.FileField(
        label=_("Tài liệu (PDF, Word, ODT, ảnh; tối đa 20 MB)"),
        error_messages={"required": _("Chọn tệp tài liệu.")},
    )


class MinutesForm(BootstrapForm):
    minutes = forms.CharField(label=_("Biên bản"), widget=forms.Textarea(attrs={"rows": 8}))
    resolutions = forms.CharField(
        label=_("Nghị quyết"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
