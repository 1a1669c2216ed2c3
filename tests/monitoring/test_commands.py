"""The operators' commands print exactly the pinned lines."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from portal.celery import app
from provisioning.monitoring.ingest import reports_ingest
from provisioning.monitoring.keys import api_key_authenticate, api_key_create
from provisioning.monitoring.models import ApiKey
from provisioning.monitoring.tasks import monitoring_sweep

from ..factories import FacilityFactory, VendorFactory
from .factories import HandedOverAccountFactory, report


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def account(db):
    return HandedOverAccountFactory(facility_code="24-008179")


def test_api_key_create_for_a_facility_prints_one_working_key(account):
    output = run("api_key_create", "--facility-code", "24-008179")

    lines = output.splitlines()
    assert len(lines) == 1
    key = api_key_authenticate(lines[0])
    assert key.facility == account.facility
    response = Client().post(
        "/api/v1/sync-reports",
        data={"reports": [report(account, national_id="HD1")]},
        content_type="application/json",
        headers={"Authorization": f"Bearer {lines[0]}"},
    )
    assert response.json()["accepted"] == 1


def test_api_key_create_for_a_vendor_by_its_tax_code(db):
    vendor = VendorFactory(tax_code="0312345678")

    output = run("api_key_create", "--vendor-tax-code", "0312345678")

    assert api_key_authenticate(output.strip()).vendor == vendor


def test_api_key_create_for_an_unknown_code_fails_and_creates_nothing(db):
    with pytest.raises(CommandError):
        run("api_key_create", "--facility-code", "99-000000")
    with pytest.raises(CommandError):
        run("api_key_create", "--vendor-tax-code", "0000000000")
    assert not ApiKey.objects.exists()


def test_monitoring_status_of_an_account_without_data(account):
    assert run("monitoring_status", "--facility-code", "24-008179") == "waiting -\n"


def test_monitoring_status_prints_the_status_and_last_data_time(account):
    pushed = timezone.now().replace(microsecond=0) - datetime.timedelta(hours=2)
    key, _raw = api_key_create(facility=account.facility)
    reports_ingest(key=key, items=[report(account, national_id="HD1", pushed_at=pushed)])

    output = run("monitoring_status", "--facility-code", "24-008179")

    assert output == f"active {timezone.localtime(pushed).isoformat()}\n"
    assert output.split()[1].endswith("+07:00")


def test_monitoring_sweep_at_a_later_time_moves_the_status(account):
    key, _raw = api_key_create(facility=account.facility)
    reports_ingest(key=key, items=[report(account, national_id="HD1")])
    later = timezone.localtime() + datetime.timedelta(days=15)

    output = run("monitoring_sweep", "--at", later.isoformat())

    assert "silent=1" in output
    assert run("monitoring_status", "--facility-code", "24-008179").startswith("silent ")


def test_monitoring_sweep_rejects_a_time_that_is_not_iso(account):
    with pytest.raises(CommandError):
        run("monitoring_sweep", "--at", "ngày mai")


def test_monitoring_status_of_a_code_on_both_systems_asks_for_the_system(account):
    HandedOverAccountFactory(facility=FacilityFactory(), facility_code="24-008179", system="v2")

    with pytest.raises(CommandError):
        run("monitoring_status", "--facility-code", "24-008179")
    assert run("monitoring_status", "--facility-code", "24-008179", "--system", "v2") == (
        "waiting -\n"
    )


def test_the_periodic_task_sweeps_and_is_scheduled(account):
    monitoring_sweep.delay()

    assert run("monitoring_status", "--facility-code", "24-008179") == "waiting -\n"
    assert account.monitoring.status == "waiting"
    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert monitoring_sweep.name in scheduled
