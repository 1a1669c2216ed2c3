"""Realistic data for the benchmarks, built fast and reused.

`province_of_size(n)` gives a province holding two years of `n` dossiers (58 % completed, the
rest rejected, withdrawn or still open; closed dossiers keep their old due dates) with its
staff, built once with bulk inserts (PostgreSQL's COPY) and found again on the next run. A few
small provinces share the tables, as in production. Each large province has one facility
with a long history ("Nhà thuốc Hạnh Phước Đông Anh", 22 public steps) for the pages that
show a single dossier.

Used by bench/pages.py and bench/load.py; never by the portal itself.
"""

import datetime
import json
import random
import string
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

# Provinces in the order sizes take them; the first few left free are the small ones.
PROVINCES = (24, 1, 79, 31, 48, 92, 22, 25, 4, 8, 15, 19)
SMALL_PROVINCES = 3
SMALL_SIZE = 2000
PASSWORD = "bench-2026"
SHOWCASE_NAME = "Nhà thuốc Hạnh Phước Đông Anh"
HISTORY_DAYS = 730
OPEN_DAYS = 25  # dossiers younger than this are still being worked on
DUE_DAYS = 21  # 15 working days
# Of the closed dossiers; with the open ones (~3 %) completed comes to 58 % overall.
CLOSED = (("completed", 0.60), ("rejected", 0.235), ("withdrawn", 0.165))
OPEN = (
    ("submitted", 0.33),
    ("needs_info", 0.14),
    ("proposed_approval", 0.12),
    ("proposed_rejection", 0.03),
    ("approved", 0.14),
    ("issued", 0.20),
    ("draft", 0.04),
)
KINDS = (
    ("nha_thuoc", "Nhà thuốc", 0.55),
    ("quay_thuoc", "Quầy thuốc", 0.30),
    ("tu_thuoc_tram_y_te", "Tủ thuốc trạm y tế", 0.08),
    ("phong_kham", "Phòng khám", 0.05),
    ("ban_buon", "Công ty Dược phẩm", 0.02),
)
WORDS = (
    "An Bình Châu Dũng Đức Giang Hà Hải Hạnh Hoà Hoàng Hùng Hương Khang Khánh Lan Linh Long "
    "Mai Minh Nam Ngọc Nhân Phát Phúc Phương Quang Sơn Tâm Tân Thanh Thảo Thịnh Thuận Tiến "
    "Trang Trung Tuấn Uyên Vân Việt Vinh Xuân Yên Bảo Cát Đạt Gia Hiếu Kim Lộc Mỹ Nguyên Như "
    "Quý Sáng Tài Thành Thiện Trí Tú Vượng"
).split()
VENDORS = (
    ("Công ty Cổ phần Phần mềm Sapo", "Sapo"),
    ("Công ty TNHH Công nghệ KiotViet", "KiotViet"),
    ("Công ty Cổ phần MISA", "MISA"),
    ("Công ty TNHH Giải pháp Nhà thuốc GPP", "GPP Soft"),
    ("Công ty Cổ phần Dược Vương", "DuocVuong"),
    ("Tổng Công ty Viettel Solutions", "VTS"),
    ("Công ty TNHH Phần mềm Minh Lộ", "MinhLo"),
    ("Công ty Cổ phần Công nghệ Pharmacity", "PMC"),
)


@dataclass
class BenchProvince:
    code: int
    size: int
    reviewer: object
    viettel: object
    owner: object
    showcase: object  # the dossier with a long history

    @property
    def emails_domain(self):
        return domain(self.size)


def domain(size):
    return f"bench-{size}.vn"


def province_of_size(size, *, log=print):
    """The province holding `size` dossiers, built if this database has none yet."""
    from provisioning.models import Dossier, Membership, User

    _small_provinces(log)
    reviewer = User.objects.filter(email=f"reviewer@{domain(size)}").first()
    if reviewer is not None:
        code = Membership.objects.get(user=reviewer, role="reviewer").province_id
        # A complete build is marked by its showcase dossier, written last.
        if Dossier.objects.filter(province_id=code, facility__name=SHOWCASE_NAME).exists():
            return _found(code, size)
        raise SystemExit(
            f"A build of {size} dossiers in province {code} was interrupted: "
            "drop the database and run again."
        )
    code = _free_province()
    log(f"building {size} dossiers in province {code} …")
    started = timezone.now()
    _build(code, size, seed=size)
    _analyze()
    log(f"built {size} dossiers in {(timezone.now() - started).total_seconds():.0f} s")
    return _found(code, size)


def _small_provinces(log):
    from provisioning.models import Dossier

    for code in PROVINCES[-SMALL_PROVINCES:]:
        if not Dossier.objects.filter(province_id=code).exists():
            log(f"building {SMALL_SIZE} dossiers in the small province {code} …")
            _build(code, SMALL_SIZE, seed=code, staff=False)


def _free_province():
    from provisioning.models import Dossier

    used = set(Dossier.objects.values_list("province_id", flat=True).distinct())
    for code in PROVINCES[:-SMALL_PROVINCES]:
        if code not in used:
            return code
    raise SystemExit("No free province left for another size: drop the database.")


def _found(code, size):
    from provisioning.models import Dossier, User

    users = {u.email.split("@")[0]: u for u in User.objects.filter(email__endswith=domain(size))}
    showcase = Dossier.objects.get(province_id=code, facility__name=SHOWCASE_NAME)
    return BenchProvince(
        code=code,
        size=size,
        reviewer=users["reviewer"],
        viettel=users["viettel"],
        owner=users["owner"],
        showcase=showcase,
    )


def _analyze():
    if connection.vendor == "postgresql":
        # As autovacuum would in production: fresh statistics and visibility map.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


# Bulk writing -------------------------------------------------------------------------


class Rows:
    """Rows of one model, written at once: COPY on PostgreSQL, executemany elsewhere.

    Ids are reserved up front so that rows of other tables can point at them; every column
    not given gets the field's default, as `Model()` would."""

    def __init__(self, model):
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields]
        self.rows = []
        self.next_id = _reserve_start(model)

    def add(self, **values):
        values.setdefault("id", self.next_id)
        self.next_id = max(self.next_id, values["id"]) + 1
        self.rows.append(values)
        return values["id"]

    def write(self):
        if not self.rows:
            return
        now = timezone.now()
        defaults = {}
        for field in self.fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                defaults[field.attname] = now
            elif field.has_default():
                defaults[field.attname] = field.get_default()
            else:
                defaults[field.attname] = None if field.null else ""
        columns = [field.column for field in self.fields]
        table = self.model._meta.db_table
        values = (
            [_plain(row.get(f.attname, defaults[f.attname])) for f in self.fields]
            for row in self.rows
        )
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                names = ", ".join(f'"{c}"' for c in columns)
                with cursor.cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                    for row in values:
                        copy.write_row(row)
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)",
                    [table, self.next_id],
                )
            else:
                marks = ", ".join(["%s"] * len(columns))
                names = ", ".join(f'"{c}"' for c in columns)
                cursor.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', values)
        self.rows = []


def _reserve_start(model):
    from django.db.models import Max

    return (model.objects.aggregate(top=Max("id"))["top"] or 0) + 1


def _plain(value):
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


# The build ------------------------------------------------------------------------------


def _pick(rng, weighted):
    point, total = rng.random(), 0.0
    for item in weighted:
        total += item[-1]
        if point < total:
            return item
    return weighted[-1]


def _vendors():
    from provisioning.models import Vendor

    vendors = []
    for name, short in VENDORS:
        vendor, _ = Vendor.objects.get_or_create(name=name, defaults={"short_name": short})
        vendors.append(vendor.pk)
    return vendors


@transaction.atomic
def _build(code, size, *, seed, staff=True):
    from provisioning.models import (
        Apology,
        AuditEvent,
        Commune,
        Dossier,
        Facility,
        NationalAccount,
        User,
    )

    rng = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate()
    communes = list(Commune.objects.filter(province_id=code).values_list("pk", flat=True))
    vendors = _vendors()
    users, facilities, dossiers = Rows(User), Rows(Facility), Rows(Dossier)
    accounts, events, apologies = Rows(NationalAccount), Rows(AuditEvent), Rows(Apology)
    tag = domain(size) if staff else f"bench-small-{code}.vn"
    # Names and positions, as letters and timelines print them (the portal asks for them).
    officer = users.add(
        email=f"viettel@{tag}", full_name="Lê Văn Viễn", position="Cán bộ kỹ thuật", password="!"
    )
    checker = users.add(
        email=f"reviewer@{tag}", full_name="Phạm Thu Hà", position="Chuyên viên", password="!"
    )

    facility_count = int(size * 0.85) + 1
    facility_ids = []
    for number in range(facility_count):
        kind, prefix, _weight = _pick(rng, KINDS)
        owner = users.add(email=f"coso{number}@{tag}", password="!")
        name = f"{prefix} {' '.join(rng.sample(WORDS, 3))}"
        facility_ids.append(
            facilities.add(
                owner_id=owner,
                province_id=code,
                commune_id=rng.choice(communes),
                kind=kind,
                name=name,
                certificate_number=f"{facilities.next_id}/ĐKKDD-{code}",
                certificate_date=today - datetime.timedelta(days=rng.randrange(400, 4000)),
                tax_code=f"{code:02d}{facilities.next_id:08d}",
                pharmacist_name=f"Nguyễn {' '.join(rng.sample(WORDS, 2))}",
                practising_certificate=f"{facilities.next_id}/CCHN-{code}",
                address=f"Số {rng.randrange(1, 300)}, đường {rng.choice(WORDS)}",
                phone=f"09{rng.randrange(10**7, 10**8)}",
                email=f"coso{number}@{tag}",
                vendor_id=rng.choice(vendors),
                software_product="Phần mềm quản lý nhà thuốc",
                connection_model=rng.choice(("direct", "vendor")),
            )
        )

    sequence = {}
    for number in range(size):
        # Oldest first, evenly over two years: the youngest are the open work.
        age = HISTORY_DAYS * (size - number) / size
        submitted = now - datetime.timedelta(days=age, minutes=rng.randrange(600))
        status = _pick(rng, OPEN if age < OPEN_DAYS else CLOSED)[0]
        dossier = {
            "facility_id": facility_ids[number % facility_count],
            "province_id": code,
            "status": status,
            "lookup_secret": "".join(rng.choices(string.ascii_uppercase + string.digits, k=8)),
            "created_at": submitted - datetime.timedelta(hours=2),
        }
        if status != "draft":
            year = submitted.year
            sequence[year] = sequence.get(year, 0) + 1
            due = submitted.date() + datetime.timedelta(days=DUE_DAYS)
            dossier.update(
                code=f"LTD-{code:02d}-{year}-{sequence[year]:05d}",
                submitted_at=submitted,
                due_date=due,
            )
        if status in ("approved", "issued", "completed") or rng.random() < 0.6:
            dossier["interconnection"] = "confirmed"
        if status in ("approved", "issued", "completed", "rejected"):
            dossier["decided_at"] = submitted + datetime.timedelta(days=rng.randrange(5, 20))
        if status in ("completed", "rejected", "withdrawn"):
            dossier["closed_at"] = submitted + datetime.timedelta(days=rng.randrange(6, 28))
        if status == "needs_info":
            dossier["paused_since"] = today - datetime.timedelta(days=rng.randrange(0, 10))
        pk = dossiers.add(**dossier)
        _history(events, rng, pk, dossier, actor=checker)
        if status in ("issued", "completed"):
            accounts.add(
                facility_id=dossier["facility_id"],
                dossier_id=pk,
                system=rng.choice(("legacy", "v2")),
                facility_code=f"{code:02d}-{pk:07d}",
                username=f"gpp_{code:02d}_{pk:07d}",
                verification="verified",
                verified_at=dossier["decided_at"],
                handed_over_at=dossier["decided_at"],
                created_by_id=officer,
            )
        late = status in ("submitted", "proposed_approval", "proposed_rejection")
        if (late and dossier["due_date"] <= today + datetime.timedelta(days=3)) or (
            status == "completed" and rng.random() < 0.03
        ):
            apologies.add(
                dossier_id=pk,
                old_due_date=dossier["due_date"],
                new_due_date=dossier["due_date"] + datetime.timedelta(days=7),
                reason="Hồ sơ cần đối chiếu thêm với hệ thống quốc gia.",
                drafted_at=submitted,
                sent_at=None if late else submitted + datetime.timedelta(days=20),
            )

    for rows in (users, facilities, dossiers, accounts, events, apologies):
        rows.write()
    if staff:
        _staff(code, size, officer, checker)
        _showcase(code, size, rng)


def _history(events, rng, pk, dossier, *, actor):
    """The audit rows a dossier's life leaves: about five for a closed one."""
    status = dossier["status"]
    at = dossier["created_at"]
    steps = [("dossier.created", "", "draft", True)]
    if status != "draft":
        steps += [
            ("dossier.submitted", "draft", "submitted", True),
            ("letter.issued", "", "", True),
        ]
    if dossier.get("interconnection") == "confirmed":
        steps.append(("interconnection.confirmed", "", "", True))
    final = {
        "needs_info": [("dossier.info_requested", "submitted", "needs_info")],
        "proposed_approval": [("dossier.approval_proposed", "submitted", "proposed_approval")],
        "proposed_rejection": [("dossier.rejection_proposed", "submitted", "proposed_rejection")],
        "approved": [
            ("dossier.approval_proposed", "submitted", "proposed_approval"),
            ("dossier.approved", "proposed_approval", "approved"),
        ],
        "rejected": [
            ("dossier.rejection_proposed", "submitted", "proposed_rejection"),
            ("dossier.rejected", "proposed_rejection", "rejected"),
        ],
        "withdrawn": [("dossier.withdrawn", "submitted", "withdrawn")],
    }
    final["issued"] = final["approved"] + [("dossier.issued", "approved", "issued")]
    final["completed"] = final["issued"] + [("dossier.completed", "issued", "completed")]
    for action, before, after in final.get(status, []):
        steps.append((action, before, after, not action.endswith("proposed")))
    for number, (action, before, after, visible) in enumerate(steps):
        events.add(
            action=action,
            actor_id=actor,
            dossier_id=pk,
            facility_id=dossier["facility_id"],
            from_status=before,
            to_status=after,
            visible_to_facility=visible,
            created_at=at + datetime.timedelta(hours=number * 20 + rng.randrange(10)),
            notified_at=at,
        )


def _staff(code, size, officer, checker):
    """The bench's logins, with the two-factor device production asks staff for."""
    from allauth.mfa.models import Authenticator

    from provisioning.models import Membership, User

    for user in User.objects.filter(pk__in=[officer, checker]):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
        Authenticator.objects.create(user=user, type="totp", data={"secret": "BENCHBENCH"})
    Membership.objects.create(user_id=checker, province_id=code, role="reviewer")
    Membership.objects.create(user_id=officer, province_id=code, role="viettel")


def _showcase(code, size, rng):
    """One facility with a long, busy dossier: documents, messages, 22 public steps."""
    from provisioning.models import (
        AuditEvent,
        Comment,
        Commune,
        Document,
        Dossier,
        Facility,
        User,
        Vendor,
    )

    tag = domain(size)
    owner = User.objects.create_user(
        email=f"owner@{tag}", password=PASSWORD, full_name="Trần Thị Hạnh", position="Chủ cơ sở"
    )
    checker = User.objects.get(email=f"reviewer@{tag}")
    facility = Facility.objects.create(
        owner=owner,
        province_id=code,
        commune=Commune.objects.filter(province_id=code).first(),
        kind="nha_thuoc",
        name=SHOWCASE_NAME,
        certificate_number=f"SHOW-{code}/ĐKKDD",
        certificate_date=datetime.date(2020, 5, 4),
        tax_code=f"9{code:02d}0000001",
        pharmacist_name="Trần Thị Hạnh",
        practising_certificate=f"SHOW-{code}/CCHN",
        address="Số 12, đường Hạnh Phước",
        phone="0912345678",
        email=f"owner@{tag}",
        vendor=Vendor.objects.first(),
        software_product="Phần mềm quản lý nhà thuốc",
        connection_model="direct",
    )
    today = timezone.localdate()
    started = timezone.now() - datetime.timedelta(days=40)
    dossier = Dossier.objects.create(
        facility=facility,
        province_id=code,
        status="submitted",
        code=f"LTD-{code:02d}-{today.year}-99999",
        lookup_secret="HANHPHUOC",
        submitted_at=started,
        due_date=today + datetime.timedelta(days=3),
        interconnection="confirmed",
    )
    steps = [("dossier.created", "", "draft"), ("dossier.submitted", "draft", "submitted")]
    steps += [("letter.issued", "", ""), ("interconnection.confirmed", "", "")]
    for _ in range(9):
        steps += [
            ("dossier.info_requested", "submitted", "needs_info"),
            ("dossier.info_provided", "needs_info", "submitted"),
        ]
    steps += [("comment.message", "", "")] * 6 + [("comment.internal", "", "")] * 6
    AuditEvent.objects.bulk_create(
        AuditEvent(
            action=action,
            actor=checker if number % 2 else owner,
            dossier=dossier,
            facility=facility,
            from_status=before,
            to_status=after,
            note="Đề nghị bổ sung bản sao hợp đồng bảo mật." if before else "",
            visible_to_facility=action != "comment.internal",
            created_at=started + datetime.timedelta(hours=number * 7),
        )
        for number, (action, before, after) in enumerate(steps)
    )
    Comment.objects.bulk_create(
        Comment(
            dossier=dossier,
            author=checker if number % 3 else owner,
            body=f"Trao đổi số {number} về hồ sơ.",
            internal=number % 4 == 0,
        )
        for number in range(12)
    )
    Document.objects.bulk_create(
        Document(
            dossier=dossier,
            kind=kind,
            file=f"dossiers/{dossier.pk}/bench-{number}",
            original_name=f"tai-lieu-{number}.pdf",
            content_type="application/pdf",
            size=120_000,
            sha256="0" * 64,
            uploaded_by=owner,
        )
        for number, kind in enumerate(
            ["security_contract", "interconnection_record", "other", "other"]
        )
    )
