"""A real Celery worker, in this process, on a queue of the test's own."""

import uuid
from contextlib import contextmanager

from celery.contrib.testing.worker import start_worker

from portal.celery import app as celery_app


def _route(routes):
    # Celery builds its router once and caches it: new routes need a new router.
    celery_app.conf.task_routes = routes
    celery_app.amqp.flush_routes()
    celery_app.amqp.__dict__.pop("router", None)


@contextmanager
def worker_on_private_queue(*task_patterns, prefix="test-worker"):
    """Route the tasks matching `task_patterns` to a queue named for this test only, and run
    a solo worker on it: a developer's worker on the same Redis never takes them, and this
    worker never takes theirs. Yields the queue's name."""
    queue = f"{prefix}-{uuid.uuid4().hex[:12]}"
    routes = celery_app.conf.task_routes
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    _route({pattern: {"queue": queue} for pattern in task_patterns})
    try:
        with start_worker(
            celery_app, pool="solo", perform_ping_check=False, queues=[queue], shutdown_timeout=20
        ):
            yield queue
    finally:
        celery_app.conf.task_always_eager = eager
        _route(routes)
        with celery_app.connection_for_write() as conn:
            conn.default_channel.queue_delete(queue)
