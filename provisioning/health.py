"""Health endpoints and /metrics, answered before host checks, redirects and sessions.

- `/healthz`: liveness; the process answers (nothing else is touched).
- `/readyz`: what a web process needs to serve: the database, the cache, the broker. The
  proxy or load balancer takes a web host out of rotation on a 503.
- `/health/`: everything, for monitoring: the above, plus a worker's heartbeat (a task the
  beat sends every 30 s) and the beat's last tick, each no older than
  HEALTH_HEARTBEAT_MAX_AGE seconds.
- `/metrics`: Prometheus exposition (provisioning/observability.py), for a bearer token
  (METRICS_TOKEN), or without one only to a caller on this host that did not come through
  the proxy.

They are served by a middleware placed before SecurityMiddleware and CommonMiddleware, so a
probe of 127.0.0.1:8000 needs neither the public host name (ALLOWED_HOSTS) nor HTTPS. The
answers name each check, whether it passed, how long it took and, on failure, the exception's
class only: never a URL, a host or a message that could carry a password.
"""

import hmac
import ipaddress
import time
import uuid

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, JsonResponse

from portal.celery import BEAT_TICK_KEY, WORKER_HEARTBEAT_KEY
from portal.celery import app as celery_app

from .observability import metrics_text

PROBE_TIMEOUT = 2


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache():
    key, value = f"ops:probe:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, timeout=30)
    if cache.get(key) != value:
        raise RuntimeError("cache did not keep a value")
    cache.delete(key)


def _broker_redis():
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        return None
    return redis.Redis.from_url(
        url, socket_connect_timeout=PROBE_TIMEOUT, socket_timeout=PROBE_TIMEOUT
    )


def check_broker():
    client = _broker_redis()
    if client is not None:
        client.ping()
        return
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=PROBE_TIMEOUT)


def queue_lengths():
    """Messages waiting per queue on a Redis broker (a list per queue); {} elsewhere."""
    client = _broker_redis()
    if client is None:
        return {}
    queue = celery_app.conf.task_default_queue or "celery"
    return {queue: client.llen(queue)}


def heartbeat_ages():
    stamps = cache.get_many([WORKER_HEARTBEAT_KEY, BEAT_TICK_KEY])
    now = time.time()
    return {
        process: (now - stamps[key]) if key in stamps else None
        for process, key in (("worker", WORKER_HEARTBEAT_KEY), ("beat", BEAT_TICK_KEY))
    }


def _recent(process):
    def check():
        age = heartbeat_ages()[process]
        if age is None:
            raise LookupError(f"no {process} heartbeat yet")
        if age > settings.HEALTH_HEARTBEAT_MAX_AGE:
            raise TimeoutError(f"{process} heartbeat {age:.0f} s old")
        return {"age_seconds": round(age, 1)}

    return check


READY_CHECKS = {"database": check_database, "cache": check_cache, "broker": check_broker}
ALL_CHECKS = {**READY_CHECKS, "worker": _recent("worker"), "beat": _recent("beat")}


def run_checks(checks):
    results = {}
    for name, check in checks.items():
        started = time.monotonic()
        try:
            details = check() or {}
            result = {"ok": True, **details}
        except Exception as exc:
            result = {"ok": False, "error": type(exc).__name__}
        result["ms"] = round((time.monotonic() - started) * 1000, 1)
        results[name] = result
    return results


def health_response(checks):
    results = run_checks(checks)
    healthy = all(result["ok"] for result in results.values())
    response = JsonResponse(
        {"status": "ok" if healthy else "failing", "checks": results},
        status=200 if healthy else 503,
    )
    response["Cache-Control"] = "no-store"
    return response


def _is_loopback(address):
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def metrics_allowed(request):
    token = settings.METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    # Without a token: only a scraper on this host talking to gunicorn directly. Whatever
    # comes through nginx arrives from loopback too, but with its forwarding headers.
    proxied = "X-Forwarded-For" in request.headers or "X-Real-IP" in request.headers
    return _is_loopback(request.META.get("REMOTE_ADDR", "")) and not proxied


def metrics(request):
    if not metrics_allowed(request):
        return HttpResponse("Forbidden\n", status=403, content_type="text/plain")
    text = metrics_text(queue_lengths=queue_lengths(), heartbeat_ages=heartbeat_ages())
    response = HttpResponse(text, content_type="text/plain; version=0.0.4; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


ROUTES = {
    "/healthz": lambda request: health_response({}),
    "/readyz": lambda request: health_response(READY_CHECKS),
    "/health/": lambda request: health_response(ALL_CHECKS),
    "/metrics": metrics,
}


class OperationsMiddleware:
    """Answers the probes above for GET and HEAD; every other request goes on."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        route = ROUTES.get(request.path_info)
        if route is None or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        return route(request)
