"""Dossiers about to be late: the portal drafts the apology, a reviewer sends it."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from provisioning.errors import NotAllowed, WorkflowError
from provisioning.models import Apology, AuditEvent, DossierStatus, Letter
from provisioning.services.apologies import apologies_draft, apology_send
from provisioning.workdays import add_working_days, is_working_day

from ..flows import dossier_at

pytestmark = pytest.mark.django_db


def _due(dossier, day):
    dossier.due_date = day
    dossier.save(update_fields=["due_date"])
    return dossier


def _today():
    return timezone.localdate()


def _next_non_working_day(after):
    day = after + datetime.timedelta(days=1)
    while is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


@pytest.fixture
def late(facility, reviewer, approver, viettel):
    """A submitted dossier due tomorrow (working day), with its apology drafted."""
    dossier = dossier_at(DossierStatus.SUBMITTED, facility=facility)
    _due(dossier, add_working_days(_today(), 1))
    apologies_draft()
    return dossier


def test_a_dossier_due_within_the_notice_period_gets_an_apology_drafted(late):
    apology = Apology.objects.get(dossier=late)
    assert apology.sent_at is None
    assert apology.old_due_date == late.due_date
    assert apology.new_due_date == add_working_days(late.due_date, 5)
    drafted = AuditEvent.objects.get(dossier=late, action="apology.drafted")
    assert drafted.visible_to_facility is False


def test_a_dossier_due_later_gets_no_apology(facility, reviewer):
    dossier = dossier_at(DossierStatus.SUBMITTED, facility=facility)
    _due(dossier, add_working_days(_today(), 4))
    assert apologies_draft() == 0
    assert not Apology.objects.exists()


def test_a_dossier_waiting_on_the_facility_gets_no_apology(facility, reviewer):
    dossier = dossier_at(DossierStatus.SUBMITTED, facility=facility)
    dossier.status = DossierStatus.NEEDS_INFO
    dossier.due_date = _today()
    dossier.save(update_fields=["status", "due_date"])
    assert apologies_draft() == 0


def test_drafting_twice_leaves_one_apology(late):
    assert apologies_draft() == 0
    assert Apology.objects.filter(dossier=late).count() == 1
    assert AuditEvent.objects.filter(dossier=late, action="apology.drafted").count() == 1


def test_reviewers_are_told_by_email_that_an_apology_waits(
    facility, reviewer, approver, viettel, django_capture_on_commit_callbacks
):
    dossier = dossier_at(DossierStatus.SUBMITTED, facility=facility)
    _due(dossier, _today())
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        apologies_draft()
    [message] = mail.outbox
    assert message.to == [reviewer.email]
    assert "sắp trễ hạn" in message.subject
    assert dossier.code in message.subject


def test_sending_moves_the_due_date_and_tells_the_facility_with_the_numbered_letter(
    late, reviewer, facility, django_capture_on_commit_callbacks
):
    apology = Apology.objects.get(dossier=late)
    old = late.due_date
    new = add_working_days(old, 3)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        apology_send(
            apology=apology,
            actor=reviewer,
            new_due_date=new,
            reason="Hệ thống quốc gia tạm dừng đăng ký để nâng cấp",
        )
    late.refresh_from_db()
    assert late.due_date == new
    apology.refresh_from_db()
    assert apology.sent_by == reviewer
    assert apology.old_due_date == old
    letter = apology.letter
    assert letter.kind == Letter.Kind.APOLOGY
    assert letter.number == "1/PXL-SYT"
    text = " ".join(
        "\n".join(page.extract_text() for page in PdfReader(letter.file.open("rb")).pages).split()
    )
    assert "Hệ thống quốc gia tạm dừng đăng ký để nâng cấp." in text
    assert new.strftime("%d/%m/%Y") in text or f"ngày {new.day:02d} tháng {new.month:02d}" in text
    sent = AuditEvent.objects.get(dossier=late, action="dossier.apology_sent")
    assert sent.visible_to_facility is True
    [message] = [m for m in mail.outbox if facility.email in m.to]
    assert "xin lỗi" in message.subject
    [(_name, content, mimetype)] = message.attachments
    assert mimetype == "application/pdf"
    with letter.file.open("rb") as stored:
        assert content == stored.read()


def test_a_dossier_late_twice_gets_two_numbered_apologies(
    late, reviewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        apology_send(
            apology=Apology.objects.get(dossier=late),
            actor=reviewer,
            new_due_date=add_working_days(late.due_date, 1),
            reason="Chờ ý kiến Cục Quản lý Dược.",
        )
    late.refresh_from_db()
    assert apologies_draft(today=late.due_date) == 1
    with django_capture_on_commit_callbacks(execute=True):
        apology_send(
            apology=Apology.objects.get(dossier=late, sent_at__isnull=True),
            actor=reviewer,
            new_due_date=add_working_days(late.due_date, 6),
            reason="Hệ thống quốc gia chưa hoạt động lại.",
        )
    numbers = sorted(late.letters.filter(kind=Letter.Kind.APOLOGY).values_list("number", flat=True))
    assert numbers == ["1/PXL-SYT", "2/PXL-SYT"]


def test_a_new_date_not_after_the_old_one_is_refused(late, reviewer):
    apology = Apology.objects.get(dossier=late)
    with pytest.raises(WorkflowError, match="phải sau ngày hẹn cũ"):
        apology_send(apology=apology, actor=reviewer, new_due_date=late.due_date, reason="Lý do")
    late.refresh_from_db()
    assert Apology.objects.get(pk=apology.pk).sent_at is None


def test_a_new_date_on_a_weekend_or_holiday_is_refused(late, reviewer):
    apology = Apology.objects.get(dossier=late)
    with pytest.raises(WorkflowError, match="ngày làm việc"):
        apology_send(
            apology=apology,
            actor=reviewer,
            new_due_date=_next_non_working_day(late.due_date),
            reason="Lý do",
        )


def test_sending_twice_is_refused_and_moves_the_date_once(late, reviewer):
    apology = Apology.objects.get(dossier=late)
    new = add_working_days(late.due_date, 2)
    apology_send(apology=apology, actor=reviewer, new_due_date=new, reason="Lý do")
    with pytest.raises(WorkflowError, match="đã được gửi"):
        apology_send(
            apology=apology,
            actor=reviewer,
            new_due_date=add_working_days(new, 2),
            reason="Lý do",
        )
    late.refresh_from_db()
    assert late.due_date == new
    assert AuditEvent.objects.filter(dossier=late, action="dossier.apology_sent").count() == 1


@pytest.mark.parametrize("who", ["approver", "viettel", "other_reviewer"])
def test_only_a_reviewer_of_the_province_sends_an_apology(late, who, request):
    actor = request.getfixturevalue(who)
    with pytest.raises(NotAllowed):
        apology_send(
            apology=Apology.objects.get(dossier=late),
            actor=actor,
            new_due_date=add_working_days(late.due_date, 2),
            reason="Lý do",
        )


def test_reviewer_sees_the_drafted_apology_on_the_dossier_page(late, as_user, reviewer):
    page = as_user(reviewer).get(reverse("review:dossier", args=[late.pk]))
    body = page.content.decode()
    assert "phiếu xin lỗi chờ gửi" in body
    assert reverse("review:send_apology", args=[late.pk]) in body


def test_approver_does_not_see_the_apology_form(late, as_user, approver):
    page = as_user(approver).get(reverse("review:dossier", args=[late.pk]))
    assert reverse("review:send_apology", args=[late.pk]) not in page.content.decode()


def test_reviewer_sends_the_apology_from_the_dossier_page(late, as_user, reviewer):
    new = add_working_days(late.due_date, 2)
    response = as_user(reviewer).post(
        reverse("review:send_apology", args=[late.pk]),
        {"new_due_date": new.isoformat(), "reason": "Chờ ý kiến Cục Quản lý Dược"},
    )
    assert response.status_code == 302
    late.refresh_from_db()
    assert late.due_date == new


def test_a_refused_date_keeps_the_typed_reason_on_the_page(late, as_user, reviewer):
    response = as_user(reviewer).post(
        reverse("review:send_apology", args=[late.pk]),
        {"new_due_date": late.due_date.isoformat(), "reason": "Lý do đã gõ"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "phải sau ngày hẹn cũ" in body
    assert "Lý do đã gõ" in body


def test_reviewer_of_another_province_cannot_send_the_apology(late, as_user, other_reviewer):
    response = as_user(other_reviewer).post(
        reverse("review:send_apology", args=[late.pk]),
        {"new_due_date": add_working_days(late.due_date, 2).isoformat(), "reason": "x"},
    )
    assert response.status_code == 404


def test_the_review_queue_flags_a_dossier_whose_apology_waits(late, as_user, reviewer):
    page = as_user(reviewer).get(reverse("review:queue") + "?tab=all")
    assert "Phiếu xin lỗi chờ gửi" in page.content.decode()
