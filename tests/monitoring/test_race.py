"""Two senders, or a sender and the sweep, at the same instant on PostgreSQL's row locks."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from provisioning.models import Commune, MonitoringStatus, Province
from provisioning.monitoring.ingest import reports_ingest
from provisioning.monitoring.keys import api_key_create
from provisioning.monitoring.models import AccountDay, MonitoringState, StatusChange
from provisioning.monitoring.services import monitoring_sweep
from provisioning.units import load_units

from ..factories import FacilityFactory, VendorFactory
from ..services.test_race import at_once
from .factories import HandedOverAccountFactory, report

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row-lock races need PostgreSQL (DATABASE_URL)"
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def _administrative_units(transactional_db, settings):
    load_units(Province, Commune, set(settings.PORTAL_PROVINCE_CODES))


def test_one_batch_sent_twice_at_once_is_counted_once():
    vendor = VendorFactory()
    accounts = [HandedOverAccountFactory(facility=FacilityFactory(vendor=vendor)) for _ in range(5)]
    key, _raw = api_key_create(vendor=vendor)
    batch = [report(a, national_id=f"{a.pk}-{n}") for a in accounts for n in range(20)]
    # The second sender sends the same reports in the other order.
    batches = [batch, list(reversed(batch))]

    outcomes = at_once(lambda items: reports_ingest(key=key, items=items), *batches)

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert sum(o.accepted for o in outcomes) == 100
    assert sum(o.duplicates for o in outcomes) == 100
    assert sorted(AccountDay.objects.values_list("pushes", flat=True)) == [20] * 5
    # Enrolled once each, made active once each.
    assert StatusChange.objects.filter(reason="enrolled").count() == 5
    assert StatusChange.objects.filter(reason="first_data").count() == 5


def test_data_arriving_while_the_sweep_runs_is_never_lost():
    now = timezone.now()
    account = HandedOverAccountFactory(handed_over_at=now - datetime.timedelta(days=30))
    key, _raw = api_key_create(facility=account.facility)
    reports_ingest(
        key=key,
        items=[report(account, national_id="OLD", pushed_at=now - datetime.timedelta(days=13))],
        now=now,
    )
    assert MonitoringState.objects.get().status == MonitoringStatus.LATE

    def act(who):
        if who == "sweep":
            # A day on, the old data alone would make the account silent.
            return monitoring_sweep(at=now + datetime.timedelta(days=1, minutes=1))
        return reports_ingest(key=key, items=[report(account, national_id="NEW")], now=now)

    outcomes = at_once(act, "sweep", "sender")

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    state = MonitoringState.objects.get()
    assert state.status == MonitoringStatus.ACTIVE
    # Either the sweep moved it first (late → silent → active) or it found it active.
    reasons = list(StatusChange.objects.order_by("pk").values_list("reason", flat=True))
    assert reasons[2:] in (["data_resumed"], ["silent", "data_resumed"])
