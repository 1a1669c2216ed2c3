"""Reminders from the status-change outbox: facility, vendor, daily digest, recovery."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from provisioning.monitoring.models import MonitoringDigest, StatusChange
from provisioning.monitoring.notify import digests_send, notifications_send
from provisioning.monitoring.services import monitoring_sweep

from .factories import HandedOverAccountFactory, push, step

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)


def to(address):
    return [message for message in mail.outbox if address in message.to]


@pytest.fixture
def start():
    """Eight in the morning, Vietnam time: after the digest's hour."""
    return timezone.localtime().replace(hour=8, minute=0, second=0, microsecond=0)


@pytest.fixture
def account(facility, start):
    facility.vendor.contact_email = "hotro@phanmem.vn"
    facility.vendor.save()
    account = HandedOverAccountFactory(facility=facility, handed_over_at=start)
    push(account, start)
    return account


def test_facility_going_late_gets_one_reminder_naming_its_owner(account, start):
    step(start + 4 * DAY)

    [message] = to("alice@nhathuoc.vn")
    assert "chậm gửi dữ liệu" in message.subject
    assert "Kính gửi Trần Thị An, người đại diện Nhà thuốc An Khang" in message.body
    assert account.facility_code in message.body
    assert "lienhe@ankhang.vn" in message.to
    change = StatusChange.objects.get(account=account, reason="late")
    assert change.processed_at and change.notified_at


def test_running_the_outbox_again_sends_nothing_more(account, start):
    step(start + 4 * DAY)
    step(start + 4 * DAY + HOUR)
    notifications_send(now=start + 4 * DAY + 2 * HOUR)

    assert len(mail.outbox) == 1


def test_facility_going_silent_gets_a_second_reminder_with_the_lock_deadline(account, start):
    step(start + 4 * DAY)
    step(start + 15 * DAY)

    late, silent = to("alice@nhathuoc.vn")
    assert "ngừng gửi dữ liệu" in silent.subject
    assert "quá 90 ngày sẽ bị khóa" in silent.body


def test_data_arriving_before_the_outbox_runs_cancels_the_reminder(account, start):
    monitoring_sweep(at=start + 4 * DAY)
    push(account, start + 4 * DAY + HOUR)
    notifications_send(now=start + 4 * DAY + 2 * HOUR)

    assert mail.outbox == []
    late = StatusChange.objects.get(account=account, reason="late")
    assert late.processed_at and late.notified_at is None


def test_reminded_facility_gets_a_recovery_notice_when_data_returns(account, start):
    step(start + 4 * DAY)
    push(account, start + 5 * DAY)
    notifications_send(now=start + 5 * DAY)

    late, recovered = to("alice@nhathuoc.vn")
    assert "đã có dữ liệu trở lại" in recovered.subject


def test_a_new_episode_is_reminded_again(account, start):
    step(start + 4 * DAY)
    push(account, start + 5 * DAY)
    step(start + 9 * DAY)

    subjects = [message.subject for message in to("alice@nhathuoc.vn")]
    assert len(subjects) == 3  # late, recovered, late again
    assert "chậm gửi dữ liệu" in subjects[2]


def test_vendor_is_reminded_only_after_the_delay_while_the_facility_stays_silent(
    account, start, settings
):
    settings.MONITORING_VENDOR_REMINDER_HOURS = 48
    step(start + 15 * DAY)
    step(start + 15 * DAY + 47 * HOUR)
    assert to("hotro@phanmem.vn") == []

    step(start + 15 * DAY + 49 * HOUR)
    step(start + 15 * DAY + 50 * HOUR)

    [message] = to("hotro@phanmem.vn")
    assert "Nhà thuốc An Khang" in message.body
    assert message.subject.startswith("[Liên thông Dược] 1 cơ sở dùng phần mềm")


def test_vendor_is_not_reminded_when_data_came_back_within_the_delay(account, start):
    step(start + 15 * DAY)
    push(account, start + 16 * DAY)
    step(start + 18 * DAY)

    assert to("hotro@phanmem.vn") == []


def test_province_staff_get_one_digest_a_day_however_often_it_runs(
    account, start, reviewer, approver, other_reviewer
):
    monitoring_sweep(at=start + 4 * DAY)

    digests_send(now=start + 4 * DAY)
    digests_send(now=start + 4 * DAY + HOUR)

    assert len(to("chuyenvien@soyte.vn")) == 1
    [message] = to("lanhdao@soyte.vn")
    assert "Chậm gửi dữ liệu (1):" in message.body
    assert "Nhà thuốc An Khang" in message.body
    assert to("chuyenvien@soyte-hanoi.vn")[0].body.count("Nhà thuốc An Khang") == 0
    assert MonitoringDigest.objects.filter(sent_at__isnull=False).count() == 2


def test_the_next_day_brings_a_new_digest(account, start, reviewer):
    digests_send(now=start)
    digests_send(now=start + DAY)

    assert len(to("chuyenvien@soyte.vn")) == 2


def test_a_long_digest_lists_the_first_facilities_and_counts_the_rest(start, reviewer, monkeypatch):
    monkeypatch.setattr("provisioning.monitoring.notify.DIGEST_LISTED", 2)
    for _n in range(3):
        HandedOverAccountFactory(handed_over_at=start)
    monitoring_sweep(at=start + 4 * DAY)

    digests_send(now=start + 4 * DAY)

    [message] = to("chuyenvien@soyte.vn")
    assert "Chậm gửi dữ liệu (3):" in message.body
    assert "- và 1 cơ sở khác" in message.body


def test_the_outbox_and_the_digest_are_scheduled_tasks_that_send(facility, reviewer, settings):
    from portal.celery import app
    from provisioning.monitoring.tasks import send_daily_digest, send_notifications

    HandedOverAccountFactory(facility=facility, handed_over_at=timezone.now() - 4 * DAY)
    monitoring_sweep()
    settings.MONITORING_DIGEST_HOUR = 0
    send_notifications.delay()
    send_daily_digest.delay()

    assert len(to("alice@nhathuoc.vn")) == 1 and len(to("chuyenvien@soyte.vn")) == 1
    schedule = {entry["task"]: entry["schedule"] for entry in app.conf.beat_schedule.values()}
    assert schedule[send_notifications.name] == 300.0
    assert schedule[send_daily_digest.name] == 3600.0


def test_no_digest_goes_out_before_the_digest_hour(start, reviewer, settings):
    settings.MONITORING_DIGEST_HOUR = 7

    digests_send(now=start.replace(hour=6))
    assert mail.outbox == []
    digests_send(now=start.replace(hour=7))
    assert len(to("chuyenvien@soyte.vn")) == 1
