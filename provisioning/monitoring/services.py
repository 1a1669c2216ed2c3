"""Every write to an account's monitoring status: enrolment, the sweep, staff moves.

Each move is checked against `status.MOVES` and leaves a `StatusChange` row in the same
transaction. Many accounts move at once through set-based queries (one UPDATE per chunk),
never one query per account.
"""

from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ..errors import NotAllowed, WorkflowError
from ..models import NationalAccount
from ..services.audit import record_event
from .models import AccountDay, MonitoringState, MonitoringStatus, StatusChange, SyncReport
from .permissions import may_make
from .sql import insert_rows, update_states
from .status import MOVES, SILENCE_MOVES, can_move, grace_days, silence_windows

CHUNK = 2000
CHANGE_FIELDS = ["account", "old_status", "new_status", "reason", "evidence", "actor", "at"]


def record_moves(moves, *, at, actor=None):
    """Write the status-change rows of `moves` [(state, reason, evidence)] and set each
    state's new status in memory; the caller saves the states (one UPDATE)."""
    changes = []
    for state, reason, evidence in moves:
        move = MOVES[reason]
        if reason != "enrolled" and not can_move(state.status, reason):
            raise ValueError(f"{state.status} cannot move by {reason}")
        old = "" if reason == "enrolled" else state.status
        changes.append((state.pk, old, move.target, reason, evidence, actor and actor.pk, at))
        state.status = move.target
        state.since = at
    insert_rows(StatusChange, CHANGE_FIELDS, changes)
    return len(changes)


def states_for(account_ids, *, at):
    """The locked monitoring states of these accounts, enrolling (as waiting) those handed
    over and not yet monitored. Accounts not handed over have no state and are left out.

    Race: the ingestion and the sweep may enrol one account at once; both lock the account
    row before creating its state and look again under the lock, so the second sees the
    state the first created. States are locked in id order, as everywhere else, so two
    batches never deadlock.
    """
    account_ids = sorted(set(account_ids))
    locked = MonitoringState.objects.select_for_update().order_by("pk")
    states = {state.pk: state for state in locked.filter(pk__in=account_ids)}
    missing = [pk for pk in account_ids if pk not in states]
    if missing and _enrol(missing, at=at):
        states.update((state.pk, state) for state in locked.filter(pk__in=missing))
    return states


def _enrol(account_ids, *, at):
    """Create the waiting state of each handed-over account in `account_ids` that has none;
    call inside a transaction. Silence counts from the handover or from data already seen."""
    locked = list(
        NationalAccount.objects.select_for_update()
        .filter(pk__in=account_ids, handed_over_at__isnull=False)
        .order_by("pk")
        .values_list("pk", "handed_over_at")
    )
    # Asked after the lock, in a statement of its own: it sees what whoever held the lock
    # before us committed.
    enrolled = set(
        MonitoringState.objects.filter(pk__in=[pk for pk, _handed in locked]).values_list(
            "pk", flat=True
        )
    )
    accounts = [(pk, handed) for pk, handed in locked if pk not in enrolled]
    if not accounts:
        return 0
    last_push = dict(
        AccountDay.objects.filter(account_id__in=[pk for pk, _handed in accounts])
        .values("account_id")
        .annotate(last=Max("last_push_at"))
        .values_list("account_id", "last")
    )
    waiting = MOVES["enrolled"].target
    insert_rows(
        MonitoringState,
        ["account", "status", "since", "last_data_at", "quiet_since", "enrolled_at"],
        [
            (pk, waiting, at, last_push.get(pk), max(handed, last_push.get(pk) or handed), at)
            for pk, handed in accounts
        ],
    )
    insert_rows(
        StatusChange,
        CHANGE_FIELDS,
        [
            (pk, "", waiting, "enrolled", {"handed_over_at": _iso(handed)}, None, at)
            for pk, handed in accounts
        ],
    )
    return len(accounts)


def monitoring_sweep(*, at=None):
    """Bring every account's status up to date as of `at` (default now); safe to rerun.

    Enrols handed-over accounts, ends pauses past their end date, moves accounts by days
    without data (per facility type) and deletes raw reports past their retention.
    Returns how many accounts each reason moved.
    """
    at = at or timezone.now()
    counts = Counter()
    counts["enrolled"] = _sweep_enrolment(at)
    counts.update(_sweep_pauses(at))
    counts.update(_sweep_silence(at))
    counts["purged"] = _purge_reports(min(at, timezone.now()))
    return counts


def _chunks(queryset):
    """Ids of `queryset` in chunks, read afresh each time (earlier chunks have moved on)."""
    last = None
    while True:
        page = queryset if last is None else queryset.filter(pk__gt=last)
        ids = list(page.order_by("pk").values_list("pk", flat=True)[:CHUNK])
        if not ids:
            return
        yield ids
        last = ids[-1]


def _sweep_enrolment(at):
    pending = NationalAccount.objects.filter(
        handed_over_at__isnull=False, handed_over_at__lte=at, monitoring__isnull=True
    )
    enrolled = 0
    for ids in _chunks(pending):
        with transaction.atomic():
            enrolled += _enrol(ids, at=at)
    return enrolled


def _sweep_pauses(at):
    """Pauses whose last day is past resume by themselves; silence counts afresh from `at`."""
    counts = Counter()
    ended = MonitoringState.objects.filter(
        status=MonitoringStatus.PAUSED, paused_until__lt=timezone.localdate(at)
    )
    for ids in _chunks(ended):
        with transaction.atomic():
            # Asked again under the lock: the pause may have ended with data meanwhile.
            states = list(ended.select_for_update().filter(pk__in=ids).order_by("pk"))
            moves = [
                (
                    state,
                    "pause_ended" if state.last_data_at else "pause_ended_waiting",
                    {"paused_until": state.paused_until.isoformat()},
                )
                for state in states
            ]
            record_moves(moves, at=at)
            for state in states:
                state.quiet_since = at
                state.paused_until = None
            update_states(states, ["status", "since", "quiet_since", "paused_until"])
            counts.update(reason for _state, reason, _evidence in moves)
    return counts


def _kind_groups():
    """Facility types grouped by identical grace days: [(kinds, excluded kinds, days)], so
    that the sweep asks one query per group and threshold, not one per type."""
    from ..models import Facility

    overridden = [kind for kind in Facility.Kind.values if grace_days(kind) != grace_days("")]
    groups = {}
    for kind in overridden:
        groups.setdefault(tuple(sorted(grace_days(kind).items())), []).append(kind)
    return [(None, overridden, "")] + [(kinds, None, kinds[0]) for kinds in groups.values()]


def _sweep_silence(at):
    counts = Counter()
    for kinds, excluded, sample_kind in _kind_groups():
        windows = silence_windows(sample_kind, at)
        days = grace_days(sample_kind)
        for reason in SILENCE_MOVES:
            after, until = windows[reason]
            # The accounts this move applies to, whatever their facility type.
            condition = Q(status__in=MOVES[reason].sources, quiet_since__lte=until)
            if after is not None:
                condition &= Q(quiet_since__gt=after)
            candidates = MonitoringState.objects.filter(condition)
            if kinds is not None:
                candidates = candidates.filter(account__facility__kind__in=kinds)
            if excluded:
                candidates = candidates.exclude(account__facility__kind__in=excluded)
            # One query finds them all (the join on the facility type is paid once), then
            # each chunk is locked and moved by its ids.
            ids = list(candidates.order_by("pk").values_list("pk", flat=True))
            for start in range(0, len(ids), CHUNK):
                chunk = ids[start : start + CHUNK]
                counts[reason] += _move_silent(chunk, reason, condition, days[reason], at)
    return counts


def _move_silent(ids, reason, condition, threshold, at):
    """Move these accounts by `reason`: one query locks them, one insert writes their
    status-change rows, one UPDATE moves them. Returns how many moved.

    Race: data may arrive for an account between the candidates' query and this move. The
    rows are locked and the sweep's condition asked again under the lock, so an account
    that has just become active stays active.
    """
    with transaction.atomic():
        rows = list(
            MonitoringState.objects.select_for_update()
            .filter(condition, pk__in=ids)
            .order_by("pk")
            .values_list("pk", "status", "quiet_since")
        )
        if not rows:
            return 0
        target = MOVES[reason].target
        evidence = {"threshold_days": threshold}
        insert_rows(
            StatusChange,
            CHANGE_FIELDS,
            [
                (
                    pk,
                    status,
                    target,
                    reason,
                    {
                        **evidence,
                        "quiet_since": _iso(quiet_since),
                        "days_without_data": (at - quiet_since).days,
                    },
                    None,
                    at,
                )
                for pk, status, quiet_since in rows
            ],
        )
        MonitoringState.objects.filter(pk__in=[row[0] for row in rows]).update(
            status=target, since=at
        )
    return len(rows)


def _purge_reports(now):
    """Raw reports past retention go; the daily counts and last-seen times stay."""
    cutoff = now - timedelta(days=settings.MONITORING_REPORT_RETENTION_DAYS)
    deleted, _detail = SyncReport.objects.filter(pushed_at__lt=cutoff).delete()
    return deleted


def monitoring_move(*, account, reason, actor, at=None, paused_until=None, note="", ip=None):
    """A move recorded by staff (pause, lock, unlock, revoke) on one account; audited.

    Race: two officers at once serialise on the state's row lock; the second finds the new
    status and gets a clear message.
    """
    at = at or timezone.now()
    move = MOVES[reason]
    if not may_make(actor, move, account):
        raise NotAllowed(_("Bạn không có quyền thực hiện thao tác này với tài khoản."))
    with transaction.atomic():
        state = states_for([account.pk], at=at).get(account.pk)
        if state is None:
            raise WorkflowError(_("Tài khoản chưa được bàn giao nên chưa được theo dõi."))
        if not can_move(state.status, reason):
            raise WorkflowError(
                _("Tài khoản đang ở trạng thái “%(status)s”, không thể “%(action)s”.")
                % {"status": state.get_status_display(), "action": move.label}
            )
        evidence = {"note": note} if note else {}
        fields = ["status", "since"]
        if reason == "paused":
            if paused_until is None or paused_until < timezone.localdate(at):
                raise WorkflowError(_("Hãy chọn ngày kết thúc tạm ngừng từ hôm nay trở đi."))
            state.paused_until = paused_until
            evidence["paused_until"] = paused_until.isoformat()
            fields.append("paused_until")
        if move.target == MonitoringStatus.WAITING:
            # Unlocked: the facility gets its full grace again before it counts as late.
            state.quiet_since = at
            fields.append("quiet_since")
        previous = state.status
        record_moves([(state, reason, evidence)], at=at, actor=actor)
        state.save(update_fields=fields)
        record_event(
            action=f"monitoring.{reason}",
            actor=actor,
            facility=account.facility,
            from_status=previous,
            to_status=state.status,
            note=note,
            data={"account": account.pk, **evidence},
            ip=ip,
        )
    return state


def _iso(moment):
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None
