"""A system check: grace days named for a facility type the portal does not know are a typo
that would silently leave that type on the defaults."""

from django.conf import settings
from django.core import checks


@checks.register()
def grace_days_name_known_facility_types(app_configs, **kwargs):
    from ..models import Facility

    unknown = sorted(set(settings.MONITORING_GRACE_DAYS) - set(Facility.Kind.values))
    if not unknown:
        return []
    return [
        checks.Error(
            f"MONITORING_GRACE_DAYS names unknown facility types: {', '.join(unknown)}.",
            hint=f"Known types: {', '.join(Facility.Kind.values)}.",
            id="monitoring.E001",
        )
    ]
