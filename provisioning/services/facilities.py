from django.db import transaction

from ..models import Facility
from .audit import record_event


def facility_create(*, owner, fields, ip=None):
    """A facility profile; `fields` are the form's cleaned data."""
    with transaction.atomic():
        facility = Facility.objects.create(owner=owner, **fields)
        record_event(action="facility.created", actor=owner, facility=facility, ip=ip)
    return facility


def facility_update(*, facility, actor, fields, ip=None):
    changed = [name for name, value in fields.items() if getattr(facility, name) != value]
    if not changed:
        return facility
    with transaction.atomic():
        for name in changed:
            setattr(facility, name, fields[name])
        facility.save(update_fields=[*changed, "updated_at"])
        record_event(
            action="facility.updated",
            actor=actor,
            facility=facility,
            data={"fields": changed},
            ip=ip,
        )
    return facility
