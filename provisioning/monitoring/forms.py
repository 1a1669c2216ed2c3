"""Forms of the monitoring screens."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .permissions import vendors_for
from .selectors import facility_for_code


class ApiKeyForm(forms.Form):
    facility_code = forms.CharField(
        label=gettext_lazy("Mã cơ sở trên hệ thống quốc gia"),
        max_length=50,
        required=False,
        help_text=gettext_lazy(
            "Khóa riêng của một cơ sở. Để trống nếu cấp khóa cho đơn vị phần mềm."
        ),
    )
    vendor = forms.ModelChoiceField(
        label=gettext_lazy("Đơn vị cung cấp phần mềm"),
        queryset=None,
        required=False,
        help_text=gettext_lazy("Khóa dùng chung cho mọi cơ sở dùng phần mềm của đơn vị này."),
    )
    name = forms.CharField(label=gettext_lazy("Tên gợi nhớ"), max_length=100, required=False)

    def __init__(self, *args, provinces, **kwargs):
        super().__init__(*args, **kwargs)
        self.provinces = provinces
        self.fields["vendor"].queryset = vendors_for(provinces).order_by("short_name")

    def clean(self):
        data = super().clean()
        code, vendor = data.get("facility_code", "").strip(), data.get("vendor")
        if bool(code) == bool(vendor):
            raise forms.ValidationError(
                _("Hãy nhập mã cơ sở hoặc chọn đơn vị phần mềm (một trong hai).")
            )
        if code:
            facility = facility_for_code(code, self.provinces)
            if facility is None:
                self.add_error(
                    "facility_code",
                    _("Không có tài khoản liên thông nào mang mã này trong tỉnh của bạn."),
                )
            else:
                data["facility"] = facility
        return data


class PauseRequestForm(forms.Form):
    until = forms.DateField(
        label=gettext_lazy("Tạm ngừng đến hết ngày"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reason = forms.CharField(
        label=gettext_lazy("Lý do tạm ngừng hoạt động"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
