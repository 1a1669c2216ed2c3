"""What operators watch: a request id through logs and tasks, JSON logs, counters, /metrics.

The request id comes from nginx (`X-Request-ID`, its `$request_id`) or is made here, is
returned in the response, stamped on every log line of the request and sent in the headers of
every task the request queues, whose log lines then carry it too.

Counters (requests by status class, task outcomes) live in the cache, Redis in production, so
that every gunicorn worker and every Celery worker adds to the same figures.
"""

import contextvars
import json
import logging
import re
import uuid
from datetime import UTC, datetime

from celery.signals import (
    before_task_publish,
    task_failure,
    task_postrun,
    task_prerun,
    task_retry,
    task_success,
)
from django.core.cache import cache
from django.core.signals import request_finished
from django.dispatch import receiver

logger = logging.getLogger(__name__)

REQUEST_ID_HEADER = "X-Request-ID"
# What a proxy may hand us: nginx's 32 hex digits, a UUID, or any short token of this shape.
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
request_id = contextvars.ContextVar("request_id", default=None)

STATUS_CLASSES = ("1xx", "2xx", "3xx", "4xx", "5xx")
TASK_OUTCOMES = ("success", "failure", "retry")


def counter_key(name):
    return f"ops:count:{name}"


def count(name):
    """Add one to a shared counter; a cache outage must never fail the request or task."""
    key = counter_key(name)
    try:
        try:
            cache.incr(key)
        except ValueError:
            # Race: two processes may add at once; add() keeps the first, both then count.
            cache.add(key, 0, timeout=None)
            cache.incr(key)
    except Exception:
        logger.debug("Counter %s not counted", name, exc_info=True)


def counters(names):
    values = cache.get_many([counter_key(name) for name in names])
    return {name: values.get(counter_key(name), 0) for name in names}


class RequestIdMiddleware:
    """Names every request, and counts answers by status class. First in MIDDLEWARE."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get(REQUEST_ID_HEADER, "")
        current = given if _VALID_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        request.request_id = current
        # Kept until the response is closed (request_finished below), so that Django's own
        # "Not Found" and error lines, written after the middleware returns, carry it too.
        request_id.set(current)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = current
        count(f"http:{str(response.status_code)[0]}xx")
        return response


@receiver(request_finished)
def _forget_request_id_after_the_response(**kwargs):
    request_id.set(None)


class RequestIdFilter(logging.Filter):
    """Gives every log record the current request's id ("-" outside a request or task)."""

    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line, for LOG_FORMAT=json (journald, Loki, Elasticsearch…)."""

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id.get(),
            "process": record.process,
        }
        for extra in ("task_id", "task_name", "status_code"):
            if hasattr(record, extra):
                entry[extra] = getattr(record, extra)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


# Celery: the request id travels in the task message's headers.

_task_tokens = {}


@before_task_publish.connect
def _send_request_id(headers=None, **kwargs):
    current = request_id.get()
    if current and headers is not None:
        headers.setdefault("request_id", current)


def _received_request_id(task):
    given = getattr(task.request, "request_id", None)
    if given is None:
        given = (getattr(task.request, "headers", None) or {}).get("request_id")
    return given if isinstance(given, str) and _VALID_REQUEST_ID.fullmatch(given) else None


@task_prerun.connect
def _receive_request_id(task_id=None, task=None, **kwargs):
    # An eager task runs inside the request and already has its id; a worker's task gets
    # the one its message carries.
    given = _received_request_id(task)
    if given:
        _task_tokens[task_id] = request_id.set(given)


@task_postrun.connect
def _forget_request_id(task_id=None, **kwargs):
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        request_id.reset(token)


@task_success.connect
def _count_success(**kwargs):
    count("task:success")


@task_failure.connect
def _count_failure(**kwargs):
    count("task:failure")


@task_retry.connect
def _count_retry(**kwargs):
    count("task:retry")


# /metrics, in Prometheus' text exposition format.


def _label(value):
    return str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _family(lines, name, kind, help_text, samples):
    lines.append(f"# HELP {name} {help_text}")
    lines.append(f"# TYPE {name} {kind}")
    for labels, value in samples:
        rendered = ",".join(f'{key}="{_label(val)}"' for key, val in labels.items())
        lines.append(f"{name}{{{rendered}}} {value}" if rendered else f"{name} {value}")


def metrics_text(*, queue_lengths, heartbeat_ages):
    """The exposition: shared counters, queue lengths, heartbeats, rows per status."""
    from django.db.models import Count

    from .models import Dossier, DossierStatus, NationalAccount

    lines = []
    http = counters([f"http:{status}" for status in STATUS_CLASSES])
    _family(
        lines,
        "lienthongduoc_http_responses_total",
        "counter",
        "Responses sent by the portal, by status class.",
        [({"status_class": key.split(":")[1]}, value) for key, value in http.items()],
    )
    tasks = counters([f"task:{outcome}" for outcome in TASK_OUTCOMES])
    _family(
        lines,
        "lienthongduoc_celery_tasks_total",
        "counter",
        "Celery tasks finished by the workers, by outcome.",
        [({"outcome": key.split(":")[1]}, value) for key, value in tasks.items()],
    )
    _family(
        lines,
        "lienthongduoc_celery_queue_length",
        "gauge",
        "Messages waiting in a Celery queue on the broker.",
        [({"queue": queue}, length) for queue, length in sorted(queue_lengths.items())],
    )
    _family(
        lines,
        "lienthongduoc_heartbeat_age_seconds",
        "gauge",
        "Seconds since the last worker heartbeat and the last beat tick (-1: never).",
        [
            ({"process": process}, -1 if age is None else round(age, 1))
            for process, age in sorted(heartbeat_ages.items())
        ],
    )
    per_status = dict(Dossier.objects.values_list("status").annotate(n=Count("pk")).order_by())
    _family(
        lines,
        "lienthongduoc_dossiers",
        "gauge",
        "Dossiers, by status.",
        [({"status": status}, per_status.get(status, 0)) for status in DossierStatus.values],
    )
    per_verification = dict(
        NationalAccount.objects.values_list("verification").annotate(n=Count("pk")).order_by()
    )
    _family(
        lines,
        "lienthongduoc_national_accounts",
        "gauge",
        "Interconnection accounts recorded, by the outcome of their login check.",
        [
            ({"verification": value}, per_verification.get(value, 0))
            for value in NationalAccount.Verification.values
        ],
    )
    return "\n".join(lines) + "\n"
