"""Vendor outages: one incident instead of many reminders, closed when the facilities recover."""

import datetime
import itertools

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from provisioning.models import AuditEvent
from provisioning.monitoring.incidents import repair_clock
from provisioning.monitoring.models import VendorIncident
from provisioning.monitoring.notify import notifications_send

from ..conftest import client_for
from ..factories import FacilityFactory, VendorFactory
from .factories import HandedOverAccountFactory, push, step

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)
owners = itertools.count(1)


def facility_mails():
    return [m for m in mail.outbox if any(a.startswith("owner") for a in m.to)]


@pytest.fixture
def start():
    return timezone.now()


@pytest.fixture
def vendor():
    return VendorFactory(name="Công ty TNHH Phần mềm Sao Mai", contact_email="hotro@saomai.vn")


def accounts_of(vendor, count, start):
    accounts = []
    for _n in range(count):
        facility = FacilityFactory(vendor=vendor, email=f"owner{next(owners)}@nhathuoc.vn")
        facility.owner.email = facility.email
        facility.owner.save()
        account = HandedOverAccountFactory(facility=facility, handed_over_at=start)
        push(account, start)
        accounts.append(account)
    return accounts


def test_many_facilities_of_one_vendor_going_quiet_open_one_incident_instead_of_reminders(
    vendor, start, viettel, settings
):
    settings.MONITORING_OUTAGE_MIN_ACCOUNTS = 5
    accounts_of(vendor, 5, start)

    step(start + 4 * DAY)
    step(start + 4 * DAY + HOUR)

    incident = VendorIncident.objects.get()
    assert incident.vendor == vendor and incident.accounts.count() == 5
    assert facility_mails() == []
    [to_vendor] = [m for m in mail.outbox if "hotro@saomai.vn" in m.to]
    [to_viettel] = [m for m in mail.outbox if "canbo@viettel.vn" in m.to]
    assert "Sự cố: 5 cơ sở" in to_vendor.subject
    assert "phải được khắc phục trước" in to_viettel.body
    assert incident.repair_due_at == incident.opened_at + 12 * HOUR


def test_fewer_quiet_facilities_than_the_threshold_get_their_own_reminders(vendor, start, settings):
    settings.MONITORING_OUTAGE_MIN_ACCOUNTS = 5
    accounts_of(vendor, 4, start)

    step(start + 4 * DAY)

    assert not VendorIncident.objects.exists()
    assert len(facility_mails()) == 4


def test_incident_closes_by_itself_when_enough_facilities_recover_and_is_audited(
    vendor, start, settings
):
    settings.MONITORING_OUTAGE_MIN_ACCOUNTS = 5
    settings.MONITORING_OUTAGE_RECOVERED_PERCENT = 80
    accounts = accounts_of(vendor, 5, start)
    step(start + 4 * DAY)
    for account in accounts[:3]:
        push(account, start + 4 * DAY + 2 * HOUR)
    notifications_send(now=start + 4 * DAY + 3 * HOUR)
    assert VendorIncident.objects.get().closed_at is None

    push(accounts[3], start + 4 * DAY + 5 * HOUR)
    notifications_send(now=start + 4 * DAY + 6 * HOUR)

    incident = VendorIncident.objects.get()
    assert incident.closed_at == start + 4 * DAY + 6 * HOUR
    assert repair_clock(incident) == 6 * HOUR  # closed within its 12 hours
    event = AuditEvent.objects.get(action="monitoring.incident_closed")
    assert event.data["recovered"] == 4 and event.data["within_repair_duty"] is True


def test_held_reminders_go_out_after_the_incident_only_to_facilities_still_quiet(
    vendor, start, settings
):
    settings.MONITORING_OUTAGE_MIN_ACCOUNTS = 5
    accounts = accounts_of(vendor, 5, start)
    step(start + 4 * DAY)
    for account in accounts[:4]:
        push(account, start + 4 * DAY + HOUR)

    notifications_send(now=start + 4 * DAY + 2 * HOUR)

    [reminder] = facility_mails()
    assert reminder.to == [accounts[4].facility.email]
    assert "chậm gửi dữ liệu" in reminder.subject


def test_a_facility_going_quiet_during_an_open_incident_joins_it(vendor, start, settings):
    settings.MONITORING_OUTAGE_MIN_ACCOUNTS = 5
    accounts_of(vendor, 5, start)
    step(start + 4 * DAY)
    late = accounts_of(vendor, 1, start + 2 * HOUR)[0]

    step(start + 4 * DAY + 3 * HOUR)

    incident = VendorIncident.objects.get()
    assert late in incident.accounts.all()
    assert facility_mails() == []


# The incidents page: the clock against the 12-hour duty, for the province's staff.
INCIDENTS = reverse("monitoring:incidents")


@pytest.fixture
def outage(vendor, start, settings):
    settings.MONITORING_OUTAGE_MIN_ACCOUNTS = 5
    accounts_of(vendor, 5, start)
    step(timezone.now() + 4 * DAY)  # opened "now", as the page's clock runs from now
    return VendorIncident.objects.get()


def test_staff_see_the_open_incident_with_its_repair_clock(outage, reviewer):
    outage.opened_at = timezone.now() - 2 * HOUR
    outage.repair_due_at = outage.opened_at + 12 * HOUR
    outage.save()

    page = client_for(reviewer).get(INCIDENTS).content.decode()

    assert "Công ty TNHH Phần mềm Sao Mai" in page
    assert "còn 9 giờ 59 phút" in page or "còn 10 giờ 0 phút" in page
    assert "Đang mở" in page


def test_an_overdue_incident_says_how_long_overdue(outage, viettel):
    outage.repair_due_at = timezone.now() - 3 * HOUR
    outage.save()

    page = client_for(viettel).get(INCIDENTS).content.decode()

    assert "quá hạn 3 giờ" in page


def test_incidents_page_anonymous_is_sent_to_login(db):
    assert client_for(None).get(INCIDENTS).status_code == 302


def test_incidents_page_facility_user_gets_403(owner):
    assert client_for(owner).get(INCIDENTS).status_code == 403


def test_incidents_page_other_province_staff_see_nothing_of_ours(outage, other_reviewer):
    page = client_for(other_reviewer).get(INCIDENTS).content.decode()

    assert "Sao Mai" not in page
    assert "Chưa có sự cố nào" in page


def test_incidents_page_wrong_role_gets_403(admin_member):
    assert client_for(admin_member).get(INCIDENTS).status_code == 403
