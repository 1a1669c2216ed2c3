"""Monitoring's tables, loaded by `provisioning.models` (one app, one migration history).

Sized for a national deployment (100,000 accounts, ~50 million pushes a year): the raw
reports are kept only for `MONITORING_REPORT_RETENTION_DAYS`; what stays is one row of
counts per account and day, and one state row per account with its last data time.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Facility, NationalAccount, NationalSystem, Province, User, Vendor


class ApiKey(models.Model):
    """A key software uses to report its pushes; it belongs to a facility or to a vendor.

    The key is shown once; only its SHA-256 is stored (the secret is random, so a fast hash
    is enough), with a short prefix to recognise it in lists.
    """

    name = models.CharField(_("tên gợi nhớ"), max_length=100, blank=True)
    prefix = models.CharField(_("tiền tố"), max_length=16)
    key_hash = models.CharField(max_length=64, unique=True)
    facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, null=True, blank=True, related_name="api_keys"
    )
    vendor = models.ForeignKey(
        Vendor, on_delete=models.PROTECT, null=True, blank=True, related_name="api_keys"
    )
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("ngày tạo"), default=timezone.now)
    revoked_at = models.DateTimeField(_("ngày thu hồi"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(_("lần dùng gần nhất"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(facility__isnull=False, vendor__isnull=True)
                | Q(facility__isnull=True, vendor__isnull=False),
                name="api_key_belongs_to_facility_or_vendor",
            )
        ]
        verbose_name = _("khóa API")
        verbose_name_plural = _("khóa API")

    def __str__(self):
        return f"{self.prefix}… ({self.facility or self.vendor})"


class ReportKind(models.TextChoices):
    """What a push carried, as each national system names it."""

    HOA_DON = "hoa_don", _("Hóa đơn bán lẻ")
    PHIEU_NHAP = "phieu_nhap", _("Phiếu nhập")
    PHIEU_XUAT = "phieu_xuat", _("Phiếu xuất")
    DON_THUOC = "don_thuoc", _("Đơn thuốc")
    STOCK_IN = "stock-in", _("Nhập kho")
    STOCK_OUT = "stock-out", _("Xuất kho")
    STOCK_TAKING = "stock-taking", _("Kiểm kê")


KINDS_BY_SYSTEM = {
    NationalSystem.LEGACY: (
        ReportKind.HOA_DON,
        ReportKind.PHIEU_NHAP,
        ReportKind.PHIEU_XUAT,
        ReportKind.DON_THUOC,
    ),
    NationalSystem.V2: (ReportKind.STOCK_IN, ReportKind.STOCK_OUT, ReportKind.STOCK_TAKING),
}
# The column of `AccountDay` that counts each kind.
COUNT_FIELDS = {kind: kind.value.replace("-", "_") for kind in ReportKind}


class SyncReport(models.Model):
    """One push a facility's software made to a national system, as reported to the portal.

    Unique on (system, national_id): a resent report is a duplicate. Deleted after the
    retention period by the sweep; the daily counts keep what matters.
    """

    system = models.CharField(max_length=10, choices=NationalSystem.choices)
    national_id = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=ReportKind.choices)
    account = models.ForeignKey(
        NationalAccount, on_delete=models.CASCADE, related_name="sync_reports"
    )
    pushed_at = models.DateTimeField()
    received_at = models.DateTimeField(default=timezone.now)
    api_key = models.ForeignKey(
        ApiKey, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["system", "national_id"], name="unique_sync_report_national_id"
            )
        ]
        indexes = [models.Index(fields=["pushed_at"], name="sync_report_pushed_at")]
        verbose_name = _("báo cáo đồng bộ")
        verbose_name_plural = _("báo cáo đồng bộ")

    def __str__(self):
        return f"{self.system}:{self.national_id}"


class AccountDay(models.Model):
    """How many pushes one account made on one day (Vietnam time), per kind."""

    account = models.ForeignKey(NationalAccount, on_delete=models.CASCADE, related_name="days")
    system = models.CharField(max_length=10, choices=NationalSystem.choices)
    day = models.DateField()
    pushes = models.PositiveIntegerField(default=0)
    hoa_don = models.PositiveIntegerField(default=0)
    phieu_nhap = models.PositiveIntegerField(default=0)
    phieu_xuat = models.PositiveIntegerField(default=0)
    don_thuoc = models.PositiveIntegerField(default=0)
    stock_in = models.PositiveIntegerField(default=0)
    stock_out = models.PositiveIntegerField(default=0)
    stock_taking = models.PositiveIntegerField(default=0)
    first_push_at = models.DateTimeField()
    last_push_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "day"], name="unique_account_day")
        ]
        indexes = [models.Index(fields=["day", "system"], name="account_day_by_day")]
        verbose_name = _("số liệu đồng bộ theo ngày")
        verbose_name_plural = _("số liệu đồng bộ theo ngày")

    def __str__(self):
        return f"{self.account_id} {self.day}: {self.pushes}"


class MonitoringStatus(models.TextChoices):
    WAITING = "waiting", _("Chờ dữ liệu đầu tiên")
    ACTIVE = "active", _("Đang gửi dữ liệu")
    LATE = "late", _("Chậm gửi dữ liệu")
    SILENT = "silent", _("Ngừng gửi dữ liệu")
    DUE_LOCK = "due_lock", _("Đến hạn khóa tài khoản")
    LOCKED = "locked", _("Đã khóa tài khoản")
    PAUSED = "paused", _("Tạm ngừng hoạt động")
    REVOKED = "revoked", _("Đã thu hồi tài khoản")


class MonitoringState(models.Model):
    """Where one account stands. `quiet_since` is the moment its silence is counted from:
    the newest push seen, else the handover (or the end of a pause)."""

    account = models.OneToOneField(
        NationalAccount, on_delete=models.CASCADE, primary_key=True, related_name="monitoring"
    )
    status = models.CharField(
        _("trạng thái"),
        max_length=10,
        choices=MonitoringStatus.choices,
        default=MonitoringStatus.WAITING,
    )
    since = models.DateTimeField(_("từ lúc"), default=timezone.now)
    last_data_at = models.DateTimeField(_("dữ liệu gần nhất"), null=True, blank=True)
    quiet_since = models.DateTimeField()
    paused_until = models.DateField(_("tạm ngừng đến hết ngày"), null=True, blank=True)
    enrolled_at = models.DateTimeField(default=timezone.now)

    class Meta:
        # The sweep's question: which accounts in these statuses have been quiet since when.
        indexes = [models.Index(fields=["status", "quiet_since"], name="monitoring_sweep")]
        verbose_name = _("trạng thái đồng bộ")
        verbose_name_plural = _("trạng thái đồng bộ")

    def __str__(self):
        return f"{self.account_id}: {self.status}"


class StatusChange(models.Model):
    """One move of an account's status: its timeline, its figures and, through
    `processed_at`, the outbox of the notifications it triggers (claimed before sending)."""

    account = models.ForeignKey(
        NationalAccount, on_delete=models.CASCADE, related_name="status_changes"
    )
    old_status = models.CharField(max_length=10, choices=MonitoringStatus.choices, blank=True)
    new_status = models.CharField(max_length=10, choices=MonitoringStatus.choices)
    reason = models.CharField(max_length=20)
    evidence = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    # The outbox (`notify.py`): claimed, then sent. `notified_at` stays empty for a change
    # that needed no e-mail or whose episode had already ended when it was claimed.
    processed_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    # A silent account's vendor is reminded once, some time after the facility.
    vendor_notified_at = models.DateTimeField(null=True, blank=True)
    # The notice letter of a lock or an unlock recorded by staff.
    letter = models.OneToOneField(
        "provisioning.Letter", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["at", "pk"]
        indexes = [
            models.Index(fields=["account", "at"], name="status_change_timeline"),
            models.Index(
                fields=["at"],
                condition=Q(processed_at__isnull=True),
                name="status_change_unprocessed",
            ),
        ]
        verbose_name = _("thay đổi trạng thái đồng bộ")
        verbose_name_plural = _("thay đổi trạng thái đồng bộ")

    def __str__(self):
        return f"{self.account_id}: {self.old_status or '-'} → {self.new_status}"


class ActivityDay(models.Model):
    """One account's activity on one day as the national system's own export shows it
    (uploaded by Sở Y tế staff). Kept apart from the reported `AccountDay` counts: the file
    is evidence of its own, and importing it again sets the same numbers, never adds."""

    account = models.ForeignKey(
        NationalAccount, on_delete=models.CASCADE, related_name="activity_days"
    )
    day = models.DateField(_("ngày"))
    invoices = models.PositiveIntegerField(_("số hóa đơn"), default=0)
    receipts = models.PositiveIntegerField(_("số phiếu nhập"), default=0)
    issues = models.PositiveIntegerField(_("số phiếu xuất"), default=0)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "day"], name="unique_activity_day")
        ]
        verbose_name = _("hoạt động theo tệp xuất của hệ thống quốc gia")
        verbose_name_plural = _("hoạt động theo tệp xuất của hệ thống quốc gia")

    def __str__(self):
        return f"{self.account_id} {self.day}"


class VendorIncident(models.Model):
    """Many facilities of one vendor went quiet together: one outage the vendor must repair
    within `MONITORING_OUTAGE_REPAIR_HOURS` (Decision 412, Art. 17), instead of one reminder
    per facility. At most one open incident per vendor; quiet accounts join it."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="incidents")
    accounts = models.ManyToManyField(NationalAccount, related_name="vendor_incidents")
    opened_at = models.DateTimeField(_("bắt đầu"), default=timezone.now)
    repair_due_at = models.DateTimeField(_("hạn khắc phục"))
    closed_at = models.DateTimeField(_("kết thúc"), null=True, blank=True)
    # Claimed before the vendor and the Viettel branches are e-mailed (sent once).
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["vendor"],
                condition=Q(closed_at__isnull=True),
                name="one_open_incident_per_vendor",
            )
        ]
        verbose_name = _("sự cố của đơn vị phần mềm")
        verbose_name_plural = _("sự cố của đơn vị phần mềm")

    def __str__(self):
        return f"{self.vendor} {self.opened_at:%d/%m/%Y %H:%M}"


class MonitoringDigest(models.Model):
    """The daily digest of one province, claimed by inserting this row (sent once a day)."""

    province = models.ForeignKey(Province, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["province", "day"], name="one_digest_per_day")
        ]

    def __str__(self):
        return f"{self.province_id} {self.day}"


class PauseRequest(models.Model):
    """A facility asks to pause its monitoring for a temporary closure; the Sở Y tế decides
    (`pauses.PAUSE_MOVES`). Approval moves the account to paused until the end date."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ Sở Y tế duyệt")
        APPROVED = "approved", _("Đã duyệt")
        REJECTED = "rejected", _("Không duyệt")

    account = models.ForeignKey(
        NationalAccount, on_delete=models.CASCADE, related_name="pause_requests"
    )
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    until = models.DateField(_("tạm ngừng đến hết ngày"))
    reason = models.TextField(_("lý do tạm ngừng"), max_length=1000)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("ngày đề nghị"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(status="pending"),
                name="one_pending_pause_request_per_account",
            )
        ]
        verbose_name = _("đề nghị tạm ngừng")
        verbose_name_plural = _("đề nghị tạm ngừng")

    def __str__(self):
        return f"{self.account_id} → {self.until}: {self.status}"


from . import checks  # noqa: E402, F401 - registers the settings check with the app
