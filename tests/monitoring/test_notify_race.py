"""Two outbox runs at the same instant on PostgreSQL: every e-mail still goes out once."""

import datetime
import itertools

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from provisioning.models import Commune, Province
from provisioning.monitoring.ingest import reports_ingest
from provisioning.monitoring.keys import api_key_create
from provisioning.monitoring.models import StatusChange, VendorIncident
from provisioning.monitoring.notify import digests_send, notifications_send
from provisioning.monitoring.services import monitoring_sweep
from provisioning.units import load_units

from ..factories import FacilityFactory, MembershipFactory, UserFactory, VendorFactory
from ..services.test_race import at_once
from .factories import HandedOverAccountFactory, report

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row-lock races need PostgreSQL (DATABASE_URL)"
    ),
    pytest.mark.django_db(transaction=True),
]

DAY = datetime.timedelta(days=1)
ids = itertools.count(1)


@pytest.fixture(autouse=True)
def _administrative_units(transactional_db, settings):
    load_units(Province, Commune, set(settings.PORTAL_PROVINCE_CODES))


def quiet_accounts(count, start, vendor=None):
    accounts = []
    for _n in range(count):
        facility = FacilityFactory(**({"vendor": vendor} if vendor else {}))
        account = HandedOverAccountFactory(facility=facility, handed_over_at=start)
        key, _raw = api_key_create(facility=facility)
        reports_ingest(
            key=key,
            items=[report(account, national_id=f"P{next(ids)}", pushed_at=start)],
            now=start,
        )
        accounts.append(account)
    return accounts


def test_two_senders_at_once_send_each_reminder_once(settings):
    settings.MONITORING_OUTAGE_MIN_ACCOUNTS = 1000  # no outage: one reminder each
    start = timezone.now()
    accounts = quiet_accounts(12, start)
    at = start + 4 * DAY
    monitoring_sweep(at=at)

    outcomes = at_once(lambda _who: notifications_send(now=at), "first", "second")

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert sum(o["late"] for o in outcomes) == 12
    assert sorted(m.to[0] for m in mail.outbox) == sorted(a.facility.email for a in accounts)
    assert StatusChange.objects.filter(reason="late", notified_at__isnull=False).count() == 12


def test_two_senders_at_once_open_one_vendor_incident_and_notify_it_once(settings):
    settings.MONITORING_OUTAGE_MIN_ACCOUNTS = 5
    start = timezone.now()
    vendor = VendorFactory(contact_email="hotro@saomai.vn")
    quiet_accounts(6, start, vendor=vendor)
    at = start + 4 * DAY
    monitoring_sweep(at=at)

    outcomes = at_once(lambda _who: notifications_send(now=at), "first", "second")

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    incident = VendorIncident.objects.get()
    assert incident.accounts.count() == 6
    assert [m.to for m in mail.outbox] == [["hotro@saomai.vn"]]


def test_two_digest_runs_at_once_send_one_digest(settings):
    MembershipFactory(user=UserFactory(email="chuyenvien@soyte.vn"), role="reviewer")

    outcomes = at_once(lambda _who: digests_send(), "first", "second")

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert len(mail.outbox) == 1
