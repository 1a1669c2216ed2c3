"""POST /api/v1/sync-reports: keys, scope, per-report rejections, duplicates, limits."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from provisioning.models import MonitoringStatus
from provisioning.monitoring.keys import api_key_create, api_key_revoke
from provisioning.monitoring.models import AccountDay, ApiKey, MonitoringState, SyncReport

from ..factories import FacilityFactory, VendorFactory
from .factories import HandedOverAccountFactory, report

URL = "/api/v1/sync-reports"


def post(raw_key, reports=None, *, body=None):
    headers = {"Authorization": f"Bearer {raw_key}"} if raw_key else {}
    return Client().post(
        URL,
        data=body if body is not None else {"reports": reports},
        content_type="application/json",
        headers=headers,
    )


@pytest.fixture
def vendor(db):
    return VendorFactory(name="Công ty Phần mềm Sao Mai", tax_code="0101234567")


@pytest.fixture
def account(vendor):
    return HandedOverAccountFactory(facility=FacilityFactory(vendor=vendor))


@pytest.fixture
def vendor_key(vendor):
    return api_key_create(vendor=vendor)[1]


@pytest.fixture
def facility_key(account):
    return api_key_create(facility=account.facility)[1]


def test_reports_are_accepted_and_counted_per_day_and_kind(account, vendor_key):
    now = timezone.now()
    reports = [
        report(account, national_id="HD1", kind="hoa_don", pushed_at=now),
        report(account, national_id="HD2", kind="hoa_don", pushed_at=now),
        report(account, national_id="PN1", kind="phieu_nhap", pushed_at=now),
    ]

    response = post(vendor_key, reports)

    assert response.status_code == 200
    assert response.json() == {"accepted": 3, "duplicates": 0, "rejected": []}
    day = AccountDay.objects.get(account=account)
    assert (day.day, day.pushes, day.hoa_don, day.phieu_nhap) == (timezone.localdate(now), 3, 2, 1)
    assert SyncReport.objects.filter(account=account).count() == 3
    state = MonitoringState.objects.get(pk=account.pk)
    assert state.status == MonitoringStatus.ACTIVE
    assert abs(state.last_data_at - now) < datetime.timedelta(seconds=1)


def test_a_resent_batch_is_all_duplicates_and_counts_nothing_twice(account, vendor_key):
    reports = [report(account, national_id=f"HD{n}") for n in range(5)]
    post(vendor_key, reports)

    response = post(vendor_key, reports)

    assert response.json() == {"accepted": 0, "duplicates": 5, "rejected": []}
    assert AccountDay.objects.get(account=account).pushes == 5
    assert SyncReport.objects.count() == 5


def test_a_report_repeated_within_one_batch_is_a_duplicate(account, vendor_key):
    reports = [report(account, national_id="HD1"), report(account, national_id="HD1")]

    response = post(vendor_key, reports)

    assert response.json() == {"accepted": 1, "duplicates": 1, "rejected": []}
    assert AccountDay.objects.get(account=account).pushes == 1


def test_the_same_national_id_on_the_other_system_is_another_report(vendor, vendor_key):
    legacy = HandedOverAccountFactory(facility=FacilityFactory(vendor=vendor))
    v2 = HandedOverAccountFactory(facility=legacy.facility, system="v2")

    response = post(vendor_key, [report(legacy, national_id="X1"), report(v2, national_id="X1")])

    assert response.json()["accepted"] == 2
    assert AccountDay.objects.get(account=v2).stock_in == 1


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer ltd_nonsense"}, {"Authorization": "Basic dXNlcjpwYXNz"}],
)
def test_a_missing_or_wrong_key_gets_401_in_json(account, headers):
    response = Client().post(
        URL,
        data={"reports": [report(account, national_id="HD1")]},
        content_type="application/json",
        headers=headers,
    )

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_key"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert not SyncReport.objects.exists()


def test_a_revoked_key_gets_401(account, reviewer):
    key, raw = api_key_create(facility=account.facility)
    api_key_revoke(key=key, actor=reviewer)

    response = post(raw, [report(account, national_id="HD1")])

    assert response.status_code == 401
    assert not SyncReport.objects.exists()


def test_a_vendor_key_cannot_report_for_another_vendors_facility(account, vendor_key):
    other = HandedOverAccountFactory(facility=FacilityFactory(vendor=VendorFactory()))

    response = post(
        vendor_key, [report(account, national_id="HD1"), report(other, national_id="HD2")]
    )

    body = response.json()
    assert (body["accepted"], body["duplicates"]) == (1, 0)
    assert [(r["index"], r["code"]) for r in body["rejected"]] == [(1, "out_of_scope")]
    assert other.facility_code in body["rejected"][0]["message"]
    assert not SyncReport.objects.filter(account=other).exists()


def test_a_facility_key_reports_only_for_its_own_facility(account, facility_key, vendor):
    neighbour = HandedOverAccountFactory(facility=FacilityFactory(vendor=vendor))

    response = post(
        facility_key, [report(neighbour, national_id="HD2"), report(account, national_id="HD1")]
    )

    body = response.json()
    assert body["accepted"] == 1
    assert [(r["index"], r["code"]) for r in body["rejected"]] == [(0, "out_of_scope")]


def test_each_bad_report_is_rejected_on_its_own_with_a_vietnamese_message(account, vendor_key):
    now = timezone.now()
    good = report(account, national_id="OK1")
    reports = [
        {**report(account, national_id="R0"), "facility_code": "99-999999"},
        {**report(account, national_id="R1"), "kind": "stock-in"},
        {**report(account, national_id="R2"), "system": "v3"},
        {**report(account, national_id="R3"), "pushed_at": "01/12/2026 08:00"},
        {**report(account, national_id="R4"), "pushed_at": "2026-12-01T08:00:00"},
        report(account, national_id="R5", pushed_at=now + datetime.timedelta(minutes=10)),
        report(account, national_id="R6", pushed_at=now - datetime.timedelta(days=91)),
        {"facility_code": account.facility_code, "system": "legacy"},
        "HD-9",
        good,
    ]

    response = post(vendor_key, reports)

    body = response.json()
    assert response.status_code == 200
    assert (body["accepted"], body["duplicates"]) == (1, 0)
    codes = [(r["index"], r["code"]) for r in body["rejected"]]
    assert sorted(codes) == [
        (0, "unknown_code"),
        (1, "bad_kind"),
        (2, "bad_system"),
        (3, "bad_time"),
        (4, "bad_time"),
        (5, "future_time"),
        (6, "too_old"),
        (7, "invalid"),
        (8, "invalid"),
    ]
    messages = {r["code"]: r["message"] for r in body["rejected"]}
    assert "Không có tài khoản liên thông" in messages["unknown_code"]
    assert "Loại dữ liệu “stock-in” không có trên hệ thống legacy" in messages["bad_kind"]
    assert "tương lai" in messages["future_time"]
    assert list(SyncReport.objects.values_list("national_id", flat=True)) == ["OK1"]


def test_a_time_a_little_ahead_within_clock_skew_counts_as_now(account, vendor_key):
    ahead = timezone.now() + datetime.timedelta(minutes=2)

    response = post(vendor_key, [report(account, national_id="HD1", pushed_at=ahead)])

    assert response.json()["accepted"] == 1
    assert SyncReport.objects.get().pushed_at < ahead


def test_a_batch_of_1000_is_taken_and_1001_is_refused(account, vendor_key):
    reports = [report(account, national_id=f"HD{n}") for n in range(1001)]

    refused = post(vendor_key, reports)
    taken = post(vendor_key, reports[:1000])

    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "too_many_reports"
    assert taken.json()["accepted"] == 1000
    assert AccountDay.objects.get(account=account).pushes == 1000


@pytest.mark.parametrize("body", ["not json", '{"reports": "HD1"}', "[1, 2]"])
def test_a_body_that_is_not_a_list_of_reports_gets_400(vendor_key, body):
    response = post(vendor_key, body=body)

    assert response.status_code == 400
    assert response.json()["error"]["code"] in ("invalid_json", "invalid_body")


def test_each_key_is_rate_limited_on_its_own(account, vendor_key, facility_key, settings):
    settings.MONITORING_API_RATE_LIMIT = 3
    for n in range(3):
        assert post(vendor_key, [report(account, national_id=f"HD{n}")]).status_code == 200

    limited = post(vendor_key, [report(account, national_id="HD9")])

    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "rate_limited"
    assert limited["Retry-After"] == str(settings.MONITORING_API_RATE_WINDOW)
    assert not SyncReport.objects.filter(national_id="HD9").exists()
    assert post(facility_key, [report(account, national_id="HD9")]).status_code == 200


def test_guessing_keys_is_rate_limited_per_address(db):
    statuses = [post(f"ltd_guess{n}", []).status_code for n in range(31)]

    assert statuses[:30] == [401] * 30
    assert statuses[30] == 429


def test_the_api_answers_only_post(vendor_key):
    response = Client().get(URL, headers={"Authorization": f"Bearer {vendor_key}"})

    assert response.status_code == 405


def test_a_used_key_remembers_when(account, vendor_key):
    post(vendor_key, [report(account, national_id="HD1")])

    assert ApiKey.objects.get(vendor=account.facility.vendor).last_used_at is not None


def test_the_key_is_stored_only_as_its_hash(account):
    key, raw = api_key_create(facility=account.facility)

    assert raw.startswith(key.prefix)
    assert raw not in {key.key_hash, key.prefix}
    assert len(key.key_hash) == 64
