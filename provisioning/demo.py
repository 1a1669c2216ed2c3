"""Demo data: one province with real communes, about sixty facilities and dossiers in every
state, made through the same services the screens use."""

import datetime
import random
import time
from functools import cache

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from . import workflow
from .crypto import generate_password
from .models import (
    Commune,
    DocumentKind,
    DossierStatus,
    Facility,
    GuidanceDocument,
    Membership,
    NationalSystem,
    Province,
    Role,
    SupportContact,
    User,
    Vendor,
)
from .services import accounts, dossiers
from .services.apologies import apologies_draft
from .uploads import validate_upload
from .workdays import add_working_days

DEMO_PASSWORD = "demo-2026"
DEMO_USERS = {
    "coso@demo.vn": ("Nguyễn Thị Thu Hà", None),
    "chuyenvien@demo.vn": ("Trần Văn Minh", Role.REVIEWER),
    "lanhdao@demo.vn": ("Lê Thị Hồng Nhung", Role.APPROVER),
    "viettel@demo.vn": ("Phạm Quốc Huy", Role.VIETTEL),
    "admin@demo.vn": ("Quản trị hệ thống", Role.ADMIN),
}
# Printed under each name on the letters.
DEMO_POSITIONS = {
    None: "Chủ cơ sở",
    Role.REVIEWER: "Chuyên viên Phòng Nghiệp vụ Dược",
    Role.APPROVER: "Phó Giám đốc Sở Y tế",
    Role.VIETTEL: "Kỹ thuật viên Chi nhánh Viettel",
    Role.ADMIN: "Quản trị hệ thống",
}
VENDORS = [
    ("Tập đoàn Bưu chính Viễn thông Việt Nam (VNPT)", "VNPT", "VNPT Pharmacy"),
    ("Công ty TNHH Hệ thống Thông tin FPT", "FPT", "FPT.eHospital Nhà thuốc"),
    ("Tổng Công ty Giải pháp Doanh nghiệp Viettel", "Viettel", "Viettel Pharmacy"),
    ("Công ty Cổ phần MISA", "MISA", "MISA eShop Nhà thuốc"),
    ("Công ty Cổ phần Công nghệ Sapo (KiotViet)", "KiotViet", "KiotViet Nhà thuốc"),
    ("Công ty TNHH Giải pháp Y tế Kinh Bắc", "Kinh Bắc Soft", "KB-Pharma"),
]
NAMES = [
    "An Khang",
    "Minh Châu",
    "Phúc Lộc",
    "Hồng Đức",
    "Tâm An",
    "Bảo Ngọc",
    "Thiện Tâm",
    "Hoàng Mai",
    "Kim Ngân",
    "Thanh Bình",
    "Hạnh Phúc",
    "Trung Sơn",
    "Việt Đức",
    "Mai Linh",
    "Đức Thịnh",
    "Ngọc Ánh",
    "Phương Đông",
    "Hải Yến",
    "Quang Minh",
    "Thành Công",
    "Gia Hân",
    "Khánh Linh",
    "Hữu Nghị",
    "Bình An",
    "Tuệ Tĩnh",
    "Hải Thượng",
    "Lãn Ông",
    "Kinh Bắc",
    "Quan Họ",
    "Đông Hồ",
]
PEOPLE = [
    "Nguyễn Thị Lan",
    "Trần Văn Hùng",
    "Lê Thị Thuý",
    "Phạm Minh Tuấn",
    "Hoàng Thị Yến",
    "Vũ Đức Thắng",
    "Đặng Thị Hằng",
    "Bùi Văn Long",
    "Đỗ Thị Ngọc",
    "Ngô Quang Vinh",
    "Dương Thị Mai",
    "Lý Văn Sơn",
]
STREETS = [
    "đường Lý Thái Tổ",
    "đường Trần Hưng Đạo",
    "đường Ngô Gia Tự",
    "đường Nguyễn Trãi",
    "đường Lê Lợi",
    "phố Hàng Mã",
    "đường Kinh Dương Vương",
    "thôn Đông",
    "thôn Trung",
]
# How many facilities end in each state; the rest have no dossier yet.
PLAN = [
    (DossierStatus.DRAFT, 5),
    (DossierStatus.SUBMITTED, 10),
    (DossierStatus.NEEDS_INFO, 5),
    (DossierStatus.PROPOSED_APPROVAL, 4),
    (DossierStatus.PROPOSED_REJECTION, 2),
    (DossierStatus.APPROVED, 5),
    (DossierStatus.REJECTED, 3),
    (DossierStatus.ISSUED, 5),
    (DossierStatus.COMPLETED, 12),
    (DossierStatus.WITHDRAWN, 2),
]
FACILITY_COUNT = 60
AGED = workflow.CLOCK_RUNNING  # only these have a due date the queues colour


@cache
def _pdf(title, body):
    from weasyprint import HTML

    html = (
        "<html><head><style>body{font-family:Tinos,'Liberation Serif',serif;font-size:13pt}"
        "h1{text-align:center;font-size:15pt}</style></head>"
        f"<body><h1>{title}</h1><p>{body}</p></body></html>"
    )
    return HTML(string=html).write_pdf()


def _attach(dossier, actor, kind, title, body, name):
    upload = ContentFile(_pdf(title, body), name=name)
    return dossiers.document_add(
        dossier=dossier, actor=actor, kind=kind, upload=upload, checked=validate_upload(upload)
    )


def _user(email, full_name, *, role=None, is_staff=False, is_superuser=False):
    user, _created = User.objects.update_or_create(
        email=email,
        defaults={
            "full_name": full_name,
            "position": DEMO_POSITIONS[role],
            "is_staff": is_staff,
            "is_superuser": is_superuser,
        },
    )
    user.set_password(DEMO_PASSWORD)
    user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def _staff(province):
    staff = {}
    for email, (name, role) in DEMO_USERS.items():
        admin = role == Role.ADMIN
        user = _user(email, name, role=role, is_staff=admin, is_superuser=admin)
        if role:
            Membership.objects.get_or_create(user=user, province=province, role=role)
            staff[role] = user
        else:
            staff["facility"] = user
    return staff


def _contacts(province):
    SupportContact.objects.get_or_create(
        province=province,
        kind=SupportContact.Kind.HEALTH_DEPARTMENT,
        defaults={
            "name": "Trần Văn Minh",
            "position": "Chuyên viên Phòng Nghiệp vụ Dược",
            "phone": "0222 3822 123",
            "email": "nvd@soyte.demo.vn",
        },
    )
    SupportContact.objects.get_or_create(
        province=province,
        kind=SupportContact.Kind.VIETTEL,
        defaults={
            "name": "Phạm Quốc Huy",
            "position": "Chi nhánh Viettel " + province.short_name,
            "phone": "0987 654 321",
            "email": "hotro@viettel.demo.vn",
        },
    )


def _guidance():
    if GuidanceDocument.objects.exists():
        return
    doc = GuidanceDocument(title="Hướng dẫn kết nối liên thông dữ liệu Dược Quốc gia")
    body = (
        "Bước 1: Đăng nhập hệ thống bằng tài khoản được cấp và đổi mật khẩu ngay. "
        "Bước 2: Chuyển tài khoản cho đơn vị cung cấp phần mềm. "
        "Bước 3: Dữ liệu nhập, xuất, bán thuốc được gửi ngay sau mỗi giao dịch. "
        "Bước 4: Khi cần thay đổi thông tin kết nối hoặc gặp lỗi, liên hệ Chi nhánh Viettel tỉnh."
    )
    doc.file.save("huong-dan-ket-noi.pdf", ContentFile(_pdf(doc.title, body)), save=False)
    doc.save()


def _facility(rng, index, owner, province, communes, vendors):
    kind = rng.choices([k for k, _label in Facility.Kind.choices], weights=[40, 25, 10, 5, 12, 3])[
        0
    ]
    commune = communes[index % len(communes)]
    base = NAMES[index % len(NAMES)]
    name = {
        Facility.Kind.PHARMACY: f"Nhà thuốc {base}",
        Facility.Kind.DRUG_COUNTER: f"Quầy thuốc {PEOPLE[index % len(PEOPLE)]}",
        Facility.Kind.COMMUNE_CABINET: f"Tủ thuốc Trạm Y tế {commune.name}",
        Facility.Kind.WHOLESALER: f"Công ty TNHH Dược phẩm {base}",
        Facility.Kind.CLINIC: f"Phòng khám đa khoa {base}",
        Facility.Kind.HOSPITAL: f"Bệnh viện Đa khoa {base}",
    }[kind]
    if index >= len(NAMES) and kind != Facility.Kind.COMMUNE_CABINET:
        name += f" {index // len(NAMES) + 1}"
    vendor, product = vendors[index % len(vendors)]
    clinic = kind in (Facility.Kind.CLINIC, Facility.Kind.HOSPITAL)
    return Facility.objects.create(
        owner=owner,
        province=province,
        commune=commune,
        kind=kind,
        name=name,
        certificate_number=f"{100 + index}/ĐKKDD-{province.code}",
        certificate_date=datetime.date(2020 + index % 6, 1 + index % 12, 1 + index % 27),
        gpp_certificate=f"{200 + index}/GPP-{province.code}",
        tax_code=f"{2300100000 + index * 37}",
        pharmacist_name=PEOPLE[(index + 3) % len(PEOPLE)],
        practising_certificate=f"{1000 + index}/CCHN-D-SYT-{province.code}",
        insurance_code=f"{province.code:02d}{index:03d}" if clinic else "",
        address=f"Số {rng.randint(1, 250)} {rng.choice(STREETS)}",
        phone=f"09{rng.randint(10000000, 99999999)}",
        email=owner.email,
        vendor=vendor,
        software_product=product,
        connection_model=rng.choice(
            [Facility.ConnectionModel.DIRECT, Facility.ConnectionModel.VENDOR]
        ),
    )


def _advance(dossier, target, staff, rng, code_hint):
    """Move `dossier` (a draft with attachments) to `target` through the services."""
    owner, reviewer = dossier.facility.owner, staff[Role.REVIEWER]
    approver, viettel = staff[Role.APPROVER], staff[Role.VIETTEL]
    if target == DossierStatus.DRAFT:
        return dossier
    if target == DossierStatus.WITHDRAWN:
        return dossiers.dossier_withdraw(
            dossier=dossier, actor=owner, note="Cơ sở tạm ngừng kinh doanh"
        )
    dossier = dossiers.dossier_submit(dossier=dossier, actor=owner)
    if target == DossierStatus.SUBMITTED:
        if rng.random() < 0.5:
            dossiers.dossier_confirm_interconnection(dossier=dossier, actor=viettel, confirmed=True)
        return dossier
    if target == DossierStatus.NEEDS_INFO:
        return dossiers.dossier_request_info(
            dossier=dossier,
            actor=reviewer,
            items=[
                (
                    DocumentKind.SECURITY_CONTRACT,
                    "Hợp đồng bảo mật thông tin đã hết hiệu lực, đề nghị bổ sung bản còn hiệu lực.",
                ),
                ("profile", "Đề nghị cập nhật số chứng chỉ hành nghề của dược sĩ phụ trách."),
            ],
        )
    if target in (DossierStatus.PROPOSED_REJECTION, DossierStatus.REJECTED):
        dossier = dossiers.dossier_propose(
            dossier=dossier,
            actor=reviewer,
            approve=False,
            reason="certificate_invalid",
            note="Giấy chứng nhận đủ điều kiện kinh doanh dược đã bị thu hồi.",
        )
        if target == DossierStatus.REJECTED:
            dossier = dossiers.dossier_decide(dossier=dossier, actor=approver, decision="reject")
        return dossier
    dossiers.dossier_confirm_interconnection(dossier=dossier, actor=viettel, confirmed=True)
    dossier = dossiers.dossier_propose(
        dossier=dossier, actor=reviewer, approve=True, note="Hồ sơ đầy đủ, đề nghị cấp tài khoản."
    )
    if target == DossierStatus.PROPOSED_APPROVAL:
        return dossier
    dossier = dossiers.dossier_decide(dossier=dossier, actor=approver, decision="approve")
    if target == DossierStatus.APPROVED:
        return dossier
    system = NationalSystem.V2 if rng.random() < 0.3 else NationalSystem.LEGACY
    facility_code = f"{dossier.province_id:02d}-{code_hint:06d}"
    username = (
        f"gpp_{dossier.province_id:02d}_{code_hint:06d}"
        if system == NationalSystem.LEGACY
        else f"0{dossier.province_id:02d}{code_hint:09d}"
    )
    password = generate_password()
    account = accounts.account_record(
        dossier=dossier,
        actor=viettel,
        system=system,
        facility_code=facility_code,
        username=username,
        password=password,
    )
    _simulator_account(system, username, password, facility_code)
    accounts.account_set_verification(account_id=account.pk, outcome="verified")
    dossier = accounts.dossier_issue(dossier=dossier, actor=viettel)
    if target == DossierStatus.COMPLETED:
        accounts.account_reveal_password(account=account, actor=owner)
        dossier = accounts.dossier_confirm_password_change(dossier=dossier, actor=owner)
    return dossier


def _simulator_account(system, username, password, facility_code):
    """Demo accounts also exist on the bundled national-system simulator, so they work."""
    from .national.simulator import ensure_account

    ensure_account(
        dialect=system, username=username, password=password, facility_codes=[facility_code]
    )


def _age(dossier, rng):
    """Spread submissions over the past weeks so that queues have overdue and due-soon rows."""
    if dossier.status not in AGED:
        return
    days_ago = rng.randint(0, 12)
    submitted = timezone.now() - datetime.timedelta(days=days_ago)
    due = add_working_days(submitted.date(), settings.DOSSIER_WORKING_DAYS)
    type(dossier).objects.filter(pk=dossier.pk).update(submitted_at=submitted, due_date=due)


def _plan():
    """What each facility ends as: the demo facility user (the first two) sees a dossier
    waiting for more and a freshly issued one; None leaves a facility without a dossier."""
    plan = [status for status, count in PLAN for _ in range(count)]
    return [
        {0: DossierStatus.NEEDS_INFO, 1: DossierStatus.ISSUED}.get(
            index, plan[index - 2] if index - 2 < len(plan) else None
        )
        for index in range(FACILITY_COUNT)
    ]


def seed(*, province_code, seed=2026, stdout=None):
    """Load the demo; with `stdout`, say what it does as it goes (it takes minutes)."""
    started = time.monotonic()

    def say(line):
        if stdout:
            stdout.write(line)
            stdout.flush()

    rng = random.Random(seed)
    province = Province.objects.get(code=province_code)
    communes = list(Commune.objects.filter(province=province).order_by("code"))
    with transaction.atomic():
        staff = _staff(province)
        _contacts(province)
        _guidance()
        vendors = []
        for name, short, product in VENDORS:
            vendor, _created = Vendor.objects.get_or_create(
                name=name,
                defaults={
                    "short_name": short,
                    "security_contract_signed": True,
                    "interconnection_confirmed": True,
                },
            )
            vendors.append((vendor, product))
    say(
        f"Bước 1/3 · {province.short_name} ({len(communes)} xã, phường): "
        f"{len(DEMO_USERS)} tài khoản trình diễn, đầu mối hỗ trợ, tài liệu hướng dẫn, "
        f"{len(vendors)} đơn vị phần mềm."
    )
    existing = Facility.objects.filter(province=province).count()
    if existing:
        say(f"Đã có {existing} cơ sở trình diễn: giữ nguyên dữ liệu.")
        return staff
    targets = _plan()
    say(
        f"Bước 2/3 · {FACILITY_COUNT} cơ sở, {sum(t is not None for t in targets)} hồ sơ đi qua "
        "đúng các bước của Cổng (văn bản PDF, thư, tài khoản trên hệ thống mô phỏng); "
        "mất vài phút:"
    )
    for index, target in enumerate(targets):
        owner = (
            staff["facility"]
            if index < 2
            else _user(f"coso{index:02d}@demo.vn", PEOPLE[index % len(PEOPLE)])
        )
        facility = _facility(rng, index, owner, province, communes, vendors)
        state = "chưa có hồ sơ"
        if target is not None:
            dossier = dossiers.dossier_create(facility=facility, actor=owner)
            _attach(
                dossier,
                owner,
                DocumentKind.SECURITY_CONTRACT,
                "HỢP ĐỒNG BẢO MẬT THÔNG TIN",
                f"Giữa Viettel Solutions và {facility.vendor.name}.",
                "hop-dong-bao-mat.pdf",
            )
            _attach(
                dossier,
                owner,
                DocumentKind.INTERCONNECTION_RECORD,
                "BIÊN BẢN XÁC NHẬN LIÊN THÔNG",
                f"Phần mềm {facility.software_product} đã kết nối thành công.",
                "bien-ban-lien-thong.pdf",
            )
            dossier = _advance(dossier, target, staff, rng, 8000 + index)
            _age(dossier, rng)
            state = dossier.get_status_display()
        say(
            f"  [{index + 1:>{len(str(FACILITY_COUNT))}}/{FACILITY_COUNT}] {facility.name}: "
            f"{state} ({time.monotonic() - started:.0f} giây)"
        )
    # The aged dossiers include late ones: their apologies wait for the reviewer at once
    # rather than at the beat's first hourly run.
    drafted = apologies_draft()
    say(f"Bước 3/3 · {drafted} thư xin lỗi soạn sẵn cho các hồ sơ sắp trễ hạn.")
    say(f"Xong sau {time.monotonic() - started:.0f} giây.")
    return staff
