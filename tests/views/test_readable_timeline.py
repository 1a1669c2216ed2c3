"""Every step a person reads is a Vietnamese sentence: what happened and what the portal does
next. What a national system answered ("POST /api/...: ConnectError") stays in the logs and
the admin (issue 9, "Raw errors reach people")."""

import pytest
from django.urls import reverse

from provisioning.models import AuditEvent, DossierStatus, NationalAccount
from provisioning.services.accounts import (
    account_record,
    account_request_change_check,
    account_set_change_check,
    account_set_verification,
)
from provisioning.services.audit import record_event

from ..flows import dossier_at

pytestmark = pytest.mark.django_db

RAW = "POST /api/tai_khoan/dang_nhap: ConnectError"


@pytest.fixture
def recorded(approved, viettel):
    account_record(
        dossier=approved,
        actor=viettel,
        system="legacy",
        facility_code="24-000777",
        username="gpp_24_000777",
        password="Mat-khau-2026",
    )
    return NationalAccount.objects.get(dossier=approved)


def test_an_unreachable_login_check_reads_as_a_sentence_on_every_staff_page(
    recorded, as_user, viettel, reviewer
):
    account_set_verification(account_id=recorded.pk, outcome="unreachable", message=RAW)

    for user, name in ((viettel, "issuance:dossier"), (reviewer, "review:dossier")):
        page = as_user(user).get(reverse(name, args=[recorded.dossier_id])).content.decode()
        assert "ConnectError" not in page
        assert "/api/" not in page
        assert "Cổng sẽ tự thử lại" in page


def test_a_wrong_password_check_tells_viettel_what_to_do_next(recorded, as_user, viettel):
    account_set_verification(
        account_id=recorded.pk, outcome="wrong_credentials", message="code=401 mess=Sai"
    )

    page = as_user(viettel).get(reverse("issuance:dossier", args=[recorded.dossier_id]))

    assert "code=401" not in page.content.decode()
    assert "ghi nhận lại tài khoản" in page.content.decode()


def test_the_raw_answer_stays_in_the_event_data_for_the_admin(recorded):
    account_set_verification(account_id=recorded.pk, outcome="unreachable", message=RAW)

    event = AuditEvent.objects.get(action="account.verification.unreachable")

    assert event.data["detail"] == RAW
    assert RAW not in event.note


def test_an_older_event_that_kept_the_raw_answer_in_its_note_shows_none_of_it(
    recorded, as_user, reviewer
):
    record_event(
        action="account.verification.unreachable",
        dossier=recorded.dossier,
        note=RAW,
        visible_to_facility=False,
    )

    page = as_user(reviewer).get(reverse("review:dossier", args=[recorded.dossier_id]))

    assert "ConnectError" not in page.content.decode()


def test_the_facility_reads_a_change_check_that_still_logs_in_as_a_sentence(
    facility, reviewer, approver, viettel, as_user
):
    dossier = dossier_at(
        DossierStatus.ISSUED,
        facility=facility,
        reviewer=reviewer,
        approver=approver,
        viettel=viettel,
    )
    account_request_change_check(dossier=dossier, actor=facility.owner)
    account = NationalAccount.objects.get(dossier=dossier)
    account_set_change_check(account_id=account.pk, outcome="verified", message="HTTP 200 OK")

    page = as_user(facility.owner).get(reverse("facility:dossier", args=[dossier.pk]))

    text = page.content.decode()
    assert "HTTP 200" not in text
    assert "Cơ sở cần đổi mật khẩu rồi để Cổng kiểm tra lại" in text
