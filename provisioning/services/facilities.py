"""The facility's profile: declared by its owner, audited."""

from django.db import transaction
from django.utils.translation import gettext as _

from ..errors import NotAllowed, WorkflowError
from ..models import Dossier, Facility
from ..workflow import OPEN_STATUSES, profile_locked
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
    """Edit the profile and the representative, unless a dossier of the facility is with the
    Sở or Viettel: the profile they read must not move under them (`PROFILE_LOCKED`)."""
    if facility.owner_id != actor.pk:
        raise NotAllowed(_("Bạn không quản lý cơ sở này."))
    changed = [name for name, value in fields.items() if getattr(facility, name) != value]
    with transaction.atomic():
        # Race: a submission at the same instant locks its dossier first (see `locking`);
        # so does this check, which then sees the dossier submitted, or the submission
        # sees the updated profile.
        statuses = Dossier.objects.select_for_update(of=("self",)).filter(
            facility=facility, status__in=OPEN_STATUSES
        )
        if profile_locked(statuses.values_list("status", flat=True)):
            raise WorkflowError(_("Hồ sơ của cơ sở đang được xử lý, chưa thể sửa thông tin cơ sở."))
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
