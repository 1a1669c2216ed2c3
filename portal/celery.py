import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["provisioning.monitoring"])

# Every periodic job, in one place.
app.conf.beat_schedule = {
    "draft-apologies": {
        "task": "provisioning.tasks.draft_apologies",
        "schedule": 3600.0,
    },
    "verify-pending-accounts": {
        "task": "provisioning.tasks.verify_pending_accounts",
        "schedule": 60.0,
    },
    # Letters and e-mails whose task was lost or failed (`provisioning.services.outbox`).
    "sweep-outbox": {
        "task": "provisioning.tasks.sweep_outbox",
        "schedule": 60.0,
    },
    "check-pending-password-changes": {
        "task": "provisioning.tasks.check_pending_password_changes",
        "schedule": 60.0,
    },
    "monitoring-sweep": {
        "task": "provisioning.monitoring.tasks.monitoring_sweep",
        "schedule": 900.0,
    },
    "clear-expired-sessions": {
        "task": "provisioning.tasks.clear_expired_sessions",
        "schedule": 24 * 3600.0,
    },
}
