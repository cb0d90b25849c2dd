from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from access.models import Role
from access.scope import Actor
from core.forms import BootstrapForm, VNDateField

from .models import Kind
from .selectors import org_choice


class OrgPicker(forms.Widget):
    """A search box that suggests the organisations in the viewer's scope as one types their
    name (orgs:pick), and sends the chosen one's code; without JavaScript, the name typed."""

    template_name = "orgs/widgets/org_picker.html"

    def __init__(self, *, role: str, cells_only: bool = False, attrs: Any = None) -> None:
        super().__init__(attrs)
        self.role, self.cells_only = role, cells_only
        self.search_text = ""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        self.search_text = data.get(f"{name}_search", "")
        return data.get(name) or self.search_text

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"].update(
            role=self.role, cells_only=self.cells_only, label_value=self.search_text
        )
        return context


class OrgField(forms.CharField):
    """An organisation, picked or typed by name, read through the viewer's scope with `role`
    (resolve_orgs turns it into the Org once the form is valid)."""

    def __init__(self, *, role: str, cells_only: bool = False, **kwargs: Any) -> None:
        self.role, self.cells_only = role, cells_only
        kwargs.setdefault("widget", OrgPicker(role=role, cells_only=cells_only))
        kwargs.setdefault("max_length", 255)
        super().__init__(**kwargs)


def resolve_orgs(form: forms.Form, actor: Actor) -> bool:
    """Read each OrgField of a valid form within the actor's scope: its cleaned value becomes
    the organisation, or the field gets an error saying what was not found or is ambiguous."""
    resolved = True
    for name, field in form.fields.items():
        text = form.cleaned_data.get(name)
        if not isinstance(field, OrgField) or not text:
            continue
        choice = org_choice(actor, text, role=field.role, cells_only=field.cells_only)
        if choice.org is not None:
            form.cleaned_data[name] = choice.org
            continue
        resolved = False
        if len(choice.candidates) > 1:
            names = "; ".join(
                f"{o.name} ({o.parent.name})" if o.parent else o.name for o in choice.candidates[:5]
            )
            form.add_error(
                name,
                gettext(
                    "Có nhiều tổ chức khớp “%(text)s”: %(names)s. Hãy chọn một trong danh sách gợi ý."
                )
                % {"text": text, "names": names},
            )
        else:
            form.add_error(
                name,
                gettext("Không tìm thấy “%(text)s” trong phạm vi bạn được giao.") % {"text": text},
            )
    return resolved


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
    parent_code = OrgField(label=_("Tổ chức cấp trên mới"), role=Role.ADMIN)
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
