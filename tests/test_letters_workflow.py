"""Letters the workflow issues: stored once, mailed, served to the right people, verifiable."""

import io
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from provisioning.models import AuditEvent, DossierStatus, Letter
from provisioning.services.accounts import dossier_confirm_password_change
from provisioning.services.dossiers import dossier_withdraw
from provisioning.tasks import issue_letter

from .flows import dossier_at

pytestmark = pytest.mark.django_db


def _text(letter):
    with letter.file.open("rb") as stored:
        reader = PdfReader(io.BytesIO(stored.read()))
    return "\n".join(page.extract_text() for page in reader.pages)


def _bytes(letter):
    with letter.file.open("rb") as stored:
        return stored.read()


@pytest.fixture
def staff(reviewer, approver, viettel):
    return {"reviewer": reviewer, "approver": approver, "viettel": viettel}


def test_submission_issues_the_request_letter_and_one_receipt_with_the_dossier_code(
    facility, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = dossier_at(DossierStatus.SUBMITTED, facility=facility, **staff)
    letters = list(dossier.letters.all())
    assert [letter.kind for letter in letters] == [Letter.Kind.REQUEST, Letter.Kind.RECEIPT]
    receipt = dossier.letters.get(kind=Letter.Kind.RECEIPT)
    assert dossier.code in _text(receipt)
    assert receipt.number == ""
    assert len(receipt.sha256) == 64
    assert AuditEvent.objects.filter(dossier=dossier, action="letter.issued").count() == 2
    receipt_mail = next(m for m in mail.outbox if facility.email in m.to)
    attached = {content for _name, content, _type in receipt_mail.attachments}
    assert attached == {_bytes(letter) for letter in letters}


def test_issued_request_letter_is_filled_from_the_profile_and_lists_the_attachments(
    facility, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = dossier_at(DossierStatus.SUBMITTED, facility=facility, **staff)
    text = _text(dossier.letters.get(kind=Letter.Kind.REQUEST))
    assert "ĐƠN ĐỀ NGHỊ CẤP TÀI KHOẢN LIÊN THÔNG" in text
    assert facility.name in text
    assert facility.tax_code in text
    assert facility.pharmacist_name in text
    assert "Hợp đồng bảo mật thông tin" in text
    assert "Biên bản xác nhận liên thông" in text
    assert "Mã xác thực" in text


def test_approval_issues_a_numbered_decision_mailed_to_the_facility(
    facility, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = dossier_at(DossierStatus.APPROVED, facility=facility, **staff)
    decision = dossier.letters.get(kind=Letter.Kind.DECISION)
    assert decision.number == "1/TB-SYT"
    assert "1/TB-SYT" in _text(decision)

    approved_mail = next(
        m for m in mail.outbox if "phê duyệt" in m.subject and facility.email in m.to
    )
    [(filename, content, mimetype)] = approved_mail.attachments
    assert mimetype == "application/pdf"
    assert filename.endswith(".pdf")
    assert content == _bytes(decision)


def test_running_the_task_twice_creates_no_second_letter(
    facility, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = dossier_at(DossierStatus.APPROVED, facility=facility, **staff)
    first = dossier.letters.get(kind=Letter.Kind.DECISION)
    assert issue_letter.delay(dossier.pk, "decision").get() == first.pk
    assert issue_letter.delay(dossier.pk, "decision").get() == first.pk
    assert dossier.letters.filter(kind=Letter.Kind.DECISION).count() == 1
    assert dossier.letters.get(kind=Letter.Kind.DECISION).sha256 == first.sha256


def test_rejection_issues_a_decision_with_reasons(
    facility, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = dossier_at(DossierStatus.REJECTED, facility=facility, **staff)
    decision = dossier.letters.get(kind=Letter.Kind.DECISION)
    text = _text(decision)
    assert "Không chấp thuận" in text
    assert "Hợp đồng đã hết hạn" in text


def test_handover_letter_never_carries_the_password(
    facility, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = dossier_at(DossierStatus.ISSUED, facility=facility, **staff)
    handover = dossier.letters.get(kind=Letter.Kind.HANDOVER)
    text = _text(handover)
    assert "gpp_24_000123" in text
    assert "Ban-dau-2026" not in text
    assert b"Ban-dau-2026" not in _bytes(handover)
    ready_mail = next(m for m in mail.outbox if "sẵn sàng" in m.subject)
    assert ready_mail.attachments[0][1] == _bytes(handover)


def test_verification_page_matches_only_the_issued_pdf(
    client, facility, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = dossier_at(DossierStatus.SUBMITTED, facility=facility, **staff)
    receipt = dossier.letters.get(kind=Letter.Kind.RECEIPT)
    url = reverse("public:verify", args=[receipt.verification_code])
    assert url == f"/xac-thuc/{receipt.verification_code}/"

    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert receipt.sha256 in body
    assert facility.name in body
    assert dossier.lookup_secret not in body

    original = _bytes(receipt)
    good = client.post(url, {"file": SimpleUploadedFile("a.pdf", original)})
    assert good.context["matches"] is True
    assert "Khớp" in good.content.decode()

    tampered = bytearray(original)
    tampered[len(tampered) // 2] ^= 0x01
    bad = client.post(url, {"file": SimpleUploadedFile("a.pdf", bytes(tampered))})
    assert bad.context["matches"] is False
    assert "Không khớp" in bad.content.decode()

    assert client.get(reverse("public:verify", args=["ZZZZZ-ZZZZZ"])).status_code == 404


def test_letter_is_served_to_its_owner_and_staff_only(
    as_user,
    facility,
    other_owner,
    other_reviewer,
    staff,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = dossier_at(DossierStatus.SUBMITTED, facility=facility, **staff)
    receipt = dossier.letters.get(kind=Letter.Kind.RECEIPT)
    url = reverse("public:letter", args=[receipt.pk])

    mine = as_user(facility.owner).get(url)
    assert mine.status_code == 200
    assert mine["Content-Type"] == "application/pdf"
    assert b"".join(mine.streaming_content) == _bytes(receipt)
    assert as_user(staff["reviewer"]).get(url).status_code == 200
    assert as_user(other_owner).get(url).status_code == 404
    assert as_user(other_reviewer).get(url).status_code == 404

    page = as_user(facility.owner).get(reverse("facility:dossier", args=[dossier.pk]))
    assert url in page.content.decode()
    staff_page = as_user(staff["reviewer"]).get(reverse("review:dossier", args=[dossier.pk]))
    assert url in staff_page.content.decode()


def test_completion_issues_the_archive_with_every_step_document_and_letter(
    facility, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = dossier_at(DossierStatus.ISSUED, facility=facility, **staff)
        dossier_confirm_password_change(dossier=dossier, actor=facility.owner)
    archive = dossier.letters.get(kind=Letter.Kind.ARCHIVE)
    text = " ".join(_text(archive).split())
    assert "HỒ SƠ LƯU" in text
    assert dossier.code in text
    assert "Phê duyệt" in text
    assert "Xác nhận đã đổi mật khẩu" in text
    assert "gpp_24_000123" in text
    assert "Ban-dau-2026" not in text
    for document in dossier.documents.all():
        assert document.sha256[:16] in text
    handover = dossier.letters.get(kind=Letter.Kind.HANDOVER)
    assert handover.verification_code in text


def test_rejection_issues_the_archive_after_the_decision(
    facility, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = dossier_at(DossierStatus.REJECTED, facility=facility, **staff)
    kinds = list(dossier.letters.values_list("kind", flat=True))
    assert kinds[-2:] == [Letter.Kind.DECISION, Letter.Kind.ARCHIVE]
    decision = dossier.letters.get(kind=Letter.Kind.DECISION)
    assert decision.verification_code in _text(dossier.letters.get(kind=Letter.Kind.ARCHIVE))


def test_a_draft_withdrawn_before_submission_gets_no_archive(
    facility, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = dossier_at(DossierStatus.DRAFT, facility=facility, **staff)
        dossier_withdraw(dossier=dossier, actor=facility.owner)
    assert not dossier.letters.exists()


def test_the_archive_is_served_to_staff_but_never_to_the_facility(
    as_user, facility, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = dossier_at(DossierStatus.REJECTED, facility=facility, **staff)
    archive = dossier.letters.get(kind=Letter.Kind.ARCHIVE)
    url = reverse("public:letter", args=[archive.pk])
    assert as_user(staff["reviewer"]).get(url).status_code == 200
    assert as_user(facility.owner).get(url).status_code == 404
    page = as_user(facility.owner).get(reverse("facility:dossier", args=[dossier.pk]))
    assert url not in page.content.decode()
    archived = AuditEvent.objects.get(dossier=dossier, data__kind="archive")
    assert archived.visible_to_facility is False


def test_facility_prints_its_draft_request_letter_without_a_verification_code(
    as_user, facility, staff
):
    dossier = dossier_at(DossierStatus.DRAFT, facility=facility, **staff)
    response = as_user(facility.owner).get(reverse("facility:request_letter", args=[dossier.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert facility.name in text
    assert "Mã xác thực" not in text
    assert "Bản in để cơ sở ký" in text
    assert not dossier.letters.exists()


def test_another_facility_cannot_print_a_request_letter_that_is_not_its_own(
    as_user, facility, other_owner, reviewer, staff
):
    dossier = dossier_at(DossierStatus.DRAFT, facility=facility, **staff)
    url = reverse("facility:request_letter", args=[dossier.pk])
    assert as_user(other_owner).get(url).status_code == 404
    assert as_user(reviewer).get(url).status_code == 403


def test_a_letter_whose_audit_fails_leaves_no_pdf_behind(facility, staff, monkeypatch):
    from provisioning.services import letters

    dossier = dossier_at(DossierStatus.SUBMITTED, facility=facility, **staff)
    folder = Path(default_storage.path(f"letters/{dossier.pk}"))
    before = set(folder.glob("*")) if folder.exists() else set()

    def fail(**kwargs):
        raise RuntimeError("audit down")

    monkeypatch.setattr(letters, "record_event", fail)
    with pytest.raises(RuntimeError):
        letters.letter_issue(dossier_id=dossier.pk, kind=Letter.Kind.RECEIPT)
    after = set(folder.glob("*")) if folder.exists() else set()
    assert after == before
    assert not dossier.letters.exists()


def test_the_archive_prints_the_sos_override_of_a_password_still_working_and_its_reason(
    facility, staff, django_capture_on_commit_callbacks
):
    from provisioning.models import NationalAccount
    from provisioning.services.accounts import (
        account_override_change_check,
        account_request_change_check,
        account_set_change_check,
    )

    with django_capture_on_commit_callbacks(execute=True):
        dossier = dossier_at(DossierStatus.ISSUED, facility=facility, **staff)
        account_request_change_check(dossier=dossier, actor=facility.owner)
        account = NationalAccount.objects.get(dossier=dossier)
        account_set_change_check(account_id=account.pk, outcome="verified")
        account_override_change_check(
            dossier=dossier, actor=staff["approver"], reason="Đơn vị phần mềm đã đổi hộ"
        )
        dossier_confirm_password_change(dossier=dossier, actor=facility.owner)

    text = " ".join(_text(dossier.letters.get(kind=Letter.Kind.ARCHIVE)).split())
    assert "Sở Y tế cho phép hoàn thành dù mật khẩu ban đầu vẫn đăng nhập được" in text
    assert "Đơn vị phần mềm đã đổi hộ" in text
