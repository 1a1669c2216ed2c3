"""The lock list: accounts due for locking confirmed by their issuer, with a notice letter."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from provisioning.models import AuditEvent, Letter, MonitoringStatus
from provisioning.monitoring.locks import account_lock_record, account_notice_send
from provisioning.monitoring.models import MonitoringState, StatusChange
from provisioning.monitoring.services import monitoring_sweep

from ..conftest import client_for
from ..factories import DossierFactory, FacilityFactory
from .factories import HandedOverAccountFactory

pytestmark = pytest.mark.django_db

S = MonitoringStatus
DAY = datetime.timedelta(days=1)
LIST = reverse("monitoring:lock_list")


def due(facility, system="legacy"):
    """An account of `facility` with a dossier, silent for 100 days: due for locking."""
    account = HandedOverAccountFactory(
        facility=facility,
        system=system,
        dossier=DossierFactory(facility=facility),
        handed_over_at=timezone.now() - 100 * DAY,
    )
    monitoring_sweep()
    return account


@pytest.fixture
def confirm(django_capture_on_commit_callbacks):
    """`confirm(user, account, reason)`: the user's confirmation, with what runs after commit."""

    def post(user, account, reason="locked", **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return client_for(user).post(lock_url(account, reason), **kwargs)

    return post


@pytest.fixture
def record(django_capture_on_commit_callbacks):
    def run(account, reason, actor):
        with django_capture_on_commit_callbacks(execute=True):
            return account_lock_record(account=account, reason=reason, actor=actor)

    return run


def lock_url(account, reason="locked"):
    return reverse("monitoring:lock_record", args=[account.pk, reason])


def status(account):
    return MonitoringState.objects.get(pk=account.pk).status


def test_viettel_confirming_a_legacy_lock_locks_it_and_audits_it(facility, viettel):
    account = due(facility)

    response = client_for(viettel).post(lock_url(account))

    assert response.status_code == 302
    assert status(account) == S.LOCKED
    event = AuditEvent.objects.get(action="monitoring.locked")
    assert event.actor == viettel and event.facility == facility
    assert event.from_status == S.DUE_LOCK and event.to_status == S.LOCKED


def test_a_lock_issues_a_numbered_notice_letter_and_emails_it_to_the_facility(
    facility, viettel, confirm
):
    account = due(facility)

    confirm(viettel, account)

    letter = Letter.objects.get(kind=Letter.Kind.LOCK_NOTICE)
    assert letter.dossier == account.dossier and "/TB-" in letter.number
    assert StatusChange.objects.get(reason="locked").letter == letter
    [message] = mail.outbox
    assert "alice@nhathuoc.vn" in message.to
    assert "tài khoản liên thông đã bị khóa" in message.subject
    assert "Kính gửi Trần Thị An" in message.body
    [(filename, content, mimetype)] = message.attachments
    assert filename.startswith("lock_notice-") and content.startswith(b"%PDF")


def test_the_notice_task_run_twice_issues_one_letter_and_one_email(facility, viettel, record):
    account = due(facility)
    change = record(account, "locked", viettel)

    account_notice_send(change_id=change.pk)

    assert Letter.objects.filter(kind=Letter.Kind.LOCK_NOTICE).count() == 1
    assert len(mail.outbox) == 1


def test_unlocking_is_recorded_and_noticed_the_same_way(facility, viettel, confirm):
    account = due(facility)
    confirm(viettel, account)

    confirm(viettel, account, "unlocked")

    assert status(account) == S.WAITING
    assert AuditEvent.objects.filter(action="monitoring.unlocked", actor=viettel).exists()
    assert Letter.objects.filter(kind=Letter.Kind.UNLOCK_NOTICE).count() == 1
    assert "đã được mở khóa" in mail.outbox[-1].subject


def test_a_second_lock_after_a_new_silence_gets_its_own_notice(facility, viettel, record):
    account = due(facility)
    record(account, "locked", viettel)
    record(account, "unlocked", viettel)
    monitoring_sweep(at=timezone.now() + 91 * DAY)

    record(account, "locked", viettel)

    assert Letter.objects.filter(kind=Letter.Kind.LOCK_NOTICE).count() == 2


def test_health_department_confirms_the_lock_of_a_2026_account(facility, reviewer):
    account = due(facility, system="v2")

    client_for(reviewer).post(lock_url(account))

    assert status(account) == S.LOCKED


def test_an_account_not_due_cannot_be_locked(facility, viettel, confirm):
    account = HandedOverAccountFactory(facility=facility)
    monitoring_sweep()

    response = confirm(viettel, account, follow=True)

    assert status(account) == S.WAITING
    assert "không thể" in response.content.decode()
    assert mail.outbox == []


# Permissions of the list and of the confirmation.


def test_anonymous_is_sent_to_login(facility):
    account = due(facility)

    assert client_for(None).get(LIST).status_code == 302
    assert client_for(None).post(lock_url(account)).status_code == 302
    assert status(account) == S.DUE_LOCK


def test_facility_user_gets_403(facility, owner):
    account = due(facility)

    assert client_for(owner).get(LIST).status_code == 403
    assert client_for(owner).post(lock_url(account)).status_code == 403


def test_viettel_of_other_province_neither_sees_nor_locks(facility, other_viettel):
    account = due(facility)

    page = client_for(other_viettel).get(LIST)

    assert facility.name not in page.content.decode()
    assert client_for(other_viettel).post(lock_url(account)).status_code == 404
    assert status(account) == S.DUE_LOCK


def test_reviewer_of_other_province_gets_404(facility, other_reviewer):
    account = due(facility, system="v2")

    assert client_for(other_reviewer).post(lock_url(account)).status_code == 404


def test_reviewer_may_not_lock_a_legacy_account_issued_by_viettel(facility, reviewer):
    account = due(facility)

    assert facility.name not in client_for(reviewer).get(LIST).content.decode()
    assert client_for(reviewer).post(lock_url(account)).status_code == 403
    assert status(account) == S.DUE_LOCK


def test_viettel_may_not_lock_a_2026_account_issued_by_the_health_department(facility, viettel):
    account = due(facility, system="v2")

    assert client_for(viettel).post(lock_url(account)).status_code == 403


def test_viettel_sees_its_due_accounts_with_a_confirm_button(facility, viettel):
    account = due(facility)

    page = client_for(viettel).get(LIST).content.decode()

    assert facility.name in page and account.facility_code in page
    assert lock_url(account) in page and "data-confirm" in page


def test_lock_list_finds_a_facility_typed_without_accents(facility, viettel):
    due(facility)
    due(FacilityFactory(name="Nhà thuốc Bình Minh"))

    page = client_for(viettel).get(LIST, {"q": "an khang"}).content.decode()

    assert "Nhà thuốc An Khang" in page and "Bình Minh" not in page


def test_lock_list_says_when_nothing_is_due(viettel):
    page = client_for(viettel).get(LIST).content.decode()

    assert "Không có tài khoản nào đến hạn khóa" in page


def test_lock_list_is_paged(viettel, settings):
    settings.PAGE_SIZE = 2
    for _n in range(3):
        due(FacilityFactory())

    first = client_for(viettel).get(LIST).content.decode()
    second = client_for(viettel).get(LIST, {"page": 2}).content.decode()

    assert first.count("data-confirm") == 2 and second.count("data-confirm") == 1


def test_locked_tab_lists_locked_accounts_to_unlock(facility, viettel):
    account = due(facility)
    account_lock_record(account=account, reason="locked", actor=viettel)

    page = client_for(viettel).get(LIST, {"tab": "da-khoa"}).content.decode()

    assert lock_url(account, "unlocked") in page
