from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Province
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
