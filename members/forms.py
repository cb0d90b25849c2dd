from django import forms
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from access.models import Role
from core.forms import BootstrapForm, VNDateField
from lib.record import RECORD, REQUIRED, TYPED
from orgs.forms import OrgField

from .models import Member
from .services import BADGE_YEARS, DISCIPLINE_FORMS, RATINGS

# What the form says beside the model's label, where a hint helps the person typing.
HINTS = {
    "full_name": _("Họ và tên (như trên CCCD)"),
    "cccd": _("Số CCCD (12 chữ số)"),
    "hometown": _("Quê quán (theo đơn vị hành chính cũ)"),
}


def record_field(name: str) -> forms.Field:
    """The form field of one record field (lib.record), labelled by the model.

    Lenient on purpose: numbers are typed with spaces and dots, and members.services checks and
    standardises every value (the same rules as the import's).
    """
    model_field = Member._meta.get_field(name)
    assert isinstance(model_field, models.Field)
    label = HINTS.get(name) or capfirst(str(model_field.verbose_name))
    required = name in REQUIRED
    kind = next(f.kind for f in RECORD if f.name == name)
    if kind == "date":
        return VNDateField(label=label, required=required)
    if kind == "choice":
        choices = list(getattr(model_field, "choices", None) or [])
        if required:
            choices = [("", "—"), *choices]
        return forms.ChoiceField(label=label, choices=choices, required=required)
    max_length = getattr(model_field, "max_length", None) or 255
    if kind == "number":
        max_length = max(max_length, 20)
    return forms.CharField(label=label, max_length=max_length, required=required)


class MemberForm(BootstrapForm):
    """The record of form 2-HSĐV: the typed fields of lib.record, in its order. It only parses;
    members.services checks the rules."""


# Made from the list, not declared one by one (a form's fields are its base_fields).
MemberForm.base_fields = {name: record_field(name) for name in TYPED}


class DateForm(BootstrapForm):
    on = VNDateField(label=_("Ngày"))
    note = forms.CharField(label=_("Ghi chú, số quyết định"), max_length=500, required=False)


class RecogniseForm(BootstrapForm):
    on = VNDateField(label=_("Ngày công nhận chính thức"))
    place = forms.CharField(label=_("Nơi công nhận"), max_length=255, required=False)


class TransferForm(BootstrapForm):
    to_code = OrgField(label=_("Chi bộ chuyển đến"), role=Role.EDITOR, cells_only=True)
    on = VNDateField(label=_("Ngày chuyển"))
    temporary = forms.BooleanField(label=_("Chuyển sinh hoạt tạm thời"), required=False)
    note = forms.CharField(label=_("Ghi chú, số giấy giới thiệu"), max_length=500, required=False)


class ExitForm(BootstrapForm):
    kind = forms.ChoiceField(
        label=_("Sự kiện"),
        choices=[
            ("died", _("Từ trần")),
            ("resigned", _("Xin ra khỏi Đảng")),
            ("removed", _("Xoá tên")),
            ("expelled", _("Khai trừ")),
        ],
    )
    on = VNDateField(label=_("Ngày"))
    note = forms.CharField(label=_("Số quyết định, lý do"), max_length=500, required=False)


class CardForm(BootstrapForm):
    card_number = forms.CharField(label=_("Số thẻ đảng viên (8 chữ số)"), max_length=20)
    on = VNDateField(label=_("Ngày cấp"))
    reissue = forms.BooleanField(label=_("Cấp lại (thẻ cũ bị mất, hỏng)"), required=False)


class BadgeForm(BootstrapForm):
    years = forms.TypedChoiceField(
        label=_("Huy hiệu"),
        coerce=int,
        choices=[(y, _("%(n)d năm tuổi Đảng") % {"n": y}) for y in BADGE_YEARS],
    )
    on = VNDateField(label=_("Ngày trao"))


class DisciplineForm(BootstrapForm):
    form = forms.ChoiceField(label=_("Hình thức"), choices=[(f, f) for f in DISCIPLINE_FORMS])
    on = VNDateField(label=_("Ngày quyết định"))
    note = forms.CharField(label=_("Số quyết định, lý do"), max_length=500)


class RateForm(BootstrapForm):
    year = forms.IntegerField(label=_("Năm"), min_value=1930, max_value=2100)
    rating = forms.ChoiceField(label=_("Xếp loại"), choices=[(r, r) for r in RATINGS])
