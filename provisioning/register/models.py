"""The register's tables. A register entry is not a portal `Facility` (which needs an owner):
it is what the licensing system says, keyed on the certificate number within the province."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Commune, Facility, Province, User


class RegisterEntry(models.Model):
    """One licensed facility as the province's register lists it."""

    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="register_entries"
    )
    certificate_number = models.CharField(
        _("số Giấy chứng nhận đủ điều kiện kinh doanh dược"), max_length=50
    )
    name = models.CharField(_("tên cơ sở"), max_length=255)
    kind = models.CharField(_("loại hình"), max_length=20, choices=Facility.Kind.choices)
    certificate_date = models.DateField(_("ngày cấp"), null=True, blank=True)
    pharmacist_name = models.CharField(_("người phụ trách chuyên môn"), max_length=150, blank=True)
    practising_certificate = models.CharField(
        _("số chứng chỉ hành nghề"), max_length=50, blank=True
    )
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    # The address's parts as the register gives them (often the pre-2025 units).
    old_commune = models.CharField(_("xã, phường (như sổ ghi)"), max_length=100, blank=True)
    old_district = models.CharField(_("quận, huyện (như sổ ghi)"), max_length=100, blank=True)
    old_province = models.CharField(_("tỉnh, thành phố (như sổ ghi)"), max_length=100, blank=True)
    # Empty until the address is placed, by the import or by a person from the candidates.
    commune = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="register_entries",
        verbose_name=_("xã, phường (sau 01/7/2025)"),
    )
    commune_candidates = models.JSONField(_("xã, phường có thể"), default=list, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=50, blank=True)
    email = models.CharField(_("thư điện tử"), max_length=254, blank=True)
    tax_code = models.CharField(_("mã số thuế"), max_length=20, blank=True)
    facility = models.ForeignKey(
        Facility,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="register_entries",
        verbose_name=_("cơ sở trên Cổng"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["province", "certificate_number"], name="unique_register_certificate"
            )
        ]
        indexes = [
            models.Index(fields=["province", "commune"]),
            models.Index(fields=["province", "tax_code"]),
        ]
        verbose_name = _("cơ sở trong sổ cấp phép")
        verbose_name_plural = _("sổ cấp phép")

    def __str__(self):
        return f"{self.certificate_number} · {self.name}"

    @property
    def old_address(self):
        parts = [self.address, self.old_commune, self.old_district, self.old_province]
        return ", ".join(part for part in parts if part)


class RegisterImport(models.Model):
    """One uploaded register file: held for the preview, then imported once."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ xác nhận")
        DONE = "done", _("Đã nhập")

    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(_("tệp"), max_length=255)
    content = models.BinaryField()
    # The header row and the field of each column, when a person mapped them.
    columns = models.JSONField(_("ghép cột"), default=dict, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    duplicate = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    review = models.PositiveIntegerField(default=0)
    uploaded_at = models.DateTimeField(default=timezone.now)
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = _("lần nhập sổ cấp phép")
        verbose_name_plural = _("lần nhập sổ cấp phép")

    def __str__(self):
        return f"{self.file_name} ({self.uploaded_at:%d/%m/%Y %H:%M})"

    @property
    def counts(self):
        """{outcome: rows}, as the import reported them."""
        return {
            outcome: getattr(self, "errors" if outcome == "error" else outcome)
            for outcome in RegisterImportRow.Outcome.values
        }


class RegisterImportRow(models.Model):
    """What one input row of an import became: the line of the report."""

    class Outcome(models.TextChoices):
        CREATED = "created", _("Thêm mới")
        UPDATED = "updated", _("Cập nhật")
        UNCHANGED = "unchanged", _("Không đổi")
        DUPLICATE = "duplicate", _("Trùng trong tệp")
        ERROR = "error", _("Lỗi")
        REVIEW = "review", _("Chờ chọn xã, phường")

    register_import = models.ForeignKey(
        RegisterImport, on_delete=models.CASCADE, related_name="rows"
    )
    row_number = models.PositiveIntegerField(_("dòng"))
    certificate_number = models.CharField(_("số GCN"), max_length=50, blank=True)
    outcome = models.CharField(_("kết quả"), max_length=10, choices=Outcome.choices)
    commune_code = models.PositiveIntegerField(_("mã xã, phường"), null=True, blank=True)
    message = models.TextField(_("ghi chú"), blank=True)
    entry = models.ForeignKey(
        RegisterEntry, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["register_import", "row_number"]
        verbose_name = _("dòng nhập sổ cấp phép")
        verbose_name_plural = _("dòng nhập sổ cấp phép")

    def __str__(self):
        return f"{self.row_number}: {self.outcome}"
