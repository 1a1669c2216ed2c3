"""The staff page for API keys, and the facility's own status card."""

import datetime

import pytest
from django.utils import timezone

from provisioning.models import AuditEvent
from provisioning.monitoring.ingest import reports_ingest
from provisioning.monitoring.keys import api_key_authenticate, api_key_create
from provisioning.monitoring.models import ApiKey
from provisioning.monitoring.services import monitoring_move, monitoring_sweep

from ..factories import FacilityFactory, VendorFactory, province
from .factories import HandedOverAccountFactory, report

KEYS = "/theo-doi/khoa-api/"


@pytest.fixture
def account(facility):
    return HandedOverAccountFactory(facility=facility, facility_code="24-008179")


def test_anonymous_is_sent_to_log_in(as_user, db):
    response = as_user(None).get(KEYS)

    assert response.status_code == 302
    assert "/tai-khoan/login/" in response["Location"]


def test_a_facility_owner_gets_403(as_user, owner):
    assert as_user(owner).get(KEYS).status_code == 403


def test_viettel_creates_a_facility_key_and_sees_it_once(as_user, viettel, account):
    client = as_user(viettel)

    response = client.post(KEYS, {"facility_code": "24-008179", "name": "Phần mềm GPP"})

    assert response.status_code == 200
    raw = response.context["new_key"]
    key = api_key_authenticate(raw)
    assert (key.facility, key.created_by, key.name) == (account.facility, viettel, "Phần mềm GPP")
    assert raw in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    listing = client.get(KEYS).content.decode()
    assert key.prefix in listing
    assert raw not in listing
    assert AuditEvent.objects.filter(action="api_key.created", actor=viettel).exists()


def test_a_reviewer_creates_a_key_for_a_vendor_of_the_province(as_user, reviewer, account):
    response = as_user(reviewer).post(KEYS, {"vendor": account.facility.vendor.pk})

    assert api_key_authenticate(response.context["new_key"]).vendor == account.facility.vendor


def test_a_facility_code_of_another_province_is_refused(as_user, other_viettel, account):
    response = as_user(other_viettel).post(KEYS, {"facility_code": "24-008179"})

    assert response.context["new_key"] is None
    assert "facility_code" in response.context["form"].errors
    assert not ApiKey.objects.exists()


def test_a_vendor_with_no_facility_in_the_province_cannot_be_chosen(as_user, reviewer, db):
    stranger = VendorFactory()

    response = as_user(reviewer).post(KEYS, {"vendor": stranger.pk})

    assert "vendor" in response.context["form"].errors
    assert not ApiKey.objects.exists()


def test_the_form_asks_for_one_owner_only(as_user, viettel, account):
    response = as_user(viettel).post(
        KEYS, {"facility_code": "24-008179", "vendor": account.facility.vendor.pk}
    )

    assert response.context["form"].non_field_errors()
    assert not ApiKey.objects.exists()


def test_staff_of_another_province_neither_see_nor_revoke_a_key(as_user, other_reviewer, account):
    key, _raw = api_key_create(facility=account.facility)
    client = as_user(other_reviewer)

    assert key.prefix not in client.get(KEYS).content.decode()
    assert client.post(f"{KEYS}{key.pk}/thu-hoi/").status_code == 404
    key.refresh_from_db()
    assert key.revoked_at is None


def test_revoking_a_key_stops_it_at_once(as_user, viettel, account):
    key, raw = api_key_create(facility=account.facility)

    response = as_user(viettel).post(f"{KEYS}{key.pk}/thu-hoi/")

    assert response.status_code == 302
    key.refresh_from_db()
    assert (key.revoked_by, key.revoked_at is not None) == (viettel, True)
    assert api_key_authenticate(raw) is None
    assert AuditEvent.objects.filter(action="api_key.revoked", actor=viettel).exists()


def test_a_facility_sees_its_status_and_last_data_on_its_home_page(as_user, owner, account):
    account.handed_over_at = timezone.now() - datetime.timedelta(days=30)
    account.save(update_fields=["handed_over_at"])
    pushed = timezone.now() - datetime.timedelta(days=5)
    key, _raw = api_key_create(facility=account.facility)
    reports_ingest(key=key, items=[report(account, national_id="HD1", pushed_at=pushed)])

    page = as_user(owner).get("/co-so/").content.decode()

    assert "Chậm gửi dữ liệu" in page
    assert timezone.localtime(pushed).strftime("%H:%M %d/%m/%Y") in page
    assert "Quá 3 ngày không có dữ liệu" in page


def test_a_facility_just_handed_over_is_waiting_for_its_first_data(as_user, owner, account):
    page = as_user(owner).get("/co-so/").content.decode()

    assert "Chờ dữ liệu đầu tiên" in page
    assert "chưa có" in page


def test_a_paused_facility_reads_until_when(as_user, owner, reviewer, account):
    monitoring_sweep()
    until = timezone.localdate() + datetime.timedelta(days=10)
    monitoring_move(account=account, reason="paused", actor=reviewer, paused_until=until)

    page = as_user(owner).get("/co-so/").content.decode()

    assert "Tạm ngừng hoạt động" in page
    assert until.strftime("%d/%m/%Y") in page


def test_the_home_page_costs_the_same_queries_with_more_accounts(
    as_user, owner, account, django_assert_max_num_queries
):
    client = as_user(owner)
    client.get("/co-so/")
    with django_assert_max_num_queries(20) as few:
        client.get("/co-so/")
    for _ in range(3):
        HandedOverAccountFactory(facility=FacilityFactory(owner=owner, province=province(24)))
    monitoring_sweep()

    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/co-so/").content.decode()
    assert page.count("Chờ dữ liệu đầu tiên") == 4


def test_the_facility_page_shows_90_days_with_and_without_data(as_user, owner, account):
    account.handed_over_at = timezone.now() - datetime.timedelta(days=30)
    account.save(update_fields=["handed_over_at"])
    key, _raw = api_key_create(facility=account.facility)
    two_days_ago = timezone.now() - datetime.timedelta(days=2)
    reports_ingest(
        key=key,
        items=[report(account, national_id=f"HD{n}", pushed_at=two_days_ago) for n in range(3)],
    )

    page = as_user(owner).get("/co-so/").content.decode()

    assert "Lịch gửi dữ liệu 90 ngày gần nhất: 1 ngày có dữ liệu." in page
    assert page.count('class="day-with-data"') == 1
    assert page.count('class="day-without-data"') == 89
    assert f"{timezone.localdate(two_days_ago):%d/%m/%Y}: 3 lần gửi" in page
