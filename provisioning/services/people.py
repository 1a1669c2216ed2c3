"""The people behind the accounts: the name and position printed where they sign."""

from django.db import transaction

from ..models import User
from .audit import record_event


def person_update(*, user, full_name, position, actor, ip=None):
    """Set a user's full name and position; audited when either changes."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        changed = {
            name: value
            for name, value in (("full_name", full_name), ("position", position))
            if getattr(user, name) != value
        }
        if not changed:
            return user
        for name, value in changed.items():
            setattr(user, name, value)
        user.save(update_fields=list(changed))
        record_event(
            action="user.profile_updated",
            actor=actor,
            data={"user": user.pk, **changed},
            ip=ip,
            visible_to_facility=False,
        )
    return user
