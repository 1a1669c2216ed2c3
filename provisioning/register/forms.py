from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Province
from .resources import COLUMNS, REQUIRED
from .services import commune_choices

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class RegisterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp sổ cấp phép (Excel .xlsx hoặc CSV)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    province = forms.ModelChoiceField(label=_("Tỉnh, thành phố"), queryset=Province.objects.none())

    def __init__(self, *args, provinces, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = Province.objects.filter(pk__in=provinces)
        if len(provinces) == 1:
            self.fields["province"].initial = next(iter(provinces))
            self.fields["province"].widget = forms.HiddenInput()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Chỉ nhận tệp Excel (.xlsx) hoặc CSV (.csv)."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("Tệp lớn quá 20 MB."))
        return upload


class ChooseCommuneForm(forms.Form):
    commune = forms.ModelChoiceField(label=_("Xã, phường"), queryset=None, empty_label=None)

    def __init__(self, *args, entry, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = commune_choices(entry)


class ColumnMappingForm(forms.Form):
    """Which field each column of the header row holds: one choice per column."""

    def __init__(self, *args, headers, initial_fields, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("— Bỏ qua cột này —"))] + [
            (name, label) for name, (label, _aliases) in COLUMNS.items()
        ]
        self.headers = headers
        for column, header in enumerate(headers):
            self.fields[f"col_{column}"] = forms.ChoiceField(
                label=header or _("(cột %(number)s không có tên)") % {"number": column + 1},
                choices=choices,
                required=False,
                initial=initial_fields.get(column, ""),
            )

    def clean(self):
        chosen = [value for value in self.cleaned_data.values() if value]
        twice = {name for name in chosen if chosen.count(name) > 1}
        if twice:
            raise forms.ValidationError(
                _("Mỗi trường chỉ ghép với một cột: %(fields)s.")
                % {"fields": ", ".join(str(COLUMNS[name][0]) for name in sorted(twice))}
            )
        missing = [str(COLUMNS[name][0]) for name in REQUIRED if name not in chosen]
        if missing:
            raise forms.ValidationError(
                _("Cần ghép các cột: %(fields)s.") % {"fields": ", ".join(missing)}
            )
        return self.cleaned_data

    def mapping(self):
        return {
            int(key.removeprefix("col_")): value
            for key, value in self.cleaned_data.items()
            if value
        }
