from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapForm, VNDateField

from .models import Service, Sex
from .services import BADGE_YEARS, DISCIPLINE_FORMS, RATINGS


class MemberForm(BootstrapForm):
    """The record of form 2-HSĐV. It only parses; members.services checks the rules."""

    full_name = forms.CharField(label=_("Họ và tên (như trên CCCD)"), max_length=128)
    cccd = forms.CharField(label=_("Số CCCD (12 chữ số)"), max_length=20)
    sex = forms.ChoiceField(label=_("Giới tính"), choices=[("", "—"), *Sex.choices])
    birth_date = VNDateField(label=_("Ngày sinh"))
    birth_name = forms.CharField(label=_("Họ tên khai sinh"), max_length=128, required=False)
    other_names = forms.CharField(label=_("Tên gọi khác"), max_length=128, required=False)
    birth_place = forms.CharField(label=_("Nơi sinh"), max_length=255, required=False)
    hometown = forms.CharField(
        label=_("Quê quán (theo đơn vị hành chính cũ)"), max_length=255, required=False
    )
    residence = forms.CharField(label=_("Nơi thường trú"), max_length=255, required=False)
    ethnicity = forms.CharField(label=_("Dân tộc"), max_length=64, required=False)
    religion = forms.CharField(label=_("Tôn giáo"), max_length=64, required=False)
    education = forms.CharField(label=_("Giáo dục phổ thông"), max_length=32, required=False)
    political_theory = forms.CharField(label=_("Lý luận chính trị"), max_length=32, required=False)
    qualification = forms.CharField(
        label=_("Chuyên môn, nghiệp vụ"), max_length=128, required=False
    )
    foreign_language = forms.CharField(label=_("Ngoại ngữ"), max_length=64, required=False)
    occupation = forms.CharField(label=_("Nghề nghiệp"), max_length=128, required=False)
    position = forms.CharField(label=_("Chức vụ"), max_length=255, required=False)
    admission_date = VNDateField(label=_("Ngày vào Đảng"))
    admission_place = forms.CharField(label=_("Nơi vào Đảng"), max_length=255, required=False)
    official_date = VNDateField(label=_("Ngày chính thức"), required=False)
    official_place = forms.CharField(
        label=_("Nơi công nhận chính thức"), max_length=255, required=False
    )
    resume_number = forms.CharField(label=_("Số lý lịch"), max_length=32, required=False)
    service = forms.ChoiceField(
        label=_("Quân đội, công an, hưu trí"), choices=Service.choices, required=False
    )
    phone = forms.CharField(label=_("Điện thoại"), max_length=20, required=False)
    email = forms.CharField(label=_("Thư điện tử"), max_length=254, required=False)


class DateForm(BootstrapForm):
    on = VNDateField(label=_("Ngày"))
    note = forms.CharField(label=_("Ghi chú, số quyết định"), max_length=500, required=False)


class RecogniseForm(BootstrapForm):
    on = VNDateField(label=_("Ngày công nhận chính thức"))
    place = forms.CharField(label=_("Nơi công nhận"), max_length=255, required=False)


class TransferForm(BootstrapForm):
    to_code = forms.CharField(label=_("Mã chi bộ chuyển đến"), max_length=64)
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
