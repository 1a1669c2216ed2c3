"""The traffic generator reports its pushes to the portal as vendor software would."""

from datetime import datetime

import httpx
import pytest
from django.test import Client

from provisioning.monitoring.keys import api_key_create
from provisioning.monitoring.models import MonitoringState, MonitoringStatus, SyncReport
from provisioning.national.traffic import (
    VN_TZ,
    Credentials,
    SyncReporter,
    read_report_keys,
    run_traffic,
)

from ..factories import FacilityFactory, VendorFactory
from ..national.conftest import FAST, PASSWORD, make_simulator  # noqa: F401 - a fixture
from .factories import HandedOverAccountFactory

URL = "http://portal.test/api/v1/sync-reports"
CODES = ("24-100001", "24-100002")


class DjangoTransport(httpx.BaseTransport):
    """httpx calls answered by the Django test client; `down` calls fail first."""

    def __init__(self, down=0, status=None):
        self.client = Client()
        self.down, self.status, self.calls = down, status, 0

    def handle_request(self, request):
        self.calls += 1
        if self.down:
            self.down -= 1
            raise httpx.ConnectError("connection refused", request=request)
        if self.status:
            return httpx.Response(self.status, json={"error": "x"}, request=request)
        answer = self.client.generic(
            request.method,
            request.url.raw_path.decode(),
            data=request.content,
            content_type=request.headers.get("content-type"),
            headers={"Authorization": request.headers["authorization"]},
        )
        return httpx.Response(answer.status_code, content=answer.content, request=request)


@pytest.fixture
def vendor(db):
    return VendorFactory()


@pytest.fixture
def accounts(vendor):
    return [
        HandedOverAccountFactory(facility=FacilityFactory(vendor=vendor), facility_code=code)
        for code in CODES
    ]


@pytest.fixture
def vendor_key(vendor):
    return api_key_create(vendor=vendor)[1]


def a_report(code="24-100001", national_id="HD1"):
    return {
        "facility_code": code,
        "system": "legacy",
        "kind": "hoa_don",
        "national_id": national_id,
        "pushed_at": datetime.now(VN_TZ),
    }


def test_every_push_of_the_generator_is_reported_and_the_accounts_become_active(
    request, accounts, vendor_key
):
    simulator = request.getfixturevalue("make_simulator")("legacy")
    transport = DjangoTransport()
    reporter = SyncReporter(URL, vendor_key, batch_size=5, transport=transport)
    given = [Credentials(code, f"gpp_{code}", PASSWORD) for code in CODES]

    report = run_traffic(
        dialect="legacy",
        base_url=simulator.base_url,
        facilities=given,
        days=2,
        sales_per_day=2,
        policy=FAST,
        reporter=reporter,
    )
    reporter.close()

    assert report.outcomes["ok"] == report.sent > 5
    assert SyncReport.objects.count() == report.sent == reporter.counts["accepted"]
    assert transport.calls > 1  # in batches
    states = MonitoringState.objects.filter(pk__in=[a.pk for a in accounts])
    assert {state.status for state in states} == {MonitoringStatus.ACTIVE}


def test_reports_wait_while_the_portal_is_down_and_go_when_it_is_back(accounts, vendor_key):
    transport = DjangoTransport(down=2)
    reporter = SyncReporter(URL, vendor_key, batch_size=1, transport=transport)

    reporter.add(**a_report(national_id="HD1"))  # flush fails: kept
    reporter.add(**a_report(national_id="HD2"))  # fails again: both kept
    assert (len(reporter.pending), SyncReport.objects.count()) == (2, 0)
    assert reporter.flush()

    assert reporter.pending == []
    assert SyncReport.objects.count() == 2
    assert reporter.counts["failed_calls"] == 2


def test_a_portal_error_keeps_the_reports_and_a_refused_key_drops_them(db):
    busy = SyncReporter(URL, "k", transport=DjangoTransport(status=503))
    busy.add(**a_report())
    assert not busy.flush()
    assert len(busy.pending) == 1

    refused = SyncReporter(URL, "wrong key", transport=DjangoTransport())
    refused.add(**a_report())
    assert refused.flush()
    assert (refused.pending, refused.counts["dropped"]) == ([], 1)


def test_the_queue_is_bounded_while_the_portal_stays_down(db):
    reporter = SyncReporter(
        URL, "k", batch_size=2, max_pending=3, transport=DjangoTransport(down=100)
    )

    for number in range(10):
        reporter.add(**a_report(national_id=f"HD{number}"))

    assert [r["national_id"] for r in reporter.pending] == ["HD7", "HD8", "HD9"]
    assert reporter.counts["dropped"] == 7


def test_the_command_wants_the_key_with_the_portal_address():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="go together"):
        call_command("national_traffic", "--dialect", "legacy", "--report-to", URL)


def test_each_facility_is_reported_with_its_own_vendors_key(accounts, vendor_key, tmp_path):
    other = HandedOverAccountFactory(facility_code="24-100003")
    other_key = api_key_create(vendor=other.facility.vendor)[1]
    path = tmp_path / "keys.csv"
    path.write_text(f"24-100001,{vendor_key}\n24-100003,{other_key}\n", encoding="utf-8")
    reporter = SyncReporter(URL, keys=read_report_keys(path), transport=DjangoTransport())

    reporter.add(**a_report("24-100001", "HD1"))
    reporter.add(**a_report("24-100003", "HD2"))
    reporter.add(**a_report("24-100002", "HD3"))  # no key given for it
    reporter.close()

    assert (reporter.counts["accepted"], reporter.counts["no_key"]) == (2, 1)
    assert set(SyncReport.objects.values_list("account__facility_code", flat=True)) == {
        "24-100001",
        "24-100003",
    }
