"""The login-check tasks against a real simulator over HTTP, with the faults a national
system has: down, answering 5xx, hanging up, and the worker crashing between the national
answer and the save. Whatever happens, the beat sweeps finish the job, and exactly once."""

from datetime import timedelta

import httpx
import pytest
from django.utils import timezone

from provisioning import tasks
from provisioning.models import AuditEvent, DossierStatus, NationalAccount
from provisioning.services.accounts import (
    account_record,
    account_request_change_check,
    dossier_issue,
)

from ..factories import FacilityFactory, UserFactory
from ..flows import dossier_at
from .conftest import FACILITY, PASSWORD, USERNAMES, login_path, running_simulator

pytestmark = pytest.mark.django_db

S = DossierStatus
Check = NationalAccount.ChangeCheck
Verification = NationalAccount.Verification
NEW_PASSWORD = "Mk-Da-Doi-2026!"


@pytest.fixture
def national(settings):
    """Point the portal at a simulator: one try per login, so every fault is seen."""

    def point(simulator):
        settings.NATIONAL_SYSTEMS = {
            **settings.NATIONAL_SYSTEMS,
            simulator.dialect: {"base_url": simulator.base_url, "retries": 0, "timeout": 2},
        }
        return simulator

    return point


@pytest.fixture
def staff(reviewer, approver, viettel):
    return {"reviewer": reviewer, "approver": approver, "viettel": viettel}


def record(simulator, facility, staff, *, username=None, facility_code=FACILITY):
    """An approved dossier with an account recorded on the simulator's system. Its check
    is queued after commit, which a test transaction never reaches: the account is left
    `pending`, as after a worker lost the first task."""
    dossier = dossier_at(S.APPROVED, facility=facility, **staff)
    return account_record(
        dossier=dossier,
        actor=staff["viettel"],
        system=simulator.dialect,
        facility_code=facility_code,
        username=username or USERNAMES[simulator.dialect],
        password=PASSWORD,
    )


def issue_with_consent(account, staff):
    """Handed over; the facility says it changed the password and consents to the check."""
    dossier_issue(dossier=account.dossier, actor=staff["viettel"], override_reason="Kiểm thử")
    account_request_change_check(dossier=account.dossier, actor=account.facility.owner)
    account.refresh_from_db()
    return account


def age(account):
    """Make the account old enough for the beat sweeps, which skip what just started."""
    old = timezone.now() - timedelta(minutes=2)
    NationalAccount.objects.filter(pk=account.pk).update(created_at=old, change_checked_at=old)


def events(account, action):
    return AuditEvent.objects.filter(dossier_id=account.dossier_id, action=action).count()


def logins(simulator):
    return simulator.requests(login_path(simulator))


def login_prefix(simulator):
    return httpx.URL(simulator.base_url + login_path(simulator)).path


def restart(simulator):
    """Stop the simulator and start it again on the same port and data, as a national
    system back from maintenance."""
    simulator.server.shutdown()
    simulator.server.server_close()
    port = simulator.server.server_address[1]
    return running_simulator(simulator.dialect, simulator.db_path, port=port)


class CrashOnce:
    """Stands in for a service and raises the first time: the worker died after the
    national system answered and before the answer was saved."""

    def __init__(self, service):
        self.service = service
        self.calls = 0

    def __call__(self, **kwargs):
        self.calls += 1
        if self.calls == 1:
            raise RuntimeError("worker lost")
        return self.service(**kwargs)


# Verifying a recorded account


@pytest.mark.parametrize("fault", ["5xx", "drop"])
def test_a_faulty_system_leaves_the_account_unreachable_until_the_sweep_verifies_it(
    sim, national, facility, staff, fault
):
    national(sim)
    account = record(sim, facility, staff)
    sim.set_fault(fault)

    assert tasks.verify_account(account.pk) == "unreachable"
    account.refresh_from_db()
    assert account.verification == Verification.UNREACHABLE

    sim.clear_faults()
    age(account)
    assert tasks.verify_pending_accounts() == 1

    account.refresh_from_db()
    assert account.verification == Verification.VERIFIED
    assert events(account, "account.verification.unreachable") == 1
    assert events(account, "account.verification.verified") == 1


def test_a_stopped_system_leaves_the_account_unreachable_until_the_sweep_verifies_it(
    sim, national, facility, staff
):
    national(sim)
    account = record(sim, facility, staff)
    manager = restart(sim)  # stopped now; started again on entering `with manager`
    tasks.verify_account(account.pk)
    account.refresh_from_db()
    assert account.verification == Verification.UNREACHABLE

    with manager:
        age(account)
        tasks.verify_pending_accounts()

    account.refresh_from_db()
    assert account.verification == Verification.VERIFIED
    assert events(account, "account.verification.verified") == 1


def test_rerunning_the_check_and_the_sweep_after_success_writes_no_second_event(
    sim, national, facility, staff
):
    national(sim)
    account = record(sim, facility, staff)
    sim.set_fault("5xx")
    tasks.verify_account(account.pk)
    sim.clear_faults()
    age(account)
    tasks.verify_pending_accounts()

    tasks.verify_account(account.pk)
    assert tasks.verify_pending_accounts() == 0
    tasks.verify_account(account.pk)

    assert events(account, "account.verification.verified") == 1
    assert [r["status"] for r in logins(sim)] == [503, 200]  # no login once verified


def test_a_crash_between_the_login_and_the_save_leaves_the_account_for_the_sweep(
    sim, national, facility, staff, monkeypatch
):
    national(sim)
    account = record(sim, facility, staff)
    monkeypatch.setattr(
        tasks, "account_set_verification", CrashOnce(tasks.account_set_verification)
    )

    with pytest.raises(RuntimeError, match="worker lost"):
        tasks.verify_account(account.pk)
    account.refresh_from_db()
    assert account.verification == Verification.PENDING
    assert len(logins(sim)) == 1  # the national system did answer

    age(account)
    tasks.verify_pending_accounts()
    tasks.verify_pending_accounts()

    account.refresh_from_db()
    assert account.verification == Verification.VERIFIED
    assert events(account, "account.verification.verified") == 1


def test_a_fresh_account_is_left_to_its_own_task_by_the_sweep(sim, national, facility, staff):
    national(sim)
    account = record(sim, facility, staff)

    assert tasks.verify_pending_accounts() == 0
    account.refresh_from_db()
    assert account.verification == Verification.PENDING
    assert logins(sim) == []


# Checking, with consent, that the initial password no longer logs in


@pytest.fixture
def consented(sim, national, facility, staff):
    """An issued account whose facility changed the password on the national system and
    consented to the check; the check itself has not run yet."""
    national(sim)
    account = issue_with_consent(record(sim, facility, staff), staff)
    sim.add_account(USERNAMES[sim.dialect], password=NEW_PASSWORD)
    return account


def test_a_fresh_change_check_is_left_to_its_own_task_by_the_sweep(sim, consented):
    assert tasks.check_pending_password_changes() == 0
    consented.refresh_from_db()
    assert consented.change_check == Check.PENDING
    assert logins(sim) == []


@pytest.mark.parametrize("fault", ["5xx", "drop"])
def test_a_faulty_system_leaves_the_change_check_waiting_until_the_sweep_completes_it(
    sim, consented, fault
):
    sim.set_fault(fault)
    assert tasks.check_initial_password(consented.pk) == "unreachable"
    consented.refresh_from_db()
    assert consented.change_check == Check.UNREACHABLE
    assert consented.dossier.status == S.ISSUED
    assert consented.password_ciphertext

    sim.clear_faults()
    age(consented)
    assert tasks.check_pending_password_changes() == 1

    consented.refresh_from_db()
    consented.dossier.refresh_from_db()
    assert consented.change_check == Check.PASSED
    assert consented.password_ciphertext == ""
    assert consented.dossier.status == S.COMPLETED
    assert events(consented, "account.change_check.unreachable") == 1
    assert events(consented, "dossier.completed") == 1


def test_a_stopped_system_leaves_the_change_check_waiting_until_the_sweep_completes_it(
    sim, consented
):
    manager = restart(sim)
    tasks.check_initial_password(consented.pk)
    consented.refresh_from_db()
    assert consented.change_check == Check.UNREACHABLE

    with manager:
        age(consented)
        tasks.check_pending_password_changes()

    consented.refresh_from_db()
    assert consented.change_check == Check.PASSED
    assert events(consented, "dossier.completed") == 1


def test_rerunning_the_change_check_and_its_sweep_completes_the_dossier_once(sim, consented):
    tasks.check_initial_password(consented.pk)
    age(consented)

    assert tasks.check_initial_password(consented.pk) is None
    assert tasks.check_pending_password_changes() == 0

    assert events(consented, "dossier.completed") == 1
    assert len(logins(sim)) == 1


def test_a_crash_after_the_change_check_login_leaves_it_pending_for_the_sweep(
    sim, consented, monkeypatch
):
    monkeypatch.setattr(
        tasks, "account_set_change_check", CrashOnce(tasks.account_set_change_check)
    )

    with pytest.raises(RuntimeError, match="worker lost"):
        tasks.check_initial_password(consented.pk)
    consented.refresh_from_db()
    assert consented.change_check == Check.PENDING
    assert consented.dossier.status == S.ISSUED

    age(consented)
    tasks.check_pending_password_changes()
    tasks.check_pending_password_changes()

    consented.refresh_from_db()
    assert consented.change_check == Check.PASSED
    assert events(consented, "dossier.completed") == 1


def test_an_initial_password_that_still_logs_in_is_reported_once_over_http(
    sim, national, facility, staff, mailoutbox, django_capture_on_commit_callbacks
):
    national(sim)
    account = issue_with_consent(record(sim, facility, staff), staff)  # password unchanged

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.check_initial_password(account.pk) == "verified"
        tasks.check_initial_password(account.pk)
        age(account)
        assert tasks.check_pending_password_changes() == 0

    account.refresh_from_db()
    assert account.change_check == Check.STILL_WORKS
    assert account.dossier.status == S.ISSUED
    assert events(account, "account.change_check.still_works") == 1
    assert len(mailoutbox) == 1


def test_a_locked_account_leaves_the_change_check_waiting_for_the_sweep(sim, consented):
    # "Locked" says nothing about whether the password was changed: the check waits.
    sim.add_account(USERNAMES[sim.dialect], password=PASSWORD, locked=True)

    assert tasks.check_initial_password(consented.pk) == "locked"
    consented.refresh_from_db()
    assert consented.change_check == Check.UNREACHABLE
    assert consented.dossier.status == S.ISSUED

    sim.add_account(USERNAMES[sim.dialect], password=NEW_PASSWORD, locked=False)
    age(consented)
    tasks.check_pending_password_changes()

    consented.refresh_from_db()
    assert consented.change_check == Check.PASSED
    assert events(consented, "dossier.completed") == 1


# Intermittent faults


def several(simulator, staff, count=4):
    """`count` facilities, each with an account recorded on the simulator."""
    accounts = []
    for number in range(count):
        owner = UserFactory()
        facility = FacilityFactory(owner=owner)
        username = f"{USERNAMES[simulator.dialect]}{number}"
        simulator.add_account(username, facility_codes=[f"24-00010{number}"])
        accounts.append(
            record(simulator, facility, staff, username=username, facility_code=f"24-00010{number}")
        )
    return accounts


def sweep_until(sweep, accounts, done, rounds=30):
    for _ in range(rounds):
        for account in accounts:
            age(account)
        sweep()
        if all(done(NationalAccount.objects.get(pk=a.pk)) for a in accounts):
            return True
    return False


def test_with_intermittent_faults_repeated_sweeps_verify_every_account_once(
    make_simulator, national, staff
):
    simulator = national(make_simulator("legacy", seed=4))
    accounts = several(simulator, staff)
    simulator.set_fault("5xx", rate=0.5, path_prefix=login_prefix(simulator))

    converged = sweep_until(
        tasks.verify_pending_accounts, accounts, lambda a: a.verification == Verification.VERIFIED
    )

    assert converged
    assert 503 in {r["status"] for r in logins(simulator)}  # the faults did fire
    for account in accounts:
        assert events(account, "account.verification.verified") == 1
        assert NationalAccount.objects.filter(dossier_id=account.dossier_id).count() == 1
        account.dossier.refresh_from_db()
        assert account.dossier.status == S.APPROVED


def test_with_intermittent_faults_no_dossier_is_stuck_or_completed_twice(
    make_simulator, national, staff
):
    simulator = national(make_simulator("v2", seed=8))
    accounts = [issue_with_consent(account, staff) for account in several(simulator, staff)]
    for number, _account in enumerate(accounts):
        simulator.add_account(f"{USERNAMES['v2']}{number}", password=NEW_PASSWORD)
    simulator.set_fault("5xx", rate=0.5, path_prefix=login_prefix(simulator))

    converged = sweep_until(
        tasks.check_pending_password_changes, accounts, lambda a: a.change_check == Check.PASSED
    )

    assert converged
    assert 503 in {r["status"] for r in logins(simulator)}
    for account in accounts:
        account.dossier.refresh_from_db()
        assert account.dossier.status == S.COMPLETED
        assert events(account, "dossier.completed") == 1
        assert events(account, "account.change_check.unreachable") <= 1
