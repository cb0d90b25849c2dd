from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapForm


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".xlsx,.xls,.ods,.csv"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)]


class UploadForm(BootstrapForm):
    uploads = MultipleFileField(label=_("Tệp dữ liệu (xlsx, xls, ods, csv; chọn được nhiều tệp)"))


class RowEditForm(BootstrapForm):
    field = forms.CharField(max_length=32)
    value = forms.CharField(max_length=500, required=False)
