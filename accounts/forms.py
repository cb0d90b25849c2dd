from django import forms
from django.utils.translation import gettext_lazy as _

from access.models import Role
from core.forms import BootstrapForm, VNDateField
from orgs.forms import OrgField


class GrantForm(BootstrapForm):
    username = forms.CharField(label=_("Tên đăng nhập của người được cấp quyền"), max_length=150)
    org_code = OrgField(label=_("Tổ chức"), role=Role.ADMIN)
    role = forms.ChoiceField(label=_("Vai trò"), choices=Role.choices)
    expires_on = VNDateField(
        label=_("Hết hạn ngày"), required=False, help_text=_("Để trống nếu không hết hạn.")
    )


class LoginForm(forms.Form):
    username = forms.CharField(label=_("Tên đăng nhập"), max_length=150)
    password = forms.CharField(label=_("Mật khẩu"), strip=False, widget=forms.PasswordInput)


class OtpForm(forms.Form):
    token = forms.CharField(
        label=_("Mã xác thực"),
        max_length=16,
        help_text=_("6 chữ số trong ứng dụng xác thực, hoặc một mã khôi phục."),
    )

    def clean_token(self) -> str:
        return "".join(self.cleaned_data["token"].split()).lower()
