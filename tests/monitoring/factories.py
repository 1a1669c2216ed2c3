"""Accounts already handed over, and helpers to report pushes, for the monitoring tests."""

import datetime
import itertools

import factory
from django.utils import timezone

from provisioning.models import NationalAccount
from provisioning.monitoring.ingest import reports_ingest
from provisioning.monitoring.keys import api_key_create
from provisioning.monitoring.notify import notifications_send
from provisioning.monitoring.services import monitoring_sweep

from ..factories import FacilityFactory, UserFactory


class HandedOverAccountFactory(factory.django.DjangoModelFactory):
    """An account Viettel handed over (the dossier workflow is tested elsewhere)."""

    class Meta:
        model = NationalAccount

    facility = factory.SubFactory(FacilityFactory)
    system = "legacy"
    facility_code = factory.Sequence(lambda n: f"24-{n + 100:06d}")
    username = factory.LazyAttribute(lambda o: f"gpp_{o.facility_code.replace('-', '_')}")
    handed_over_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(hours=1))
    created_by = factory.SubFactory(UserFactory)


LEGACY_KIND = "hoa_don"
V2_KIND = "stock-in"


def report(account, *, national_id, pushed_at=None, kind=None):
    """One sync report as software sends it."""
    pushed_at = pushed_at or timezone.now()
    return {
        "facility_code": account.facility_code,
        "system": account.system,
        "kind": kind or (LEGACY_KIND if account.system == "legacy" else V2_KIND),
        "national_id": national_id,
        "pushed_at": timezone.localtime(pushed_at).isoformat(),
    }


national_ids = itertools.count(1)


def push(account, at):
    """The account's software reports one push made at `at`, with the facility's own key."""
    key, _raw = api_key_create(facility=account.facility)
    reports_ingest(
        key=key, items=[report(account, national_id=f"P{next(national_ids)}", pushed_at=at)], now=at
    )


def step(at):
    """What the beat does at `at`: the sweep, then the reminders' outbox."""
    monitoring_sweep(at=at)
    return notifications_send(now=at)
