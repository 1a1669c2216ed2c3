"""Forms of the activity import: the file, then which of its columns is which."""

from django import forms
from django.utils.translation import gettext_lazy

from ..models import NationalSystem
from .activity import COLUMNS, REQUIRED

UPLOAD_LIMIT = 20 * 1024 * 1024


class ActivityUploadForm(forms.Form):
    system = forms.ChoiceField(
        label=gettext_lazy("Tệp xuất từ hệ thống"), choices=NationalSystem.choices
    )
    file = forms.FileField(
        label=gettext_lazy("Tệp hoạt động (.csv hoặc .xlsx)"),
        help_text=gettext_lazy(
            "Mỗi dòng một cơ sở một ngày, với các cột Mã cơ sở, Tên cơ sở, Ngày (dd/mm/yyyy), "
            "Số hóa đơn, Số phiếu nhập, Số phiếu xuất."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > UPLOAD_LIMIT:
            raise forms.ValidationError(gettext_lazy("Tệp lớn hơn 20 MB."))
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(gettext_lazy("Chỉ nhận tệp .csv hoặc .xlsx."))
        return upload


class ColumnMappingForm(forms.Form):
    """One choice per expected column among the file's headers (pre-filled by name)."""

    def __init__(self, *args, headers, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "—")] + [(h, h) for h in headers if h]
        for index, column in enumerate(COLUMNS):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=column, choices=choices, required=column in REQUIRED
            )

    @staticmethod
    def initial_for(mapping):
        return {f"column_{index}": mapping.get(column, "") for index, column in enumerate(COLUMNS)}

    def mapping(self):
        return {
            column: self.cleaned_data[f"column_{index}"]
            for index, column in enumerate(COLUMNS)
            if self.cleaned_data.get(f"column_{index}")
        }
