"""A facility asks to pause its monitoring for a temporary closure; the Sở Y tế decides."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from provisioning.models import AuditEvent, MonitoringStatus
from provisioning.monitoring.models import MonitoringState, PauseRequest
from provisioning.monitoring.services import monitoring_sweep

from ..conftest import client_for
from .factories import HandedOverAccountFactory

pytestmark = pytest.mark.django_db

S = MonitoringStatus
LIST = reverse("monitoring:pause_requests")


@pytest.fixture
def account(facility):
    account = HandedOverAccountFactory(facility=facility)
    monitoring_sweep()
    return account


@pytest.fixture
def until():
    return timezone.localdate() + datetime.timedelta(days=30)


def ask(user, account, until, reason="Sửa chữa nhà thuốc"):
    return client_for(user).post(
        reverse("monitoring:pause_request", args=[account.pk]),
        {"until": until.isoformat(), "reason": reason},
    )


def decide(user, pause, decision):
    return client_for(user).post(reverse("monitoring:pause_decide", args=[pause.pk, decision]))


def test_facility_owner_asks_for_a_pause_and_it_waits_for_the_health_department(
    owner, account, until
):
    response = ask(owner, account, until)

    assert response.status_code == 302
    pause = PauseRequest.objects.get()
    assert (pause.status, pause.until, pause.requested_by) == ("pending", until, owner)
    assert MonitoringState.objects.get(pk=account.pk).status == S.WAITING
    assert AuditEvent.objects.filter(action="monitoring.pause_requested", actor=owner).exists()


def test_a_second_request_while_one_is_pending_is_refused(owner, account, until):
    ask(owner, account, until)

    response = ask(owner, account, until)

    assert PauseRequest.objects.count() == 1
    assert "đang chờ Sở Y tế duyệt" in response.content.decode()


def test_a_past_end_date_is_refused(owner, account):
    response = ask(owner, account, timezone.localdate() - datetime.timedelta(days=1))

    assert not PauseRequest.objects.exists()
    assert "từ hôm nay trở đi" in response.content.decode()


def test_reviewer_approving_pauses_the_account_until_the_end_date(owner, reviewer, account, until):
    ask(owner, account, until)
    pause = PauseRequest.objects.get()

    decide(reviewer, pause, "approve")

    state = MonitoringState.objects.get(pk=account.pk)
    assert (state.status, state.paused_until) == (S.PAUSED, until)
    pause.refresh_from_db()
    assert (pause.status, pause.decided_by) == ("approved", reviewer)
    assert AuditEvent.objects.filter(action="monitoring.pause_approved", actor=reviewer).exists()


def test_reviewer_refusing_leaves_the_account_watched(owner, reviewer, account, until):
    ask(owner, account, until)
    pause = PauseRequest.objects.get()

    decide(reviewer, pause, "reject")

    assert MonitoringState.objects.get(pk=account.pk).status == S.WAITING
    assert PauseRequest.objects.get().status == "rejected"


def test_a_decided_request_cannot_be_decided_again(owner, reviewer, approver, account, until):
    ask(owner, account, until)
    pause = PauseRequest.objects.get()
    decide(reviewer, pause, "reject")

    page = client_for(approver).post(
        reverse("monitoring:pause_decide", args=[pause.pk, "approve"]), follow=True
    )

    assert "đã được xử lý" in page.content.decode()
    assert MonitoringState.objects.get(pk=account.pk).status == S.WAITING


def test_reviewer_sees_pending_requests_of_the_province(owner, reviewer, account, until):
    ask(owner, account, until, reason="Nghỉ Tết dài ngày")

    page = client_for(reviewer).get(LIST).content.decode()

    assert "Nhà thuốc An Khang" in page and "Nghỉ Tết dài ngày" in page


def test_pause_list_says_when_nothing_waits(reviewer):
    assert "Không có đề nghị tạm ngừng nào" in client_for(reviewer).get(LIST).content.decode()


# Permissions.


def test_anonymous_is_sent_to_login_everywhere(owner, account, until):
    ask(owner, account, until)
    pause = PauseRequest.objects.get()

    assert client_for(None).get(LIST).status_code == 302
    assert decide(None, pause, "approve").status_code == 302
    assert ask(None, account, until).status_code == 302


def test_another_facility_owner_cannot_ask_for_our_account(other_owner, account, until):
    assert ask(other_owner, account, until).status_code == 404


def test_staff_cannot_ask_on_a_facility_behalf(reviewer, account, until):
    assert ask(reviewer, account, until).status_code == 403


def test_facility_user_gets_403_on_the_staff_list(owner):
    assert client_for(owner).get(LIST).status_code == 403


def test_reviewer_of_other_province_gets_404(owner, other_reviewer, account, until):
    ask(owner, account, until)
    pause = PauseRequest.objects.get()

    assert decide(other_reviewer, pause, "approve").status_code == 404
    assert "An Khang" not in client_for(other_reviewer).get(LIST).content.decode()


def test_viettel_may_not_decide_pauses(owner, viettel, account, until):
    ask(owner, account, until)
    pause = PauseRequest.objects.get()

    assert client_for(viettel).get(LIST).status_code == 403
    assert decide(viettel, pause, "approve").status_code == 403
    assert PauseRequest.objects.get().status == "pending"
