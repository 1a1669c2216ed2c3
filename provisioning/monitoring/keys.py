"""API keys for software that reports its pushes: created, shown once, revoked."""

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..errors import WorkflowError
from ..services.audit import record_event
from .models import ApiKey

KEY_PREFIX = "ltd_"


def hash_key(raw):
    return hashlib.sha256(raw.encode()).hexdigest()


def api_key_create(*, facility=None, vendor=None, actor=None, name="", ip=None):
    """A new key for a facility or a vendor. Returns (key, the raw key): the raw key is
    never stored, so this is the only time anyone sees it."""
    if (facility is None) == (vendor is None):
        raise ValueError("A key belongs to a facility or to a vendor.")
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        key = ApiKey.objects.create(
            name=name,
            prefix=raw[:12],
            key_hash=hash_key(raw),
            facility=facility,
            vendor=vendor,
            created_by=actor,
        )
        record_event(
            action="api_key.created",
            actor=actor,
            facility=facility,
            data={"key": key.pk, "prefix": key.prefix, "vendor": vendor.pk if vendor else None},
            ip=ip,
            visible_to_facility=facility is not None,
        )
    return key, raw


def api_key_revoke(*, key, actor=None, ip=None):
    """Revoke a key; it answers 401 from now on. Revoking twice changes nothing."""
    with transaction.atomic():
        locked = ApiKey.objects.select_for_update().get(pk=key.pk)
        if locked.revoked_at:
            raise WorkflowError(_("Khóa này đã bị thu hồi."))
        locked.revoked_at = timezone.now()
        locked.revoked_by = actor
        locked.save(update_fields=["revoked_at", "revoked_by"])
        record_event(
            action="api_key.revoked",
            actor=actor,
            facility=locked.facility,
            data={"key": locked.pk, "prefix": locked.prefix},
            ip=ip,
            visible_to_facility=locked.facility_id is not None,
        )
    return locked


def api_key_authenticate(raw):
    """The live key for this raw value, or None (unknown or revoked)."""
    if not raw or not raw.startswith(KEY_PREFIX):
        return None
    return (
        ApiKey.objects.filter(key_hash=hash_key(raw), revoked_at__isnull=True)
        .select_related("facility", "vendor")
        .first()
    )


def api_key_touch(key, *, at):
    """Remember when the key was last used (at most once a minute, to spare the row)."""
    if key.last_used_at is None or at - key.last_used_at > timedelta(minutes=1):
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=at)
