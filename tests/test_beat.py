"""The beat schedule, run the way the beat runs it: each entry's task name looked up among
the worker's registered tasks and called with the entry's arguments."""

import datetime
from datetime import timedelta

import pytest
from celery.schedules import schedule as Schedule
from django.utils import timezone

from portal.celery import app as celery_app
from provisioning.models import Apology, DossierStatus, NationalAccount
from provisioning.services.accounts import account_record
from provisioning.workdays import add_working_days

from .flows import dossier_at

pytestmark = pytest.mark.django_db
ENTRIES = sorted(celery_app.conf.beat_schedule)


def run(name):
    """What the beat does with entry `name`: send its task by name; here, run it now."""
    entry = celery_app.conf.beat_schedule[name]
    celery_app.loader.import_default_modules()  # the worker's autodiscovery
    task = celery_app.tasks[entry["task"]]
    result = task.apply(args=entry.get("args", ()), kwargs=entry.get("kwargs", {}))
    assert result.successful(), result.traceback
    return result.result


def every_seconds(name):
    period = celery_app.conf.beat_schedule[name]["schedule"]
    if isinstance(period, Schedule):
        return period.run_every.total_seconds()
    if isinstance(period, timedelta):
        return period.total_seconds()
    return float(period)


def entry_for(task_name):
    [name] = [n for n in ENTRIES if celery_app.conf.beat_schedule[n]["task"] == task_name]
    return name


@pytest.mark.parametrize("name", ENTRIES)
def test_each_scheduled_task_is_registered_and_runs_from_its_entry(name):
    celery_app.loader.import_default_modules()
    assert celery_app.conf.beat_schedule[name]["task"] in celery_app.tasks
    run(name)
    assert every_seconds(name) > 0


def test_the_hourly_entry_drafts_the_apology_of_a_dossier_about_to_be_late(
    facility, reviewer, approver, viettel
):
    dossier = dossier_at(DossierStatus.SUBMITTED, facility=facility)
    dossier.due_date = add_working_days(timezone.localdate(), 1)
    dossier.save(update_fields=["due_date"])
    name = entry_for("provisioning.tasks.draft_apologies")

    assert run(name) == 1

    assert Apology.objects.filter(dossier=dossier, sent_at__isnull=True).exists()
    assert every_seconds(name) <= 3600


def test_the_minute_entry_retries_an_account_whose_login_check_never_ran(
    facility, reviewer, approver, viettel
):
    dossier = dossier_at(
        DossierStatus.APPROVED,
        facility=facility,
        reviewer=reviewer,
        approver=approver,
        viettel=viettel,
    )
    # The check was queued on commit and lost (this test's transaction never commits).
    account = account_record(
        dossier=dossier,
        actor=viettel,
        system="legacy",
        facility_code="24-000123",
        username="gpp_24_000123",
        password="Ban-dau-2026!",
    )
    NationalAccount.objects.filter(pk=account.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    name = entry_for("provisioning.tasks.verify_pending_accounts")

    assert run(name) == 1

    account.refresh_from_db()
    # The test settings point the national systems at a port where nothing answers.
    assert account.verification == NationalAccount.Verification.UNREACHABLE
    assert every_seconds(name) <= 60
