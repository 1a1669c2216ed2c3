"""One rule, one place (issue 8, point 11): the screens offer exactly what the services allow,
and every rule a screen shows is enforced by its service."""

import pytest
from django.urls import reverse

from provisioning.errors import WorkflowError
from provisioning.models import AuditEvent, Dossier, DossierStatus, Facility
from provisioning.services.dossiers import (
    comment_add,
    dossier_confirm_interconnection,
    dossier_withdraw,
)
from provisioning.services.facilities import facility_update
from provisioning.workflow import INTERCONNECTION_STEPS

from .flows import dossier_at

pytestmark = pytest.mark.django_db
S = DossierStatus
REACHABLE = [S.DRAFT, S.SUBMITTED, S.PROPOSED_APPROVAL, S.APPROVED, S.REJECTED, S.ISSUED]


@pytest.fixture
def staff(reviewer, approver, viettel):
    return {"reviewer": reviewer, "approver": approver, "viettel": viettel}


def same_representative(facility):
    owner = facility.owner
    return {"full_name": owner.full_name, "position": owner.position}


def service_accepts(call):
    try:
        call()
    except WorkflowError:
        return False
    return True


@pytest.mark.parametrize("status", REACHABLE)
def test_viettel_sees_the_confirmation_form_exactly_when_the_service_takes_it(
    status, facility, staff, as_user
):
    dossier = dossier_at(status, facility=facility, **staff)
    if status == S.DRAFT:
        return  # a draft is not on Viettel's screens at all
    page = as_user(staff["viettel"]).get(reverse("issuance:dossier", args=[dossier.pk]))

    accepted = service_accepts(
        lambda: dossier_confirm_interconnection(
            dossier=dossier, actor=staff["viettel"], confirmed=False, note="Biên bản hết hạn"
        )
    )

    assert page.context["can_confirm"] is accepted


def test_viettel_cannot_confirm_the_interconnection_once_the_account_is_handed_over(
    facility, staff
):
    dossier = dossier_at(S.ISSUED, facility=facility, **staff)

    with pytest.raises(WorkflowError, match="trước khi bàn giao"):
        dossier_confirm_interconnection(
            dossier=dossier, actor=staff["viettel"], confirmed=False, note="Sai"
        )

    assert Dossier.objects.get(pk=dossier.pk).interconnection == "confirmed"


def test_every_interconnection_word_is_audited_with_its_tables_action(facility, staff):
    dossier = dossier_at(S.SUBMITTED, facility=facility)
    viettel = staff["viettel"]

    dossier_confirm_interconnection(dossier=dossier, actor=viettel, confirmed=True)
    dossier_confirm_interconnection(dossier=dossier, actor=viettel, confirmed=True)  # no change
    dossier_confirm_interconnection(dossier=dossier, actor=viettel, confirmed=False, note="Giả")

    actions = list(
        AuditEvent.objects.filter(dossier=dossier, action__startswith="interconnection.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        INTERCONNECTION_STEPS["confirm"].action,
        INTERCONNECTION_STEPS["refuse"].action,
    ]


@pytest.mark.parametrize("status", [S.SUBMITTED, S.PROPOSED_APPROVAL, S.APPROVED])
def test_the_profile_service_refuses_an_edit_while_staff_act_on_the_dossier(
    status, facility, staff
):
    dossier_at(status, facility=facility, **staff)

    with pytest.raises(WorkflowError, match="đang được xử lý"):
        facility_update(
            facility=facility,
            actor=facility.owner,
            fields={"name": "Tên mới"},
            representative=same_representative(facility),
        )

    assert Facility.objects.get(pk=facility.pk).name == "Nhà thuốc An Khang"


@pytest.mark.parametrize("status", [S.DRAFT, S.ISSUED, S.REJECTED])
def test_the_profile_may_be_edited_while_no_staff_member_acts(status, facility, staff):
    dossier_at(status, facility=facility, **staff)

    facility_update(
        facility=facility,
        actor=facility.owner,
        fields={"name": "Tên mới"},
        representative=same_representative(facility),
    )

    assert Facility.objects.get(pk=facility.pk).name == "Tên mới"


def test_the_profile_page_says_it_is_locked_exactly_when_the_service_refuses(
    facility, staff, as_user
):
    dossier_at(S.SUBMITTED, facility=facility, **staff)
    page = as_user(facility.owner).get(reverse("facility:facility_edit", args=[facility.pk]))
    assert page.context["locked"] is True


@pytest.mark.parametrize("status", REACHABLE)
def test_the_withdraw_button_shows_exactly_when_the_service_allows_it(
    status, facility, staff, as_user
):
    dossier = dossier_at(status, facility=facility, **staff)
    page = as_user(facility.owner).get(reverse("facility:dossier", args=[dossier.pk]))
    shown = reverse("facility:dossier_withdraw", args=[dossier.pk]) in page.content.decode()

    accepted = service_accepts(
        lambda: dossier_withdraw(dossier=dossier, actor=facility.owner, note="Thử")
    )

    assert shown is accepted


def test_the_facility_cannot_write_about_a_withdrawn_dossier_but_staff_may_note_it(
    facility, staff, as_user
):
    dossier = dossier_at(S.SUBMITTED, facility=facility)
    dossier_withdraw(dossier=dossier, actor=facility.owner)
    dossier.refresh_from_db()
    page = as_user(facility.owner).get(reverse("facility:dossier", args=[dossier.pk]))

    with pytest.raises(WorkflowError, match="đã kết thúc"):
        comment_add(dossier=dossier, actor=facility.owner, body="Cho hỏi", internal=False)
    comment_add(dossier=dossier, actor=staff["reviewer"], body="Đã rút", internal=True)

    assert reverse("facility:dossier_message", args=[dossier.pk]) not in page.content.decode()
