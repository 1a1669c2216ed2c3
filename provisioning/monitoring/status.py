"""An account's monitoring status: every allowed move, in one table.

`services.monitoring_move` applies a move to one account (staff actions, pauses); the sweep
(`services.monitoring_sweep`) and the ingestion (`ingest.reports_ingest`) apply the same
moves to many accounts at once with set-based queries. Neither knows a status the table
does not name.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import MonitoringStatus as S

# Who makes each move (checked by `permissions.may_make`).
SYSTEM = "system"  # the portal by itself: ingestion, sweep
HEALTH_DEPARTMENT = "soyte"  # a reviewer or approver of the facility's province
# Whoever issued the account: the Viettel branch on the legacy system, the Sở Y tế on the
# 2026 system (Decision 412: the issuer locks an account silent for three months).
ISSUER = "issuer"


@dataclass(frozen=True)
class Move:
    sources: tuple
    target: str
    by: str
    label: str


# Statuses in which silence is counted: the sweep may move them, data makes them active.
WATCHED = (S.WAITING, S.ACTIVE, S.LATE, S.SILENT, S.DUE_LOCK)


def _watched_except(*statuses):
    return tuple(status for status in WATCHED if status not in statuses)


# The key of each move is the reason written on its status-change row.
MOVES = {
    "enrolled": Move((), S.WAITING, SYSTEM, _("Bắt đầu theo dõi sau khi bàn giao tài khoản")),
    "first_data": Move((S.WAITING,), S.ACTIVE, SYSTEM, _("Nhận được dữ liệu đầu tiên")),
    # Data during a pause ends the pause: the facility is open again.
    "data_resumed": Move(
        (S.LATE, S.SILENT, S.DUE_LOCK, S.PAUSED), S.ACTIVE, SYSTEM, _("Có dữ liệu trở lại")
    ),
    # The sweep classifies by days without data. Its moves also lead back from a worse
    # status when a late-arriving report shortens the silence (silent → late).
    "late": Move(_watched_except(S.LATE), S.LATE, SYSTEM, _("Quá hạn chưa có dữ liệu")),
    "silent": Move(_watched_except(S.SILENT), S.SILENT, SYSTEM, _("Lâu ngày không có dữ liệu")),
    "due_lock": Move(
        _watched_except(S.DUE_LOCK),
        S.DUE_LOCK,
        SYSTEM,
        _("Không có dữ liệu quá thời hạn phải khóa tài khoản"),
    ),
    "paused": Move(WATCHED, S.PAUSED, HEALTH_DEPARTMENT, _("Tạm ngừng hoạt động")),
    # A pause ends by itself after its end date: active again, or still waiting for data.
    "pause_ended": Move((S.PAUSED,), S.ACTIVE, SYSTEM, _("Hết thời gian tạm ngừng")),
    "pause_ended_waiting": Move((S.PAUSED,), S.WAITING, SYSTEM, _("Hết thời gian tạm ngừng")),
    "locked": Move((S.DUE_LOCK,), S.LOCKED, ISSUER, _("Đã khóa tài khoản trên hệ thống quốc gia")),
    "unlocked": Move((S.LOCKED,), S.WAITING, ISSUER, _("Đã mở khóa tài khoản")),
    # Revoked is terminal: no move has it as a source.
    "revoked": Move((*WATCHED, S.PAUSED, S.LOCKED), S.REVOKED, ISSUER, _("Thu hồi tài khoản")),
}

# The sweep's thresholds, from the longest silence down: an account moves once, straight
# to the status its silence deserves.
SILENCE_MOVES = ("due_lock", "silent", "late")
SILENCE_REASONS = {MOVES[reason].target: reason for reason in SILENCE_MOVES}

REASON_LABELS = {reason: move.label for reason, move in MOVES.items()}


def can_move(status, reason):
    return status in MOVES[reason].sources


def grace_days(kind):
    """{"late": days, "silent": days, "due_lock": days} for a facility type (settings)."""
    return {**settings.MONITORING_GRACE_DEFAULT, **settings.MONITORING_GRACE_DAYS.get(kind, {})}


def silence_windows(kind, at):
    """For each silence move, the range of `quiet_since` that puts an account there at `at`:
    (earliest exclusive or None, latest inclusive)."""
    days = grace_days(kind)
    bounds = [at - timedelta(days=days[reason]) for reason in SILENCE_MOVES]
    # due_lock: quiet since before its bound; silent: between due_lock's and its own; ...
    return {
        reason: (bounds[index - 1] if index else None, bounds[index])
        for index, reason in enumerate(SILENCE_MOVES)
    }


def silence_status(kind, quiet_since, at):
    """The status silence alone gives (None: not long enough to matter)."""
    for reason, (after, until) in silence_windows(kind, at).items():
        if quiet_since <= until and (after is None or quiet_since > after):
            return MOVES[reason].target
    return None


# What the facility reads on its own page for each status: where it stands, what to do.
ADVICE = {
    S.WAITING: _(
        "Cổng chưa nhận được dữ liệu nào từ khi bàn giao tài khoản. Hãy giao tài khoản cho đơn "
        "vị phần mềm để kết nối; dữ liệu phải được gửi ngay sau mỗi lần nhập, xuất, bán thuốc."
    ),
    S.ACTIVE: _("Dữ liệu đang được gửi đều đặn. Cơ sở không cần làm gì thêm."),
    S.LATE: _(
        "Đã quá hạn mà Cổng chưa thấy dữ liệu mới. Hãy kiểm tra phần mềm có gửi được dữ liệu "
        "lên hệ thống quốc gia không, hoặc liên hệ đơn vị phần mềm."
    ),
    S.SILENT: _(
        "Cơ sở đã ngừng gửi dữ liệu nhiều ngày. Hãy liên hệ ngay đơn vị phần mềm và các đầu mối "
        "hỗ trợ; nếu cơ sở tạm ngừng hoạt động, hãy báo Sở Y tế."
    ),
    S.DUE_LOCK: _(
        "Cơ sở không gửi dữ liệu quá thời hạn: theo Quyết định 412/QĐ-BYT tài khoản sẽ bị khóa. "
        "Hãy liên hệ ngay Sở Y tế và đơn vị phần mềm."
    ),
    S.LOCKED: _(
        "Tài khoản đã bị khóa trên hệ thống quốc gia. Hãy liên hệ Chi nhánh Viettel tỉnh hoặc "
        "Sở Y tế để được mở khóa."
    ),
    S.PAUSED: _(
        "Cơ sở đang tạm ngừng hoạt động. Sau ngày kết thúc tạm ngừng, Cổng tự theo dõi lại."
    ),
    S.REVOKED: _("Tài khoản liên thông đã bị thu hồi."),
}
