"""Every state machine of the portal, next to its states: who may make each move, from
which states, to which, and its audit name.

The dossier's moves (`MOVES`) are applied by `services.dossiers.dossier_move`; Viettel's word
on the interconnection (`INTERCONNECTION_STEPS`) by `dossier_confirm_interconnection`; the login
check of a recorded account (`VERIFICATION_STEPS`) by `services.accounts.verification_move`;
the check that the initial password was changed (`CHANGE_CHECK_STEPS`) by
`services.accounts.change_check_move`. No other code changes those fields.

Every group of statuses the portal reasons about (open, clock running, profile locked, …) is
derived below from these tables, never listed by hand; views and templates ask the predicates
at the end (`allows`, `can_confirm_interconnection`, …) instead of comparing statuses.

Models import the state choices from here (this module imports no model).
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class DossierStatus(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    SUBMITTED = "submitted", _("Chờ thẩm định")
    NEEDS_INFO = "needs_info", _("Chờ cơ sở bổ sung")
    PROPOSED_APPROVAL = "proposed_approval", _("Đề xuất cấp, chờ lãnh đạo duyệt")
    PROPOSED_REJECTION = "proposed_rejection", _("Đề xuất từ chối, chờ lãnh đạo duyệt")
    APPROVED = "approved", _("Đã duyệt, chờ Viettel cấp tài khoản")
    REJECTED = "rejected", _("Từ chối")
    ISSUED = "issued", _("Đã cấp tài khoản, chờ cơ sở đổi mật khẩu")
    COMPLETED = "completed", _("Hoàn thành")
    WITHDRAWN = "withdrawn", _("Đã rút hồ sơ")


class Role(models.TextChoices):
    REVIEWER = "reviewer", _("Chuyên viên Sở Y tế")
    APPROVER = "approver", _("Lãnh đạo Sở Y tế")
    VIETTEL = "viettel", _("Cán bộ Chi nhánh Viettel")
    ADMIN = "admin", _("Quản trị hệ thống")


class Interconnection(models.TextChoices):
    PENDING = "pending", _("Chờ Viettel xác nhận liên thông")
    CONFIRMED = "confirmed", _("Viettel đã xác nhận")
    REFUSED = "refused", _("Viettel không xác nhận được")


class Verification(models.TextChoices):
    PENDING = "pending", _("Đang kiểm tra đăng nhập")
    VERIFIED = "verified", _("Đã kiểm tra: đăng nhập được")
    WRONG_CREDENTIALS = "wrong_credentials", _("Sai tên đăng nhập hoặc mật khẩu")
    LOCKED = "locked", _("Tài khoản bị khóa")
    UNREACHABLE = "unreachable", _("Chưa kết nối được hệ thống quốc gia")


class ChangeCheck(models.TextChoices):
    PENDING = "pending", _("Đang kiểm tra mật khẩu ban đầu")
    PASSED = "passed", _("Mật khẩu ban đầu không còn đăng nhập được")
    STILL_WORKS = "still_works", _("Mật khẩu ban đầu vẫn đăng nhập được")
    UNREACHABLE = "unreachable", _("Chưa kết nối được hệ thống quốc gia")
    OVERRIDDEN = "overridden", _("Sở Y tế cho phép hoàn thành dù mật khẩu ban đầu chưa đổi")


FACILITY = "facility"
# The portal itself (a task reporting what a national system answered).
SYSTEM = "system"
SO_Y_TE = (Role.REVIEWER, Role.APPROVER)

S = DossierStatus


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


# --- Status groups, derived from MOVES -------------------------------------------------------


def _in_order(statuses):
    """`statuses` in the order DossierStatus declares them (a stable tuple for constraints)."""
    return tuple(status for status in DossierStatus if status in set(statuses))


def _sources(*, actors=None, names=None):
    return {
        source
        for name, move in MOVES.items()
        if (actors is None or move.actor in actors) and (names is None or name in names)
        for source in move.sources
    }


def _reachable(starts, *, backwards=False):
    """Every status reachable from `starts` (included) by moves; `backwards`: every status
    from which one of `starts` can be reached."""
    seen, frontier = set(), set(starts)
    while frontier:
        status = frontier.pop()
        seen.add(status)
        for move in MOVES.values():
            if backwards and move.target == status:
                frontier |= set(move.sources) - seen
            elif not backwards and status in move.sources:
                frontier |= {move.target} - seen
    return seen


# Not finished: some move still leads on (one such dossier per facility and purpose).
OPEN_STATUSES = _in_order(_sources())
# The Sở has the next move: its clock runs, and only these dossiers can be late.
CLOCK_RUNNING = _in_order(_sources(actors=SO_Y_TE))
# Some staff member (the Sở or Viettel) has the next move: the facility profile they read
# must not change under them.
PROFILE_LOCKED = _in_order(_sources(actors=(*SO_Y_TE, Role.VIETTEL)))
# Waiting for the approver's decision.
PROPOSED = _in_order(_sources(actors=(Role.APPROVER,)))
# Submitted and not yet proposed for a decision (the reviewer's or the facility's turn).
IN_REVIEW = _in_order(
    _reachable({MOVES["submit"].target})
    & _reachable(_sources(names=("propose_approval", "propose_rejection")), backwards=True)
)
# Submitted and not yet handed over: Viettel's word on the interconnection still counts.
BEFORE_HANDOVER = _in_order(
    _reachable({MOVES["submit"].target}) & _reachable(MOVES["issue"].sources, backwards=True)
)
# After the approver's decision.
DECIDED = _in_order(_reachable({MOVES["approve"].target, MOVES["reject"].target}))
# The account has been handed over.
HANDED_OVER = _in_order(_reachable({MOVES["issue"].target}))
# The facility may still change what it files (the draft, or its answer to a request).
FACILITY_EDITS = _in_order(_sources(names=("submit", "respond")))
# A message may still be exchanged about the dossier.
CONVERSATION_OPEN = _in_order(set(OPEN_STATUSES) | {S.REJECTED})


# --- The smaller state machines --------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One move of a smaller state machine: from `sources` to `target`, by `actors`."""

    action: str
    sources: tuple
    target: str
    actors: tuple
    label: str


I = Interconnection  # noqa: E741 - a short alias for the table below
INTERCONNECTION_STEPS = {
    # Confirming again with another note (or changing one's mind) stays allowed until the
    # handover; the same word twice is no change.
    "confirm": Step(
        "interconnection.confirmed",
        (I.PENDING, I.REFUSED, I.CONFIRMED),
        I.CONFIRMED,
        (Role.VIETTEL,),
        _("Chi nhánh Viettel xác nhận liên thông"),
    ),
    "refuse": Step(
        "interconnection.refused",
        (I.PENDING, I.CONFIRMED, I.REFUSED),
        I.REFUSED,
        (Role.VIETTEL,),
        _("Chi nhánh Viettel không xác nhận được liên thông"),
    ),
}

V = Verification
NOT_VERIFIED = (V.PENDING, V.WRONG_CREDENTIALS, V.LOCKED, V.UNREACHABLE)
VERIFICATION_STEPS = {
    # Viettel records (again) the account it created: the check starts over.
    "record": Step(
        "account.recorded",
        NOT_VERIFIED + (V.VERIFIED,),
        V.PENDING,
        (Role.VIETTEL,),
        _("Chi nhánh Viettel ghi nhận tài khoản; Cổng sẽ thử đăng nhập trên hệ thống quốc gia."),
    ),
    # What one login answered. A verified account is never downgraded by a late result.
    V.VERIFIED: Step(
        "account.verification.verified",
        NOT_VERIFIED,
        V.VERIFIED,
        (SYSTEM,),
        _("Cổng đã đăng nhập thử thành công; Chi nhánh Viettel có thể bàn giao tài khoản."),
    ),
    V.WRONG_CREDENTIALS: Step(
        "account.verification.wrong_credentials",
        NOT_VERIFIED,
        V.WRONG_CREDENTIALS,
        (SYSTEM,),
        _(
            "Cổng đăng nhập thử không được: sai tên đăng nhập hoặc mật khẩu. Chi nhánh Viettel "
            "cần kiểm tra lại rồi ghi nhận lại tài khoản."
        ),
    ),
    V.LOCKED: Step(
        "account.verification.locked",
        NOT_VERIFIED,
        V.LOCKED,
        (SYSTEM,),
        _(
            "Hệ thống quốc gia báo tài khoản đang bị khoá. Chi nhánh Viettel cần mở khoá trên "
            "hệ thống quốc gia rồi ghi nhận lại tài khoản để Cổng thử lại."
        ),
    ),
    V.UNREACHABLE: Step(
        "account.verification.unreachable",
        NOT_VERIFIED,
        V.UNREACHABLE,
        (SYSTEM,),
        _(
            "Cổng chưa kết nối được hệ thống quốc gia để thử đăng nhập; Cổng sẽ tự thử lại "
            "sau ít phút."
        ),
    ),
}

C = ChangeCheck
CHECK_WAITING = (C.PENDING, C.UNREACHABLE)
CHANGE_CHECK_STEPS = {
    # The facility says it changed the password and consents to one login with the old one.
    "request": Step(
        "account.change_check.requested",
        ("", C.STILL_WORKS, C.OVERRIDDEN),
        C.PENDING,
        (FACILITY,),
        _(
            "Cơ sở báo đã đổi mật khẩu và đồng ý để Cổng thử đăng nhập bằng mật khẩu ban đầu; "
            "Cổng sẽ thử trong ít phút."
        ),
    ),
    # What that login answered (a refusal completes the dossier: see dossier.completed).
    C.PASSED: Step(
        "account.change_check.passed",
        CHECK_WAITING,
        C.PASSED,
        (SYSTEM,),
        _("Cổng đã thử: mật khẩu ban đầu không còn đăng nhập được."),
    ),
    C.STILL_WORKS: Step(
        "account.change_check.still_works",
        CHECK_WAITING,
        C.STILL_WORKS,
        (SYSTEM,),
        _(
            "Cổng đã thử: mật khẩu ban đầu vẫn đăng nhập được, tức là chưa được đổi. Cơ sở cần "
            "đổi mật khẩu rồi để Cổng kiểm tra lại; hồ sơ chưa thể hoàn thành."
        ),
    ),
    C.UNREACHABLE: Step(
        "account.change_check.unreachable",
        (C.PENDING,),
        C.UNREACHABLE,
        (SYSTEM,),
        _(
            "Cổng chưa kết nối được hệ thống quốc gia để thử mật khẩu ban đầu; Cổng sẽ tự thử "
            "lại sau ít phút."
        ),
    ),
    # The Sở lets the dossier complete although the last check found the password unchanged.
    "override": Step(
        "account.change_check.overridden",
        (C.STILL_WORKS,),
        C.OVERRIDDEN,
        SO_Y_TE,
        _("Sở Y tế cho phép cơ sở xác nhận hoàn thành dù Cổng thấy mật khẩu ban đầu chưa đổi"),
    ),
    # The facility confirms without the check while one still waits: it is dropped.
    "drop": Step(
        "account.change_check.dropped",
        CHECK_WAITING,
        "",
        (FACILITY,),
        _("Cơ sở xác nhận đã đổi mật khẩu; Cổng bỏ lần kiểm tra đang chờ."),
    ),
}


# --- Predicates for views and templates ------------------------------------------------------


def allows(dossier, move):
    """Whether the dossier's status lets `move` (a key of MOVES) be made now."""
    return dossier.status in MOVES[move].sources


def can_withdraw(dossier):
    return allows(dossier, "withdraw")


def can_confirm_interconnection(dossier):
    """Viettel's word counts from the submission until the handover (the service says the
    same: `dossier_confirm_interconnection`)."""
    return dossier.status in BEFORE_HANDOVER


def conversation_open(dossier):
    """Whether the facility may still write to the Sở about the dossier."""
    return dossier.status in CONVERSATION_OPEN


def profile_locked(statuses):
    """Whether a facility with dossiers in `statuses` may not edit its profile now."""
    return any(status in PROFILE_LOCKED for status in statuses)


def change_check_blocks_completion(account):
    """The portal's last login with the initial password worked, and nobody at the Sở has
    overridden it: the facility cannot say it changed the password."""
    return account is not None and account.change_check == C.STILL_WORKS


# Steps the portal records on its own from what a national system answered: their label is
# the whole story; what the system said (kept in the event's data) is for logs and the admin.
SYSTEM_ACTIONS = frozenset(
    step.action
    for table in (VERIFICATION_STEPS, CHANGE_CHECK_STEPS)
    for step in table.values()
    if SYSTEM in step.actors
)


def readable_note(event):
    """The note a person reads under a timeline step (a reason, a message), never a
    national system's technical answer (older events kept it in the note)."""
    return "" if event.action in SYSTEM_ACTIONS else event.note


# What each audited action reads as on a timeline: a sentence a person understands, saying
# what the portal does next where something follows. Technical detail stays in the logs.
EVENT_LABELS = {
    **{move.action: move.label for move in MOVES.values()},
    **{step.action: step.label for step in INTERCONNECTION_STEPS.values()},
    **{step.action: step.label for step in VERIFICATION_STEPS.values()},
    **{step.action: step.label for step in CHANGE_CHECK_STEPS.values()},
    "dossier.created": _("Tạo hồ sơ nháp"),
    "document.added": _("Đính kèm tài liệu"),
    "interconnection.pending": _("Chờ Viettel xác nhận lại liên thông"),
    "comment.message": _("Trao đổi"),
    "comment.internal": _("Ghi chú nội bộ"),
    "account.password_shown": _("Cơ sở xem mật khẩu ban đầu"),
    "letter.issued": _("Phát hành văn bản"),
    "apology.drafted": _("Cổng soạn sẵn phiếu xin lỗi: hồ sơ sắp trễ hạn"),
    "dossier.apology_sent": _("Gửi phiếu xin lỗi và hẹn lại ngày trả kết quả"),
    "facility.created": _("Khai báo cơ sở"),
    "facility.updated": _("Cập nhật thông tin cơ sở"),
}
