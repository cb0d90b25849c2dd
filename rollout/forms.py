from django import forms
from django.utils.translation import gettext_lazy as _

from access.models import Role
from core.forms import BootstrapForm, VNDateField
from orgs.forms import OrgField

from .sheet import MAX_BYTES


class OfficialForm(BootstrapForm):
    cccd = forms.CharField(label=_("Số CCCD"), max_length=20)
    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    org = OrgField(label=_("Tổ chức"), role=Role.ADMIN)
    role = forms.ChoiceField(label=_("Vai trò"), choices=Role.choices)
    expires_on = VNDateField(label=_("Ngày hết hạn"), required=False)
    phone = forms.CharField(label=_("Điện thoại"), max_length=20, required=False)
    email = forms.EmailField(label=_("Thư điện tử"), required=False)


class SheetForm(BootstrapForm):
    sheet = forms.FileField(
        label=_("Bảng danh sách cán bộ"),
        help_text=_("Tệp xlsx, xls, ods hoặc csv, tối đa 5 MB, theo mẫu."),
    )

    def clean_sheet(self) -> object:
        sheet = self.cleaned_data["sheet"]
        if sheet.size > MAX_BYTES:
            raise forms.ValidationError(_("Tệp lớn hơn 5 MB; hãy chia nhỏ."))
        return sheet


class InviteForm(BootstrapForm):
    password = forms.CharField(label=_("Mật khẩu mới"), widget=forms.PasswordInput, min_length=10)
    password2 = forms.CharField(label=_("Nhập lại mật khẩu"), widget=forms.PasswordInput)

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", _("Hai lần nhập mật khẩu không giống nhau."))
        return data


class DifficultyForm(BootstrapForm):
    doing = forms.CharField(
        label=_("Bạn đang làm gì"),
        max_length=200,
        help_text=_("Ví dụ: nhập kết quả đại hội của chi bộ."),
    )
    description = forms.CharField(
        label=_("Mô tả khó khăn"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
    screenshot = forms.FileField(
        label=_("Ảnh chụp màn hình"),
        required=False,
        help_text=_("Không bắt buộc. Ảnh PNG, JPEG hoặc WebP, tối đa 5 MB."),
    )
    page_url = forms.CharField(label=_("Trang đang mở"), max_length=500, required=False)


class StepForm(BootstrapForm):
    text = forms.CharField(
        label=_("Nội dung"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class FaqForm(BootstrapForm):
    question = forms.CharField(
        label=_("Câu hỏi"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    answer = forms.CharField(
        label=_("Trả lời"), widget=forms.Textarea(attrs={"rows": 4}), max_length=10000
    )
