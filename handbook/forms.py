from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from lib.docfiles import ACCEPTED_EXTENSIONS

from .models import DocumentKind

# The fields of "my record" (the regulation's summary), in order; a report names one of them.
RECORD_FIELDS = (
    ("full_name", _("Họ và tên")),
    ("birth_date", _("Ngày sinh")),
    ("sex", _("Giới tính")),
    ("admission_date", _("Ngày vào Đảng")),
    ("official_date", _("Ngày chính thức")),
    ("card_number", _("Số thẻ đảng viên")),
    ("org", _("Chi bộ")),
    ("cccd", _("Số CCCD")),
    ("phone", _("Điện thoại")),
)
RECORD_FIELD_KEYS = frozenset(key for key, _label in RECORD_FIELDS)


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Tiêu đề"), max_length=300)
    kind = forms.ChoiceField(label=_("Loại tài liệu"), choices=DocumentKind.choices)
    number = forms.CharField(label=_("Số, ký hiệu"), max_length=64, required=False)
    issued_on = forms.DateField(label=_("Ngày ban hành (dd/mm/yyyy)"), required=False)
    summary = forms.CharField(
        label=_("Trích yếu"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    study = forms.BooleanField(
        label=_("Yêu cầu đảng viên học tập (đánh dấu “Đã học tập”)"), required=False
    )
    file = forms.FileField(
        label=_("Tệp (PDF, DOCX, ODT hoặc ảnh)"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(sorted(ACCEPTED_EXTENSIONS))}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("Tối đa %(mb)d MB.") % {
            "mb": settings.PARTYORG_DOCUMENT_MAX_MB
        }


class DocumentSearchForm(forms.Form):
    q = forms.CharField(label=_("Tìm tài liệu"), required=False, max_length=200)
    kind = forms.ChoiceField(
        label=_("Loại"), required=False, choices=[("", _("Tất cả")), *DocumentKind.choices]
    )
    saved = forms.BooleanField(label=_("Chỉ tài liệu đã lưu"), required=False)
