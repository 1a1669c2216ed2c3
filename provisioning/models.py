"""The domain's tables: places, people, facilities, dossiers and what hangs off them.

State machines (their states, which move is allowed, by whom) live in `workflow.py`; every
write goes through `services`.
"""

import uuid

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import workflow
from .search import vietnamese

# The state choices and their groups live next to their transition tables.
DossierStatus = workflow.DossierStatus
Role = workflow.Role
OPEN_STATUSES = list(workflow.OPEN_STATUSES)


class Province(models.Model):
    """A province after the July 2025 reform (loaded from vietnam-provinces)."""

    code = models.PositiveSmallIntegerField(_("mã"), primary_key=True)
    name = models.CharField(_("tên"), max_length=100)
    short_name = models.CharField(_("tên ngắn"), max_length=100)
    served = models.BooleanField(_("phục vụ trên cổng"), default=False)
    # Letterhead: the Sở's name as printed, its symbol in numbers like "12/TB-SYT".
    office_name = models.CharField(_("tên Sở Y tế"), max_length=150, blank=True)
    office_symbol = models.CharField(_("ký hiệu viết tắt"), max_length=20, default="SYT")

    class Meta:
        ordering = [vietnamese("name")]
        verbose_name = _("tỉnh, thành phố")
        verbose_name_plural = _("tỉnh, thành phố")

    def __str__(self):
        return self.name


class Commune(models.Model):
    """A commune, ward or special zone (xã, phường, đặc khu)."""

    code = models.PositiveIntegerField(_("mã"), primary_key=True)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="communes")
    name = models.CharField(_("tên"), max_length=100)
    division_type = models.CharField(_("loại"), max_length=20)

    class Meta:
        ordering = [vietnamese("name")]
        verbose_name = _("xã, phường")
        verbose_name_plural = _("xã, phường")

    def __str__(self):
        return self.name


class SupportContact(models.Model):
    """The focal points every facility page shows, as the 2018 guidance requires."""

    class Kind(models.TextChoices):
        HEALTH_DEPARTMENT = "soyte", _("Đầu mối Sở Y tế")
        VIETTEL = "viettel", _("Chi nhánh Viettel tỉnh")

    province = models.ForeignKey(Province, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(_("đơn vị"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("họ và tên"), max_length=100)
    position = models.CharField(_("chức vụ"), max_length=100, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=30)
    email = models.EmailField(_("thư điện tử"), blank=True)

    class Meta:
        ordering = ["province", "kind", "name"]
        verbose_name = _("đầu mối hỗ trợ")
        verbose_name_plural = _("đầu mối hỗ trợ")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.name}"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email, password, **extra):
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """Everybody logs in with an e-mail address; roles come from `Membership`."""

    email = models.EmailField(_("thư điện tử"), unique=True)
    full_name = models.CharField(_("họ và tên"), max_length=150, blank=True)
    # Printed under the name where the person signs: "Chủ cơ sở", "Chuyên viên", ...
    position = models.CharField(_("chức vụ"), max_length=100, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=30, blank=True)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    is_staff = models.BooleanField(_("vào trang quản trị"), default=False)
    date_joined = models.DateTimeField(_("ngày tham gia"), default=timezone.now)

    objects = UserManager()
    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def __str__(self):
        return self.full_name or self.email

    @property
    def has_profile(self):
        """Whether the person gave the name and position that letters and timelines print."""
        return bool(self.full_name.strip() and self.position.strip())


class Membership(models.Model):
    """A staff member's role in one province."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("vai trò"), max_length=10, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "province", "role"], name="unique_membership")
        ]
        verbose_name = _("vai trò cán bộ")
        verbose_name_plural = _("vai trò cán bộ")

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.province}"


class Vendor(models.Model):
    """A pharmacy software vendor."""

    name = models.CharField(_("tên đơn vị"), max_length=200, unique=True)
    short_name = models.CharField(_("tên viết tắt"), max_length=50)
    tax_code = models.CharField(_("mã số thuế"), max_length=14, blank=True)
    contact_email = models.EmailField(_("thư điện tử liên hệ"), blank=True)
    contact_phone = models.CharField(_("điện thoại liên hệ"), max_length=30, blank=True)
    security_contract_signed = models.BooleanField(
        _("đã ký hợp đồng bảo mật với Viettel"), default=False
    )
    interconnection_confirmed = models.BooleanField(_("đã có biên bản liên thông"), default=False)

    class Meta:
        ordering = ["short_name"]
        verbose_name = _("đơn vị cung cấp phần mềm")
        verbose_name_plural = _("đơn vị cung cấp phần mềm")

    def __str__(self):
        return self.short_name

    @property
    def label(self):
        """The full name with the short one in brackets, unless the name already holds it:
        "Công ty Cổ phần Công nghệ Sapo (KiotViet)", not "… (KiotViet) (KiotViet)"."""
        if self.short_name.casefold() in self.name.casefold():
            return self.name
        return f"{self.name} ({self.short_name})"


class Facility(models.Model):
    class Kind(models.TextChoices):
        PHARMACY = "nha_thuoc", _("Nhà thuốc")
        DRUG_COUNTER = "quay_thuoc", _("Quầy thuốc")
        COMMUNE_CABINET = "tu_thuoc_tram_y_te", _("Tủ thuốc trạm y tế xã")
        WHOLESALER = "ban_buon", _("Cơ sở bán buôn")
        CLINIC = "phong_kham", _("Phòng khám")
        HOSPITAL = "benh_vien", _("Bệnh viện")

    class ConnectionModel(models.TextChoices):
        DIRECT = "direct", _("Trực tiếp (tài khoản riêng của cơ sở)")
        VENDOR = "vendor", _("Qua hệ thống tập trung của đơn vị phần mềm")

    owner = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="facilities", verbose_name=_("người đại diện")
    )
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="facilities")
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, related_name="facilities", verbose_name=_("xã, phường")
    )
    kind = models.CharField(_("loại hình"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("tên cơ sở"), max_length=200)
    certificate_number = models.CharField(
        _("số Giấy chứng nhận đủ điều kiện kinh doanh dược"), max_length=30, unique=True
    )
    certificate_date = models.DateField(_("ngày cấp Giấy chứng nhận"))
    gpp_certificate = models.CharField(_("số Giấy chứng nhận GPP/GDP"), max_length=30, blank=True)
    tax_code = models.CharField(_("mã số thuế"), max_length=14, unique=True)
    pharmacist_name = models.CharField(_("dược sĩ phụ trách chuyên môn"), max_length=150)
    practising_certificate = models.CharField(_("số chứng chỉ hành nghề dược"), max_length=30)
    insurance_code = models.CharField(_("mã cơ sở KCB (BHYT)"), max_length=5, blank=True)
    address = models.CharField(_("địa chỉ (số nhà, đường, thôn/xóm)"), max_length=255)
    phone = models.CharField(_("điện thoại"), max_length=20)
    email = models.EmailField(_("thư điện tử"))
    vendor = models.ForeignKey(
        Vendor,
        on_delete=models.PROTECT,
        related_name="facilities",
        verbose_name=_("đơn vị cung cấp phần mềm"),
    )
    software_product = models.CharField(_("tên phần mềm"), max_length=100)
    connection_model = models.CharField(
        _("mô hình kết nối"), max_length=10, choices=ConnectionModel.choices
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["province", "name"])]
        verbose_name = _("cơ sở")
        verbose_name_plural = _("cơ sở")

    def __str__(self):
        return self.name

    @property
    def full_address(self):
        return f"{self.address}, {self.commune.name}, {self.province.name}"


class Dossier(models.Model):
    class Purpose(models.TextChoices):
        NEW_ACCOUNT = "new_account", _("Cấp mới tài khoản liên thông")

    Interconnection = workflow.Interconnection

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="dossiers")
    # Denormalised from the facility so that every staff queue filters on one indexed column.
    # No index of its own: the composite indexes below all start with it.
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="dossiers", db_index=False
    )
    purpose = models.CharField(
        _("mục đích"), max_length=20, choices=Purpose.choices, default=Purpose.NEW_ACCOUNT
    )
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=DossierStatus.choices, default=DossierStatus.DRAFT
    )
    code = models.CharField(_("mã hồ sơ"), max_length=30, unique=True, null=True, blank=True)
    lookup_secret = models.CharField(_("mã tra cứu"), max_length=12, blank=True)
    note = models.TextField(_("nội dung đề nghị"), blank=True)
    submitted_at = models.DateTimeField(_("ngày nộp"), null=True, blank=True)
    due_date = models.DateField(_("hẹn trả kết quả"), null=True, blank=True)
    # While the dossier waits on the facility the clock stops; the due date moves on resume.
    paused_since = models.DateField(null=True, blank=True)
    interconnection = models.CharField(
        _("xác nhận liên thông"),
        max_length=10,
        choices=Interconnection.choices,
        default=Interconnection.PENDING,
    )
    interconnection_note = models.TextField(_("ghi chú xác nhận liên thông"), blank=True)
    proposal_reason = models.CharField(_("lý do đề xuất"), max_length=40, blank=True)
    proposal_note = models.TextField(_("ý kiến đề xuất"), blank=True)
    decided_at = models.DateTimeField(_("ngày quyết định"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-submitted_at", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["facility", "purpose"],
                condition=Q(status__in=OPEN_STATUSES),
                name="one_open_dossier_per_facility_and_purpose",
            )
        ]
        indexes = [
            # A one-status tab (new, waiting, approved) in queue order, straight off the index.
            models.Index(
                fields=["province", "status", "due_date", "id"], name="dossier_status_queue"
            ),
            models.Index(fields=["province", "submitted_at"]),
            # The queues' order (due date, then id): a page reads its 25 rows off the index.
            # It serves the tabs of closed history, where nearly every row qualifies.
            models.Index(fields=["province", "due_date", "id"], name="dossier_queue_order"),
            # The same order over open work only: the tabs of several open statuses (due
            # soon, overdue, proposed, to confirm) never walk past the closed dossiers,
            # however many years of them the province holds.
            models.Index(
                fields=["province", "due_date", "id"],
                condition=Q(status__in=OPEN_STATUSES),
                name="dossier_open_queue",
            ),
        ]
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")

    def __str__(self):
        return self.code or _("Hồ sơ nháp #%(id)s") % {"id": self.pk}

    @property
    def is_paused(self):
        return self.status == DossierStatus.NEEDS_INFO

    @property
    def is_open(self):
        """Still in progress: the facility cannot open another one for the same purpose."""
        return self.status in OPEN_STATUSES


class RejectionReason(models.TextChoices):
    MISSING_CONTRACT = "missing_contract", _("Thiếu hoặc sai hợp đồng bảo mật thông tin")
    MISSING_RECORD = "missing_record", _("Thiếu hoặc sai biên bản xác nhận liên thông")
    CERTIFICATE_INVALID = "certificate_invalid", _("Giấy chứng nhận không hợp lệ hoặc hết hiệu lực")
    NOT_IN_PROVINCE = "not_in_province", _("Cơ sở không thuộc địa bàn quản lý")
    ALREADY_HAS_ACCOUNT = "already_has_account", _("Cơ sở đã được cấp tài khoản")
    OTHER = "other", _("Lý do khác")


class DocumentKind(models.TextChoices):
    SECURITY_CONTRACT = "security_contract", _("Hợp đồng bảo mật thông tin")
    INTERCONNECTION_RECORD = "interconnection_record", _("Biên bản xác nhận liên thông")
    REQUEST_LETTER = "request_letter", _("Đơn đề nghị có chữ ký")
    OTHER = "other", _("Tài liệu khác")


REQUIRED_DOCUMENT_KINDS = [DocumentKind.SECURITY_CONTRACT, DocumentKind.INTERCONNECTION_RECORD]


def document_upload_to(instance, filename):
    # A generated name: the original is kept in a column, never on disk.
    return f"dossiers/{instance.dossier_id}/{uuid.uuid4().hex}"


class Document(models.Model):
    """One version of an attachment; nothing submitted is deleted, only superseded."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("loại tài liệu"), max_length=30, choices=DocumentKind.choices)
    file = models.FileField(upload_to=document_upload_to, max_length=200)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(_("dung lượng"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    superseded_by = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["kind", "-uploaded_at"]
        indexes = [models.Index(fields=["dossier", "superseded_by"])]
        verbose_name = _("tài liệu")
        verbose_name_plural = _("tài liệu")

    def __str__(self):
        return self.original_name


class InfoRequestItem(models.Model):
    """One thing the reviewer asked for; the facility answers each item."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="info_items")
    target = models.CharField(_("nội dung cần bổ sung"), max_length=40)
    message = models.TextField(_("yêu cầu"))
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    response = models.TextField(_("trả lời của cơ sở"), blank=True)
    response_document = models.ForeignKey(
        Document, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "pk"]
        verbose_name = _("yêu cầu bổ sung")
        verbose_name_plural = _("yêu cầu bổ sung")

    def __str__(self):
        return self.message[:60]


class Comment(models.Model):
    """A message the facility reads, or an internal note it never sees."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("nội dung"))
    internal = models.BooleanField(_("ghi chú nội bộ"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("trao đổi")
        verbose_name_plural = _("trao đổi")

    def __str__(self):
        return self.body[:60]


class NationalSystem(models.TextChoices):
    LEGACY = "legacy", _("Hệ thống Dược Quốc gia (duocquocgia.com.vn)")
    V2 = "v2", _("Hệ thống CSDL Dược 2026 (csdlduoc.com.vn)")


class NationalAccount(models.Model):
    """An interconnection account on one national system."""

    Verification = workflow.Verification
    ChangeCheck = workflow.ChangeCheck

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="accounts")
    dossier = models.OneToOneField(
        Dossier, on_delete=models.PROTECT, related_name="account", null=True, blank=True
    )
    system = models.CharField(_("hệ thống quốc gia"), max_length=10, choices=NationalSystem.choices)
    facility_code = models.CharField(_("mã cơ sở trên hệ thống quốc gia"), max_length=50)
    username = models.CharField(_("tên đăng nhập"), max_length=50)
    # Fernet token of the initial password; erased once the facility confirms it changed it.
    password_ciphertext = models.TextField(blank=True)
    password_shown_at = models.DateTimeField(null=True, blank=True)
    password_changed_at = models.DateTimeField(null=True, blank=True)
    verification = models.CharField(
        _("kiểm tra đăng nhập"),
        max_length=20,
        choices=Verification.choices,
        default=Verification.PENDING,
    )
    verification_message = models.CharField(max_length=255, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    # With the facility's consent, a login with the initial password after it says it changed
    # it: that login must now fail.
    change_check = models.CharField(
        _("kiểm tra đổi mật khẩu"),
        max_length=20,
        choices=ChangeCheck.choices,
        blank=True,
    )
    change_checked_at = models.DateTimeField(null=True, blank=True)
    handed_over_at = models.DateTimeField(_("ngày bàn giao"), null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["system", "username"], name="unique_national_username"),
            models.UniqueConstraint(
                fields=["system", "facility_code"], name="unique_national_code"
            ),
        ]
        verbose_name = _("tài khoản liên thông")
        verbose_name_plural = _("tài khoản liên thông")

    def __str__(self):
        return f"{self.username} ({self.get_system_display()})"


class GuidanceDocument(models.Model):
    """The guidance PDFs handed over with every account, kept by the administrator."""

    title = models.CharField(_("tên tài liệu"), max_length=200)
    file = models.FileField(upload_to="guidance/", max_length=200)
    province = models.ForeignKey(
        Province,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text=_("Để trống nếu dùng chung cho mọi tỉnh."),
    )
    active = models.BooleanField(_("đang dùng"), default=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("tài liệu hướng dẫn")
        verbose_name_plural = _("tài liệu hướng dẫn")

    def __str__(self):
        return self.title


class AuditEvent(models.Model):
    """Every state change, who made it and from where; also the dossier's timeline."""

    action = models.CharField(max_length=60)
    actor = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    dossier = models.ForeignKey(
        Dossier, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    # Internal notes and staff-only steps stay off the facility's timeline.
    visible_to_facility = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # The outbox (`services.outbox`): an event whose action produces letters or e-mails is
    # claimed by one worker (`claimed_at`, a conditional update), processed, then marked
    # `notified_at`. A claim older than `outbox.RETRY_AFTER` without a mark is retried by the
    # sweep; `attempts` counts the claims and `last_error` keeps the last failure (admin only).
    notified_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # The e-mails of this event already sent, by name: a retry sends only the others.
    emails_sent = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            # The outbox sweep reads only what is not marked yet.
            models.Index(
                fields=["claimed_at", "created_at"],
                condition=Q(notified_at__isnull=True),
                name="auditevent_outbox_unsent",
            )
        ]
        verbose_name = _("nhật ký")
        verbose_name_plural = _("nhật ký")

    def __str__(self):
        return f"{self.created_at:%d/%m/%Y %H:%M} {self.action}"


class Counter(models.Model):
    """Gap-free sequences (dossier codes, letter numbers), one row per register and year."""

    key = models.CharField(max_length=60, unique=True)
    value = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.key}={self.value}"


def letter_upload_to(instance, filename):
    return f"letters/{instance.dossier_id}/{uuid.uuid4().hex}.pdf"


class Letter(models.Model):
    """An official letter the portal issued for a dossier, as the PDF that was sent."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Phiếu tiếp nhận hồ sơ")
        DECISION = "decision", _("Thông báo kết quả")
        HANDOVER = "handover", _("Biên bản bàn giao tài khoản")
        REQUEST = "request", _("Đơn đề nghị cấp tài khoản liên thông")
        APOLOGY = "apology", _("Phiếu xin lỗi và hẹn lại ngày trả kết quả")
        ARCHIVE = "archive", _("Hồ sơ lưu")
        LOCK_NOTICE = "lock_notice", _("Thông báo khóa tài khoản liên thông")
        UNLOCK_NOTICE = "unlock_notice", _("Thông báo mở khóa tài khoản liên thông")

    # The archive holds internal notes and every actor's name: for the Sở's staff only.
    STAFF_ONLY_KINDS = frozenset({Kind.ARCHIVE})

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="letters")
    kind = models.CharField(_("loại văn bản"), max_length=20, choices=Kind.choices)
    number = models.CharField(_("số, ký hiệu"), max_length=40, blank=True)
    file = models.FileField(upload_to=letter_upload_to, max_length=200)
    sha256 = models.CharField(max_length=64)
    verification_code = models.CharField(_("mã xác thực"), max_length=20, unique=True)
    created_at = models.DateTimeField(_("ngày phát hành"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            # A dossier may be late more than once, so apologies are one per Apology row;
            # an account may be locked more than once: one notice per lock or unlock.
            models.UniqueConstraint(
                fields=["dossier", "kind"],
                condition=~models.Q(kind__in=["apology", "lock_notice", "unlock_notice"]),
                name="one_letter_per_dossier_kind",
            )
        ]
        verbose_name = _("văn bản")
        verbose_name_plural = _("văn bản")

    def __str__(self):
        label = self.get_kind_display()
        return f"{label} {self.number}" if self.number else str(label)


class Apology(models.Model):
    """A dossier that will miss its due date: the apology and new date, drafted by the portal
    and sent by a reviewer (Decree 61/2018, art. 20)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="apologies")
    old_due_date = models.DateField(_("hẹn trả cũ"))
    new_due_date = models.DateField(_("hẹn trả mới"))
    reason = models.TextField(_("lý do chậm trả"))
    drafted_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(_("ngày gửi"), null=True, blank=True)
    sent_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    letter = models.OneToOneField(
        Letter, on_delete=models.PROTECT, related_name="apology", null=True, blank=True
    )

    class Meta:
        ordering = ["drafted_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier"],
                condition=models.Q(sent_at__isnull=True),
                name="one_unsent_apology_per_dossier",
            )
        ]
        verbose_name = _("phiếu xin lỗi")
        verbose_name_plural = _("phiếu xin lỗi")

    def __str__(self):
        return f"{self.dossier} → {self.new_due_date:%d/%m/%Y}"


# Keeping facilities connected: defined in their own module, registered here.
from .monitoring.models import (  # noqa: E402, F401
    AccountDay,
    ApiKey,
    MonitoringDigest,
    MonitoringState,
    MonitoringStatus,
    PauseRequest,
    StatusChange,
    SyncReport,
    VendorIncident,
)

# The licensing register lives in its own module; imported here so Django finds its models.
from .register.models import RegisterEntry, RegisterImport, RegisterImportRow  # noqa: E402, F401
