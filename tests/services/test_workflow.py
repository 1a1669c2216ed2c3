import pytest
from django.core import mail

from provisioning import workflow
from provisioning.errors import NotAllowed, WorkflowError
from provisioning.models import AuditEvent, DossierStatus, NationalAccount
from provisioning.services.dossiers import dossier_create, dossier_decide, dossier_submit
from provisioning.workflow import MOVES

from ..flows import dossier_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(facility, reviewer, approver, viettel):
    return {"facility": facility, "reviewer": reviewer, "approver": approver, "viettel": viettel}


def test_every_status_can_be_reached_from_a_draft():
    reached, frontier = set(), {DossierStatus.DRAFT}
    while frontier:
        status = frontier.pop()
        reached.add(status)
        frontier |= {m.target for m in MOVES.values() if status in m.sources} - reached
    assert reached == set(DossierStatus.values)


def test_only_a_rejection_a_completion_or_a_withdrawal_ends_a_dossier():
    """Any other status without a move out would leave a dossier stuck for good."""
    final = {s for s in DossierStatus if not any(s in m.sources for m in MOVES.values())}
    assert final == {DossierStatus.REJECTED, DossierStatus.COMPLETED, DossierStatus.WITHDRAWN}
    assert set(workflow.OPEN_STATUSES) == set(DossierStatus.values) - final


def test_every_move_has_its_own_audit_action_and_a_timeline_sentence():
    actions = [move.action for move in MOVES.values()]
    assert len(set(actions)) == len(actions)
    for action in actions:
        assert action in workflow.EVENT_LABELS


def test_the_clock_runs_exactly_while_the_so_has_the_next_move():
    S = DossierStatus
    assert set(workflow.CLOCK_RUNNING) == {
        S.SUBMITTED,
        S.PROPOSED_APPROVAL,
        S.PROPOSED_REJECTION,
    }
    assert S.NEEDS_INFO not in workflow.CLOCK_RUNNING  # the clock stops for the facility


def test_the_one_open_dossier_constraint_uses_the_derived_open_statuses():
    from provisioning.models import Dossier

    [constraint] = [
        c
        for c in Dossier._meta.constraints
        if c.name == "one_open_dossier_per_facility_and_purpose"
    ]
    assert constraint.condition.children == [("status__in", list(workflow.OPEN_STATUSES))]


def test_the_whole_path_ends_issued_with_one_audit_row_per_move(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = dossier_at(DossierStatus.ISSUED, **cast)
    moves = list(
        AuditEvent.objects.filter(dossier=dossier, to_status__gt="").values_list(
            "to_status", flat=True
        )
    )
    assert moves == ["draft", "submitted", "proposed_approval", "approved", "issued"]


def test_submitting_gives_a_code_a_secret_and_a_due_date(cast):
    dossier = dossier_at(DossierStatus.SUBMITTED, **cast)
    assert dossier.code.startswith("LTD-24-")
    assert len(dossier.lookup_secret) == 8
    assert dossier.due_date > dossier.submitted_at.date()


def test_submitting_without_the_two_attachments_is_refused(facility):
    dossier = dossier_create(facility=facility, actor=facility.owner)
    with pytest.raises(WorkflowError, match="Hợp đồng bảo mật thông tin"):
        dossier_submit(dossier=dossier, actor=facility.owner)


def test_another_owner_cannot_submit_a_dossier_that_is_not_theirs(cast, other_owner):
    dossier = dossier_at(DossierStatus.DRAFT, **cast)
    with pytest.raises(NotAllowed):
        dossier_submit(dossier=dossier, actor=other_owner)


def test_a_second_approval_gets_a_clear_message_not_a_second_outcome(cast):
    dossier = dossier_at(DossierStatus.PROPOSED_APPROVAL, **cast)
    dossier_decide(dossier=dossier, actor=cast["approver"], decision="approve")
    with pytest.raises(WorkflowError, match="người khác vừa xử lý"):
        dossier_decide(dossier=dossier, actor=cast["approver"], decision="approve")
    assert AuditEvent.objects.filter(dossier=dossier, action="dossier.approved").count() == 1


def test_approver_of_another_province_cannot_approve(cast, other_approver):
    dossier = dossier_at(DossierStatus.PROPOSED_APPROVAL, **cast)
    with pytest.raises(NotAllowed):
        dossier_decide(dossier=dossier, actor=other_approver, decision="approve")


def test_a_facility_with_an_open_dossier_cannot_open_another(cast):
    dossier_at(DossierStatus.SUBMITTED, **cast)
    with pytest.raises(WorkflowError, match="đang xử lý"):
        dossier_create(facility=cast["facility"], actor=cast["facility"].owner)


def test_issued_account_keeps_the_password_encrypted(cast):
    dossier = dossier_at(DossierStatus.ISSUED, **cast)
    account = NationalAccount.objects.get(dossier=dossier)
    assert account.password_ciphertext
    assert "Ban-dau-2026" not in account.password_ciphertext


def test_submission_emails_the_reviewers_in_vietnamese(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = dossier_at(DossierStatus.SUBMITTED, **cast)
    to_reviewer = [m for m in mail.outbox if "chuyenvien@soyte.vn" in m.to]
    assert len(to_reviewer) == 1
    assert f"Hồ sơ {dossier.code} cần thẩm định" in to_reviewer[0].subject
