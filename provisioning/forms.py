import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import (
    Commune,
    DocumentKind,
    DossierStatus,
    Facility,
    NationalSystem,
    Province,
    RejectionReason,
    Role,
    Vendor,
)
from .ratelimit import client_ip
from .selectors import dossier_search
from .services.people import person_update
from .uploads import CheckedFileField
from .validators import CleanTextMixin

TAX_CODE = re.compile(r"^\d{10}(-\d{3})?$")
CERTIFICATE = re.compile(r"^\d{1,6}/[A-ZĐ0-9]+(?:-[A-ZĐ0-9]+)*$")
PHONE = re.compile(r"^0\d{9,10}$")
INSURANCE_CODE = re.compile(r"^[0-9A-Z]{5}$")


def _normalise_certificate(value, label):
    value = re.sub(r"\s+", "", value).upper()
    if not CERTIFICATE.match(value):
        raise ValidationError(
            _("%(label)s không đúng dạng “số/ký hiệu”, ví dụ 123/ĐKKDD-BN.") % {"label": label}
        )
    return value


class PersonForm(CleanTextMixin, forms.Form):
    """A person's name and position, as letters print them where the person signs."""

    full_name = forms.CharField(
        label=_("Họ và tên"),
        max_length=150,
        help_text=_("Đầy đủ, có dấu, như trên giấy tờ tùy thân: in trên đơn, phiếu và biên bản."),
    )
    position = forms.CharField(
        label=_("Chức vụ"),
        max_length=100,
        help_text=_("Ví dụ: Chủ cơ sở, Giám đốc, Chuyên viên Phòng Nghiệp vụ Dược."),
    )

    def clean_full_name(self):
        return " ".join(self.cleaned_data["full_name"].split())

    def clean_position(self):
        return " ".join(self.cleaned_data["position"].split())

    @classmethod
    def initial_for(cls, user):
        return {"full_name": user.full_name, "position": user.position}

    @property
    def person(self):
        """The cleaned name and position, as `person_update` takes them."""
        return {name: self.cleaned_data[name] for name in PersonForm.base_fields}


class RepresentativeForm(PersonForm):
    """The facility's representative: who signs its request and receives its account."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["full_name"].label = _("Họ và tên người đại diện cơ sở")
        self.fields["position"].help_text = _("Ví dụ: Chủ cơ sở, Giám đốc, Người phụ trách.")


class SignupForm(RepresentativeForm):
    """What allauth's sign-up adds to e-mail and password: who the representative is."""

    field_order = ["full_name", "position", "email", "password1", "password2"]

    def signup(self, request, user):
        """Called by allauth once the user is saved."""
        person_update(user=user, actor=user, ip=client_ip(request), **self.person)


class FacilityForm(CleanTextMixin, forms.ModelForm):
    class Meta:
        model = Facility
        fields = [
            "kind",
            "name",
            "certificate_number",
            "certificate_date",
            "gpp_certificate",
            "tax_code",
            "pharmacist_name",
            "practising_certificate",
            "insurance_code",
            "province",
            "commune",
            "address",
            "phone",
            "email",
            "vendor",
            "software_product",
            "connection_model",
        ]
        widgets = {"certificate_date": forms.DateInput(attrs={"type": "date"})}
        error_messages = {
            "certificate_number": {
                "unique": _(
                    "Số Giấy chứng nhận này đã được một cơ sở khác đăng ký trên cổng. "
                    "Nếu đó là cơ sở của bạn, hãy liên hệ Sở Y tế."
                )
            },
            "tax_code": {
                "unique": _(
                    "Mã số thuế này đã được một cơ sở khác đăng ký trên cổng. "
                    "Nếu đó là cơ sở của bạn, hãy liên hệ Sở Y tế."
                )
            },
            # The list only offers served provinces' communes: another code is a crafted POST.
            "commune": {
                "invalid_choice": _(
                    "Xã/phường đã chọn không thuộc tỉnh/thành phố mà Cổng phục vụ. "
                    "Hãy chọn trong danh sách."
                )
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        served = Province.objects.filter(served=True)
        self.fields["province"].queryset = served
        self.fields["province"].label = _("Tỉnh, thành phố")
        self.fields["province"].empty_label = None
        self.fields["commune"].queryset = Commune.objects.filter(province__served=True)
        self.fields["commune"].help_text = _("Theo danh mục đơn vị hành chính từ 01/7/2025.")
        self.fields["tax_code"].help_text = _("10 chữ số, hoặc 10 chữ số-3 chữ số với chi nhánh.")
        self.fields["insurance_code"].help_text = _("Bắt buộc với phòng khám, bệnh viện.")
        self.fields["vendor"].empty_label = _("— Chọn đơn vị cung cấp phần mềm —")
        self.fields["commune"].empty_label = _("— Chọn xã, phường —")
        self.fields["kind"].choices = [("", _("— Chọn loại hình —")), *Facility.Kind.choices]
        if served.count() == 1:
            self.fields["province"].widget = forms.HiddenInput()
            self.fields["province"].initial = served.first()

    def clean_certificate_number(self):
        return _normalise_certificate(
            self.cleaned_data["certificate_number"], _("Số Giấy chứng nhận")
        )

    def clean_practising_certificate(self):
        return _normalise_certificate(
            self.cleaned_data["practising_certificate"], _("Số chứng chỉ hành nghề")
        )

    def clean_tax_code(self):
        value = self.cleaned_data["tax_code"].strip()
        if not TAX_CODE.match(value):
            raise ValidationError(_("Mã số thuế gồm 10 chữ số, hoặc 13 ký tự dạng 0101234567-001."))
        return value

    def clean_phone(self):
        value = re.sub(r"[\s.\-]", "", self.cleaned_data["phone"])
        if not PHONE.match(value):
            raise ValidationError(_("Số điện thoại gồm 10 hoặc 11 chữ số, bắt đầu bằng 0."))
        return value

    def clean_insurance_code(self):
        value = self.cleaned_data["insurance_code"].strip().upper()
        if value and not INSURANCE_CODE.match(value):
            raise ValidationError(_("Mã cơ sở KCB gồm đúng 5 ký tự."))
        return value

    def clean(self):
        data = super().clean()
        province, commune = data.get("province"), data.get("commune")
        if province and commune and commune.province_id != province.pk:
            self.add_error(
                "commune",
                _("Xã, phường này không thuộc %(province)s.") % {"province": province.name},
            )
        clinic = data.get("kind") in (Facility.Kind.CLINIC, Facility.Kind.HOSPITAL)
        if clinic and not data.get("insurance_code"):
            self.add_error("insurance_code", _("Phòng khám, bệnh viện phải nhập mã cơ sở KCB."))
        return data


class DossierForm(CleanTextMixin, forms.Form):
    """The draft: a note and the attachments; files are checked by content."""

    note = forms.CharField(
        label=_("Nội dung đề nghị"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Có thể để trống nếu không có đề nghị gì thêm."),
    )
    security_contract = CheckedFileField(
        label=DocumentKind.SECURITY_CONTRACT.label,
        required=False,
        help_text=_("Hợp đồng bảo mật thông tin giữa đơn vị phần mềm và Viettel (PDF, JPEG, PNG)."),
    )
    interconnection_record = CheckedFileField(
        label=DocumentKind.INTERCONNECTION_RECORD.label,
        required=False,
        help_text=_("Biên bản xác nhận liên thông do Viettel cấp cho đơn vị phần mềm."),
    )
    request_letter = CheckedFileField(
        label=DocumentKind.REQUEST_LETTER.label,
        required=False,
        help_text=_(
            "Không bắt buộc: bản in đơn đề nghị đã ký, đóng dấu. Nếu không tải lên, Cổng phát "
            "hành đơn điện tử khi nộp hồ sơ."
        ),
    )
    other = CheckedFileField(
        label=DocumentKind.OTHER.label,
        required=False,
        help_text=_("Tài liệu khác (không bắt buộc)."),
    )

    FILE_FIELDS = ("security_contract", "interconnection_record", "request_letter", "other")


class LookupForm(CleanTextMixin, forms.Form):
    code = forms.CharField(label=_("Mã hồ sơ"), max_length=30)
    secret = forms.CharField(
        label=_("Mã tra cứu"), max_length=12, help_text=_("In trên phiếu tiếp nhận hồ sơ.")
    )

    def clean_code(self):
        return self.cleaned_data["code"].strip().upper()

    def clean_secret(self):
        return self.cleaned_data["secret"].strip().upper()


INFO_TARGETS = [
    (DocumentKind.SECURITY_CONTRACT.value, DocumentKind.SECURITY_CONTRACT.label),
    (DocumentKind.INTERCONNECTION_RECORD.value, DocumentKind.INTERCONNECTION_RECORD.label),
    ("profile", _("Thông tin cơ sở")),
    ("other", _("Nội dung khác")),
]


class InfoItemForm(CleanTextMixin, forms.Form):
    target = forms.ChoiceField(label=_("Nội dung"), choices=INFO_TARGETS)
    message = forms.CharField(
        label=_("Yêu cầu"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


InfoItemFormSet = forms.formset_factory(InfoItemForm, extra=3, max_num=10)


class ResponseItemForm(CleanTextMixin, forms.Form):
    response = forms.CharField(
        label=_("Trả lời"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    file = CheckedFileField(label=_("Tệp bổ sung"), required=False)


class ProposeForm(CleanTextMixin, forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("Đề xuất cấp tài khoản")), ("reject", _("Đề xuất từ chối"))],
        widget=forms.RadioSelect,
        label=_("Đề xuất"),
    )
    reason = forms.ChoiceField(
        label=_("Lý do từ chối"),
        required=False,
        choices=[("", _("— Chọn lý do —")), *RejectionReason.choices],
    )
    note = forms.CharField(
        label=_("Ý kiến"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class DecideForm(CleanTextMixin, forms.Form):
    decision = forms.ChoiceField(
        choices=[
            ("approve", _("Phê duyệt")),
            ("reject", _("Đồng ý từ chối")),
            ("return", _("Trả lại chuyên viên")),
        ],
    )
    note = forms.CharField(
        label=_("Ý kiến"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ApologyForm(CleanTextMixin, forms.Form):
    new_due_date = forms.DateField(
        label=_("Ngày hẹn trả kết quả mới"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reason = forms.CharField(
        label=_("Lý do chậm trả kết quả (cơ sở sẽ đọc)"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CommentForm(CleanTextMixin, forms.Form):
    body = forms.CharField(
        label=_("Nội dung"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Nội dung trao đổi không được để trống.")},
    )
    internal = forms.BooleanField(label=_("Ghi chú nội bộ (cơ sở không xem được)"), required=False)


class InterconnectionForm(CleanTextMixin, forms.Form):
    confirmed = forms.TypedChoiceField(
        label=_("Kết quả"),
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        choices=[
            ("yes", _("Biên bản hợp lệ, phần mềm của cơ sở đã liên thông")),
            ("no", _("Không xác nhận được")),
        ],
    )
    note = forms.CharField(
        label=_("Ghi chú / lý do"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AccountForm(CleanTextMixin, forms.Form):
    system = forms.ChoiceField(label=_("Hệ thống quốc gia"), choices=NationalSystem.choices)
    facility_code = forms.CharField(label=_("Mã cơ sở trên hệ thống quốc gia"), max_length=50)
    username = forms.CharField(label=_("Tên đăng nhập"), max_length=50)
    password = forms.CharField(
        label=_("Mật khẩu ban đầu"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_(
            "Cổng gợi ý sẵn một mật khẩu đúng quy tắc (ít nhất 8 ký tự, có chữ hoa, chữ thường, "
            "chữ số, ký tự đặc biệt). Đặt đúng mật khẩu này khi tạo tài khoản trên hệ thống quốc "
            "gia, hoặc thay bằng mật khẩu đã đặt ở đó. Sau khi ghi nhận, chỉ cơ sở xem được mật "
            "khẩu này, một lần."
        ),
    )


class WithdrawForm(CleanTextMixin, forms.Form):
    note = forms.CharField(
        label=_("Lý do rút hồ sơ"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class HandOverForm(CleanTextMixin, forms.Form):
    override_reason = forms.CharField(
        label=_("Lý do bàn giao khi chưa kiểm tra đăng nhập được"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ConfirmPasswordChangeForm(CleanTextMixin, forms.Form):
    """The facility says it changed the initial password; the check is opt-in."""

    check_initial_password = forms.BooleanField(
        label=_(
            "Đồng ý để Cổng thử đăng nhập bằng mật khẩu ban đầu nhằm xác nhận mật khẩu đó "
            "không còn dùng được"
        ),
        required=False,
        initial=False,
    )


class OverrideChangeCheckForm(CleanTextMixin, forms.Form):
    reason = forms.CharField(
        label=_("Lý do cho phép hoàn thành"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class InviteStaffForm(CleanTextMixin, forms.Form):
    email = forms.EmailField(label=_("Thư điện tử"))
    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    province = forms.ModelChoiceField(
        label=_("Tỉnh"), queryset=Province.objects.filter(served=True)
    )
    role = forms.ChoiceField(label=_("Vai trò"), choices=Role.choices)


class QueueFilterForm(CleanTextMixin, forms.Form):
    """Search and filters shared by the staff queues; every field is optional."""

    q = forms.CharField(
        label=_("Tìm kiếm"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("Mã hồ sơ, tên cơ sở, số giấy chứng nhận, mã số thuế"),
            }
        ),
    )
    commune = forms.ModelChoiceField(
        label=_("Xã, phường"),
        queryset=Commune.objects.none(),
        required=False,
        empty_label=_("Tất cả"),
    )
    kind = forms.ChoiceField(label=_("Loại hình"), required=False)
    vendor = forms.ModelChoiceField(
        label=_("Đơn vị phần mềm"),
        queryset=Vendor.objects.all(),
        required=False,
        empty_label=_("Tất cả"),
    )
    state = forms.ChoiceField(label=_("Trạng thái"), required=False)

    def __init__(self, *args, provinces, with_state=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = Commune.objects.filter(province_id__in=provinces)
        self.fields["kind"].choices = [("", _("Tất cả")), *Facility.Kind.choices]
        if with_state:
            self.fields["state"].choices = [
                ("", _("Tất cả")),
                *[(v, label) for v, label in DossierStatus.choices if v != DossierStatus.DRAFT],
            ]
        else:
            del self.fields["state"]

    def apply(self, queryset):
        """The queryset narrowed by whatever valid criteria were given."""
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if q := data["q"].strip():
            queryset = queryset.filter(dossier_search(q))
        if data["commune"]:
            queryset = queryset.filter(facility__commune=data["commune"])
        if data["kind"]:
            queryset = queryset.filter(facility__kind=data["kind"])
        if data["vendor"]:
            queryset = queryset.filter(facility__vendor=data["vendor"])
        if data.get("state"):
            queryset = queryset.filter(status=data["state"])
        return queryset

    @property
    def active(self):
        return self.is_valid() and any(self.cleaned_data.values())
