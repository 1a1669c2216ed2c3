from django.db import transaction

from ..models import Facility
from .audit import record_event
from .people import person_update


def facility_create(*, owner, fields, representative, ip=None):
    """A facility profile; `fields` are the form's cleaned data, `representative` the owner's
    name and position as the facility declared them."""
    with transaction.atomic():
        person_update(user=owner, actor=owner, ip=ip, **representative)
        facility = Facility.objects.create(owner=owner, **fields)
        record_event(action="facility.created", actor=owner, facility=facility, ip=ip)
    return facility


def facility_update(*, facility, actor, fields, representative, ip=None):
    changed = [name for name, value in fields.items() if getattr(facility, name) != value]
    with transaction.atomic():
        person_update(user=facility.owner, actor=actor, ip=ip, **representative)
        if not changed:
            return facility
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
