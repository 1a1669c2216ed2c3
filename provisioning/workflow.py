"""The dossier's state machine: every allowed move, who may make it, and its audit name.

`services.dossiers.dossier_move` is the only code that applies these moves.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import DossierStatus as S
from .models import Role

FACILITY = "facility"


@dataclass(frozen=True)
class Move:
    action: str
    sources: tuple
    target: str
    actor: str
    label: str


MOVES = {
    "submit": Move("dossier.submitted", (S.DRAFT,), S.SUBMITTED, FACILITY, _("Nộp hồ sơ")),
    "request_info": Move(
        "dossier.info_requested",
        (S.SUBMITTED,),
        S.NEEDS_INFO,
        Role.REVIEWER,
        _("Yêu cầu bổ sung"),
    ),
    "respond": Move(
        "dossier.info_provided", (S.NEEDS_INFO,), S.SUBMITTED, FACILITY, _("Gửi bổ sung")
    ),
    "propose_approval": Move(
        "dossier.approval_proposed",
        (S.SUBMITTED,),
        S.PROPOSED_APPROVAL,
        Role.REVIEWER,
        _("Đề xuất cấp tài khoản"),
    ),
    "propose_rejection": Move(
        "dossier.rejection_proposed",
        (S.SUBMITTED,),
        S.PROPOSED_REJECTION,
        Role.REVIEWER,
        _("Đề xuất từ chối"),
    ),
    "approve": Move(
        "dossier.approved", (S.PROPOSED_APPROVAL,), S.APPROVED, Role.APPROVER, _("Phê duyệt")
    ),
    "reject": Move(
        "dossier.rejected",
        (S.PROPOSED_REJECTION,),
        S.REJECTED,
        Role.APPROVER,
        _("Đồng ý từ chối"),
    ),
    "return": Move(
        "dossier.returned",
        (S.PROPOSED_APPROVAL, S.PROPOSED_REJECTION),
        S.SUBMITTED,
        Role.APPROVER,
        _("Trả lại chuyên viên"),
    ),
    "issue": Move("dossier.issued", (S.APPROVED,), S.ISSUED, Role.VIETTEL, _("Bàn giao tài khoản")),
    "confirm_password_change": Move(
        "dossier.completed",
        (S.ISSUED,),
        S.COMPLETED,
        FACILITY,
        _("Xác nhận đã đổi mật khẩu"),
    ),
    "withdraw": Move(
        "dossier.withdrawn",
        (S.DRAFT, S.SUBMITTED, S.NEEDS_INFO),
        S.WITHDRAWN,
        FACILITY,
        _("Rút hồ sơ"),
    ),
}

# What each audited action reads as on a timeline.
EVENT_LABELS = {
    **{move.action: move.label for move in MOVES.values()},
    "dossier.created": _("Tạo hồ sơ nháp"),
    "document.added": _("Đính kèm tài liệu"),
    "interconnection.confirmed": _("Chi nhánh Viettel xác nhận liên thông"),
    "interconnection.refused": _("Chi nhánh Viettel không xác nhận được liên thông"),
    "interconnection.pending": _("Chờ Viettel xác nhận lại liên thông"),
    "comment.message": _("Trao đổi"),
    "comment.internal": _("Ghi chú nội bộ"),
    "account.recorded": _("Ghi nhận tài khoản trên hệ thống quốc gia"),
    "account.password_shown": _("Cơ sở xem mật khẩu ban đầu"),
    "account.verification.verified": _("Kiểm tra đăng nhập: thành công"),
    "account.verification.wrong_credentials": _("Kiểm tra đăng nhập: sai thông tin"),
    "account.verification.locked": _("Kiểm tra đăng nhập: tài khoản bị khoá"),
    "account.verification.unreachable": _("Kiểm tra đăng nhập: chưa kết nối được"),
    "account.change_check.requested": _(
        "Cơ sở đồng ý để Cổng kiểm tra mật khẩu ban đầu không còn dùng được"
    ),
    "account.change_check.still_works": _("Kiểm tra đổi mật khẩu: mật khẩu ban đầu vẫn dùng được"),
    "account.change_check.unreachable": _("Kiểm tra đổi mật khẩu: chưa kết nối được"),
    "letter.issued": _("Phát hành văn bản"),
    "apology.drafted": _("Cổng soạn sẵn phiếu xin lỗi: hồ sơ sắp trễ hạn"),
    "dossier.apology_sent": _("Gửi phiếu xin lỗi và hẹn lại ngày trả kết quả"),
    "facility.created": _("Khai báo cơ sở"),
    "facility.updated": _("Cập nhật thông tin cơ sở"),
}
