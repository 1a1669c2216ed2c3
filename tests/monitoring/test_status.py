"""Each status move, with its reason, through the sweep, the ingestion and staff moves."""

import datetime
import itertools

import pytest
from django.utils import timezone

from provisioning.errors import NotAllowed, WorkflowError
from provisioning.models import AuditEvent, DossierStatus, Facility, MonitoringStatus
from provisioning.monitoring.ingest import reports_ingest
from provisioning.monitoring.keys import api_key_create
from provisioning.monitoring.models import MonitoringState, StatusChange
from provisioning.monitoring.services import monitoring_move, monitoring_sweep
from provisioning.monitoring.status import MOVES, WATCHED

from ..factories import FacilityFactory
from ..flows import dossier_at
from .factories import HandedOverAccountFactory, report

S = MonitoringStatus
DAY = datetime.timedelta(days=1)
ids = itertools.count(1)


def push(account, at, *, pushed_at=None):
    """The account's software reports one push at `at` (made at `pushed_at`, default `at`)."""
    key, _raw = api_key_create(facility=account.facility)
    return reports_ingest(
        key=key,
        items=[report(account, national_id=f"HD{next(ids)}", pushed_at=pushed_at or at)],
        now=at,
    )


def state_of(account):
    return MonitoringState.objects.get(pk=account.pk)


def last_change(account):
    return StatusChange.objects.filter(account=account).latest("at", "pk")


@pytest.fixture
def t0():
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def account(db, t0):
    return HandedOverAccountFactory(handed_over_at=t0)


def test_sweep_enrols_a_handed_over_account_as_waiting(account, t0):
    counts = monitoring_sweep(at=t0 + datetime.timedelta(minutes=5))

    assert counts["enrolled"] == 1
    state = state_of(account)
    assert state.status == S.WAITING
    assert state.quiet_since == t0
    change = last_change(account)
    assert (change.old_status, change.new_status, change.reason) == ("", S.WAITING, "enrolled")


def test_account_not_handed_over_is_not_monitored(db, t0):
    account = HandedOverAccountFactory(handed_over_at=None)

    monitoring_sweep(at=t0)

    assert not MonitoringState.objects.filter(pk=account.pk).exists()


def test_dossier_issued_through_the_workflow_enters_monitoring_at_the_next_sweep(
    facility, reviewer, approver, viettel
):
    dossier = dossier_at(
        DossierStatus.ISSUED,
        facility=facility,
        reviewer=reviewer,
        approver=approver,
        viettel=viettel,
    )

    monitoring_sweep()

    assert state_of(dossier.account).status == S.WAITING


def test_first_data_makes_a_waiting_account_active(account, t0):
    monitoring_sweep(at=t0)

    push(account, t0 + DAY)

    state = state_of(account)
    assert state.status == S.ACTIVE
    assert state.last_data_at == t0 + DAY
    change = last_change(account)
    assert (change.old_status, change.new_status, change.reason) == (
        S.WAITING,
        S.ACTIVE,
        "first_data",
    )
    assert change.evidence["last_data_at"] == timezone.localtime(t0 + DAY).isoformat()


def test_data_before_the_first_sweep_enrols_the_account_and_makes_it_active(account, t0):
    push(account, t0 + DAY)

    reasons = list(StatusChange.objects.filter(account=account).values_list("reason", flat=True))
    assert reasons == ["enrolled", "first_data"]
    assert state_of(account).status == S.ACTIVE


def test_waiting_account_goes_late_three_days_after_the_handover(account, t0):
    monitoring_sweep(at=t0 + 3 * DAY - datetime.timedelta(seconds=1))
    assert state_of(account).status == S.WAITING

    monitoring_sweep(at=t0 + 3 * DAY)

    assert state_of(account).status == S.LATE
    change = last_change(account)
    assert (change.old_status, change.reason) == (S.WAITING, "late")
    assert change.evidence["days_without_data"] == 3
    assert change.evidence["threshold_days"] == 3


def test_active_account_goes_late_then_silent_then_due_for_locking(account, t0):
    push(account, t0)

    monitoring_sweep(at=t0 + 2 * DAY)
    assert state_of(account).status == S.ACTIVE
    monitoring_sweep(at=t0 + 3 * DAY)
    assert state_of(account).status == S.LATE
    monitoring_sweep(at=t0 + 14 * DAY)
    assert state_of(account).status == S.SILENT
    monitoring_sweep(at=t0 + 90 * DAY)
    assert state_of(account).status == S.DUE_LOCK

    moves = list(
        StatusChange.objects.filter(account=account).values_list(
            "old_status", "new_status", "reason"
        )
    )
    assert moves[-3:] == [
        (S.ACTIVE, S.LATE, "late"),
        (S.LATE, S.SILENT, "silent"),
        (S.SILENT, S.DUE_LOCK, "due_lock"),
    ]
    assert state_of(account).since == t0 + 90 * DAY


def test_a_long_silence_moves_an_account_once_straight_to_its_status(account, t0):
    push(account, t0)

    monitoring_sweep(at=t0 + 100 * DAY)

    change = last_change(account)
    assert (change.old_status, change.new_status, change.reason) == (
        S.ACTIVE,
        S.DUE_LOCK,
        "due_lock",
    )
    assert StatusChange.objects.filter(account=account, reason="due_lock").count() == 1


def test_sweeping_twice_changes_nothing_the_second_time(account, t0):
    push(account, t0)
    monitoring_sweep(at=t0 + 20 * DAY)
    before = StatusChange.objects.count()

    counts = monitoring_sweep(at=t0 + 20 * DAY)

    assert StatusChange.objects.count() == before
    assert sum(counts.values()) == 0


def test_data_after_silence_makes_the_account_active_again(account, t0):
    push(account, t0)
    monitoring_sweep(at=t0 + 20 * DAY)

    push(account, t0 + 21 * DAY)

    state = state_of(account)
    assert state.status == S.ACTIVE
    change = last_change(account)
    assert (change.old_status, change.reason) == (S.SILENT, "data_resumed")


def test_old_data_sent_after_an_outage_leaves_a_silent_account_late(account, t0):
    push(account, t0)
    monitoring_sweep(at=t0 + 20 * DAY)

    # Pushed to the national system 15 days in, reported only now.
    push(account, t0 + 20 * DAY, pushed_at=t0 + 15 * DAY)

    state = state_of(account)
    assert state.status == S.LATE
    assert state.last_data_at == t0 + 15 * DAY
    assert (last_change(account).old_status, last_change(account).reason) == (S.SILENT, "late")


@pytest.mark.parametrize(
    ("kind", "late_after"),
    [(Facility.Kind.PHARMACY, 3), (Facility.Kind.CLINIC, 7), (Facility.Kind.WHOLESALER, 7)],
)
def test_each_facility_type_has_its_own_grace(db, t0, kind, late_after):
    account = HandedOverAccountFactory(facility=FacilityFactory(kind=kind), handed_over_at=t0)
    push(account, t0)

    monitoring_sweep(at=t0 + (late_after - 1) * DAY)
    assert state_of(account).status == S.ACTIVE
    monitoring_sweep(at=t0 + late_after * DAY)

    assert state_of(account).status == S.LATE
    assert last_change(account).evidence["threshold_days"] == late_after


def test_grace_per_facility_type_follows_the_settings(db, t0, settings):
    settings.MONITORING_GRACE_DAYS = {"quay_thuoc": {"late": 5, "silent": 10, "due_lock": 60}}
    counter = HandedOverAccountFactory(
        facility=FacilityFactory(kind=Facility.Kind.DRUG_COUNTER), handed_over_at=t0
    )
    pharmacy = HandedOverAccountFactory(handed_over_at=t0)
    push(counter, t0)
    push(pharmacy, t0)

    monitoring_sweep(at=t0 + 10 * DAY)
    assert (state_of(counter).status, state_of(pharmacy).status) == (S.SILENT, S.LATE)
    monitoring_sweep(at=t0 + 60 * DAY)
    assert (state_of(counter).status, state_of(pharmacy).status) == (S.DUE_LOCK, S.SILENT)


def test_pause_holds_the_status_until_its_end_date_then_resumes_by_itself(account, t0, reviewer):
    push(account, t0)
    until = timezone.localdate(t0) + 30 * DAY
    monitoring_move(account=account, reason="paused", actor=reviewer, paused_until=until, at=t0)

    monitoring_sweep(at=t0 + 20 * DAY)
    assert state_of(account).status == S.PAUSED
    end_of_pause = timezone.make_aware(datetime.datetime.combine(until + DAY, datetime.time(0, 30)))
    monitoring_sweep(at=end_of_pause)

    state = state_of(account)
    assert state.status == S.ACTIVE
    assert state.paused_until is None
    change = last_change(account)
    assert (change.old_status, change.reason) == (S.PAUSED, "pause_ended")
    # Silence counts afresh from the end of the pause.
    monitoring_sweep(at=end_of_pause + 2 * DAY)
    assert state_of(account).status == S.ACTIVE
    monitoring_sweep(at=end_of_pause + 3 * DAY)
    assert state_of(account).status == S.LATE


def test_a_pause_of_an_account_that_never_sent_data_ends_waiting(account, t0, reviewer):
    until = timezone.localdate(t0) + DAY
    monitoring_move(account=account, reason="paused", actor=reviewer, paused_until=until, at=t0)

    monitoring_sweep(at=t0 + 3 * DAY)

    assert state_of(account).status == S.WAITING
    assert last_change(account).reason == "pause_ended_waiting"


def test_data_during_a_pause_ends_it(account, t0, reviewer):
    until = timezone.localdate(t0) + 30 * DAY
    monitoring_move(account=account, reason="paused", actor=reviewer, paused_until=until, at=t0)

    push(account, t0 + 2 * DAY)

    state = state_of(account)
    assert (state.status, state.paused_until) == (S.ACTIVE, None)
    assert (last_change(account).old_status, last_change(account).reason) == (
        S.PAUSED,
        "data_resumed",
    )


def test_a_pause_needs_an_end_date_from_today(account, t0, reviewer):
    monitoring_sweep(at=t0)

    with pytest.raises(WorkflowError):
        monitoring_move(
            account=account,
            reason="paused",
            actor=reviewer,
            paused_until=timezone.localdate(t0) - DAY,
            at=t0,
        )
    assert state_of(account).status == S.WAITING


def test_staff_move_is_a_status_change_and_an_audit_event(account, t0, viettel):
    push(account, t0)
    monitoring_sweep(at=t0 + 90 * DAY)

    monitoring_move(
        account=account, reason="locked", actor=viettel, at=t0 + 91 * DAY, ip="10.0.0.1"
    )

    change = last_change(account)
    assert (change.old_status, change.new_status, change.actor) == (S.DUE_LOCK, S.LOCKED, viettel)
    event = AuditEvent.objects.get(action="monitoring.locked")
    assert (event.actor, event.facility, event.ip) == (viettel, account.facility, "10.0.0.1")
    assert (event.from_status, event.to_status) == (S.DUE_LOCK, S.LOCKED)


def test_a_locked_account_stays_locked_through_sweeps_and_data(account, t0, viettel):
    push(account, t0)
    monitoring_sweep(at=t0 + 90 * DAY)
    monitoring_move(account=account, reason="locked", actor=viettel, at=t0 + 91 * DAY)

    monitoring_sweep(at=t0 + 200 * DAY)
    push(account, t0 + 100 * DAY)

    state = state_of(account)
    assert state.status == S.LOCKED
    assert state.last_data_at == t0 + 100 * DAY


def test_unlocking_gives_the_full_grace_again(account, t0, viettel):
    push(account, t0)
    monitoring_sweep(at=t0 + 90 * DAY)
    monitoring_move(account=account, reason="locked", actor=viettel, at=t0 + 91 * DAY)

    monitoring_move(account=account, reason="unlocked", actor=viettel, at=t0 + 95 * DAY)

    assert state_of(account).status == S.WAITING
    monitoring_sweep(at=t0 + 97 * DAY)
    assert state_of(account).status == S.WAITING
    monitoring_sweep(at=t0 + 98 * DAY)
    assert state_of(account).status == S.LATE


def test_only_an_account_due_for_locking_can_be_locked(account, t0, viettel):
    push(account, t0)

    with pytest.raises(WorkflowError):
        monitoring_move(account=account, reason="locked", actor=viettel, at=t0 + DAY)
    assert state_of(account).status == S.ACTIVE


def test_revoked_is_final(account, t0, reviewer, viettel):
    push(account, t0)
    monitoring_move(account=account, reason="revoked", actor=viettel, at=t0 + DAY)

    monitoring_sweep(at=t0 + 200 * DAY)
    push(account, t0 + 201 * DAY)
    for reason, actor in [
        ("paused", reviewer),
        ("locked", viettel),
        ("unlocked", viettel),
        ("revoked", viettel),
    ]:
        with pytest.raises(WorkflowError, match="không thể"):
            monitoring_move(
                account=account,
                reason=reason,
                actor=actor,
                at=t0 + 202 * DAY,
                paused_until=timezone.localdate(t0) + 300 * DAY,
            )

    assert state_of(account).status == S.REVOKED
    assert not any(S.REVOKED in move.sources for move in MOVES.values())


@pytest.mark.parametrize("who", ["viettel", "other_reviewer", "owner", "approver"])
def test_only_the_health_department_of_the_province_pauses_an_account(request, account, t0, who):
    actor = request.getfixturevalue(who)
    until = timezone.localdate(t0) + 10 * DAY

    if who == "approver":
        monitoring_move(account=account, reason="paused", actor=actor, paused_until=until, at=t0)
        assert state_of(account).status == S.PAUSED
        return
    with pytest.raises(NotAllowed):
        monitoring_move(account=account, reason="paused", actor=actor, paused_until=until, at=t0)
    assert not StatusChange.objects.filter(reason="paused").exists()


@pytest.mark.parametrize(
    ("system", "who", "allowed"),
    [
        ("legacy", "viettel", True),
        ("legacy", "reviewer", False),
        ("legacy", "other_viettel", False),
        ("v2", "reviewer", True),
        ("v2", "viettel", False),
    ],
)
def test_the_issuer_of_the_account_locks_it(request, db, t0, system, who, allowed):
    """Viettel issues legacy accounts, the Sở Y tế those of the 2026 system."""
    actor = request.getfixturevalue(who)
    account = HandedOverAccountFactory(system=system, handed_over_at=t0)
    monitoring_sweep(at=t0 + 90 * DAY)

    if allowed:
        monitoring_move(account=account, reason="locked", actor=actor, at=t0 + 91 * DAY)
        assert state_of(account).status == S.LOCKED
    else:
        with pytest.raises(NotAllowed):
            monitoring_move(account=account, reason="locked", actor=actor, at=t0 + 91 * DAY)
        assert state_of(account).status == S.DUE_LOCK


@pytest.mark.parametrize("reason", ["late", "first_data", "pause_ended", "enrolled"])
def test_the_portals_own_moves_are_never_made_by_hand(account, t0, reviewer, viettel, reason):
    for actor in (reviewer, viettel):
        with pytest.raises(NotAllowed):
            monitoring_move(account=account, reason=reason, actor=actor, at=t0 + 5 * DAY)


def test_the_transition_table_names_only_real_statuses():
    for move in MOVES.values():
        assert move.target in S.values
        assert set(move.sources) <= set(S.values)
    assert set(WATCHED) | {S.PAUSED, S.LOCKED, S.REVOKED} == set(S.values)


def test_sweep_moves_many_accounts_with_a_fixed_number_of_queries(
    db, t0, django_assert_max_num_queries
):
    accounts = [HandedOverAccountFactory(handed_over_at=t0) for _ in range(30)]
    monitoring_sweep(at=t0)

    with django_assert_max_num_queries(40):
        counts = monitoring_sweep(at=t0 + 5 * DAY)

    assert counts["late"] == 30
    assert {state_of(a).status for a in accounts} == {S.LATE}
