from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .services import field_label

ACCEPT = ".pdf,.png,.jpg,.jpeg,.webp"


def field_choices(fields: list[str]) -> list[tuple[str, str]]:
    return [(name, field_label(name)) for name in fields]


class RequestForm(forms.Form):
    """A correction request: the field, the right value, why, and a photo or scan."""

    field = forms.ChoiceField(label=_("Thông tin sai"))
    proposed_value = forms.CharField(
        label=_("Thông tin đúng"),
        max_length=255,
        help_text=_("Ngày ghi dd/mm/yyyy."),
        error_messages={"required": _("Hãy nhập giá trị đúng.")},
    )
    reason = forms.CharField(
        label=_("Lý do, căn cứ"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Hãy ghi lý do, căn cứ (giấy tờ nào ghi đúng).")},
    )
    attachment = forms.FileField(
        label=_("Ảnh chụp hoặc bản quét giấy tờ (không bắt buộc)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )

    def __init__(self, *args: object, fields: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["field"].choices = field_choices(fields)  # type: ignore[attr-defined]
        self.fields["attachment"].help_text = _("Ảnh hoặc PDF, tối đa %(mb)d MB.") % {
            "mb": settings.PARTYORG_CORRECTION_MAX_MB
        }


class AnswerForm(forms.Form):
    note = forms.CharField(
        label=_("Nội dung bổ sung"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Hãy ghi nội dung bổ sung.")},
    )
    attachment = forms.FileField(
        label=_("Ảnh chụp hoặc bản quét mới (không bắt buộc)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )


class ActForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            ("forwarded", _("Chuyển lên cấp trên")),
            ("asked", _("Đề nghị đảng viên bổ sung")),
            ("rejected", _("Không duyệt")),
            ("approved", _("Duyệt")),
        ]
    )
    note = forms.CharField(
        label=_("Ghi chú (bắt buộc khi đề nghị bổ sung hoặc không duyệt)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp bảng tính (xlsx, xls, ods, csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.ods,.csv"}),
    )
    apply = forms.BooleanField(
        label=_("Ghi các yêu cầu nếu mọi dòng hợp lệ (bỏ chọn: chỉ kiểm tra)"), required=False
    )
