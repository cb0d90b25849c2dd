from django import forms
from django.utils.translation import gettext_lazy as _

from partyorg.forms import BootstrapForm, VNDateField

from .models import Role


class GrantForm(BootstrapForm):
    username = forms.CharField(label=_("Tên đăng nhập của người được cấp quyền"), max_length=150)
    org_code = forms.CharField(label=_("Mã tổ chức"), max_length=64)
    role = forms.ChoiceField(label=_("Vai trò"), choices=Role.choices)
    expires_on = VNDateField(
        label=_("Hết hạn ngày"), required=False, help_text=_("Để trống nếu không hết hạn.")
    )
