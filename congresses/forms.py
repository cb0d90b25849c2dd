"""The congress monitor's forms: a term and its schedule, a congress's plan and next step, its
results (numbers and the people elected, each picked from the registry or typed), approval and
reopening, and targets. They check the shape of what is typed; the services check the rest and
their refusals are shown on the field they name (core.forms.apply_errors)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapForm, VNDateField

from .models import Congress, Person, Step, Target, Tier
from .services import PersonIn, TierDates


def vn_date(label: Any, **kwargs: Any) -> VNDateField:
    """A dd/mm/yyyy field whose initial date is shown dd/mm/yyyy too."""
    widget = forms.DateInput(
        format="%d/%m/%Y",
        attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "class": "form-control"},
    )
    return VNDateField(label=label, widget=widget, **kwargs)


YES_NO = [("", "—"), ("1", _("Có")), ("0", _("Không"))]


class TermForm(BootstrapForm):
    """A new term with one start and deadline per tier (fields made per tier below)."""

    name = forms.CharField(label=_("Tên nhiệm kỳ"), max_length=64)
    first_year = forms.IntegerField(label=_("Từ năm"), min_value=1930, max_value=2200)
    last_year = forms.IntegerField(label=_("Đến năm"), min_value=1930, max_value=2200)
    report_within_days = forms.IntegerField(
        label=_("Hạn báo cáo kết quả sau đại hội (ngày)"),
        min_value=1,
        max_value=90,
        initial=7,
        help_text=_("Đã tổ chức mà quá số ngày này chưa báo cáo kết quả thì bị coi là chậm."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for tier in Tier:
            # A tier without dates has no congresses in this term's reach (a province's term
            # has no national congress): both left blank, it is left out of the schedule.
            self.fields[f"starts_on_{tier.value}"] = vn_date(
                _("%(tier)s: bắt đầu") % {"tier": tier.label}, required=False
            )
            self.fields[f"deadline_{tier.value}"] = vn_date(
                _("%(tier)s: hạn hoàn thành") % {"tier": tier.label}, required=False
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        dated = 0
        for tier in Tier:
            start, end = f"starts_on_{tier.value}", f"deadline_{tier.value}"
            if start in self.errors or end in self.errors:
                continue
            if bool(data.get(start)) != bool(data.get(end)):
                missing = end if data.get(start) else start
                self.add_error(missing, _("Nhập cả ngày bắt đầu và hạn hoàn thành của cấp này."))
            elif data.get(start):
                dated += 1
        if not dated and not any(
            name.startswith(("starts_on_", "deadline_")) for name in self.errors
        ):
            raise forms.ValidationError(
                _("Hãy nhập lịch (bắt đầu, hạn hoàn thành) của ít nhất một cấp.")
            )
        return data

    def schedule(self) -> list[TierDates]:
        data = self.cleaned_data
        return [
            TierDates(t.value, data[f"starts_on_{t.value}"], data[f"deadline_{t.value}"])
            for t in Tier
            if data.get(f"starts_on_{t.value}") and data.get(f"deadline_{t.value}")
        ]

    def tier_rows(self) -> list[tuple[str, Any, Any]]:
        return [
            (str(t.label), self[f"starts_on_{t.value}"], self[f"deadline_{t.value}"]) for t in Tier
        ]


class ScheduleForm(BootstrapForm):
    """One wave's dates, changed after the term opened (one form per tier on the terms page)."""

    starts_on = vn_date(_("Bắt đầu"))
    deadline = vn_date(_("Hạn hoàn thành"))

    def __init__(self, *args: Any, tier: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tier = tier
        self.label = Tier(tier).label

    def dates(self) -> TierDates:
        return TierDates(self.tier, self.cleaned_data["starts_on"], self.cleaned_data["deadline"])


class PlanForm(BootstrapForm):
    ordinal = forms.IntegerField(label=_("Đại hội lần thứ"), min_value=1, max_value=100)
    format = forms.ChoiceField(label=_("Hình thức"), choices=Congress.Format.choices)
    contents = forms.TypedChoiceField(
        label=_("Số nội dung"), choices=Congress.Contents.choices, coerce=int
    )
    pilot = forms.BooleanField(label=_("Đại hội điểm"), required=False)
    planned_on = vn_date(_("Ngày dự kiến tổ chức"))
    planned_committee_size = forms.IntegerField(
        label=_("Số lượng cấp uỷ dự kiến"), min_value=1, max_value=1000, required=False
    )
    summoned = forms.IntegerField(
        label=_("Số đại biểu (đảng viên) được triệu tập"),
        min_value=1,
        max_value=100_000,
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("ordinal", "planned_committee_size", "summoned"):
            self.fields[name].widget.attrs["inputmode"] = "numeric"


class StepForm(BootstrapForm):
    to = forms.ChoiceField(label=_("Chuyển sang bước"))
    on = vn_date(_("Ngày"))
    note = forms.CharField(
        label=_("Ghi chú"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Bắt buộc khi bỏ qua một bước hoặc lùi lại bước trước: ghi lý do."),
    )

    def __init__(self, *args: Any, current: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        to = self.fields["to"]
        assert isinstance(to, forms.ChoiceField)
        to.choices = [(s.value, s.label) for s in Step if s not in (Step.APPROVED, current)]
        order = [s.value for s in Step]
        following = order.index(current) + 1
        if following < len(order) and order[following] != Step.APPROVED:
            to.initial = order[following]
        else:
            # No next step here (approval is the level above's): only a correction, chosen.
            to.choices = [("", "—"), *to.choices]


class ApproveForm(BootstrapForm):
    note = forms.CharField(
        label=_("Ghi chú (số quyết định chuẩn y…)"), max_length=500, required=False
    )


class ReopenForm(BootstrapForm):
    reason = forms.CharField(
        label=_("Lý do mở lại"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class NumbersForm(BootstrapForm):
    summoned = forms.IntegerField(
        label=_("Số được triệu tập"), min_value=0, max_value=100_000, required=False
    )
    present = forms.IntegerField(
        label=_("Số có mặt"), min_value=0, max_value=100_000, required=False
    )
    committee_decided = forms.IntegerField(
        label=_("Số lượng cấp uỷ đại hội quyết định"), min_value=0, max_value=1000, required=False
    )
    candidates = forms.IntegerField(
        label=_("Số người trong danh sách bầu cử cấp uỷ"),
        min_value=0,
        max_value=1000,
        required=False,
        help_text=_("Tỷ lệ số dư được tính từ số này, không quá 30%."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["inputmode"] = "numeric"


# Roles each body's rows may take.
ROLES = {
    Person.Body.COMMITTEE: [
        Person.Role.MEMBER,
        Person.Role.STANDING,
        Person.Role.DEPUTY,
        Person.Role.SECRETARY,
    ],
    Person.Body.INSPECTION: [Person.Role.MEMBER, Person.Role.CHAIR],
    Person.Body.DELEGATE: [Person.Role.ELECTED, Person.Role.EX_OFFICIO, Person.Role.APPOINTED],
}


class MemberPicker(forms.TextInput):
    """The name box of a person of the results: as one types, it suggests the members of the
    organisation's subtree the official may edit (congresses:member_pick, scoped through
    members_visible_to); choosing one fills the row's hidden member id (static/js/partyorg.js).
    Without JavaScript, a member's name typed in full is resolved by the view."""

    template_name = "congresses/widgets/member_picker.html"

    def __init__(self, *, pick_url: str = "", attrs: Any = None) -> None:
        super().__init__(attrs)
        self.pick_url = pick_url

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["pick_url"] = self.pick_url
        return context


class PersonForm(forms.Form):
    """One person of the results: picked from the registry (member) or typed."""

    member = forms.IntegerField(
        required=False, min_value=1, max_value=2**62, widget=forms.HiddenInput
    )
    full_name = forms.CharField(label=_("Họ và tên"), max_length=128, required=False)
    role = forms.ChoiceField(label=_("Chức danh"))
    sex = forms.ChoiceField(
        label=_("Giới tính"),
        choices=[("", "—"), ("M", _("Nam")), ("F", _("Nữ"))],
        required=False,
    )
    birth_year = forms.IntegerField(
        label=_("Năm sinh"), min_value=1900, max_value=2100, required=False
    )
    minority = forms.ChoiceField(label=_("Dân tộc thiểu số"), choices=YES_NO, required=False)
    reelected = forms.BooleanField(label=_("Tái cử"), required=False)
    local = forms.BooleanField(label=_("Người địa phương"), required=False, initial=True)
    direct = forms.BooleanField(label=_("Đại hội bầu trực tiếp bí thư"), required=False)
    remove = forms.BooleanField(label=_("Bỏ dòng này"), required=False)

    def __init__(self, *args: Any, body: str, pick_url: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.body = body
        self.fields["full_name"].widget = MemberPicker(pick_url=pick_url)
        role = self.fields["role"]
        assert isinstance(role, forms.ChoiceField)
        role.choices = [(r.value, r.label) for r in ROLES[Person.Body(body)]]
        self.fields["birth_year"].widget.attrs["inputmode"] = "numeric"
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            elif not isinstance(widget, forms.HiddenInput):
                widget.attrs.setdefault("class", "form-control")
        # The name shown in the picker's box: the member's when picked.
        self.member_name = ""

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return data.get("remove") or not (
            data.get("member") or (data.get("full_name") or "").strip()
        )

    def person_in(self) -> PersonIn:
        data = self.cleaned_data
        minority = {"1": True, "0": False}.get(data.get("minority") or "")
        return PersonIn(
            body=self.body,
            role=data["role"],
            member_id=data.get("member"),
            full_name=data.get("full_name") or "",
            sex=data.get("sex") or "",
            birth_year=data.get("birth_year"),
            minority=minority,
            reelected=bool(data.get("reelected")),
            local=bool(data.get("local")),
            direct=bool(data.get("direct")),
        )


def person_initial(person: Person) -> dict[str, Any]:
    return {
        "member": person.member_id,
        "full_name": person.full_name,
        "role": person.role,
        "sex": person.sex,
        "birth_year": person.birth_year,
        "minority": "1" if person.minority else "0",
        "reelected": person.reelected,
        "local": person.local,
        "direct": person.direct,
    }


class TargetForm(BootstrapForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key in Target.Key:
            self.fields[key.value] = forms.CharField(
                label=_("%(key)s tối thiểu (%%)") % {"key": key.label},
                max_length=8,
                required=False,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "15"}),
            )
