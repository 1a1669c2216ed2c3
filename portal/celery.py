import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Every periodic job, in one place.
app.conf.beat_schedule = {
    "verify-pending-accounts": {
        "task": "provisioning.tasks.verify_pending_accounts",
        "schedule": 60.0,
    },
}
