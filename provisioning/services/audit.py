"""The audit trail: one row per change, secrets masked; also the outbox (`outbox.py`)."""

from ..models import AuditEvent

SECRET_MARKERS = ("password", "token", "secret", "pwd")


def _mask(data):
    return {
        key: "***" if any(marker in key.lower() for marker in SECRET_MARKERS) else value
        for key, value in (data or {}).items()
    }


def record_event(**fields):
    """Write one audit row; call inside the transaction of the change it records.

    An action that produces letters or e-mails (`outbox.EFFECTS`) is queued for them once
    the transaction commits; the outbox's sweep catches a queueing that got lost.
    """
    event = new_event(**fields)
    event.save()
    from .outbox import produces_effects

    if produces_effects(event.action):
        from ..tasks import notify_event

        notify_event.delay_on_commit(event.pk)
    return event


def new_event(
    *,
    action,
    actor=None,
    dossier=None,
    facility=None,
    from_status="",
    to_status="",
    note="",
    data=None,
    ip=None,
    visible_to_facility=True,
):
    """An unsaved audit row, for `record_event` or a batch's `bulk_create` (which queues no
    outbox effects: only for actions that produce none)."""
    return AuditEvent(
        action=action,
        actor=actor if actor and actor.is_authenticated else None,
        dossier=dossier,
        facility=facility or (dossier.facility if dossier else None),
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=_mask(data),
        ip=ip,
        visible_to_facility=visible_to_facility,
    )
