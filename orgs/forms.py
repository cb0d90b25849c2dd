from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapForm, VNDateField

from .models import Kind


class OrgCreateForm(BootstrapForm):
    code = forms.CharField(label=_("Mã tổ chức"), max_length=64)
    name = forms.CharField(label=_("Tên tổ chức"), max_length=255)
    kind = forms.ChoiceField(
        label=_("Loại"), choices=[c for c in Kind.choices if c[0] != Kind.CENTRAL]
    )
    on = VNDateField(label=_("Ngày thành lập"))
    contact_name = forms.CharField(label=_("Người liên hệ"), max_length=128, required=False)
    contact_phone = forms.CharField(label=_("Điện thoại liên hệ"), max_length=20, required=False)


class OrgRenameForm(BootstrapForm):
    name = forms.CharField(label=_("Tên mới"), max_length=255)
    on = VNDateField(label=_("Ngày hiệu lực"))


class OrgMoveForm(BootstrapForm):
    parent_code = forms.CharField(label=_("Mã tổ chức cấp trên mới"), max_length=64)
    on = VNDateField(label=_("Ngày hiệu lực"))


class OrgMergeForm(BootstrapForm):
    source_codes = forms.CharField(
        label=_("Mã các tổ chức hợp nhất vào tổ chức này"),
        help_text=_("Cách nhau bởi dấu phẩy."),
        max_length=2000,
    )
    on = VNDateField(label=_("Ngày hiệu lực"))


class OrgDissolveForm(BootstrapForm):
    reason = forms.CharField(label=_("Lý do, số quyết định"), max_length=500)
    on = VNDateField(label=_("Ngày hiệu lực"))
