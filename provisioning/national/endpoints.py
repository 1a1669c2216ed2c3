"""Every host, path and field name of the two national systems, in one module.

What is known comes from other products' client code (see docs/NATIONAL_API.md, where each
fact is marked seen / one / guess). When the national side turns out to differ, the fix is
an edit here: the client and the simulator both read these names.
"""

from dataclasses import dataclass
from datetime import date, datetime

LEGACY = "legacy"
V2 = "v2"
SYSTEMS = (LEGACY, V2)

# The simulator's ports; production hosts are set through settings.NATIONAL_SYSTEMS.
DEFAULT_BASE_URLS = {LEGACY: "http://127.0.0.1:8701", V2: "http://127.0.0.1:8702/v2"}
PUBLIC_BASE_URLS = {
    LEGACY: "https://duocquocgia.com.vn",
    "legacy-training": "http://daotao.duocquocgia.com.vn",
    V2: "https://api.csdlduoc.com.vn/v2",
    "v2-sandbox": "https://api-sandbox.csdlduoc.com.vn/v2",
}
# The v2 base URL carries this prefix; the simulator serves the v2 dialect under it.
V2_PREFIX = "/v2"

# --- Legacy (777/QĐ-QLD) -------------------------------------------------------------

LEGACY_LOGIN_PATH = "/api/tai_khoan/dang_nhap"
LEGACY_USERNAME = "usr"
LEGACY_PASSWORD = "pwd"
LEGACY_USERNAME_MAX = 50
LEGACY_PASSWORD_MAX = 30
LEGACY_TOKEN = "token"
LEGACY_CODE = "code"
LEGACY_OK = "200"
LEGACY_MESSAGES = ("mess", "message")  # a simulator sends both
LEGACY_DATA = "data"
LEGACY_FACILITY = "ma_co_so"
LEGACY_DATE_FORMAT = "%Y%m%d"
# Body codes the simulator uses and the client understands [guess: only "200" is seen].
LEGACY_CODE_INVALID = "400"
LEGACY_CODE_BAD_LOGIN = "401"
LEGACY_CODE_FOREIGN_FACILITY = "403"
LEGACY_CODE_NOT_FOUND = "404"
LEGACY_CODE_DUPLICATE = "409"
LEGACY_CODE_LOCKED = "423"
# Words that mark a refusal as a locked account whatever code carries it.
LOCKED_WORDS = ("khóa", "khoá", "locked")


@dataclass(frozen=True)
class LegacyKind:
    name: str
    id_field: str
    national_id_field: str  # answered at the top level, next to code and mess [seen]
    date_field: str
    lines_field: str
    # Where the record names its facility: a path into the body.
    facility_field: tuple = (LEGACY_FACILITY,)
    date_formats: tuple = (LEGACY_DATE_FORMAT,)

    @property
    def path(self):
        return f"/api/lien_thong/{self.name}"

    def record_path(self, facility_code, record_id):
        return f"{self.path}/{facility_code}/{record_id}"

    def facility_of(self, body):
        value = body
        for name in self.facility_field:
            value = value.get(name) if isinstance(value, dict) else None
        return str(value or "").strip()

    def day_of(self, body):
        """The record's date, or None when it is missing or in none of the kind's formats."""
        text = str(body.get(self.date_field) or "")
        for fmt in self.date_formats:
            try:
                return datetime.strptime(text, fmt).date()  # noqa: DTZ007 (a calendar date)
            except ValueError:
                continue
        return None


LEGACY_KINDS = {
    kind.name: kind
    for kind in (
        LegacyKind("hoa_don", "ma_hoa_don", "ma_hoa_don_quoc_gia", "ngay_ban", "hoa_don_chi_tiet"),
        LegacyKind("phieu_nhap", "ma_phieu", "ma_phieu_nhap_quoc_gia", "ngay_nhap", "chi_tiet"),
        LegacyKind("phieu_xuat", "ma_phieu", "ma_phieu_xuat_quoc_gia", "ngay_xuat", "chi_tiet"),
        # Clinics' prescriptions have a shape of their own [one]: the facility inside
        # thong_tin_don_vi, the date as yyyyMMddHHmm (a plain yyyyMMdd is accepted too).
        LegacyKind(
            "don_thuoc",
            "ma_don_thuoc_co_so_kcb",
            "ma_don_thuoc_quoc_gia",
            "ngay_ke_don",
            "thong_tin_don_thuoc",
            facility_field=("thong_tin_don_vi", "ma_co_so_kcb"),
            date_formats=("%Y%m%d%H%M", LEGACY_DATE_FORMAT),
        ),
    )
}
PRESCRIPTION_DATE_FORMAT = "%Y%m%d%H%M"
# Sex in a prescription's thong_tin_benh_nhan [one]: 1 male, 2 female, 3 other.
MALE, FEMALE, OTHER_SEX = 1, 2, 3

# The facility's own drug list [seen: paths; guess: methods and fields]. Every call is a
# POST with a JSON body naming ma_co_so; xem_thuoc answers the list (or one drug, given
# ma_thuoc) under data.
LEGACY_FACILITY_DRUGS_PATH = "/api/lien_thong/thuoc_co_so"
DRUG_ADD, DRUG_UPDATE, DRUG_READ, DRUG_DELETE = (
    "them_thuoc",
    "cap_nhat_thuoc",
    "xem_thuoc",
    "xoa_thuoc",
)
FACILITY_DRUG_ACTIONS = (DRUG_ADD, DRUG_UPDATE, DRUG_READ, DRUG_DELETE)
FACILITY_DRUG_KIND = "thuoc_co_so"  # its name in the simulator's push log
FACILITY_DRUG_ID = "ma_thuoc"
FACILITY_DRUG_REQUIRED = (LEGACY_FACILITY, FACILITY_DRUG_ID, "ten_thuoc")


def legacy_facility_drug_path(action):
    return f"{LEGACY_FACILITY_DRUGS_PATH}/{action}"


RECEIPT_FROM_SUPPLIER, RECEIPT_CUSTOMER_RETURN, RECEIPT_OPENING_STOCK = 1, 2, 3
ISSUE_RETURN_TO_SUPPLIER, ISSUE_DESTRUCTION, ISSUE_INTERNAL_TRANSFER = 2, 3, 4

# --- v2 (spec v1.1, 232/QĐ-TTYQG) -----------------------------------------------------

V2_LOGIN_PATH = "/auth/login"
V2_USERNAME = "username"
V2_PASSWORD = "password"  # sent Base64-encoded, as spec v1.1 asks
V2_ACCESS_TOKEN = "access_token"
V2_TOKEN_TYPE = "token_type"
V2_EXPIRES_IN = "expires_in"  # an integer number of seconds
# Handed out at login [seen], but no client calls a refresh endpoint: they log in again on
# a 401 or shortly before expiry, so neither the client nor the simulator has one.
V2_REFRESH_TOKEN = "refresh_token"
V2_ERROR = "error"
V2_MESSAGE_FIELDS = ("message", "detail", V2_ERROR)
V2_ERROR_LOCKED = "account_locked"
V2_ERROR_TOKEN_EXPIRED = "token_expired"

STOCK_IN, STOCK_OUT, STOCK_TAKING = "stock-in", "stock-out", "stock-taking"
V2_KINDS = (STOCK_IN, STOCK_OUT, STOCK_TAKING)
V2_REASONS = {
    STOCK_IN: ("supplier", "return", "transfer-in", "manufactured", "opening-balance", "imported"),
    STOCK_OUT: ("sale-retail", "return", "transfer-out", "destroy", "other"),
    STOCK_TAKING: (),
}
OPENING_BALANCE = "opening-balance"
SALE_RETAIL = "sale-retail"
OPENING_BALANCE_MISSING = "Chưa nhập phiếu tồn đầu kỳ"
# How a chain account names the member pharmacy is unsure: both names are accepted.
V2_FACILITY_FIELDS = ("practice_license_code", "store_id")
V2_DATE = "transaction_date"
V2_REASON = "reason"
V2_REFERENCE = "reference_number"
V2_ITEMS = "items"
V2_TRANSACTION_ID = "transaction_id"
V2_STATUS = "status"
# One client also reads these names [one]; the client accepts either, first name first.
V2_TRANSACTION_ID_FIELDS = (V2_TRANSACTION_ID, "id")
V2_STATUS_FIELDS = (V2_STATUS, "status_code")
V2_MESSAGES = "messages"
V2_SUBMITTED_AT = "submitted_at"
ACCEPTED, PROCESSING, COMPLETED, REJECTED, ERROR = (
    "accepted",
    "processing",
    "completed",
    "rejected",
    "error",
)
FINAL_STATUSES = (COMPLETED, REJECTED, ERROR)
V2_DRUGS_PATH = "/master/drugs"
V2_UNITS_PATH = "/master/units"


def v2_transaction_path(kind):
    return f"/transactions/{kind}"


def v2_status_path(kind, transaction_id):
    return f"/transactions/{kind}/{transaction_id}/status"


def v2_drug_path(drug_id):
    return f"{V2_DRUGS_PATH}/{drug_id}"


# --- Payloads ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One drug line of a document, in neutral words; the builders below name the fields."""

    drug_id: int
    drug_code: str
    name: str
    registration_no: str
    unit: str
    unit_id: int
    strength: str
    route: str
    manufacturer: str
    batch: str
    manufactured: date
    expiry: date
    quantity: int
    price: int

    @classmethod
    def of(cls, drug, *, batch, manufactured, expiry, quantity, price=None):
        """A line of `drug` (a catalogue entry), at the drug's own price unless given."""
        return cls(
            drug.id,
            drug.code,
            drug.name,
            drug.registration_number,
            drug.unit,
            drug.unit_id,
            drug.strength,
            drug.route,
            drug.manufacturer,
            batch,
            manufactured,
            expiry,
            quantity,
            drug.price if price is None else price,
        )


def _legacy_date(day):
    return day.strftime(LEGACY_DATE_FORMAT)


def _legacy_stock_line(line):
    return {
        "ma_thuoc": line.drug_code,
        "ten_thuoc": line.name,
        "so_lo": line.batch,
        "ngay_san_xuat": _legacy_date(line.manufactured),
        "han_dung": _legacy_date(line.expiry),
        "so_dklh": line.registration_no,
        "so_luong": line.quantity,
        "don_gia": line.price,
        "don_vi_tinh": line.unit,
    }


def legacy_invoice(*, facility_code, invoice_id, day, lines, seller="", customer=""):
    return {
        "ma_hoa_don": invoice_id,
        "ma_co_so": facility_code,
        "ngay_ban": _legacy_date(day),
        "ho_ten_nguoi_ban": seller,
        "ho_ten_khach_hang": customer,
        "ma_don_thuoc_quoc_gia": "",
        "hoa_don_chi_tiet": [
            {
                "ma_thuoc": line.drug_code,
                "ten_thuoc": line.name,
                "so_lo": line.batch,
                "ngay_san_xuat": _legacy_date(line.manufactured),
                "han_dung": _legacy_date(line.expiry),
                "don_vi_tinh": line.unit,
                "ham_luong": line.strength,
                "duong_dung": line.route,
                "lieu_dung": "",
                "so_dang_ky": line.registration_no,
                "so_luong": line.quantity,
                "don_gia": line.price,
                "thanh_tien": line.quantity * line.price,
                "ty_le_quy_doi": 1,
            }
            for line in lines
        ],
    }


def legacy_receipt(
    *, facility_code, receipt_id, day, lines, kind=RECEIPT_FROM_SUPPLIER, supplier="", note=""
):
    return {
        "ma_phieu": receipt_id,
        "ma_co_so": facility_code,
        "ngay_nhap": _legacy_date(day),
        "loai_phieu_nhap": kind,
        "ghi_chu": note,
        "ten_co_so_cung_cap": supplier,
        "chi_tiet": [_legacy_stock_line(line) for line in lines],
    }


def legacy_issue(
    *, facility_code, issue_id, day, lines, kind=ISSUE_RETURN_TO_SUPPLIER, receiver="", note=""
):
    return {
        "ma_phieu": issue_id,
        "ma_co_so": facility_code,
        "ngay_xuat": _legacy_date(day),
        "loai_phieu_xuat": kind,
        "ghi_chu": note,
        "ten_co_so_nhan": receiver,
        "chi_tiet": [_legacy_stock_line(line) for line in lines],
    }


def legacy_prescription(
    *,
    facility_code,
    prescription_id,
    when: datetime,
    lines,
    facility_name="",
    doctor="",
    patient=None,
    diagnosis=("", ""),
):
    """A clinic's prescription. ``patient`` holds ma_benh_nhan, ho_ten, tuoi, gioi_tinh
    (MALE, FEMALE, OTHER_SEX) and dia_chi; ``diagnosis`` is (ICD-10 code, name)."""
    return {
        "ma_don_thuoc_co_so_kcb": prescription_id,
        "thong_tin_don_vi": {"ma_co_so_kcb": facility_code, "ten_co_so_kcb": facility_name},
        "thong_tin_benh_nhan": dict(patient or {}),
        "thong_tin_benh": {"ma_benh": diagnosis[0], "ten_benh": diagnosis[1]},
        "thong_tin_don_thuoc": [
            {
                "ma_thuoc": line.drug_code,
                "ten_thuoc": line.name,
                "don_vi_tinh": line.unit,
                "ham_luong": line.strength,
                "duong_dung": line.route,
                "lieu_dung": "",
                "so_dang_ky": line.registration_no,
                "so_luong": line.quantity,
            }
            for line in lines
        ],
        "ngay_ke_don": when.strftime(PRESCRIPTION_DATE_FORMAT),
        "nguoi_ke_don": doctor,
    }


def legacy_facility_drug(*, facility_code, drug, price=None):
    """An entry of the facility's drug list, from a catalogue drug [guess: the fields]."""
    return {
        LEGACY_FACILITY: facility_code,
        FACILITY_DRUG_ID: drug.code,
        "ten_thuoc": drug.name,
        "so_dang_ky": drug.registration_number,
        "hoat_chat": drug.active_ingredient,
        "ham_luong": drug.strength,
        "dang_bao_che": drug.dosage_form,
        "don_vi_tinh": drug.unit,
        "duong_dung": drug.route,
        "hang_san_xuat": drug.manufacturer,
        "nuoc_san_xuat": drug.country,
        "gia_ban": drug.price if price is None else price,
    }


def v2_transaction(*, facility_code, reference, when: datetime, reason, lines, note=""):
    return {
        V2_DATE: when.isoformat(),
        V2_REASON: reason,
        V2_REFERENCE: reference,
        "supplier_id": None,
        V2_FACILITY_FIELDS[0]: facility_code,
        "note": note,
        V2_ITEMS: [
            {
                "drug_id": line.drug_id,
                "unit_id": line.unit_id,
                "quantity": line.quantity,
                "batch_no": line.batch,
                "expiry_date": line.expiry.isoformat(),
                "price": line.price,
                "gtin": "",
                "manufacturer": line.manufacturer,
            }
            for line in lines
        ],
    }
