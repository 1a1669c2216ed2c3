"""Sync reports: what software tells the portal about each push it made.

`reports_ingest` checks each report on its own (a bad one is rejected with a code and a
Vietnamese message, the rest still count), stores the new ones in one insert, adds them to
the daily counts in one upsert and moves the accounts' status, all in one transaction.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import NationalAccount, NationalSystem
from .keys import api_key_touch
from .models import COUNT_FIELDS, KINDS_BY_SYSTEM, MonitoringStatus
from .services import record_moves, states_for
from .sql import add_to_days, insert_reports, update_states
from .status import SILENCE_REASONS, can_move, silence_status

MAX_REPORTS = 1000
FIELDS = ("facility_code", "system", "kind", "national_id", "pushed_at")


@dataclass
class IngestResult:
    accepted: int = 0
    duplicates: int = 0
    rejected: list = field(default_factory=list)

    def reject(self, index, code, message):
        self.rejected.append({"index": index, "code": code, "message": str(message)})

    def as_dict(self):
        return {"accepted": self.accepted, "duplicates": self.duplicates, "rejected": self.rejected}


@dataclass(frozen=True)
class Report:
    index: int
    facility_code: str
    system: str
    kind: str
    national_id: str
    pushed_at: datetime


def _parse(index, item, result, now):
    """A checked `Report`, or None after recording why it is rejected."""
    if not isinstance(item, dict) or not all(
        isinstance(item.get(name), str) and item[name].strip() for name in FIELDS
    ):
        result.reject(
            index,
            "invalid",
            _("Báo cáo phải có đủ các trường %(fields)s, mỗi trường là một chuỗi.")
            % {"fields": ", ".join(FIELDS)},
        )
        return None
    system, kind = item["system"].strip(), item["kind"].strip()
    national_id, code = item["national_id"].strip(), item["facility_code"].strip()
    if system not in NationalSystem.values:
        result.reject(index, "bad_system", _("Hệ thống phải là “legacy” hoặc “v2”."))
        return None
    if kind not in KINDS_BY_SYSTEM[system]:
        result.reject(
            index,
            "bad_kind",
            _("Loại dữ liệu “%(kind)s” không có trên hệ thống %(system)s; được dùng: %(kinds)s.")
            % {"kind": kind, "system": system, "kinds": ", ".join(KINDS_BY_SYSTEM[system])},
        )
        return None
    if len(national_id) > 100 or len(code) > 50:
        result.reject(index, "invalid", _("Mã quốc gia hoặc mã cơ sở quá dài."))
        return None
    try:
        pushed_at = datetime.fromisoformat(item["pushed_at"].strip())
    except ValueError:
        pushed_at = None
    if pushed_at is None or pushed_at.tzinfo is None:
        result.reject(
            index,
            "bad_time",
            _("Thời điểm gửi phải theo ISO 8601 và có múi giờ, ví dụ 2026-12-01T08:30:00+07:00."),
        )
        return None
    if pushed_at > now + timedelta(seconds=settings.MONITORING_CLOCK_SKEW_SECONDS):
        result.reject(
            index, "future_time", _("Thời điểm gửi ở tương lai: hãy kiểm tra đồng hồ máy gửi.")
        )
        return None
    if pushed_at < now - timedelta(days=settings.MONITORING_REPORT_RETENTION_DAYS):
        result.reject(
            index,
            "too_old",
            _("Thời điểm gửi đã quá %(days)s ngày; Cổng không nhận báo cáo cũ như vậy.")
            % {"days": settings.MONITORING_REPORT_RETENTION_DAYS},
        )
        return None
    # Within the allowed skew a time slightly ahead counts as now.
    return Report(index, code, system, kind, national_id, min(pushed_at, now))


def _accounts(reports):
    """{(system, facility_code): (account id, facility id, vendor id, facility type)}."""
    codes = defaultdict(set)
    for report in reports:
        codes[report.system].add(report.facility_code)
    found = {}
    for system, system_codes in codes.items():
        rows = NationalAccount.objects.filter(system=system, facility_code__in=system_codes)
        for code, *account in rows.values_list(
            "facility_code", "pk", "facility_id", "facility__vendor_id", "facility__kind"
        ):
            found[(system, code)] = tuple(account)
    return found


def _in_scope(key, facility_id, vendor_id):
    if key.facility_id:
        return key.facility_id == facility_id
    return key.vendor_id == vendor_id


def reports_ingest(*, key, items, now=None):
    """Take a batch of reports sent with `key`; returns the `IngestResult`."""
    now = now or timezone.now()
    result = IngestResult()
    parsed = [r for index, item in enumerate(items) if (r := _parse(index, item, result, now))]
    accounts = _accounts(parsed)
    rows, seen, kinds_of = [], set(), {}
    for report in parsed:
        account = accounts.get((report.system, report.facility_code))
        if account is None:
            result.reject(
                report.index,
                "unknown_code",
                _("Không có tài khoản liên thông nào mang mã cơ sở “%(code)s” trên hệ thống này.")
                % {"code": report.facility_code},
            )
            continue
        account_id, facility_id, vendor_id, facility_kind = account
        if not _in_scope(key, facility_id, vendor_id):
            result.reject(
                report.index,
                "out_of_scope",
                _("Khóa API này không được báo cáo cho cơ sở “%(code)s”.")
                % {"code": report.facility_code},
            )
            continue
        identity = (report.system, report.national_id)
        if identity in seen:
            result.duplicates += 1
            continue
        seen.add(identity)
        kinds_of[account_id] = facility_kind
        rows.append((report, account_id))
    # Race: rows in one order (system, national id), so that two batches sharing reports
    # wait on each other instead of deadlocking; daily rows and states likewise in id order.
    rows.sort(key=lambda row: (row[0].system, row[0].national_id))
    with transaction.atomic():
        inserted = insert_reports(
            [
                (r.system, r.national_id, r.kind, account_id, r.pushed_at, now, key.pk)
                for r, account_id in rows
            ]
        )
        new = [(r, account_id) for r, account_id in rows if (r.system, r.national_id) in inserted]
        result.accepted = len(new)
        result.duplicates += len(rows) - len(new)
        add_to_days(_day_rows(new))
        _record_data(new, kinds_of, now)
    # Outside the transaction: batches sent with one key must not queue on its row.
    api_key_touch(key, at=now)
    return result


def _day_rows(new):
    days = {}
    for report, account_id in new:
        day = timezone.localdate(report.pushed_at)
        row = days.get((account_id, day))
        if row is None:
            row = days[(account_id, day)] = {
                "account": account_id,
                "system": report.system,
                "day": day,
                "pushes": 0,
                **{column: 0 for column in COUNT_FIELDS.values()},
                "first_push_at": report.pushed_at,
                "last_push_at": report.pushed_at,
            }
        row["pushes"] += 1
        row[COUNT_FIELDS[report.kind]] += 1
        row["first_push_at"] = min(row["first_push_at"], report.pushed_at)
        row["last_push_at"] = max(row["last_push_at"], report.pushed_at)
    return [days[key] for key in sorted(days)]


def _record_data(new, kinds_of, now):
    """Last-seen times, and the status the new data gives each account (one UPDATE)."""
    newest = {}
    for report, account_id in new:
        newest[account_id] = max(newest.get(account_id, report.pushed_at), report.pushed_at)
    record_data_seen(newest, kinds_of, at=now)


def record_data_seen(newest, kinds_of, *, at, source=None):
    """Evidence that data arrived: {account id: newest data time} moves each account's
    last-seen time (never back) and its status; `kinds_of` gives each facility's type. The
    API and the national systems' activity import (`source` in the evidence) both use it.
    Returns the number of status moves."""
    now = at
    if not newest:
        return 0
    states = states_for(newest, at=now)
    moves = []
    for account_id, state in states.items():
        pushed = newest[account_id]
        if state.last_data_at is None or pushed > state.last_data_at:
            state.last_data_at = pushed
        if pushed > state.quiet_since:
            state.quiet_since = pushed
        evidence = {"last_data_at": timezone.localtime(pushed).isoformat(timespec="seconds")}
        if source:
            evidence["source"] = source
        target = silence_status(kinds_of[account_id], state.quiet_since, now)
        if target is None:
            reason = "first_data" if state.status == MonitoringStatus.WAITING else "data_resumed"
        else:
            # Data old enough to leave the account late or silent (sent after an outage).
            reason = SILENCE_REASONS[target]
        if can_move(state.status, reason):
            if state.status == MonitoringStatus.PAUSED:
                state.paused_until = None
            moves.append((state, reason, evidence))
    moved = record_moves(moves, at=now)
    update_states(
        list(states.values()), ["status", "since", "last_data_at", "quiet_since", "paused_until"]
    )
    return moved
