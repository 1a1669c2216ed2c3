"""Monitoring's periodic tasks (scheduled in portal/celery.py)."""

from celery import shared_task

from . import notify
from .services import monitoring_sweep as sweep


@shared_task
def monitoring_sweep():
    """Move every account's status as of now; a second run at once changes nothing."""
    return dict(sweep())


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_notifications():
    """The reminders' outbox; rows are claimed before sending, so a retry never resends."""
    return dict(notify.notifications_send())


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_daily_digest():
    """Each province's digest, once a day (claimed per province and day)."""
    return notify.digests_send()


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_account_notice(change_id):
    """The notice letter of a lock or unlock, issued and e-mailed once."""
    from .locks import account_notice_send

    return account_notice_send(change_id=change_id)
