"""A real Celery worker on the real Redis broker: a submission's e-mail leaves through it.

Choice: the worker runs in this process (`celery.contrib.testing.worker.start_worker`, solo
pool, in a thread), so the locmem `mail.outbox` it writes to is the test's own. The tasks
go to a queue named for this test only, so a developer's worker on the same Redis never
takes them and this worker never takes theirs.
"""

import threading
import time

import pytest
from celery.signals import task_postrun, task_prerun
from django.conf import settings
from django.core import mail
from django.db import connection

from provisioning.models import AuditEvent, Commune, Province
from provisioning.services.dossiers import dossier_submit
from provisioning.units import load_units

from .flows import dossier_at
from .workers import worker_on_private_queue

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(
        not settings.CELERY_BROKER_URL.startswith("redis://"),
        reason="needs a real broker: CELERY_BROKER_URL=redis://…",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def _administrative_units(transactional_db, settings):
    """Put back what the data migration loaded: a transactional test starts after the
    previous one's flush. (Much faster than serialized_rollback's row-by-row reload.)"""
    load_units(Province, Commune, set(settings.PORTAL_PROVINCE_CODES))


@pytest.fixture
def worker_queue():
    ran = []

    def note_task(task=None, **kwargs):
        ran.append((task.name, threading.current_thread() is threading.main_thread()))

    def close_connection(**kwargs):
        # The worker thread's own database connection, closed after each task so that the
        # test database can be flushed and dropped.
        connection.close()

    task_prerun.connect(note_task, weak=False)
    task_postrun.connect(close_connection, weak=False)
    try:
        with worker_on_private_queue("provisioning.tasks.*"):
            yield ran
    finally:
        task_prerun.disconnect(note_task)
        task_postrun.disconnect(close_connection)


def wait_for(condition, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_a_submission_reaches_the_reviewer_through_the_real_worker(
    worker_queue, facility, reviewer
):
    """`worker_queue` lists the tasks the worker ran, with whether on the main thread."""
    dossier = dossier_at("draft", facility=facility)

    dossier = dossier_submit(dossier=dossier, actor=facility.owner)
    event = AuditEvent.objects.get(dossier=dossier, action="dossier.submitted")

    assert wait_for(lambda: any(reviewer.email in m.to for m in mail.outbox))
    to_reviewer = next(m for m in mail.outbox if reviewer.email in m.to)
    assert to_reviewer.subject == f"[Liên thông Dược] Hồ sơ {dossier.code} cần thẩm định"
    assert wait_for(lambda: AuditEvent.objects.get(pk=event.pk).notified_at is not None)
    assert wait_for(lambda: len(mail.outbox) == 2)
    # Run by the worker's thread from the queue, not eagerly in the test's own thread.
    assert worker_queue == [("provisioning.tasks.notify_event", False)]
    assert sorted(mail.outbox[1].to + mail.outbox[0].to) == sorted(
        [reviewer.email, facility.email, facility.owner.email]
    )
