"""Two people acting on one dossier at the same instant, on PostgreSQL's real row locks.

Each thread has its own connection and transaction; a barrier releases them together.
"""

import threading

import pytest
from django.db import connection

from provisioning.errors import WorkflowError
from provisioning.models import (
    Apology,
    AuditEvent,
    Commune,
    Counter,
    Dossier,
    DossierStatus,
    Province,
)
from provisioning.services.apologies import apologies_draft, apology_send
from provisioning.services.dossiers import dossier_decide, dossier_submit
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
