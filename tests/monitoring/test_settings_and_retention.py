"""Grace days come from the environment and fail loudly; raw reports expire, counts stay."""

import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.utils import timezone

from provisioning.monitoring.ingest import reports_ingest
from provisioning.monitoring.keys import api_key_create
from provisioning.monitoring.models import AccountDay, MonitoringState, SyncReport
from provisioning.monitoring.services import monitoring_sweep

from .factories import HandedOverAccountFactory, report

ROOT = Path(__file__).resolve().parents[2]


def grace_in_fresh_interpreter(tmp_path, value):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings"}
    env.update(PORTAL_VAR_DIR=str(tmp_path), MONITORING_GRACE_DAYS=value)
    return subprocess.run(
        [sys.executable, "-c", "import portal.settings as s; print(s.MONITORING_GRACE_DAYS)"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )


def test_grace_days_per_facility_type_are_read_from_the_environment(tmp_path):
    result = grace_in_fresh_interpreter(tmp_path, '{"quay_thuoc": {"late": 5, "silent": 20}}')

    assert result.returncode == 0, result.stderr
    assert "'quay_thuoc': {'late': 5, 'silent': 20}" in result.stdout
    # The clinics' own default stays.
    assert "'phong_kham': {'late': 7, 'silent': 21}" in result.stdout


@pytest.mark.parametrize(
    "value",
    [
        '{"phong_kham": {"late": 30}}',
        '{"nha_thuoc": {"late": "3"}}',
        '{"nha_thuoc": {"soon": 1}}',
        "three days",
    ],
)
def test_unusable_grace_days_stop_the_portal_from_starting(tmp_path, value):
    result = grace_in_fresh_interpreter(tmp_path, value)

    assert result.returncode != 0
    assert "MONITORING_GRACE_DAYS" in result.stderr


def test_raw_reports_past_retention_are_deleted_and_the_counts_stay(db, settings):
    settings.MONITORING_REPORT_RETENTION_DAYS = 30
    now = timezone.now()
    account = HandedOverAccountFactory(handed_over_at=now - datetime.timedelta(days=40))
    key, _raw = api_key_create(facility=account.facility)
    # Received five days ago, when it was 29 days old.
    old = now - datetime.timedelta(days=34)
    received = now - datetime.timedelta(days=5)
    reports_ingest(key=key, items=[report(account, national_id="OLD", pushed_at=old)], now=received)
    recent = now - datetime.timedelta(days=25)
    reports_ingest(key=key, items=[report(account, national_id="RECENT", pushed_at=recent)])

    # Looking ahead ten days, the sweep still counts retention from the real time.
    counts = monitoring_sweep(at=now + datetime.timedelta(days=10))

    assert counts["purged"] == 1
    assert list(SyncReport.objects.values_list("national_id", flat=True)) == ["RECENT"]
    assert AccountDay.objects.filter(account=account).count() == 2
    assert MonitoringState.objects.get(pk=account.pk).last_data_at is not None
    # Resending the deleted report cannot count it twice: it is now too old to take.
    again = reports_ingest(key=key, items=[report(account, national_id="OLD", pushed_at=old)])
    assert [r["code"] for r in again.rejected] == ["too_old"]


def test_grace_days_for_an_unknown_facility_type_fail_the_system_check(settings):
    settings.MONITORING_GRACE_DAYS = {"nha-thuoc": {"late": 5}}

    with pytest.raises(SystemCheckError, match="nha-thuoc"):
        call_command("check")
