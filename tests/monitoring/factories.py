"""Accounts already handed over, and helpers to report pushes, for the monitoring tests."""

import datetime

import factory
from django.utils import timezone

from provisioning.models import NationalAccount

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
