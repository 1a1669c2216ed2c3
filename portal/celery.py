import logging
import logging.config
import os
import socket
import time
import uuid

import redis
from celery import Celery
from celery.beat import PersistentScheduler
from celery.signals import setup_logging
from django.conf import settings
from django.core.cache import cache

# Connects the signals that carry a request's id into its tasks and count task outcomes.
from provisioning import observability  # noqa: F401

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
    "monitoring-notifications": {
        "task": "provisioning.monitoring.tasks.send_notifications",
        "schedule": 300.0,
    },
    "monitoring-daily-digest": {
        "task": "provisioning.monitoring.tasks.send_daily_digest",
        "schedule": 3600.0,  # sends once a day, from MONITORING_DIGEST_HOUR on
    },
}


# Operations: exactly one beat, and the heartbeats the health endpoint reads
# (provisioning/health.py). Kept apart from the schedule above.

WORKER_HEARTBEAT_KEY = "ops:worker-heartbeat"
BEAT_TICK_KEY = "ops:beat-tick"
HEARTBEAT_SECONDS = 30.0

logger = logging.getLogger(__name__)

# Take the lock when it is free, or extend it when this beat holds it; in one step, so that
# two beats can never both believe they hold it.
_ACQUIRE_OR_EXTEND = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('pexpire', KEYS[1], ARGV[2])
end
if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
    return 1
end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""


class SingleBeatScheduler(PersistentScheduler):
    """Celery's scheduler, sending periodic tasks only while it holds a lock in Redis.

    Beat may run on every host: the first to take the lock sends the tasks and refreshes the
    lock on each tick (at least every third of its lifetime); the others tick without sending
    and take over within `lock_ttl` seconds of the holder stopping (at once when it stops
    cleanly). Race: a holder frozen longer than the lock's lifetime may send one round again
    beside its successor, so every periodic task is safe to run twice.

    Without Redis (the demo's file-system broker, one host) there is nothing to share and no
    lock is taken.
    """

    lock_key = "lienthongduoc:beat-lock"

    def __init__(self, app, *args, lock_url=None, lock_ttl=60.0, **kwargs):
        url = lock_url if lock_url is not None else app.conf.broker_url or ""
        self.lock_ttl = float(lock_ttl)
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.holds_lock = False
        self._redis = (
            redis.Redis.from_url(url) if url.startswith(("redis://", "rediss://")) else None
        )
        if self._redis is not None:
            self._acquire_or_extend = self._redis.register_script(_ACQUIRE_OR_EXTEND)
            self._release = self._redis.register_script(_RELEASE)
        super().__init__(app, *args, **kwargs)
        self.max_interval = min(self.max_interval, self.lock_ttl / 3)

    def take_lock(self):
        """Whether this beat may send now (it holds the lock, taken or extended here)."""
        if self._redis is None:
            return True
        try:
            held = bool(
                self._acquire_or_extend([self.lock_key], [self.holder, int(self.lock_ttl * 1000)])
            )
        except redis.RedisError as exc:
            logger.warning("Beat lock unavailable (%s): no periodic task sent", exc)
            held = False
        if held != self.holds_lock:
            logger.info("Beat %s %s the lock", self.holder, "holds" if held else "lost")
        self.holds_lock = held
        return held

    def tick(self, *args, **kwargs):
        if not self.take_lock():
            return self.max_interval
        try:
            cache.set(BEAT_TICK_KEY, time.time(), timeout=None)
        except Exception:
            # The health endpoint will say the beat is silent; the schedule must still run.
            logger.warning("Beat tick not recorded in the cache", exc_info=True)
        return min(super().tick(*args, **kwargs), self.max_interval)

    def close(self):
        super().close()
        if self._redis is not None and self.holds_lock:
            try:
                self._release([self.lock_key], [self.holder])
            except redis.RedisError:
                logger.warning("Beat lock not released; it expires in %ss", self.lock_ttl)
            self.holds_lock = False


app.conf.beat_scheduler = "portal.celery:SingleBeatScheduler"
app.conf.beat_schedule["worker-heartbeat"] = {
    "task": "portal.celery.heartbeat",
    "schedule": HEARTBEAT_SECONDS,
    # A heartbeat older than the next one is worth nothing.
    "options": {"expires": HEARTBEAT_SECONDS},
}


@app.task(name="portal.celery.heartbeat", ignore_result=True)
def heartbeat():
    """A worker ran a task the beat sent: the time it did, for the health endpoint."""
    cache.set(WORKER_HEARTBEAT_KEY, time.time(), timeout=None)


@setup_logging.connect
def use_django_logging(**kwargs):
    """Workers and beat log as the web does (LOG_FORMAT, the request id), not Celery's way."""
    logging.config.dictConfig(settings.LOGGING)
