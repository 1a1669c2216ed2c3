"""Realistic sample contexts for every letter, used by the tests, the bench and previews.

The people, facility and vendor are invented; the place, the administrative units (the
two-level ones in force since 1 July 2025) and the forms of numbers are real.
Each function returns a fresh dict, so a caller may change it freely.
"""

import datetime
import hashlib
from zoneinfo import ZoneInfo

from provisioning.letters.documents import (
    apology_letter,
    archive_letter,
    decision_letter,
    handover_letter,
    receipt_letter,
    request_letter,
)

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
SO_Y_TE = ["UBND TỈNH BẮC NINH", "SỞ Y TẾ"]
AGENCY = "Sở Y tế tỉnh Bắc Ninh"
VIETTEL = ["TẬP ĐOÀN CÔNG NGHIỆP - VIỄN THÔNG QUÂN ĐỘI", "VIETTEL BẮC NINH"]
NATIONAL_SYSTEM = "Hệ thống cơ sở dữ liệu dược quốc gia (csdlduoc.com.vn)"
VENDOR = "Công ty Cổ phần Phần mềm Y Dược Phương Nam"
DOSSIER_CODE = "BN-2026-000123"
DEPUTY_DIRECTOR = {"authority": "KT. GIÁM ĐỐC", "title": "PHÓ GIÁM ĐỐC", "name": "Trần Văn Thượng"}
REVIEWER = "Phạm Thị Thu Hương"
REPRESENTATIVE = "Nguyễn Thị Hạnh"
VIETTEL_OFFICER = "Đỗ Quang Huy"


def _at(day, month, hour, minute, year=2026):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=LOCAL)


def _sha(text):
    return hashlib.sha256(text.encode()).hexdigest()


def facility() -> dict:
    return {
        "name": "Nhà thuốc Hạnh Phước",
        "kind": "Nhà thuốc (GPP)",
        "address": "Số 68 đường Nguyễn Đăng Đạo, phường Kinh Bắc, tỉnh Bắc Ninh",
        "tax_code": "2300987654",
        "phone": "0912 345 678",
        "email": "nhathuochanhphuoc@gmail.com",
        "code": "24-008179",
        "business_certificate": {
            "number": "156/ĐKKDD-BN",
            "date": datetime.date(2024, 3, 5),
            "issuer": AGENCY,
        },
        "gpp_certificate": {"number": "GPP-0156/BN", "date": datetime.date(2024, 3, 5)},
        "pharmacist": {"name": "Lê Thế Vượng", "certificate_number": "0789/BN-CCHND"},
    }


def _issued(number, date, code, signature=None, recipients=None) -> dict:
    return {
        "issuer": SO_Y_TE,
        "number": number,
        "place": "Bắc Ninh",
        "date": date,
        "signature": signature or DEPUTY_DIRECTOR,
        "recipients": recipients or ["Như trên", "Giám đốc Sở (để b/c)", "Lưu: VT, NVD"],
        "verification_code": code,
        "agency_name": AGENCY,
    }


def request_context() -> dict:
    return {
        "place": "Bắc Ninh",
        "date": datetime.date(2026, 11, 20),
        "verification_code": "H3N8R-5TWQC",
        "addressee": AGENCY,
        # A facility applying for its first account has no code on the national system yet.
        "facility": {**facility(), "code": ""},
        "vendor": {"name": VENDOR, "software": "PN-Pharma 4.2"},
        "connection_model": "vendor",
        "national_system": NATIONAL_SYSTEM,
        "attachments": [
            "Giấy chứng nhận đủ điều kiện kinh doanh dược số 156/ĐKKDD-BN (bản sao)",
            "Hợp đồng bảo mật thông tin giữa đơn vị cung cấp phần mềm và Viettel Solutions",
            "Biên bản xác nhận liên thông do Viettel Solutions cấp",
        ],
        "representative": {"name": REPRESENTATIVE, "position": "Chủ nhà thuốc"},
    }


def receipt_context() -> dict:
    return {
        **_issued(
            None,
            datetime.date(2026, 11, 20),
            "7KQ4M-2XDPA",
            signature={"title": "NGƯỜI TIẾP NHẬN HỒ SƠ", "name": REVIEWER},
            recipients=["Nhà thuốc Hạnh Phước", "Lưu: Bộ phận một cửa"],
        ),
        "dossier_code": DOSSIER_CODE,
        "lookup_code": "Q7M2-K9XD",
        "facility": facility(),
        "applicant": {
            "name": REPRESENTATIVE,
            "position": "Chủ nhà thuốc",
            "phone": "0912 345 678",
            "email": "hanh@gmail.com",
        },
        "request": "Cấp tài khoản liên thông dữ liệu dược",
        "documents": [
            {"title": "Đơn đề nghị cấp tài khoản liên thông", "form": "Bản điện tử"},
            {"title": "Giấy chứng nhận đủ điều kiện kinh doanh dược", "form": "Bản sao điện tử"},
            {"title": "Hợp đồng bảo mật thông tin", "form": "Bản sao điện tử"},
            {"title": "Biên bản xác nhận liên thông", "form": "Bản sao điện tử"},
        ],
        "working_days": 5,
        "received_at": _at(20, 11, 9, 15),
        "due_date": datetime.date(2026, 11, 27),
        "lookup_url": "https://lienthongduoc.bacninh.gov.vn/tra-cuu/",
        "result_channel": "trên Cổng Liên thông Dược và qua thư điện tử của cơ sở",
    }


def decision_context(approved=True) -> dict:
    context = {
        **_issued("312/TB-SYT", datetime.date(2026, 12, 3), "C5J9W-7HKPA"),
        "recipients": ["Như trên", "Chi nhánh Viettel Bắc Ninh", "Lưu: VT, NVD"],
        "facility": facility(),
        "dossier_code": DOSSIER_CODE,
        "submitted_on": datetime.date(2026, 11, 20),
        "national_system": NATIONAL_SYSTEM,
        "approved": approved,
        "handover_by": "Viettel Bắc Ninh",
    }
    if not approved:
        context["reasons"] = [
            "Giấy chứng nhận đủ điều kiện kinh doanh dược nộp kèm không còn hiệu lực.",
            "Biên bản xác nhận liên thông chưa có chữ ký của Viettel Solutions.",
        ]
    return context


def handover_context() -> dict:
    return {
        "issuer": VIETTEL,
        "number": "45/BB-VTBNI",
        "place": "Bắc Ninh",
        "date": datetime.date(2026, 12, 7),
        "verification_code": "W6C9T-P4HMB",
        "handed_at": _at(7, 12, 9, 30),
        "location": "Nhà thuốc Hạnh Phước, số 68 đường Nguyễn Đăng Đạo, phường Kinh Bắc",
        "giver": {
            "organisation": "Viettel Bắc Ninh - Chi nhánh Tập đoàn Công nghiệp - Viễn thông "
            "Quân đội",
            "name": VIETTEL_OFFICER,
            "title": "Kỹ thuật viên giải pháp y tế",
            "phone": "0983 456 789",
        },
        "receiver": {"name": REPRESENTATIVE, "title": "Người đại diện cơ sở"},
        "facility": facility(),
        "username": "24-008179",
        "national_system": NATIONAL_SYSTEM,
        "login_url": "https://csdlduoc.com.vn",
        "vendor": VENDOR,
    }


def apology_context() -> dict:
    return {
        **_issued("18/PXL-SYT", datetime.date(2026, 11, 26), "B8X3Q-1MZRT"),
        "facility": facility(),
        "dossier_code": DOSSIER_CODE,
        "received_on": datetime.date(2026, 11, 20),
        "old_due_date": datetime.date(2026, 11, 27),
        "new_due_date": datetime.date(2026, 12, 4),
        "reason": "Hệ thống cơ sở dữ liệu dược quốc gia tạm dừng tiếp nhận đăng ký tài khoản "
        "để nâng cấp từ ngày 24/11/2026 đến ngày 27/11/2026.",
    }


def archive_context(extra_steps=0) -> dict:
    """The whole history; `extra_steps` adds routine reminder steps to lengthen it."""
    steps = [
        (_at(19, 11, 16, 2), "Tạo hồ sơ nháp", REPRESENTATIVE, "Người đại diện cơ sở", ""),
        (_at(20, 11, 9, 15), "Nộp hồ sơ", REPRESENTATIVE, "Người đại diện cơ sở", ""),
        (_at(20, 11, 9, 15), "Tiếp nhận hồ sơ", "Hệ thống", "", "Hạn trả kết quả 27/11/2026."),
        (_at(21, 11, 8, 40), "Nhận xử lý", REVIEWER, "Chuyên viên Phòng Nghiệp vụ Dược", ""),
        (
            _at(23, 11, 10, 5),
            "Yêu cầu bổ sung",
            REVIEWER,
            "Chuyên viên Phòng Nghiệp vụ Dược",
            "Bản sao hợp đồng bảo mật thông tin bị mờ trang 2; đề nghị nộp lại bản rõ nét.",
        ),
        (_at(24, 11, 14, 20), "Nộp bổ sung", REPRESENTATIVE, "Người đại diện cơ sở", ""),
        (
            _at(25, 11, 9, 0),
            "Xác nhận liên thông",
            VIETTEL_OFFICER,
            "Cán bộ Viettel Bắc Ninh",
            "Đơn vị cung cấp phần mềm đã ký biên bản xác nhận liên thông.",
        ),
        (
            _at(26, 11, 8, 30),
            "Gửi phiếu xin lỗi, hẹn lại",
            REVIEWER,
            "Chuyên viên Phòng Nghiệp vụ Dược",
            "Hệ thống quốc gia tạm dừng đăng ký để nâng cấp; hẹn lại ngày 04/12/2026.",
        ),
        (
            _at(2, 12, 15, 45),
            "Đề xuất cấp tài khoản",
            REVIEWER,
            "Chuyên viên Phòng Nghiệp vụ Dược",
            "Hồ sơ đầy đủ, hợp lệ.",
        ),
        (_at(3, 12, 10, 10), "Phê duyệt", "Trần Văn Thượng", "Phó Giám đốc Sở", ""),
        (_at(3, 12, 10, 12), "Phát hành thông báo kết quả", "Hệ thống", "", "Số 312/TB-SYT."),
        (
            _at(4, 12, 14, 0),
            "Tạo tài khoản trên hệ thống quốc gia",
            VIETTEL_OFFICER,
            "Cán bộ Viettel Bắc Ninh",
            "Tên đăng nhập 24-008179.",
        ),
        (_at(7, 12, 9, 30), "Bàn giao tài khoản", VIETTEL_OFFICER, "Cán bộ Viettel Bắc Ninh", ""),
        (
            _at(7, 12, 15, 10),
            "Xác nhận đã đổi mật khẩu",
            REPRESENTATIVE,
            "Người đại diện cơ sở",
            "",
        ),
        (
            _at(8, 12, 7, 55),
            "Nhận dữ liệu đầu tiên",
            "Hệ thống",
            "",
            "12 phiếu nhập, 40 hóa đơn bán lẻ từ phần mềm PN-Pharma.",
        ),
    ]
    for index in range(extra_steps):
        steps.append(
            (_at(8, 12, 8, index % 60), "Kiểm tra đồng bộ", "Hệ thống", "", "Dữ liệu đều đặn.")
        )
    documents = [
        ("Đơn đề nghị cấp tài khoản liên thông", 1, "don-de-nghi.pdf", 184_320, 20),
        ("Giấy chứng nhận đủ điều kiện kinh doanh dược", 1, "gcn-dkkdd-156.pdf", 1_245_184, 20),
        ("Hợp đồng bảo mật thông tin", 1, "hop-dong-bao-mat.pdf", 2_310_528, 20),
        ("Hợp đồng bảo mật thông tin", 2, "hop-dong-bao-mat-ban-ro.pdf", 2_906_112, 24),
        ("Biên bản xác nhận liên thông", 1, "bien-ban-xac-nhan.jpg", 845_210, 20),
    ]
    return {
        "issuer": SO_Y_TE,
        "place": "Bắc Ninh",
        "date": datetime.date(2026, 12, 8),
        "verification_code": "R2V7K-9NDQE",
        "facility": facility(),
        "national_system": NATIONAL_SYSTEM,
        "vendor": VENDOR,
        "dossier": {
            "code": DOSSIER_CODE,
            "submitted_at": _at(20, 11, 9, 15),
            "due_date": datetime.date(2026, 11, 27),
            "extended_due_date": datetime.date(2026, 12, 4),
            "outcome": "Đã cấp tài khoản liên thông",
            "closed_at": _at(7, 12, 15, 10),
        },
        "steps": [
            {"at": at, "action": action, "actor": actor, "role": role, "reason": reason}
            for at, action, actor, role, reason in steps
        ],
        "documents": [
            {
                "title": title,
                "version": version,
                "name": name,
                "size": size,
                "uploaded_by": REPRESENTATIVE,
                "uploaded_at": _at(day, 11, 9, 10),
                "sha256": _sha(name),
            }
            for title, version, name, size, day in documents
        ],
        "issued_letters": [
            {
                "title": title,
                "number": number,
                "date": date,
                "verification_code": code,
                "sha256": _sha(code),
            }
            for title, number, date, code in [
                ("Phiếu tiếp nhận hồ sơ", "", datetime.date(2026, 11, 20), "7KQ4M-2XDPA"),
                (
                    "Phiếu xin lỗi, hẹn lại",
                    "18/PXL-SYT",
                    datetime.date(2026, 11, 26),
                    "B8X3Q-1MZRT",
                ),
                ("Thông báo kết quả", "312/TB-SYT", datetime.date(2026, 12, 3), "C5J9W-7HKPA"),
                ("Biên bản bàn giao", "45/BB-VTBNI", datetime.date(2026, 12, 7), "W6C9T-P4HMB"),
            ]
        ],
        "handover": {
            "username": "24-008179",
            "at": _at(7, 12, 9, 30),
            "by": f"{VIETTEL_OFFICER} (Viettel Bắc Ninh)",
            "receiver": f"{REPRESENTATIVE} (Người đại diện cơ sở)",
        },
        "confirmation": {"at": _at(7, 12, 15, 10), "by": REPRESENTATIVE},
    }


# Every letter with the sample that renders it, in the order a dossier produces them.
LETTERS = {
    "request_letter": (request_letter, request_context),
    "receipt_letter": (receipt_letter, receipt_context),
    "apology_letter": (apology_letter, apology_context),
    "decision_letter": (decision_letter, decision_context),
    "handover_letter": (handover_letter, handover_context),
    "archive_letter": (archive_letter, archive_context),
}
