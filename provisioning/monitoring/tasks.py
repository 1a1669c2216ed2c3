"""Monitoring's periodic task (scheduled in portal/celery.py)."""

from celery import shared_task

from .services import monitoring_sweep as sweep


@shared_task
def monitoring_sweep():
    """Move every account's status as of now; a second run at once changes nothing."""
    return dict(sweep())
