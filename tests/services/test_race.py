"""Two people acting on one dossier at the same instant, on PostgreSQL's real row locks.

Each thread has its own connection and transaction; a barrier releases them together.
"""

import threading
import time

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from provisioning.errors import WorkflowError
from provisioning.models import (
    Apology,
    AuditEvent,
    Commune,
    Counter,
    Dossier,
    DossierStatus,
    Letter,
    NationalAccount,
    Province,
)
from provisioning.services import letters as letter_service
from provisioning.services.accounts import (
    account_request_change_check,
    account_reveal_password,
    account_set_verification,
)
from provisioning.services.apologies import apologies_draft, apology_send
from provisioning.services.dossiers import dossier_decide, dossier_submit
from provisioning.services.letters import letter_issue
from provisioning.tasks import notify_event
from provisioning.units import load_units
from provisioning.workdays import add_working_days

from ..flows import dossier_at

S = DossierStatus
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row-lock races need PostgreSQL (DATABASE_URL)"
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def _administrative_units(transactional_db, settings):
    """Put back what the data migration loaded: a transactional test starts after the
    previous one's flush. (Much faster than serialized_rollback's row-by-row reload.)"""
    load_units(Province, Commune, set(settings.PORTAL_PROVINCE_CODES))


def at_once(action, *actors):
    """Run `action(actor)` in one thread per actor, released together; return the outcomes."""
    barrier = threading.Barrier(len(actors))
    outcomes = [None] * len(actors)

    def run(index, actor):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = action(actor)
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test checks
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(index, actor)) for index, actor in enumerate(actors)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def split(outcomes):
    errors = [o for o in outcomes if isinstance(o, Exception)]
    return [o for o in outcomes if not isinstance(o, Exception)], errors


def test_two_approvers_approving_at_once_give_one_approval_and_one_clear_message(
    facility, reviewer, approver, viettel
):
    dossier = dossier_at(
        S.PROPOSED_APPROVAL,
        facility=facility,
        reviewer=reviewer,
        approver=approver,
        viettel=viettel,
    )

    outcomes = at_once(
        lambda actor: dossier_decide(dossier=dossier, actor=actor, decision="approve"),
        approver,
        approver,
    )

    done, errors = split(outcomes)
    assert len(done) == 1
    assert len(errors) == 1
    assert type(errors[0]) is WorkflowError
    assert "người khác vừa xử lý" in errors[0].message
    assert AuditEvent.objects.filter(dossier=dossier, action="dossier.approved").count() == 1
    assert Dossier.objects.get(pk=dossier.pk).status == S.APPROVED


def test_approving_and_returning_at_once_leave_exactly_one_outcome(
    facility, reviewer, approver, viettel
):
    dossier = dossier_at(
        S.PROPOSED_APPROVAL,
        facility=facility,
        reviewer=reviewer,
        approver=approver,
        viettel=viettel,
    )

    outcomes = at_once(
        lambda decision: dossier_decide(
            dossier=dossier, actor=approver, decision=decision, note="Xem lại"
        ),
        "approve",
        "return",
    )

    done, errors = split(outcomes)
    assert (len(done), len(errors)) == (1, 1)
    assert type(errors[0]) is WorkflowError
    final = Dossier.objects.get(pk=dossier.pk).status
    assert final == done[0].status
    moves = AuditEvent.objects.filter(
        dossier=dossier, action__in=["dossier.approved", "dossier.returned"]
    )
    assert moves.count() == 1


def test_a_double_submit_gives_one_code_and_one_submission(facility):
    dossier = dossier_at(S.DRAFT, facility=facility)

    outcomes = at_once(
        lambda actor: dossier_submit(dossier=dossier, actor=actor), facility.owner, facility.owner
    )

    done, errors = split(outcomes)
    assert (len(done), len(errors)) == (1, 1)
    assert type(errors[0]) is WorkflowError
    dossier.refresh_from_db()
    assert dossier.status == S.SUBMITTED
    assert dossier.code == done[0].code
    assert AuditEvent.objects.filter(dossier=dossier, action="dossier.submitted").count() == 1
    # The losing thread's number was rolled back with its transaction: no gap.
    assert Counter.objects.get().value == 1


def test_two_facilities_submitting_at_once_get_consecutive_codes(facility, other_facility):
    mine = dossier_at(S.DRAFT, facility=facility)
    theirs = dossier_at(S.DRAFT, facility=other_facility)

    outcomes = at_once(
        lambda dossier: dossier_submit(dossier=dossier, actor=dossier.facility.owner),
        mine,
        theirs,
    )

    done, errors = split(outcomes)
    assert errors == []
    numbers = sorted(int(d.code.rsplit("-", 1)[1]) for d in done)
    assert numbers == [1, 2]


def test_two_reviewers_sending_one_apology_at_once_move_the_due_date_once(
    facility, reviewer, approver, viettel
):
    dossier = dossier_at(S.SUBMITTED, facility=facility)
    Dossier.objects.filter(pk=dossier.pk).update(
        due_date=add_working_days(dossier.submitted_at.date(), 1)
    )
    apologies_draft()
    apology = Apology.objects.get(dossier=dossier)
    due = Dossier.objects.get(pk=dossier.pk).due_date

    outcomes = at_once(
        lambda days: apology_send(
            apology=apology,
            actor=reviewer,
            new_due_date=add_working_days(due, days),
            reason="Chờ ý kiến Cục Quản lý Dược",
        ),
        2,
        4,
    )

    done, errors = split(outcomes)
    assert len(done) == 1
    assert [type(error) for error in errors] == [WorkflowError]
    assert AuditEvent.objects.filter(dossier=dossier, action="dossier.apology_sent").count() == 1
    assert Dossier.objects.get(pk=dossier.pk).due_date == done[0].new_due_date


# Lock order (issue 8, point 9) ---------------------------------------------------------


def _issued_without_its_letter(facility, reviewer, approver, viettel):
    dossier = dossier_at(
        S.ISSUED, facility=facility, reviewer=reviewer, approver=approver, viettel=viettel
    )
    # As if the worker had not rendered the handover letter yet.
    Letter.objects.filter(dossier=dossier, kind=Letter.Kind.HANDOVER).delete()
    return dossier


def test_a_password_reveal_while_the_handover_letter_renders_waits_instead_of_deadlocking(
    facility, reviewer, approver, viettel, monkeypatch
):
    """The reveal used to lock the account and the facility, then wait for the dossier that
    the letter held, while the letter waited for the facility: a deadlock, one 500, and an
    e-mail without its letter."""
    dossier = _issued_without_its_letter(facility, reviewer, approver, viettel)
    account = NationalAccount.objects.get(dossier=dossier)
    letter_holds_the_dossier = threading.Event()
    build = letter_service._BUILDERS[Letter.Kind.HANDOVER]

    def slow_build(locked, **shared):
        context = build(locked, **shared)
        letter_holds_the_dossier.set()
        time.sleep(1.5)  # the reveal arrives now, while the dossier is locked
        return context

    monkeypatch.setitem(letter_service._BUILDERS, Letter.Kind.HANDOVER, slow_build)

    def act(who):
        if who == "letter":
            return letter_issue(dossier_id=dossier.pk, kind=Letter.Kind.HANDOVER)
        assert letter_holds_the_dossier.wait(timeout=10)
        return account_reveal_password(account=account, actor=facility.owner)

    outcomes = at_once(act, "letter", "reveal")

    done, errors = split(outcomes)
    assert errors == []
    assert outcomes[1] == "Ban-dau-2026"
    assert Letter.objects.filter(dossier=dossier, kind=Letter.Kind.HANDOVER).count() == 1


def test_every_service_locks_the_dossier_before_the_account(facility, reviewer, approver, viettel):
    dossier = _issued_without_its_letter(facility, reviewer, approver, viettel)
    account = NationalAccount.objects.get(dossier=dossier)

    with CaptureQueriesContext(connection) as queries:
        account_reveal_password(account=account, actor=facility.owner)
        account_request_change_check(dossier=dossier, actor=facility.owner)
        account_set_verification(account_id=account.pk, outcome="unreachable")

    locks = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
    tables = [
        "dossier" if 'FROM "provisioning_dossier"' in sql else "account"
        for sql in locks
        if 'FROM "provisioning_dossier"' in sql or 'FROM "provisioning_nationalaccount"' in sql
    ]
    # The three services, and the check the request queued (run after its commit).
    assert len(tables) >= 6
    assert tables == ["dossier", "account"] * (len(tables) // 2)
    # Only each row's own table: the facility is never locked.
    assert all('FOR UPDATE OF "provisioning_' in sql for sql in locks)


def test_two_deliveries_of_one_event_at_once_send_its_emails_once(
    facility, reviewer, approver, viettel, monkeypatch
):
    monkeypatch.setattr(notify_event, "delay_on_commit", lambda *args: None)
    dossier = dossier_at(S.SUBMITTED, facility=facility)
    event = AuditEvent.objects.get(dossier=dossier, action="dossier.submitted")
    monkeypatch.undo()

    outcomes = at_once(notify_event, event.pk, event.pk)

    assert sorted(outcome is None for outcome in outcomes) == [False, True]
    assert len([m for m in mail.outbox if reviewer.email in m.to]) == 1
    assert AuditEvent.objects.get(pk=event.pk).attempts == 1
